package e2e

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/app/i18n"
	"guichet/app/identity"
)

// invitee is an applicant seeded with Go: a GCKey with an authenticator
// app, a secure account and an Express Entry profile in the pool, which
// a round then invites.
type invitee struct {
	*person
	d       enrolDetails
	account int64
	number  string
}

// newInvitee seeds an applicant whose profile is in the pool.
func (a *irccApp) newInvitee(t *testing.T, lang string) invitee {
	t.Helper()
	p := a.newPerson(t, lang)
	d := newEnrolDetails(lang)
	id := a.newAccount(t, p, d)
	number, _, _, err := a.set.ExpressEntry.CreateDemoProfile(t.Context(), id)
	if err != nil {
		t.Fatalf("a profile in the pool: %v", err)
	}
	return invitee{person: p, d: d, account: id, number: number}
}

// eeChecklist is the invitation's checklist of documents, in lang.
func eeChecklist(lang string) []string {
	var out []string
	for _, k := range []string{"passport", "police", "medical", "funds", "language", "photo"} {
		out = append(out, i18n.In(lang, "ee.doc."+k))
	}
	return out
}

// texts is the text of every element sel matches, white space collapsed.
func texts(t testing.TB, ctx context.Context, sel string) []string {
	t.Helper()
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll(`+js(sel)+`), e => e.textContent.trim().split(/\s+/).join(" "))`)
}

// definitions reads a <dl> as its terms and descriptions, each pair
// joined by a space, the way a screen reader reads them out.
func definitions(t testing.TB, ctx context.Context, sel string) []string {
	t.Helper()
	return eval[[]string](t, ctx, `(() => {
		const dl = document.querySelector(`+js(sel)+`);
		if (!dl) return [];
		const norm = s => s.trim().split(/\s+/).join(" ");
		const out = [];
		for (const dt of dl.querySelectorAll("dt")) {
			const dd = dt.nextElementSibling;
			out.push(norm(dt.textContent) + " " + (dd ? norm(dd.textContent) : ""));
		}
		return out;
	})()`)
}

// stutter finds an article or preposition doubled where a sentence of the
// catalog meets a formatted date ("au plus tard le le mardi…",
// "jusqu'au le mardi…"): FormatDateTime's French already starts with
// "le".
var stutter = regexp.MustCompile(`(?i)\b(le|au|du|the) (le|the)\b`)

// noStutter fails the test when s, what the page says about what, reads
// with a doubled word.
func noStutter(t testing.TB, what, s string) {
	t.Helper()
	if m := stutter.FindString(s); m != "" {
		t.Errorf("%s reads %q: %q", what, m, s)
	}
}

// eeCounts are, from the database, how many applications an account has
// and the status of its Express Entry profile.
func (a *irccApp) eeCounts(t testing.TB, accountID int64) (apps int, status string) {
	t.Helper()
	if err := a.DB.R.Get(&apps, a.DB.Rebind(`SELECT COUNT(*) FROM ircc_applications WHERE account_id = ?`), accountID); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.R.Get(&status, a.DB.Rebind(`SELECT status FROM ircc_profiles WHERE account_id = ? ORDER BY id DESC LIMIT 1`), accountID); err != nil {
		t.Fatal(err)
	}
	return apps, status
}

var appNumber = regexp.MustCompile(`^W[0-9]{9}$`)

// flat collapses white space as squash does, no-break spaces included
// (French dates keep "12 h 56" together with them).
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestInvitationToApply answers invitations to apply for permanent
// residence, in both languages. Four applicants with a profile in the
// pool are invited by one round (run with Go, as staff would); each signs
// in through the real GCKey pages. One applies: the dashboard, the Express
// Entry list and the profile show the invitation (with the date to answer
// by and the checklist), the invitation letter is in Messages, the
// application form is sent empty (the error summary takes the focus and
// nothing is created), then filled in; the confirmation gives the
// application number, the dashboard lists the application and the
// documents page offers an upload for each document of the checklist. The
// other declines: the confirmation page, then the notice, and the profile
// is back in the pool. Every page and error state passes axe and is in
// the page's language.
func TestInvitationToApply(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	ctx0 := t.Context()
	admin := a.newPerson(t, "en")
	staffID, err := a.set.Staff.CreateDemoMember(ctx0, a.pairwise(t, admin, "staff"), staffNames["en"], identity.RoleAdministrator)
	if err != nil {
		t.Fatalf("making an administrator: %v", err)
	}
	applying, declining := map[string]invitee{}, map[string]invitee{}
	for _, l := range gckeyLangs {
		applying[l], declining[l] = a.newInvitee(t, l), a.newInvitee(t, l)
	}
	pool := 2 * len(gckeyLangs)
	round, err := a.set.ExpressEntry.RunRound(ctx0, staffID, pool, 0, time.Now())
	if err != nil {
		t.Fatalf("running a round: %v", err)
	}
	if round.Invited != pool {
		t.Fatalf("the round invited %d, want the %d profiles in the pool", round.Invited, pool)
	}
	respondBy := round.RunAt.AddDate(0, 0, 60)

	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			invited := i18n.In(l, "ee.status.invited")
			checklist := eeChecklist(l)
			answerBy := flat(i18n.FormatDateTime(l, respondBy))

			// toProfile goes from the dashboard to the Express Entry list
			// and the profile, checking both show the invitation, and
			// returns the profile's path.
			toProfile := func(t *testing.T, ctx context.Context, who invitee) string {
				t.Helper()
				followLink(t, ctx, `[data-testid="express-entry"]`, http.StatusOK)
				onPage(t, ctx, l, "/ircc/express-entry/")
				says(t, ctx, l, "ee.title")
				if got := squash(t, ctx, `table[data-testid="profiles"] tbody tr`); !strings.Contains(got, who.number) || !strings.Contains(got, invited) {
					t.Errorf("the Express Entry list shows the profile as %q, want %s %s", got, who.number, invited)
				}
				if exists(t, ctx, `[data-testid="start-profile"]`) {
					t.Error("the Express Entry list offers a new profile while one is invited")
				}
				axeCheck(t, ctx)
				followLink(t, ctx, `[data-testid="profile-link"]`, http.StatusOK)
				base := eval[string](t, ctx, `location.pathname`)
				if !regexp.MustCompile(`^/` + l + `/ircc/express-entry/[0-9]+$`).MatchString(base) {
					t.Fatalf("the profile's link led to %s", where(ctx))
				}
				says(t, ctx, l, "ee.inv.title")
				if got := text(t, ctx, `[data-testid="profile-number"]`); got != who.number {
					t.Errorf("the profile page shows the number %q, want %q", got, who.number)
				}
				if got := squash(t, ctx, `[data-testid="profile-status"]`); got != invited {
					t.Errorf("the profile's status reads %q, want %q", got, invited)
				}
				if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="invitation"]').length`); n != 1 {
					t.Fatalf("the profile page shows %d invitations, want 1", n)
				}
				if got, want := squash(t, ctx, `[data-testid="invitation-status"]`), i18n.In(l, "ee.inv.status_open"); got != want {
					t.Errorf("the invitation's status reads %q, want %q", got, want)
				}
				if got, want := squash(t, ctx, `[data-testid="respond-by"]`), answerBy; got != want {
					t.Errorf("the invitation is to be answered by %q, want %q", got, want)
				}
				for _, s := range definitions(t, ctx, `[data-testid="invitation"] dl`) {
					noStutter(t, "the invitation on the profile page", s)
				}
				if got := texts(t, ctx, `[data-testid="invitation"] [data-testid="checklist"] li`); !slices.Equal(got, checklist) {
					t.Errorf("the invitation's checklist is %q, want %q", got, checklist)
				}
				for sel, path := range map[string]string{`[data-testid="apply"]`: "/invitation/apply", `[data-testid="decline"]`: "/invitation/decline"} {
					if got := eval[string](t, ctx, `(document.querySelector(`+js(sel)+`) || {getAttribute: () => ""}).getAttribute("href") || ""`); got != base+path {
						t.Errorf("the invitation's link %s leads to %q, want %s", sel, got, base+path)
					}
				}
				axeCheck(t, ctx)
				return base
			}

			t.Run("apply", func(t *testing.T) {
				t.Parallel()
				who := applying[l]
				ctx := newTab(t)
				toDashboard(t, ctx, a, who.person)

				// The dashboard: the profile invited, one letter unread.
				if got := squash(t, ctx, `table[data-testid="profiles"] tbody tr`); !strings.Contains(got, who.number) || !strings.Contains(got, invited) {
					t.Errorf("the dashboard lists the profile as %q, want %s %s", got, who.number, invited)
				}
				if got, want := squash(t, ctx, `[data-testid="unread"]`), i18n.In(l, "ircc.dashboard.unread_one"); got != want {
					t.Errorf("the dashboard says %q, want %q", got, want)
				}
				if !exists(t, ctx, `[data-testid="applications-empty"]`) {
					t.Error("the dashboard lists applications before the person applied")
				}
				says(t, ctx, l, "ircc.dashboard.ee_heading")
				axeCheck(t, ctx)

				// The invitation letter, in Messages.
				followLink(t, ctx, `[data-testid="unread"] a`, http.StatusOK)
				onPage(t, ctx, l, "/ircc/messages")
				says(t, ctx, l, "ircc.messages.title")
				subject := i18n.In(l, "ee.letter.invitation_subject")
				link := markIn(t, ctx, `[data-testid="message-unread"]`, subject, "a")
				axeCheck(t, ctx)
				followLink(t, ctx, link, http.StatusOK)
				if got := squash(t, ctx, "h1"); got != subject {
					t.Errorf("the letter is titled %q, want %q", got, subject)
				}
				if got, want := squash(t, ctx, `[data-testid="letter-kind"]`), i18n.In(l, "ircc.kind.invitation"); got != want {
					t.Errorf("the letter's kind reads %q, want %q", got, want)
				}
				body := squash(t, ctx, `[data-testid="letter-body"]`)
				for _, want := range append([]string{who.number, answerBy}, checklist...) {
					if !strings.Contains(body, want) {
						t.Errorf("the invitation letter does not say %q: %q", want, body)
					}
				}
				noStutter(t, "the invitation letter", body)
				says(t, ctx, l, "ircc.kind.invitation")
				axeCheck(t, ctx)

				// The Express Entry list and the profile.
				load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
				base := toProfile(t, ctx, who)

				// The application, sent empty: nothing is created.
				followLink(t, ctx, `[data-testid="apply"]`, http.StatusOK)
				onPage(t, ctx, l, strings.TrimPrefix(base, "/"+l)+"/invitation/apply")
				says(t, ctx, l, "ee.apply.title")
				for f, want := range map[string]string{"#given_name": who.d.Given, "#family_name": who.d.Family,
					"#birth_date": who.d.birth(), "#email": who.d.Email} {
					if got := eval[string](t, ctx, `document.querySelector(`+js(f)+`).value`); got != want {
						t.Errorf("the application form fills %s with %q, want %q (the account's)", f, got, want)
					}
				}
				if got := texts(t, ctx, `[data-testid="apply-form"] [data-testid="checklist"] li`); !slices.Equal(got, checklist) {
					t.Errorf("the application's checklist is %q, want %q", got, checklist)
				}
				intro := squash(t, ctx, "main h1 + p")
				if !strings.Contains(intro, who.number) || !strings.Contains(intro, answerBy) {
					t.Errorf("the application's introduction does not name the profile and the date to apply by: %q", intro)
				}
				noStutter(t, "the application's introduction", intro)
				axeCheck(t, ctx)
				fields := []string{"given_name", "family_name", "birth_date", "email", "street", "city", "region", "postal_code", "country", "family_members"}
				for _, f := range fields {
					emptyField(t, ctx, "#"+f)
				}
				if res := clickNav(t, ctx, `[data-testid="apply-submit"]`); res.Status != http.StatusUnprocessableEntity {
					t.Fatalf("an empty application: status %d, want 422 (page %s)", res.Status, where(ctx))
				}
				expectErrorSummary(t, ctx, "given_name")
				for _, f := range []string{"family_name", "birth_date", "email", "street", "city", "country", "family_members", "declaration"} {
					if !exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
						t.Errorf("the error summary does not link to #%s: %q", f, squash(t, ctx, "#error-summary"))
					}
				}
				for _, f := range []string{"region", "postal_code"} {
					if exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
						t.Errorf("the error summary asks for #%s, which is optional", f)
					}
				}
				says(t, ctx, l, "ee.err.declaration_required")
				if apps, status := a.eeCounts(t, who.account); apps != 0 || status != "invited" {
					t.Errorf("after an empty application the account has %d applications and a profile %s, want none and invited", apps, status)
				}
				axeCheck(t, ctx)

				// Filled in, the declaration ticked.
				values := map[string]string{"given_name": who.d.Given, "family_name": who.d.Family, "birth_date": who.d.birth(),
					"email": who.d.Email, "street": "123 Main Street", "city": "Ottawa", "region": "Ontario", "postal_code": "K1A 0B1",
					"country": "Canada", "family_members": "0"}
				for _, f := range fields {
					insertField(t, ctx, "#"+f, values[f])
				}
				check(t, ctx, "declaration")
				if res := clickNav(t, ctx, `[data-testid="apply-submit"]`); res.Status != http.StatusOK {
					t.Fatalf("the application: status %d (page %s)", res.Status, where(ctx))
				}
				if got := location(t, ctx); got != base+"?applied=1" {
					t.Fatalf("the application led to %s, want %s?applied=1", where(ctx), base)
				}
				says(t, ctx, l, "ee.apply.done_title")
				number := text(t, ctx, `[data-testid="application-number"]`)
				if !appNumber.MatchString(number) {
					t.Errorf("the application number is %q, want W and 9 digits", number)
				}
				if got, want := squash(t, ctx, `[data-testid="applied"]`), i18n.In(l, "ee.apply.done", number); got != want {
					t.Errorf("the confirmation says %q, want %q", got, want)
				}
				if got, want := squash(t, ctx, `[data-testid="profile-status"]`), i18n.In(l, "ee.status.applied"); got != want {
					t.Errorf("after applying the profile's status reads %q, want %q", got, want)
				}
				if got, want := squash(t, ctx, `[data-testid="invitation-status"]`), i18n.In(l, "ee.inv.status_applied"); got != want {
					t.Errorf("after applying the invitation's status reads %q, want %q", got, want)
				}
				if exists(t, ctx, `[data-testid="apply"]`) || exists(t, ctx, `[data-testid="decline"]`) || exists(t, ctx, `[data-testid="respond-by"]`) {
					t.Error("after applying the invitation can still be answered")
				}
				if apps, status := a.eeCounts(t, who.account); apps != 1 || status != "applied" {
					t.Errorf("after applying the account has %d applications and a profile %s, want 1 and applied", apps, status)
				}
				axeCheck(t, ctx)

				// The dashboard lists the application.
				load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
				onDashboard(t, ctx, l)
				row := squash(t, ctx, `table[data-testid="applications"] tbody tr`)
				for _, want := range []string{number, i18n.In(l, "ee.program.pr"), i18n.In(l, "ircc.status.submitted")} {
					if !strings.Contains(row, want) {
						t.Errorf("the dashboard lists the application as %q, want it to say %q", row, want)
					}
				}
				if got, want := squash(t, ctx, `table[data-testid="profiles"] tbody tr td`), i18n.In(l, "ee.status.applied"); got != want {
					t.Errorf("the dashboard gives the applied profile the status %q, want %q (the profile page's)", got, want)
				}
				if got, want := squash(t, ctx, `[data-testid="open-requests"]`), i18n.In(l, "ircc.dashboard.requests_many", strconv.Itoa(len(checklist))); got != want {
					t.Errorf("the dashboard says %q, want %q", got, want)
				}
				says(t, ctx, l, "ircc.dashboard.applications_heading")
				axeCheck(t, ctx)

				// The documents page: an upload for each document.
				followLink(t, ctx, `[data-testid="open-requests"] a`, http.StatusOK)
				onPage(t, ctx, l, "/ircc/documents")
				says(t, ctx, l, "ircc.documents.title")
				labels := texts(t, ctx, `form[data-testid="upload-form"] label`)
				if n := eval[int](t, ctx, `document.querySelectorAll('form[data-testid="upload-form"] input[type="file"]').length`); n != len(checklist) {
					t.Errorf("the documents page has %d upload fields, want %d", n, len(checklist))
				}
				got, want := slices.Sorted(slices.Values(labels)), slices.Sorted(slices.Values(checklist))
				if !slices.Equal(got, want) {
					t.Errorf("the documents page offers uploads for %q, want the checklist %q", labels, checklist)
				}
				axeCheck(t, ctx)
			})

			t.Run("decline", func(t *testing.T) {
				t.Parallel()
				who := declining[l]
				ctx := newTab(t)
				toDashboard(t, ctx, a, who.person)
				if got := squash(t, ctx, `table[data-testid="profiles"] tbody tr`); !strings.Contains(got, who.number) || !strings.Contains(got, invited) {
					t.Errorf("the dashboard lists the profile as %q, want %s %s", got, who.number, invited)
				}
				base := toProfile(t, ctx, who)

				// The confirmation page.
				followLink(t, ctx, `[data-testid="decline"]`, http.StatusOK)
				onPage(t, ctx, l, strings.TrimPrefix(base, "/"+l)+"/invitation/decline")
				says(t, ctx, l, "ee.decline.title")
				says(t, ctx, l, "ee.decline.pool")
				if got := eval[string](t, ctx, `(Array.from(document.querySelectorAll("main a")).find(a => a.textContent.trim() === `+js(i18n.In(l, "ee.decline.keep"))+`) || {getAttribute: () => ""}).getAttribute("href")`); got != base {
					t.Errorf("the link to keep the invitation leads to %q, want %s", got, base)
				}
				if _, status := a.eeCounts(t, who.account); status != "invited" {
					t.Errorf("the confirmation page changed the profile to %s", status)
				}
				axeCheck(t, ctx)

				// Declined: back in the pool.
				if res := clickNav(t, ctx, `[data-testid="decline-confirm"]`); res.Status != http.StatusOK {
					t.Fatalf("declining: status %d (page %s)", res.Status, where(ctx))
				}
				if got := location(t, ctx); got != base+"?declined=1" {
					t.Fatalf("declining led to %s, want %s?declined=1", where(ctx), base)
				}
				if got, want := squash(t, ctx, `[data-testid="declined"]`), i18n.In(l, "ee.decline.done"); got != want {
					t.Errorf("the notice says %q, want %q", got, want)
				}
				inPool := i18n.In(l, "ee.status.submitted")
				if got := squash(t, ctx, `[data-testid="profile-status"]`); got != inPool {
					t.Errorf("after declining the profile's status reads %q, want %q", got, inPool)
				}
				if got, want := squash(t, ctx, `[data-testid="invitation-status"]`), i18n.In(l, "ee.inv.status_declined"); got != want {
					t.Errorf("after declining the invitation's status reads %q, want %q", got, want)
				}
				if exists(t, ctx, `[data-testid="apply"]`) || exists(t, ctx, `[data-testid="decline"]`) || exists(t, ctx, `[data-testid="respond-by"]`) {
					t.Error("after declining the invitation can still be answered")
				}
				if apps, status := a.eeCounts(t, who.account); apps != 0 || status != "submitted" {
					t.Errorf("after declining the account has %d applications and a profile %s, want none and submitted", apps, status)
				}
				says(t, ctx, l, "ee.decline.done")
				axeCheck(t, ctx)
				if f := fetchFromPage(t, ctx, base+"/invitation/apply"); f.Status != http.StatusNotFound {
					t.Errorf("the application form of a declined invitation answers %d, want 404", f.Status)
				}

				// The Express Entry list shows it in the pool too.
				load(t, ctx, a.URL+"/"+l+"/ircc/express-entry/", http.StatusOK)
				if got := squash(t, ctx, `table[data-testid="profiles"] tbody tr`); !strings.Contains(got, who.number) || !strings.Contains(got, inPool) {
					t.Errorf("after declining the Express Entry list shows the profile as %q, want %s %s", got, who.number, inPool)
				}
				says(t, ctx, l, "ee.title")
				axeCheck(t, ctx)
			})
		})
	}
}

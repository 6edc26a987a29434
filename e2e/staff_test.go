package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/modules/secureaccount/cases"
)

// The IRCC staff console's browser tests: a staff member signs in with a
// GCKey and the authenticator app through the real sign-in pages, in both
// languages, and every console page they visit passes axe.

// staffNames are the names staff are granted under, by language.
var staffNames = map[string]string{"en": "Dana Officer", "fr": "Dominique Agente"}

// TestStaffStatusChange makes an officer and moves an application along,
// in both languages: the officer signs in to the staff service (its
// enrolment page first), is refused the console's pages until enrolled,
// sends the code form empty and with a wrong code, then redeems the code
// granted to them (whose confirmation names them). From the console, with
// the keyboard alone, they find the applicant's application by family
// name, open it and change its status with a note. The applicant then
// sees the new status on their application's page, without the note.
// Every page and error state passes axe.
func TestStaffStatusChange(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			applicant := a.newPerson(t, l)
			d := newEnrolDetails(l)
			_, number := a.submitApplication(t, a.newAccount(t, applicant, d), d, d.Email)
			officer := a.newPerson(t, l)
			name := staffNames[l]
			code, _, err := a.set.Staff.Grant(t.Context(), identity.RoleOfficer, name)
			if err != nil {
				t.Fatalf("granting a code: %v", err)
			}

			ctx := newTab(t)
			signInTo(t, ctx, officer, a.URL, "staff")
			confirmEnrolment(t, ctx, l, "staff", true)
			if !exists(t, ctx, `[data-testid="staff-redeem"]`) {
				t.Fatalf("a person who is not staff yet did not get the code form: %s", where(ctx))
			}
			says(t, ctx, l, "staff.redeem.title")
			axeCheck(t, ctx)

			// Not a member yet: the console's pages are refused.
			if res := navigate(t, ctx, a.URL+"/"+l+"/staff/ircc/"); res.Status != http.StatusForbidden {
				t.Errorf("the applications section for a person not enrolled: status %d, want 403", res.Status)
			}
			if got := eval[string](t, ctx, `(document.querySelector('[data-testid="staff-forbidden"]') || {getAttribute: () => ""}).getAttribute("data-reason") || ""`); got != "not_enrolled" {
				t.Errorf("the refusal gives the reason %q, want not_enrolled", got)
			}
			axeCheck(t, ctx)
			load(t, ctx, a.URL+"/"+l+"/staff/", http.StatusOK)

			// The code form: empty, wrong, right.
			submitForm(t, ctx, l, "/staff/redeem", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			says(t, ctx, l, "staff.code.required")
			axeCheck(t, ctx)
			typeField(t, ctx, "#code", "ABCD-EFGH-JKLM")
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			says(t, ctx, l, "staff.code.invalid")
			typeField(t, ctx, "#code", code)
			enterSubmit(t, ctx, http.StatusOK)
			if got := text(t, ctx, `[data-testid="grant-name"]`); got != name {
				t.Errorf("the confirmation names %q, want %q", got, name)
			}
			if got, want := squash(t, ctx, `[data-testid="grant-role"]`), i18n.In(l, "staff.role.officer"); got != want {
				t.Errorf("the confirmation gives the role %q, want %q", got, want)
			}
			says(t, ctx, l, "staff.confirm.title")
			axeCheck(t, ctx)
			submitForm(t, ctx, l, "/staff/redeem/confirm", http.StatusOK)
			if got := location(t, ctx); got != "/"+l+"/staff/?enrolled=1" {
				t.Errorf("redeeming the code led to %s", got)
			}
			says(t, ctx, l, "staff.console.enrolled", name)
			if got := text(t, ctx, `[data-testid="staff-name"]`); got != name {
				t.Errorf("the console names %q, want %q", got, name)
			}
			if exists(t, ctx, `[data-testid="link-members"]`) || exists(t, ctx, `a[href="/`+l+`/staff/ircc/rounds"]`) {
				t.Error("an officer's console offers the administrators' pages")
			}
			axeCheck(t, ctx)

			// From here on, the keyboard alone.
			tabUntil(t, ctx, `[data-testid="staff-sections"] a[href="/`+l+`/staff/ircc/"]`)
			enterOnLink(t, ctx, l, "/staff/ircc/")
			says(t, ctx, l, "cases.staff.section")
			axeCheck(t, ctx)
			tabUntil(t, ctx, `a[data-testid="find-applications"]`)
			enterOnLink(t, ctx, l, "/staff/ircc/applications")
			says(t, ctx, l, "cases.staff.find")
			axeCheck(t, ctx)

			// Search by family name: the radio buttons are one Tab stop,
			// the arrow keys move in them.
			tabUntil(t, ctx, "#by-number")
			press(t, ctx, kb.ArrowDown)
			press(t, ctx, kb.ArrowDown)
			if !focused(t, ctx, "#by-family") || !eval[bool](t, ctx, `document.getElementById("by-family").checked`) {
				t.Fatalf("two ArrowDowns from the number left %s focused, want the family name chosen", activeElement(t, ctx))
			}
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, "#q") {
				t.Fatalf("Tab from the kind of search focused %s, want the search term", activeElement(t, ctx))
			}
			press(t, ctx, d.Family)
			enterSubmit(t, ctx, http.StatusOK)
			search := url.Values{"by": {"family"}, "q": {d.Family}}
			if got, want := location(t, ctx), "/"+l+"/staff/ircc/applications?"+search.Encode(); got != want {
				t.Errorf("the search is at %s, want %s", got, want)
			}
			results := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid="result-link"]'), a => a.textContent.trim())`)
			if len(results) != 1 || results[0] != number {
				t.Fatalf("searching for %q found %v, want [%s]", d.Family, results, number)
			}
			axeCheck(t, ctx)
			href := eval[string](t, ctx, `document.querySelector('[data-testid="result-link"]').getAttribute("href")`)
			tabUntil(t, ctx, `[data-testid="result-link"]`)
			enterOnLink(t, ctx, l, strings.TrimPrefix(href, "/"+l))
			if got := text(t, ctx, `[data-testid="app-number"]`); got != number {
				t.Errorf("the application's page shows %q, want %q", got, number)
			}
			if got, want := squash(t, ctx, `[data-testid="app-status"]`), i18n.In(l, "cases.status.submitted"); got != want {
				t.Errorf("the status reads %q, want %q", got, want)
			}
			axeCheck(t, ctx)

			// The first new status (in progress), with a note.
			tabUntil(t, ctx, "#status")
			press(t, ctx, " ")
			if got := eval[string](t, ctx, `(document.querySelector('input[name="status"]:checked') || {}).value || ""`); got != "in_progress" {
				t.Fatalf("Space on the first status chose %q, want in_progress", got)
			}
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, "#note") {
				t.Fatalf("Tab from the statuses focused %s, want the note", activeElement(t, ctx))
			}
			note := "Eligibility review started " + d.Family
			press(t, ctx, note)
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, `form[data-testid="status-form"] button[type="submit"]`) {
				t.Fatalf("Tab from the note focused %s, want the form's button", activeElement(t, ctx))
			}
			enterSubmit(t, ctx, http.StatusOK)
			if got := location(t, ctx); got != href+"?done=status" {
				t.Errorf("changing the status led to %s, want %s?done=status", got, href)
			}
			says(t, ctx, l, "cases.staff.done_status")
			inProgress := i18n.In(l, "cases.status.in_progress")
			if got := squash(t, ctx, `[data-testid="app-status"]`); got != inProgress {
				t.Errorf("after the change the status reads %q, want %q", got, inProgress)
			}
			if got := squash(t, ctx, "main"); !strings.Contains(got, note) || !strings.Contains(got, name) {
				t.Errorf("the history does not show the note and who wrote it: %q", got)
			}
			axeCheck(t, ctx)

			// The applicant sees it.
			actx := newTab(t)
			toDashboard(t, actx, a, applicant)
			if got := squash(t, actx, `table[data-testid="applications"] tbody tr`); !strings.Contains(got, number) || !strings.Contains(got, inProgress) {
				t.Errorf("the dashboard lists the application as %q, want %s %s", got, number, inProgress)
			}
			followLink(t, actx, `table[data-testid="applications"] a`, http.StatusOK)
			if got := squash(t, actx, `[data-testid="app-status"]`); got != inProgress {
				t.Errorf("the applicant sees the status %q, want %q", got, inProgress)
			}
			if got := squash(t, actx, "main"); strings.Contains(got, note) || strings.Contains(got, name) {
				t.Errorf("the applicant's page shows the staff's note or name: %q", got)
			}
			axeCheck(t, actx)
		})
	}
}

// TestStaffPages goes through the console's other pages as an
// administrator, in both languages: the paper application form (sent
// empty, then filled in), the technical-problem reports (one marked
// handled), the link requests (one approved), the rounds of invitations
// (sent empty, then one run), the staff activity and the members. A
// person whose GCKey uses email codes is refused the console. Every page
// and error state passes axe.
func TestStaffPages(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx0 := t.Context()
			admin := a.newPerson(t, l)
			name := staffNames[l]
			if _, err := a.set.Staff.CreateDemoMember(ctx0, a.pairwise(t, admin, "staff"), name, identity.RoleAdministrator); err != nil {
				t.Fatalf("making an administrator: %v", err)
			}
			// An applicant with a profile in the pool, a report and a link
			// request waiting for staff.
			applicant := a.newPerson(t, l)
			d := newEnrolDetails(l)
			accID := a.newAccount(t, applicant, d)
			if _, _, _, err := a.set.ExpressEntry.CreateDemoProfile(ctx0, accID); err != nil {
				t.Fatalf("a profile in the pool: %v", err)
			}
			who := a.applicant(t, applicant, accID)
			problem := "Missing application " + d.Family
			if _, err := a.set.Cases.AddReport(ctx0, who, cases.Report{Description: problem,
				SubmittedOn: time.Now().AddDate(0, 0, -10).Format(time.DateOnly), Details: "It is not in my account."}); err != nil {
				t.Fatalf("a report: %v", err)
			}
			_, paper := a.submitApplication(t, 0, d, "")
			if res, err := a.set.Cases.RequestLink(ctx0, who, paper, d.Family, d.birth()); err != nil || res.Outcome != cases.LinkWaiting {
				t.Fatalf("a link request waiting for staff: %+v, %v", res, err)
			}

			ctx := newTab(t)
			signInTo(t, ctx, admin, a.URL, "staff")
			if got, want := squash(t, ctx, `[data-testid="staff-role"]`), i18n.In(l, "staff.role.administrator"); got != want {
				t.Fatalf("the console gives the role %q, want %q (page %s)", got, want, where(ctx))
			}
			for _, sel := range []string{`[data-testid="link-members"]`, `[data-testid="link-activity"]`,
				`a[href="/` + l + `/staff/ircc/"]`, `a[href="/` + l + `/staff/ircc/rounds"]`} {
				if !exists(t, ctx, `[data-testid="staff-sections"] `+sel) {
					t.Errorf("an administrator's console has no link %s", sel)
				}
			}
			axeCheck(t, ctx)
			toSection := func() {
				t.Helper()
				load(t, ctx, a.URL+"/"+l+"/staff/ircc/", http.StatusOK)
			}

			// A paper application.
			toSection()
			followLink(t, ctx, `[data-testid="record-paper"]`, http.StatusOK)
			onPage(t, ctx, l, "/staff/ircc/paper")
			says(t, ctx, l, "cases.staff.paper")
			axeCheck(t, ctx)
			submitForm(t, ctx, l, "/staff/ircc/paper", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "program")
			for _, f := range []string{"family", "birth"} {
				if !exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
					t.Errorf("the error summary does not link to #%s", f)
				}
			}
			axeCheck(t, ctx)
			paperFamily := uniqueSurname("Nguyen")
			insertField(t, ctx, "#program", "Visitor visa")
			insertField(t, ctx, "#given", "Alex")
			insertField(t, ctx, "#family", paperFamily)
			setValue(t, ctx, "#birth", "1979-11-02")
			submitForm(t, ctx, l, "/staff/ircc/paper", http.StatusOK)
			if !regexp.MustCompile(`^/` + l + `/staff/ircc/applications/[0-9]+\?done=recorded$`).MatchString(location(t, ctx)) {
				t.Fatalf("recording the paper application led to %s", where(ctx))
			}
			if got := text(t, ctx, `[data-testid="app-number"]`); !regexp.MustCompile(`^P[0-9]{9}$`).MatchString(got) {
				t.Errorf("the paper application's number is %q, want P and 9 digits", got)
			}
			if !exists(t, ctx, `[data-testid="not-linked"]`) {
				t.Error("the paper application's page does not say no account holds it")
			}
			axeCheck(t, ctx)

			// The reports.
			toSection()
			followLink(t, ctx, `[data-testid="reports"]`, http.StatusOK)
			onPage(t, ctx, l, "/staff/ircc/reports")
			button := markIn(t, ctx, `section[data-testid="report"]`, problem, `form button[type="submit"]`)
			axeCheck(t, ctx)
			res := clickNav(t, ctx, button)
			if res.Status != http.StatusOK {
				t.Fatalf("marking the report handled: status %d", res.Status)
			}
			if got := location(t, ctx); got != "/"+l+"/staff/ircc/reports?done=1" {
				t.Errorf("marking the report handled led to %s", got)
			}
			says(t, ctx, l, "cases.staff.done_report")
			if got := squash(t, ctx, `[data-testid="report-handled"]`); !strings.Contains(got, problem) {
				t.Errorf("the handled reports do not list %q", problem)
			}
			axeCheck(t, ctx)

			// The link requests.
			toSection()
			followLink(t, ctx, `[data-testid="links"]`, http.StatusOK)
			onPage(t, ctx, l, "/staff/ircc/links")
			says(t, ctx, l, "cases.staff.links")
			button = markIn(t, ctx, `section[data-testid="link-request"]`, paper, `[data-testid="approve-link"]`)
			axeCheck(t, ctx)
			res = clickNav(t, ctx, button)
			if res.Status != http.StatusOK {
				t.Fatalf("approving the link: status %d", res.Status)
			}
			says(t, ctx, l, "cases.staff.done_link_approved")
			if strings.Contains(squash(t, ctx, "main"), paper) {
				t.Errorf("the approved request for %s is still listed", paper)
			}
			axeCheck(t, ctx)

			// A round of invitations.
			load(t, ctx, a.URL+"/"+l+"/staff/", http.StatusOK)
			followLink(t, ctx, `[data-testid="staff-sections"] a[href="/`+l+`/staff/ircc/rounds"]`, http.StatusOK)
			says(t, ctx, l, "ee.rounds.title")
			axeCheck(t, ctx)
			submitForm(t, ctx, l, "/staff/ircc/rounds", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "size")
			says(t, ctx, l, "ee.err.size_required")
			axeCheck(t, ctx)
			// One invitation: the other language's test runs a round too.
			insertField(t, ctx, "#size", "1")
			submitForm(t, ctx, l, "/staff/ircc/rounds", http.StatusOK)
			if !exists(t, ctx, `[data-testid="round-done"]`) {
				t.Fatalf("running a round gave no result: %s", where(ctx))
			}
			if got := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid="round-invited"]'), c => c.textContent.trim())`); !slices.Contains(got, "1") {
				t.Errorf("the rounds invited %v, want a round that invited 1", got)
			}
			axeCheck(t, ctx)

			// The activity and the members.
			load(t, ctx, a.URL+"/"+l+"/staff/", http.StatusOK)
			followLink(t, ctx, `[data-testid="link-activity"]`, http.StatusOK)
			onPage(t, ctx, l, "/staff/activity")
			// The round's line, in the page's language.
			round, _, _ := strings.Cut(i18n.In(l, "ee.audit.round"), "%")
			if got := squash(t, ctx, `[data-testid="staff-activity"]`); !strings.Contains(got, round) || !strings.Contains(got, name) {
				t.Errorf("the activity does not show the round run by %s: %q", name, got)
			}
			axeCheck(t, ctx)
			load(t, ctx, a.URL+"/"+l+"/staff/", http.StatusOK)
			followLink(t, ctx, `[data-testid="link-members"]`, http.StatusOK)
			onPage(t, ctx, l, "/staff/members")
			if got := squash(t, ctx, `[data-testid="staff-members"]`); !strings.Contains(got, name) || !strings.Contains(got, i18n.In(l, "staff.members.active")) {
				t.Errorf("the members do not list %s as active: %q", name, got)
			}
			axeCheck(t, ctx)

			// A GCKey with email codes is refused.
			u := newGCKeyUser(l)
			if _, err := a.set.Auth.CreateDemo(ctx0, u.Username, u.Password, u.Email); err != nil {
				t.Fatal(err)
			}
			u.quick = true
			ectx := newTab(t)
			load(t, ectx, a.URL+"/"+l+"/staff/", http.StatusOK)
			followLink(t, ectx, `a[data-testid="gckey-signin"]`, http.StatusOK)
			gckeySignIn(t, ectx, u, u.Password)
			followLink(t, ectx, `a[data-testid="continue"]`, http.StatusOK)
			setUpEmail(t, ectx, a.App, u, false)
			saveCodes(t, ectx, u, false)
			onPage(t, ectx, l, "/gckey/2fa/done")
			submitForm(t, ectx, l, "/gckey/2fa/done", http.StatusForbidden)
			onPage(t, ectx, l, "/staff/")
			if !exists(t, ectx, `[data-testid="app-only-refused"]`) {
				t.Fatalf("a GCKey with email codes was not refused the staff console: %s", where(ectx))
			}
			says(t, ectx, l, "chooser.app_only")
			axeCheck(t, ectx)
		})
	}
}

// markIn finds the element of list whose text includes what and returns
// a selector for its element inner (a button in that row), which it marks
// for the purpose; the test fails if no element of list has what.
func markIn(t testing.TB, ctx context.Context, list, what, inner string) string {
	t.Helper()
	if !eval[bool](t, ctx, `(() => {
		const el = Array.from(document.querySelectorAll(`+js(list)+`)).find(e => e.textContent.includes(`+js(what)+`));
		const target = el && el.querySelector(`+js(inner)+`);
		if (!target) return false;
		target.setAttribute("data-e2e-target", "");
		return true;
	})()`) {
		t.Fatalf("no %s with %q and %s on %s: %q", list, what, inner, where(ctx), squash(t, ctx, "main"))
	}
	return "[data-e2e-target]"
}

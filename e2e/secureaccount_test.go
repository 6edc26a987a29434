package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/modules"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry"
	eeviews "guichet/modules/secureaccount/expressentry/views"
)

// The IRCC secure account's browser tests (issue 5) drive the account the
// way a person does, in both languages, and run axe on every page of the
// account they visit. Each test seeds with Go what it is not about (a
// GCKey with an authenticator app, an account, a letter, an application)
// and signs in through the real GCKey pages; the GCKey pages themselves
// pass axe in the GCKey tests.

// irccApp is the whole application with its modules at hand, for seeding.
type irccApp struct {
	*apptest.App
	set *modules.Set
}

// startIRCC starts the application as startApp does, keeping the modules.
func startIRCC(t *testing.T) *irccApp {
	t.Helper()
	var set *modules.Set
	a := apptest.New(t, apptest.Options{RealClock: true, Mount: func(k *app.Kernel, srv *app.Server) {
		s, err := modules.Setup(k, srv)
		if err != nil {
			panic(err)
		}
		set = s
	}})
	return &irccApp{App: a, set: set}
}

// person is someone with a GCKey and an authenticator app, made with Go.
type person struct {
	*gckeyUser
	cred identity.Ref
}

// newPerson gives a made-up person a GCKey with an authenticator app.
func (a *irccApp) newPerson(t *testing.T, lang string) *person {
	t.Helper()
	u := newGCKeyUser(lang)
	cred, err := a.set.Auth.CreateDemo(t.Context(), u.Username, u.Password, u.Email)
	if err != nil {
		t.Fatalf("creating a GCKey: %v", err)
	}
	secret, err := a.set.TwoFactor.CreateDemoAuthenticator(t.Context(), identity.KindGCKey, string(cred))
	if err != nil {
		t.Fatalf("adding an authenticator app: %v", err)
	}
	u.App = &authenticator{secret: secret}
	return &person{gckeyUser: u, cred: cred}
}

// pairwise is the person's pairwise id at service. Like a first arrival,
// it makes the credential known there: the service's enrolment page will
// not be shown to it.
func (a *irccApp) pairwise(t *testing.T, p *person, service string) string {
	t.Helper()
	id, err := a.Pairwise.Pairwise(t.Context(), p.cred, service)
	if err != nil {
		t.Fatalf("pairwise id at %s: %v", service, err)
	}
	return id
}

// enrolDetails are what the secure account's enrolment form asks.
type enrolDetails struct {
	Given, Family, Day, Month, Year, Email, Lang string
}

func (d enrolDetails) name() string { return d.Given + " " + d.Family }

// birth is the date of birth as YYYY-MM-DD.
func (d enrolDetails) birth() string {
	return d.Year + "-" + twoDigit(d.Month) + "-" + twoDigit(d.Day)
}

func twoDigit(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// uniqueSurname is a family name no other test uses, in letters only (the
// account takes names as in a passport).
func uniqueSurname(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return prefix + "-" + strings.ToUpper(string(b[:1])) + string(b[1:])
}

// newEnrolDetails makes up a person's details, with letters in lang.
func newEnrolDetails(lang string) enrolDetails {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	d := enrolDetails{Given: "Sam", Family: uniqueSurname("Tremblay"), Day: "27", Month: "3", Year: "1985",
		Email: "account." + hex.EncodeToString(b) + "@example.test", Lang: lang}
	if lang == "fr" {
		d.Given, d.Family = "Marie-Ève", uniqueSurname("Côté")
	}
	return d
}

// newAccount enrols p in the secure account with d, as the form would.
func (a *irccApp) newAccount(t *testing.T, p *person, d enrolDetails) int64 {
	t.Helper()
	id, _, err := a.set.Account.CreateDemoAccount(t.Context(), account.Account{PairwiseID: a.pairwise(t, p, "ircc"),
		GivenName: d.Given, FamilyName: d.Family, BirthDate: d.birth(), Email: d.Email, Lang: d.Lang})
	if err != nil {
		t.Fatalf("creating an account: %v", err)
	}
	return id
}

// accountOf is the id of p's secure account, 0 if there is none. It is
// for after p reached the service (see pairwise).
func (a *irccApp) accountOf(t *testing.T, p *person) int64 {
	t.Helper()
	var ids []int64
	if err := a.DB.R.Select(&ids, a.DB.Rebind(`SELECT id FROM ircc_accounts WHERE pairwise_id = ?`), a.pairwise(t, p, "ircc")); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// tx runs fn in a write transaction, for seeding through the modules.
func (a *irccApp) tx(t *testing.T, fn func(ctx context.Context, tx *sqlx.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := a.DB.Tx(ctx, func(tx *sqlx.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("seeding: %v", err)
	}
}

// applicant is p acting on their account, as the cases module names them.
func (a *irccApp) applicant(t *testing.T, p *person, accountID int64) cases.Applicant {
	return cases.Applicant{AccountID: accountID, PairwiseID: a.pairwise(t, p, "ircc"), Lang: p.Lang}
}

// submitApplication records an application with status submitted: an
// online application for permanent residence of the account (accountID
// not 0), or a paper one no account holds.
func (a *irccApp) submitApplication(t *testing.T, accountID int64, d enrolDetails, email string) (int64, string) {
	t.Helper()
	na := account.NewApplication{AccountID: accountID, Kind: account.KindPRExpressEntry, Program: expressentry.ProgramKey,
		GivenName: d.Given, FamilyName: d.Family, BirthDate: d.birth(), Email: email}
	if accountID == 0 {
		na.Kind, na.Program = account.KindPaper, "Work permit"
	}
	var id int64
	var number string
	a.tx(t, func(ctx context.Context, tx *sqlx.Tx) error {
		var err error
		id, number, err = a.set.Cases.Applications().Submit(ctx, tx, na)
		return err
	})
	return id, number
}

// signInTo signs p in with the GCKey sign-in page and a code from the app,
// from the entry page of service, and continues to it: the tab ends on the
// service's entry page (its enrolment page on a first arrival).
func signInTo(t *testing.T, ctx context.Context, p *person, base, service string) {
	t.Helper()
	l := p.Lang
	load(t, ctx, base+"/"+l+"/"+service+"/", http.StatusOK)
	followLink(t, ctx, `a[data-testid="gckey-signin"]`, http.StatusOK)
	p.quick = true
	defer func() { p.quick = false }()
	gckeySignIn(t, ctx, p.gckeyUser, p.Password)
	continueToCode(t, ctx, p.gckeyUser)
	enterAppCode(t, ctx, p.gckeyUser)
	continueFromDone(t, ctx, l)
	onPage(t, ctx, l, "/"+service+"/")
}

// confirmEnrolment confirms the first arrival at service on the kernel's
// enrolment page, which the tab shows; check runs axe on it.
func confirmEnrolment(t *testing.T, ctx context.Context, lang, service string, check bool) {
	t.Helper()
	onPage(t, ctx, lang, "/"+service+"/")
	if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
		t.Fatalf("a first arrival at %s did not get the enrolment page: %s", service, where(ctx))
	}
	if check {
		axeCheck(t, ctx)
	}
	followLink(t, ctx, `[data-testid="enrol-confirm"]`, http.StatusOK)
	onPage(t, ctx, lang, "/"+service+"/")
}

// toDashboard signs p, whose account newAccount made, in to the secure
// account: the credential is known there, so no enrolment page comes.
func toDashboard(t *testing.T, ctx context.Context, a *irccApp, p *person) {
	t.Helper()
	signInTo(t, ctx, p, a.URL, "ircc")
	onDashboard(t, ctx, p.Lang)
}

// onDashboard fails the test unless the tab shows the account's dashboard.
func onDashboard(t testing.TB, ctx context.Context, lang string) {
	t.Helper()
	onPage(t, ctx, lang, "/ircc/")
	if !exists(t, ctx, `[data-testid="dashboard"]`) {
		t.Fatalf("the page is not the secure account's dashboard: %s", where(ctx))
	}
}

// says checks the page is in lang and shows the catalog's message key.
func says(t testing.TB, ctx context.Context, lang, key string, args ...any) {
	t.Helper()
	inLang(t, ctx, lang, strings.Join(strings.Fields(i18n.In(lang, key, args...)), " "))
}

// squash is an element's text with its white space collapsed.
func squash(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return strings.Join(strings.Fields(text(t, ctx, sel)), " ")
}

// check ticks a radio button or a checkbox by clicking its label.
func check(t testing.TB, ctx context.Context, id string) {
	t.Helper()
	run(t, ctx, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
	if !eval[bool](t, ctx, `document.getElementById(`+js(id)+`).checked`) {
		t.Fatalf("clicking the label of #%s did not tick it (page %s)", id, where(ctx))
	}
}

// setValue sets a select's option or a date field, which take no typing.
func setValue(t testing.TB, ctx context.Context, sel, v string) {
	t.Helper()
	run(t, ctx, chromedp.SetValue(chromedp.CSS(sel), v))
}

// fillEnrolForm fills in the secure account's enrolment form in one go.
func fillEnrolForm(t testing.TB, ctx context.Context, d enrolDetails) {
	t.Helper()
	insertField(t, ctx, "#given_name", d.Given)
	insertField(t, ctx, "#family_name", d.Family)
	insertField(t, ctx, "#birth-day", d.Day)
	insertField(t, ctx, "#birth-month", d.Month)
	insertField(t, ctx, "#birth-year", d.Year)
	insertField(t, ctx, "#email", d.Email)
	if d.Lang == "fr" {
		check(t, ctx, "lang-fr")
	} else {
		check(t, ctx, "lang")
	}
}

// enrolByKeyboard fills in the enrolment form with the keyboard alone,
// from a focus above it, and sends it with Enter on its button.
func enrolByKeyboard(t testing.TB, ctx context.Context, d enrolDetails) {
	t.Helper()
	tabUntil(t, ctx, "#given_name")
	for _, f := range []struct{ sel, value string }{
		{"#given_name", d.Given}, {"#family_name", d.Family}, {"#birth-day", d.Day},
		{"#birth-month", d.Month}, {"#birth-year", d.Year}, {"#email", d.Email},
	} {
		if !focused(t, ctx, f.sel) {
			t.Fatalf("Tab focused %s, want %s", activeElement(t, ctx), f.sel)
		}
		press(t, ctx, f.value)
		press(t, ctx, kb.Tab)
	}
	// The language of letters: Tab lands on the checked radio button, an
	// arrow key moves to the other one.
	radio := `[data-testid="enrol-form"] input[name="lang"]`
	if !eval[bool](t, ctx, `document.activeElement.matches(`+js(radio)+`)`) {
		t.Fatalf("Tab from the email focused %s, want the language of letters", activeElement(t, ctx))
	}
	if eval[string](t, ctx, `document.activeElement.value`) != d.Lang {
		press(t, ctx, kb.ArrowDown)
	}
	if got := eval[string](t, ctx, `(document.querySelector(`+js(radio+`:checked`)+`) || {}).value || ""`); got != d.Lang {
		t.Fatalf("the language of letters is %q, want %q", got, d.Lang)
	}
	press(t, ctx, kb.Tab)
	if !focused(t, ctx, `[data-testid="enrol-form"] button[type="submit"]`) {
		t.Fatalf("Tab from the language focused %s, want the form's button", activeElement(t, ctx))
	}
	enterSubmit(t, ctx, http.StatusOK)
}

// fetchFromPage fetches href from the page, with its cookies, as a
// download link would.
func fetchFromPage(t testing.TB, ctx context.Context, href string) codesFile {
	t.Helper()
	return eval[codesFile](t, ctx, `fetch(`+js(href)+`, {credentials: "same-origin"}).then(async r => ({
		status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "",
		options: r.headers.get("x-content-type-options") || "", body: await r.text(),
	}))`)
}

// TestSecureAccountEnrolment signs in to the secure account for the first
// time with a GCKey, in both languages, and enrols with the keyboard
// alone: the kernel's confirmation, the account's own form sent empty
// (the error summary takes the focus), then filled in, and the dashboard
// with its delay notice, the note that the tools are free, and its links.
// The contact details are then changed (an address that is not one
// first). Every page and error state passes axe.
func TestSecureAccountEnrolment(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			p := a.newPerson(t, l)
			d := newEnrolDetails(l)
			ctx := newTab(t)
			signInTo(t, ctx, p, a.URL, "ircc")
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
				t.Fatalf("a first arrival did not get the enrolment page: %s", where(ctx))
			}
			axeCheck(t, ctx)
			tabUntil(t, ctx, `[data-testid="enrol-confirm"]`)
			enterSubmit(t, ctx, http.StatusOK)

			// The account's own form: nothing is created yet.
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="enrol-form"]`) {
				t.Fatalf("confirming did not lead to the secure account's enrolment form: %s", where(ctx))
			}
			says(t, ctx, l, "ircc.enrol.title")
			if !exists(t, ctx, `[data-testid="enrol-reminder"]`) {
				t.Error("the enrolment form does not remind the person to sign in the same way next time")
			}
			if p := strings.Split(principal(t, ctx, l, "ircc"), "|"); len(p) != 4 || p[2] != "gckey" {
				t.Errorf("the service holds %q, want a GCKey Principal", strings.Join(p, "|"))
			}
			if id := a.accountOf(t, p); id != 0 {
				t.Errorf("an account (%d) exists before the form was sent", id)
			}
			axeCheck(t, ctx)

			// Sent empty: the error summary, focused, names the fields.
			tabUntil(t, ctx, `[data-testid="enrol-form"] button[type="submit"]`)
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "family_name")
			for _, f := range []string{"birth-day", "email"} {
				if !exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
					t.Errorf("the error summary does not link to #%s: %q", f, squash(t, ctx, "#error-summary"))
				}
			}
			if exists(t, ctx, `#error-summary a[href="#given_name"]`) {
				t.Error("the error summary asks for given names, which are optional")
			}
			says(t, ctx, l, "ircc.enrol.family_required")
			if a.accountOf(t, p) != 0 {
				t.Error("an empty form created an account")
			}
			axeCheck(t, ctx)

			// Filled in with the keyboard, from the summary down.
			enrolByKeyboard(t, ctx, d)
			onDashboard(t, ctx, l)
			if a.accountOf(t, p) == 0 {
				t.Fatal("no account after the enrolment form")
			}
			says(t, ctx, l, "ircc.dashboard.done_enrolled")
			if got, want := squash(t, ctx, `[data-testid="welcome"]`), i18n.In(l, "ircc.dashboard.welcome", d.name()); got != want {
				t.Errorf("the dashboard says %q, want %q", got, want)
			}
			if got, want := squash(t, ctx, `[data-testid="delay-notice"]`), i18n.In(l, "chooser.delay_notice"); got != want {
				t.Errorf("the delay notice reads %q, want %q", got, want)
			}
			if got, want := squash(t, ctx, `[data-testid="free-note"]`), i18n.In(l, "ircc.dashboard.free_note"); got != want {
				t.Errorf("the free-tools note reads %q, want %q", got, want)
			}
			if got, want := squash(t, ctx, `[data-testid="unread"]`), i18n.In(l, "ircc.dashboard.unread_none"); got != want {
				t.Errorf("the unread count reads %q, want %q", got, want)
			}
			if got := text(t, ctx, `[data-testid="contact-email"]`); got != d.Email {
				t.Errorf("the dashboard shows the email %q, want %q", got, d.Email)
			}
			for sel, href := range map[string]string{
				`[data-testid="unread"] a`: "/ircc/messages",
				`section[aria-labelledby="messages-heading"] p:not([data-testid]) a`: "/ircc/documents",
				`[data-testid="link-application"]`:                                   "/ircc/link",
				`[data-testid="express-entry"]`:                                      "/ircc/express-entry/",
				`[data-testid="contact-update"]`:                                     "/ircc/contact",
				`[data-testid="report-problem"]`:                                     "/ircc/report",
			} {
				if got := eval[string](t, ctx, `(document.querySelector(`+js(sel)+`) || {getAttribute: () => ""}).getAttribute("href") || ""`); got != "/"+l+href {
					t.Errorf("the dashboard's link %s leads to %q, want /%s%s", sel, got, l, href)
				}
			}
			if !exists(t, ctx, `[data-testid="applications-empty"]`) || !exists(t, ctx, `[data-testid="profiles-empty"]`) {
				t.Error("a new account's dashboard does not say it has no applications and no profiles")
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)
			onDashboard(t, ctx, otherLang(l))
			axeCheck(t, ctx)
			followLink(t, ctx, `[data-testid="lang-toggle"]`, http.StatusOK)

			// The contact details.
			followLink(t, ctx, `[data-testid="contact-update"]`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/contact")
			says(t, ctx, l, "ircc.contact.update_title")
			if got := eval[string](t, ctx, `document.querySelector("#email").value`); got != d.Email {
				t.Errorf("the contact form shows %q, want %q", got, d.Email)
			}
			axeCheck(t, ctx)
			insertField(t, ctx, "#email", "not an address")
			submitForm(t, ctx, l, "/ircc/contact", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "email")
			says(t, ctx, l, "ircc.contact.email_invalid")
			axeCheck(t, ctx)
			newEmail := "new." + d.Email
			insertField(t, ctx, "#email", newEmail)
			other := otherLang(l)
			if other == "fr" {
				check(t, ctx, "lang-fr")
			} else {
				check(t, ctx, "lang")
			}
			submitForm(t, ctx, l, "/ircc/contact", http.StatusOK)
			onDashboard(t, ctx, l)
			says(t, ctx, l, "ircc.dashboard.done_contact")
			if got := text(t, ctx, `[data-testid="contact-email"]`); got != newEmail {
				t.Errorf("after the change the dashboard shows %q, want %q", got, newEmail)
			}
			if got, want := squash(t, ctx, `[data-testid="contact-lang"]`), i18n.In(l, "ircc.lang."+other); got != want {
				t.Errorf("after the change the language of letters reads %q, want %q", got, want)
			}
			axeCheck(t, ctx)
		})
	}
}

// eeAnswers are the answers the profile test gives, valid at now: a
// married person of 29 whose spouse comes along (so all 7 steps apply).
func eeAnswers(now time.Time) expressentry.Answers {
	y, m, dd := now.Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	date := func(years, months int) string { return today.AddDate(-years, -months, 0).Format(time.DateOnly) }
	return expressentry.Answers{
		Personal: eeviews.PersonalForm{BirthDate: date(29, 3), Marital: "married", SpouseCitizen: "no", SpouseComing: "yes"},
		Language: eeviews.LanguageForm{
			First:     eeviews.TestForm{Test: string(crs.IELTS), Reading: "8", Writing: "7", Listening: "8.5", Speaking: "7.5", Date: date(0, 6)},
			HasSecond: "no",
		},
		Education:  eeviews.EducationForm{Level: "master", Canadian: "none", Foreign: "yes", ECAOrg: "wes", ECADate: date(1, 0)},
		Work:       eeviews.WorkForm{CanadianYears: "1", ForeignYears: "3", NOC: "21232", TEER: "1"},
		Spouse:     eeviews.SpouseForm{Education: "bachelor", HasTest: "no", CanadianYears: "0"},
		Additional: eeviews.AdditionalForm{Sibling: "no", Certificate: "no"},
		Provinces:  eeviews.ProvincesForm{Provinces: []string{"ON", "BC"}},
	}
}

var (
	profileNumber = regexp.MustCompile(`^E[0-9]{10}$`)
	jsvcCode      = regexp.MustCompile(`^[` + expressentry.JSVCAlphabet + `]{12}$`)
)

// onStep fails the test unless the tab shows step n of profile base.
func onStep(t testing.TB, ctx context.Context, base string, n int) {
	t.Helper()
	if got, want := eval[string](t, ctx, `location.pathname`), base+"/step/"+strconv.Itoa(n); got != want {
		t.Fatalf("the page is %s, want step %d (%s)", where(ctx), n, want)
	}
	if !exists(t, ctx, `form[data-testid="step-`+strconv.Itoa(n)+`"]`) {
		t.Fatalf("step %d shows no form: %s", n, where(ctx))
	}
}

// saveStep presses the step's Save button, which leads to status.
func saveStep(t testing.TB, ctx context.Context, n, status int) {
	t.Helper()
	res := clickNav(t, ctx, `form[data-testid="step-`+strconv.Itoa(n)+`"] button[type="submit"]`)
	if int(res.Status) != status {
		t.Fatalf("saving step %d: status %d, want %d (page %s)", n, res.Status, status, where(ctx))
	}
}

// TestExpressEntryProfile fills in an Express Entry profile in both
// languages: started from the dashboard, through all 7 steps (a date of
// birth that does not exist on step 1 and no province on step 7 first),
// left after step 3 and resumed from the dashboard, then the review with
// the CRS breakdown, and the submission, whose confirmation shows the
// profile number (E and 10 digits), the job seeker validation code (12
// characters), the expiry a year on and the score the calculator gives
// for the same answers. Every page and error state passes axe.
func TestExpressEntryProfile(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			p := a.newPerson(t, l)
			a.newAccount(t, p, newEnrolDetails(l))
			ans := eeAnswers(time.Now())
			ctx := newTab(t)
			toDashboard(t, ctx, a, p)

			followLink(t, ctx, `[data-testid="express-entry"]`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/express-entry/")
			says(t, ctx, l, "ee.title")
			if !exists(t, ctx, `[data-testid="no-profiles"]`) {
				t.Error("the Express Entry page of a new account lists profiles")
			}
			axeCheck(t, ctx)
			res := clickNav(t, ctx, `[data-testid="start-profile"]`)
			if res.Status != http.StatusOK {
				t.Fatalf("starting a profile: status %d", res.Status)
			}
			base := strings.TrimSuffix(eval[string](t, ctx, `location.pathname`), "/step/1")
			if !regexp.MustCompile(`^/` + l + `/ircc/express-entry/[0-9]+$`).MatchString(base) {
				t.Fatalf("starting a profile led to %s", where(ctx))
			}

			// Step 1, with a date of birth that does not exist.
			onStep(t, ctx, base, 1)
			says(t, ctx, l, "ee.step.count", 1, 7)
			axeCheck(t, ctx)
			insertField(t, ctx, "#birth_date", "1994-02-30")
			check(t, ctx, "marital-married")
			check(t, ctx, "spouse_citizen-no")
			check(t, ctx, "spouse_coming")
			saveStep(t, ctx, 1, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "birth_date")
			says(t, ctx, l, "ee.err.date_format")
			if !eval[bool](t, ctx, `document.getElementById("marital-married").checked`) {
				t.Error("the marital status chosen was lost with the error")
			}
			axeCheck(t, ctx)
			insertField(t, ctx, "#birth_date", ans.Personal.BirthDate)
			saveStep(t, ctx, 1, http.StatusOK)

			// Step 2: one test, no second language.
			onStep(t, ctx, base, 2)
			if !exists(t, ctx, `[data-testid="draft-saved"]`) {
				t.Error("step 2 does not say the draft was saved")
			}
			axeCheck(t, ctx)
			check(t, ctx, "first_test")
			for f, v := range map[string]string{"reading": ans.Language.First.Reading, "writing": ans.Language.First.Writing,
				"listening": ans.Language.First.Listening, "speaking": ans.Language.First.Speaking, "date": ans.Language.First.Date} {
				insertField(t, ctx, "#first_"+f, v)
			}
			check(t, ctx, "has_second-no")
			saveStep(t, ctx, 2, http.StatusOK)

			// Step 3: a foreign master's degree, assessed.
			onStep(t, ctx, base, 3)
			axeCheck(t, ctx)
			check(t, ctx, "level-master")
			check(t, ctx, "canadian")
			check(t, ctx, "foreign")
			setValue(t, ctx, "#eca_org", ans.Education.ECAOrg)
			insertField(t, ctx, "#eca_date", ans.Education.ECADate)
			saveStep(t, ctx, 3, http.StatusOK)
			onStep(t, ctx, base, 4)

			// The person leaves, and comes back from the dashboard to the
			// draft, which continues where they stopped.
			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			onDashboard(t, ctx, l)
			if got, want := squash(t, ctx, `table[data-testid="profiles"] tbody th`), i18n.In(l, "ircc.dashboard.profile_draft"); got != want {
				t.Errorf("the dashboard lists the profile as %q, want %q", got, want)
			}
			followLink(t, ctx, `[data-testid="express-entry"]`, http.StatusOK)
			if exists(t, ctx, `[data-testid="start-profile"]`) {
				t.Error("the Express Entry page offers a new profile while a draft is open")
			}
			axeCheck(t, ctx)
			followLink(t, ctx, `[data-testid="active-profile"]`, http.StatusOK)
			if got := eval[string](t, ctx, `location.pathname`); got != base {
				t.Fatalf("the draft's link led to %s, want %s", got, base)
			}
			says(t, ctx, l, "ee.status.draft")
			axeCheck(t, ctx)
			followLink(t, ctx, `[data-testid="continue-profile"]`, http.StatusOK)

			// Step 4, where the person stopped.
			onStep(t, ctx, base, 4)
			axeCheck(t, ctx)
			setValue(t, ctx, "#canadian_years", ans.Work.CanadianYears)
			setValue(t, ctx, "#foreign_years", ans.Work.ForeignYears)
			insertField(t, ctx, "#noc", ans.Work.NOC)
			check(t, ctx, "teer-1")
			saveStep(t, ctx, 4, http.StatusOK)

			// Step 5: the spouse, who comes along.
			onStep(t, ctx, base, 5)
			axeCheck(t, ctx)
			check(t, ctx, "spouse_education-bachelor")
			check(t, ctx, "spouse_has_test-no")
			setValue(t, ctx, "#spouse_canadian_years", ans.Spouse.CanadianYears)
			saveStep(t, ctx, 5, http.StatusOK)

			// Step 6.
			onStep(t, ctx, base, 6)
			axeCheck(t, ctx)
			check(t, ctx, "sibling-no")
			check(t, ctx, "certificate-no")
			saveStep(t, ctx, 6, http.StatusOK)

			// Step 7: no province first.
			onStep(t, ctx, base, 7)
			axeCheck(t, ctx)
			saveStep(t, ctx, 7, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "provinces")
			says(t, ctx, l, "ee.err.provinces_required")
			axeCheck(t, ctx)
			check(t, ctx, "provinces-ON")
			check(t, ctx, "provinces-BC")
			saveStep(t, ctx, 7, http.StatusOK)

			// The review, with the score.
			if got := eval[string](t, ctx, `location.pathname`); got != base+"/review" {
				t.Fatalf("the last step led to %s, want the review", where(ctx))
			}
			says(t, ctx, l, "ee.review.title")
			for n := 1; n <= 7; n++ {
				if !exists(t, ctx, `[data-testid="review-step-`+strconv.Itoa(n)+`"] dl`) {
					t.Errorf("the review shows no answers for step %d", n)
				}
			}
			if exists(t, ctx, `[data-testid="step-missing"]`) {
				t.Error("the review says a step is missing")
			}
			profile, err := ans.CRSProfile(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			score, err := crs.Score(profile)
			if err != nil {
				t.Fatal(err)
			}
			if !exists(t, ctx, `[data-testid="crs-breakdown"]`) {
				t.Fatal("the review shows no CRS breakdown")
			}
			total := i18n.In(l, "ee.crs.total", score.Total)
			if got := squash(t, ctx, `[data-testid="crs-score"]`); got != total {
				t.Errorf("the review's score reads %q, want %q (the calculator's)", got, total)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="crs-breakdown"] table').length`); n != 4 {
				t.Errorf("the breakdown has %d sections, want 4 (core, spouse, transferability, additional)", n)
			}
			axeCheck(t, ctx)

			// Submitted: the confirmation.
			res = clickNav(t, ctx, `[data-testid="submit-profile"]`)
			if res.Status != http.StatusOK {
				t.Fatalf("submitting the profile: status %d (page %s)", res.Status, where(ctx))
			}
			if got := eval[string](t, ctx, `location.pathname`); got != base+"/confirmation" {
				t.Fatalf("submitting led to %s, want the confirmation", where(ctx))
			}
			says(t, ctx, l, "ee.confirm.title")
			if got := text(t, ctx, `[data-testid="profile-number"]`); !profileNumber.MatchString(got) {
				t.Errorf("the profile number is %q, want E and 10 digits", got)
			}
			if got := text(t, ctx, `[data-testid="profile-jsvc"]`); !jsvcCode.MatchString(got) {
				t.Errorf("the job seeker validation code is %q, want 12 characters of %s", got, expressentry.JSVCAlphabet)
			}
			if got := text(t, ctx, `[data-testid="profile-uci"]`); !regexp.MustCompile(`^[0-9]{10}$`).MatchString(got) {
				t.Errorf("the UCI is %q, want 10 digits", got)
			}
			expires := text(t, ctx, `[data-testid="profile-expires"]`)
			var want []string
			for _, d := range []int{-1, 0, 1} {
				want = append(want, i18n.FormatDate(l, time.Now().AddDate(1, 0, d)))
			}
			if expires != want[0] && expires != want[1] && expires != want[2] {
				t.Errorf("the profile expires on %q, want a year from now (%s)", expires, want[1])
			}
			if got := squash(t, ctx, `[data-testid="crs-score"]`); got != total {
				t.Errorf("the confirmation's score reads %q, want %q", got, total)
			}
			says(t, ctx, l, "ee.status.submitted")
			axeCheck(t, ctx)
		})
	}
}

// TestSecureAccountMessages reads IRCC's letters in both languages: two
// letters posted to the account (the email that announces each never
// carries it), the dashboard's unread count, the list with the unread
// ones marked, a letter that asks for an answer opened and answered (an
// empty reply first), and the count going down. Every page and error
// state passes axe.
func TestSecureAccountMessages(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			p := a.newPerson(t, l)
			d := newEnrolDetails(l)
			id := a.newAccount(t, p, d)
			before := newestMailID(t, a.App)
			info := account.Letter{Kind: account.LetterGeneral, Subject: "Information " + d.Family,
				Body: "Your file was received.\n\nNo action is needed."}
			ask := account.Letter{Kind: account.LetterProcedural, Subject: "Question " + d.Family,
				Body: "Please tell us your current address.", NeedsReply: true}
			a.tx(t, func(ctx context.Context, tx *sqlx.Tx) error {
				for _, letter := range []account.Letter{info, ask} {
					if _, err := a.set.Account.Mailbox().Post(ctx, tx, id, letter); err != nil {
						return err
					}
				}
				return nil
			})
			a.set.Account.Kick()
			m, _ := mailAfter(t, a.App, d.Email, before, regexp.MustCompile(`/`+l+`/ircc/messages`))
			if strings.Contains(m.Subject+m.BodyText, d.Family) || strings.Contains(m.BodyText, ask.Body) || strings.Contains(m.BodyText, "No action is needed") {
				t.Errorf("the email announcing a letter carries the letter: %q\n%s", m.Subject, m.BodyText)
			}

			ctx := newTab(t)
			toDashboard(t, ctx, a, p)
			if got, want := squash(t, ctx, `[data-testid="unread"]`), i18n.In(l, "ircc.dashboard.unread_many", "2"); got != want {
				t.Errorf("the dashboard says %q, want %q", got, want)
			}
			axeCheck(t, ctx)

			followLink(t, ctx, `[data-testid="unread"] a`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/messages")
			says(t, ctx, l, "ircc.messages.title")
			if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="message-unread"]').length`); n != 2 {
				t.Errorf("the list marks %d letters unread, want 2", n)
			}
			axeCheck(t, ctx)

			sel := `[data-testid="message-unread"] a`
			href := eval[string](t, ctx, `(Array.from(document.querySelectorAll(`+js(sel)+`)).find(a => a.textContent.trim() === `+js(ask.Subject)+`) || {}).getAttribute?.("href") || ""`)
			if href == "" {
				t.Fatalf("the list does not link to the letter %q: %q", ask.Subject, squash(t, ctx, "main"))
			}
			followLink(t, ctx, `a[href="`+href+`"]`, http.StatusOK)
			if got := squash(t, ctx, "h1"); got != ask.Subject {
				t.Errorf("the letter is titled %q, want %q", got, ask.Subject)
			}
			if got := squash(t, ctx, `[data-testid="letter-body"]`); got != ask.Body {
				t.Errorf("the letter reads %q, want %q", got, ask.Body)
			}
			if got, want := squash(t, ctx, `[data-testid="letter-kind"]`), i18n.In(l, "ircc.kind.procedural"); got != want {
				t.Errorf("the letter's kind reads %q, want %q", got, want)
			}
			if !exists(t, ctx, `form[data-testid="reply-form"]`) {
				t.Fatal("a letter that asks for an answer has no reply form")
			}
			axeCheck(t, ctx)

			// An empty reply, then one.
			res := clickNav(t, ctx, `form[data-testid="reply-form"] button[type="submit"]`)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("an empty reply: status %d, want 422", res.Status)
			}
			expectErrorSummary(t, ctx, "reply")
			says(t, ctx, l, "ircc.reply.required")
			axeCheck(t, ctx)
			reply := "My address is 123 Main Street, Ottawa."
			typeField(t, ctx, "#reply", reply)
			res = clickNav(t, ctx, `form[data-testid="reply-form"] button[type="submit"]`)
			if res.Status != http.StatusOK {
				t.Fatalf("sending the reply: status %d (page %s)", res.Status, where(ctx))
			}
			if got := location(t, ctx); got != href+"?replied=1" {
				t.Errorf("the reply led to %s, want %s?replied=1", got, href)
			}
			says(t, ctx, l, "ircc.reply.sent")
			if got := squash(t, ctx, `[data-testid="reply"]`); !strings.Contains(got, reply) {
				t.Errorf("the letter does not show the reply: %q", got)
			}
			axeCheck(t, ctx)

			// The other letter asks nothing.
			followLink(t, ctx, `a[href="/`+l+`/ircc/messages"]`, http.StatusOK)
			if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="message-unread"]').length`); n != 1 {
				t.Errorf("after reading one letter, %d are marked unread, want 1", n)
			}
			followLink(t, ctx, `[data-testid="message-unread"] a`, http.StatusOK)
			if got := squash(t, ctx, "h1"); got != info.Subject {
				t.Errorf("the other letter is titled %q, want %q", got, info.Subject)
			}
			if exists(t, ctx, `form[data-testid="reply-form"]`) {
				t.Error("a letter that asks for nothing offers a reply form")
			}
			axeCheck(t, ctx)
			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			if got, want := squash(t, ctx, `[data-testid="unread"]`), i18n.In(l, "ircc.dashboard.unread_none"); got != want {
				t.Errorf("after reading both letters the dashboard says %q, want %q", got, want)
			}
		})
	}
}

// tempFile writes content to a file named name in a directory of the
// test's own, for the browser to upload.
func tempFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSecureAccountDocuments answers a document request in both
// languages: two documents asked for in a letter, the dashboard's count,
// the documents page, a small PDF uploaded (then listed, and downloaded
// as an attachment that is not sniffed), and an HTML page renamed .pdf,
// which is refused with the error summary. Every page and error state
// passes axe.
func TestSecureAccountDocuments(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	labels := map[string][]string{
		"en": {"Passport biographical page", "Police certificate"},
		"fr": {"Page biographique du passeport", "Certificat de police"},
	}
	pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			p := a.newPerson(t, l)
			d := newEnrolDetails(l)
			id := a.newAccount(t, p, d)
			a.tx(t, func(ctx context.Context, tx *sqlx.Tx) error {
				_, err := a.set.Account.Mailbox().Post(ctx, tx, id, account.Letter{Kind: account.LetterDocumentRequest,
					Subject: "Documents " + d.Family, Body: "Please upload these documents.", DocumentLabels: labels[l]})
				return err
			})
			good := tempFile(t, "passport scan.pdf", pdf)
			bad := tempFile(t, "certificate.pdf", "<!doctype html><html><body><script>alert(1)</script></body></html>\n")

			ctx := newTab(t)
			toDashboard(t, ctx, a, p)
			if got, want := squash(t, ctx, `[data-testid="open-requests"]`), i18n.In(l, "ircc.dashboard.requests_many", "2"); got != want {
				t.Errorf("the dashboard says %q, want %q", got, want)
			}
			axeCheck(t, ctx)

			followLink(t, ctx, `[data-testid="open-requests"] a`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/documents")
			says(t, ctx, l, "ircc.documents.title")
			forms := `form[data-testid="upload-form"]`
			if n := eval[int](t, ctx, `document.querySelectorAll(`+js(forms)+`).length`); n != 2 {
				t.Fatalf("the documents page has %d upload forms, want 2", n)
			}
			if !exists(t, ctx, `[data-testid="documents-empty"]`) {
				t.Error("the documents page does not say nothing was uploaded yet")
			}
			axeCheck(t, ctx)

			// A PDF, for the first request.
			field := eval[string](t, ctx, `document.querySelector(`+js(forms+` input[type="file"]`)+`).id`)
			if got := squash(t, ctx, `label[for="`+field+`"]`); got != labels[l][0] {
				t.Errorf("the first upload field is labelled %q, want %q", got, labels[l][0])
			}
			run(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#"+field), []string{good}))
			res := clickNav(t, ctx, `form:has(#`+field+`) button[type="submit"]`)
			if res.Status != http.StatusOK {
				t.Fatalf("uploading a PDF: status %d (page %s)", res.Status, where(ctx))
			}
			if got := location(t, ctx); got != "/"+l+"/ircc/documents?uploaded=1" {
				t.Errorf("the upload led to %s", got)
			}
			says(t, ctx, l, "ircc.documents.uploaded_notice")
			if got := squash(t, ctx, `table[data-testid="documents"] tbody tr`); !strings.Contains(got, "passport scan.pdf") || !strings.Contains(got, labels[l][0]) {
				t.Errorf("the uploaded file is listed as %q", got)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll(`+js(forms)+`).length`); n != 1 {
				t.Errorf("after the upload the page has %d upload forms, want 1", n)
			}
			axeCheck(t, ctx)
			f := fetchFromPage(t, ctx, eval[string](t, ctx, `document.querySelector('[data-testid="download"]').href`))
			if f.Status != http.StatusOK || f.Type != "application/pdf" || !strings.HasPrefix(f.Disposition, "attachment") || f.Options != "nosniff" || f.Body != pdf {
				t.Errorf("the download answered %d, Content-Type %q, Content-Disposition %q, X-Content-Type-Options %q, %d bytes",
					f.Status, f.Type, f.Disposition, f.Options, len(f.Body))
			}

			// An HTML page named .pdf, for the other one.
			field = eval[string](t, ctx, `document.querySelector(`+js(forms+` input[type="file"]`)+`).id`)
			run(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#"+field), []string{bad}))
			res = clickNav(t, ctx, `form:has(#`+field+`) button[type="submit"]`)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("uploading an HTML page named .pdf: status %d, want 422 (page %s)", res.Status, where(ctx))
			}
			expectErrorSummary(t, ctx, field)
			says(t, ctx, l, "ircc.upload.type")
			if n := eval[int](t, ctx, `document.querySelectorAll('table[data-testid="documents"] tbody tr').length`); n != 1 {
				t.Errorf("after the refused file %d documents are listed, want 1", n)
			}
			axeCheck(t, ctx)

			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			if got, want := squash(t, ctx, `[data-testid="open-requests"]`), i18n.In(l, "ircc.dashboard.requests_one"); got != want {
				t.Errorf("after one upload the dashboard says %q, want %q", got, want)
			}
		})
	}
}

// TestSecureAccountPages goes through the secure account's other pages in
// both languages: an application's page, the technical-problem report
// (sent empty, then filled in) and its confirmation, and linking an
// application (sent empty, details that do not match, then an application
// with an email, confirmed with the code sent there, and one without,
// which waits for staff). Every page and error state passes axe.
func TestSecureAccountPages(t *testing.T) {
	t.Parallel()
	a := startIRCC(t)
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			p := a.newPerson(t, l)
			d := newEnrolDetails(l)
			id := a.newAccount(t, p, d)
			_, own := a.submitApplication(t, id, d, d.Email)
			paperEmail := "paper." + d.Email
			_, withEmail := a.submitApplication(t, 0, d, paperEmail)
			_, withoutEmail := a.submitApplication(t, 0, d, "")

			ctx := newTab(t)
			toDashboard(t, ctx, a, p)

			// The application's page.
			followLink(t, ctx, `table[data-testid="applications"] a`, http.StatusOK)
			if got := text(t, ctx, `[data-testid="app-number"]`); got != own {
				t.Errorf("the application's page shows %q, want %q", got, own)
			}
			if got, want := squash(t, ctx, `[data-testid="app-status"]`), i18n.In(l, "cases.status.submitted"); got != want {
				t.Errorf("the application's status reads %q, want %q", got, want)
			}
			says(t, ctx, l, "cases.app.title", own)
			axeCheck(t, ctx)

			// A technical problem.
			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			followLink(t, ctx, `[data-testid="report-problem"]`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/report")
			says(t, ctx, l, "cases.report.title")
			axeCheck(t, ctx)
			submitForm(t, ctx, l, "/ircc/report", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "description")
			for _, f := range []string{"submitted", "details"} {
				if !exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
					t.Errorf("the error summary does not link to #%s", f)
				}
			}
			axeCheck(t, ctx)
			insertField(t, ctx, "#description", "Application for a work permit")
			setValue(t, ctx, "#submitted", time.Now().AddDate(0, 0, -10).Format(time.DateOnly))
			insertField(t, ctx, "#details", "I applied online ten days ago and the application is not in my account.")
			submitForm(t, ctx, l, "/ircc/report", http.StatusOK)
			if !regexp.MustCompile(`^/` + l + `/ircc/report/[0-9]+$`).MatchString(location(t, ctx)) {
				t.Fatalf("the report led to %s", where(ctx))
			}
			says(t, ctx, l, "cases.report.sent_title")
			if got := squash(t, ctx, `[data-testid="report-reference"]`); !regexp.MustCompile(`TP-[0-9]{6}`).MatchString(got) {
				t.Errorf("the confirmation gives no TP-###### reference: %q", got)
			}
			if got, want := squash(t, ctx, `[data-testid="no-delay"]`), i18n.In(l, "cases.report.no_delay"); got != want {
				t.Errorf("the confirmation says %q, want %q", got, want)
			}
			axeCheck(t, ctx)

			// Linking: empty, then details that match nothing.
			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			followLink(t, ctx, `[data-testid="link-application"]`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/link")
			says(t, ctx, l, "cases.link.title")
			axeCheck(t, ctx)
			submitForm(t, ctx, l, "/ircc/link", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "number")
			for _, f := range []string{"family", "birth"} {
				if !exists(t, ctx, `#error-summary a[href="#`+f+`"]`) {
					t.Errorf("the error summary does not link to #%s", f)
				}
			}
			axeCheck(t, ctx)
			linkDetails := func(number, family string) {
				t.Helper()
				insertField(t, ctx, "#number", number)
				insertField(t, ctx, "#family", family)
				setValue(t, ctx, "#birth", d.birth())
			}
			linkDetails(withEmail, "Someone-Else")
			submitForm(t, ctx, l, "/ircc/link", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "number")
			says(t, ctx, l, "cases.link.no_match")
			axeCheck(t, ctx)

			// An application with an email: a code goes there.
			before := newestMailID(t, a.App)
			linkDetails(withEmail, d.Family)
			submitForm(t, ctx, l, "/ircc/link", http.StatusOK)
			if !regexp.MustCompile(`^/` + l + `/ircc/link/[0-9]+$`).MatchString(location(t, ctx)) {
				t.Fatalf("matching details led to %s", where(ctx))
			}
			if got := squash(t, ctx, `[data-testid="code-sent"]`); !strings.Contains(got, withEmail) {
				t.Errorf("the code page does not name the application: %q", got)
			}
			axeCheck(t, ctx)
			code := mailCode(t, a.App, paperEmail, before)
			confirm := eval[string](t, ctx, `location.pathname`)
			insertField(t, ctx, "#code", code)
			submitForm(t, ctx, l, strings.TrimPrefix(confirm, "/"+l), http.StatusOK)
			if !regexp.MustCompile(`^/` + l + `/ircc/applications/[0-9]+\?linked=1$`).MatchString(location(t, ctx)) {
				t.Fatalf("the right code led to %s", where(ctx))
			}
			if got := text(t, ctx, `[data-testid="app-number"]`); got != withEmail {
				t.Errorf("the linked application's page shows %q, want %q", got, withEmail)
			}
			says(t, ctx, l, "cases.app.linked")
			axeCheck(t, ctx)

			// One without: staff decide.
			load(t, ctx, a.URL+"/"+l+"/ircc/link", http.StatusOK)
			linkDetails(withoutEmail, d.Family)
			submitForm(t, ctx, l, "/ircc/link", http.StatusOK)
			if !exists(t, ctx, `[data-testid="link-waiting"]`) {
				t.Fatalf("an application without an email does not wait for staff: %s", where(ctx))
			}
			says(t, ctx, l, "cases.link.waiting_title")
			axeCheck(t, ctx)
		})
	}
}

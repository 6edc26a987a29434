package secureaccount_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guichet/modules/secureaccount/account"
)

func TestEnrolmentCreatesTheAccountByPairwiseID(t *testing.T) {
	e := start(t)
	c := e.arrive(t)

	p := c.Get("/fr/ircc/")
	if p.StatusCode != http.StatusOK || p.Doc.Find(`[data-testid="enrol-form"]`).Length() != 1 {
		t.Fatalf("enrolment form: %d", p.StatusCode)
	}
	if p.Doc.Find(`[data-testid="enrol-reminder"]`).Length() != 1 {
		t.Error("the enrolment form should repeat the different-account warning")
	}
	if _, ok := p.Doc.Find(`input#lang-fr`).Attr("checked"); !ok {
		t.Error("the language of letters should default to the page's")
	}
	if p.Doc.Find(`fieldset legend`).Length() != 2 || p.Doc.Find(`label[for="birth-day"]`).Length() != 1 {
		t.Error("date of birth and language should be fieldsets with legends")
	}
	// Other pages wait for the enrolment.
	if p := c.Get("/en/ircc/messages"); locate(p) != "/en/ircc/" {
		t.Fatalf("messages before enrolment: %d %q", p.StatusCode, locate(p))
	}

	p = c.Post("/fr/ircc/enrol", goodEnrol())
	if locate(p) != "/fr/ircc/?done=enrolled" {
		t.Fatalf("enrol: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	var got struct {
		PairwiseID string  `db:"pairwise_id"`
		Given      string  `db:"given_name"`
		Family     string  `db:"family_name"`
		Birth      string  `db:"birth_date"`
		Email      string  `db:"email"`
		Lang       string  `db:"lang"`
		UCI        *string `db:"uci"`
	}
	if err := e.DB.R.Get(&got, `SELECT pairwise_id, given_name, family_name, birth_date, email, lang, uci FROM ircc_accounts`); err != nil {
		t.Fatal(err)
	}
	principal := c.Get("/en/test/service/ircc").Body
	if got.PairwiseID == "" || !strings.Contains(principal, "|"+got.PairwiseID+"|") {
		t.Fatalf("account keyed by %q, principal %q", got.PairwiseID, principal)
	}
	if got.Given != "Amélie" || got.Family != "Tremblay-O'Neil" || got.Birth != "1985-03-27" || got.Email != "amelie@example.com" || got.Lang != "fr" || got.UCI != nil {
		t.Fatalf("account %+v", got)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE event = 'service_enrolled' AND subject = ?`, "ircc:"+got.PairwiseID); err != nil || n != 1 {
		t.Fatalf("enrolment audited %d times (%v)", n, err)
	}
	// Nothing about the credential is in the account or its audit entry.
	var cred string
	if err := e.DB.R.Get(&cred, `SELECT cred FROM app_pairwise WHERE pairwise_id = ?`, got.PairwiseID); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE event = 'service_enrolled' AND (subject LIKE ? OR detail LIKE ?)`, "%"+cred+"%", "%"+cred+"%"); err != nil || n != 0 {
		t.Fatal("the audit entry names the credential")
	}

	d := c.Get("/fr/ircc/?done=enrolled")
	if d.Doc.Find(`[data-testid="dashboard"]`).Length() != 1 || d.Doc.Find(`[data-testid="done"]`).Length() != 1 {
		t.Fatal("dashboard not shown after enrolment")
	}
	// A second submission changes nothing.
	if p := c.Post("/fr/ircc/enrol", goodEnrol()); locate(p) != "/fr/ircc/" || e.count(t, "ircc_accounts") != 1 {
		t.Fatalf("second enrolment: %q, %d accounts", locate(p), e.count(t, "ircc_accounts"))
	}
}

func TestEnrolmentRefusesBadInputAndCreatesNothing(t *testing.T) {
	e := start(t)
	c := e.arrive(t)
	c.Get("/en/ircc/")
	cases := []struct {
		name  string
		set   map[string]string
		field string
	}{
		{"no family name", map[string]string{"family_name": "  "}, "family_name"},
		{"digits in a name", map[string]string{"given_name": "R2D2"}, "given_name"},
		{"long name", map[string]string{"family_name": strings.Repeat("a", 101)}, "family_name"},
		{"no birth date", map[string]string{"birth_day": "", "birth_month": "", "birth_year": ""}, "birth-day"},
		{"31 February", map[string]string{"birth_day": "31", "birth_month": "2"}, "birth-day"},
		{"two-digit year", map[string]string{"birth_year": "85"}, "birth-day"},
		{"letters in the day", map[string]string{"birth_day": "x"}, "birth-day"},
		{"born tomorrow", map[string]string{"birth_day": "24", "birth_month": "1", "birth_year": "2024"}, "birth-day"},
		{"before 1900", map[string]string{"birth_year": "1899"}, "birth-day"},
		{"no email", map[string]string{"email": ""}, "email"},
		{"bad email", map[string]string{"email": "amelie@"}, "email"},
		{"display name", map[string]string{"email": "Amélie <amelie@example.com>"}, "email"},
		{"no language", map[string]string{"lang": ""}, "lang"},
		{"other language", map[string]string{"lang": "de"}, "lang"},
	}
	for _, tc := range cases {
		v := goodEnrol()
		for k, val := range tc.set {
			v.Set(k, val)
		}
		p := c.Post("/en/ircc/enrol", v)
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, p.StatusCode)
			continue
		}
		if p.Doc.Find(`.error-summary a[href="#`+tc.field+`"]`).Length() != 1 {
			t.Errorf("%s: summary %q does not link to #%s", tc.name, summary(p), tc.field)
		}
		if p.Doc.Find("#"+tc.field).Length() != 1 {
			t.Errorf("%s: no element #%s to link to", tc.name, tc.field)
		}
		// What was typed comes back.
		if tc.field != "email" && p.Doc.Find(`#email`).AttrOr("value", "") != "amelie@example.com" {
			t.Errorf("%s: the email typed was lost", tc.name)
		}
	}
	if e.count(t, "ircc_accounts") != 0 {
		t.Fatal("bad input created an account")
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE event = 'service_enrolled'`); err != nil || n != 0 {
		t.Fatal("bad input was audited as an enrolment")
	}
	// A given name may be left out (one name in the passport).
	v := goodEnrol()
	v.Set("given_name", "")
	if p := c.Post("/en/ircc/enrol", v); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("one-name enrolment: %d %s", p.StatusCode, summary(p))
	}
}

func TestEnrolmentNeedsTheIRCCPrincipal(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	c.Get("/en/test/password-verified")
	c.Get("/en/test/second-factor")
	c.Get("/en/ircc/")
	// Signed in, but the account creation was not confirmed: no Principal.
	if p := c.Post("/en/ircc/enrol", goodEnrol()); locate(p) != "/en/ircc/" || e.count(t, "ircc_accounts") != 0 {
		t.Fatalf("enrol without a principal: %d %q", p.StatusCode, locate(p))
	}
}

func TestDashboardInBothLanguages(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "fr")
	submitted := e.Fake.Now().Add(-48 * time.Hour)
	e.apps.byAccount[p.id] = []account.ApplicationSummary{{ID: 7, Number: "W300012345", Program: "Family sponsorship",
		Status: account.StatusInProgress, Submitted: submitted, Updated: e.Fake.Now(), Href: "/ircc/applications/7"}}
	e.profiles.byAccount[p.id] = []account.ProfileSummary{{ID: 3, Number: "E0123456789", Status: account.StatusSubmitted, Score: 471,
		Updated: e.Fake.Now(), Expires: e.Fake.Now().AddDate(1, 0, 0), Href: "/ircc/express-entry/3"}}
	e.post(t, p.id, account.Letter{Kind: account.LetterGeneral, Subject: "Hello", Body: "Body"})
	e.post(t, p.id, account.Letter{Kind: account.LetterDocumentRequest, Subject: "Documents", Body: "Send", DocumentLabels: []string{"Passport"}})

	for _, lang := range []string{"en", "fr"} {
		d := p.c.Get("/" + lang + "/ircc/")
		if d.StatusCode != http.StatusOK || d.Doc.Find(`[data-testid="dashboard"]`).Length() != 1 {
			t.Fatalf("%s: dashboard %d", lang, d.StatusCode)
		}
		if d.Doc.Find("h1").Length() != 1 {
			t.Errorf("%s: %d h1", lang, d.Doc.Find("h1").Length())
		}
		want := map[string]string{
			`[data-testid="welcome"]`:       "Amélie Tremblay-O'Neil",
			`[data-testid="delay-notice"]`:  map[string]string{"en": "It takes up to 5 days for online applications to appear in your account.", "fr": "5 jours"}[lang],
			`[data-testid="unread"]`:        "2",
			`[data-testid="open-requests"]`: "1",
			`[data-testid="contact-email"]`: "amelie@example.com",
			`[data-testid="contact-lang"]`:  map[string]string{"en": "French", "fr": "Français"}[lang],
			`[data-testid="free-note"]`:     map[string]string{"en": "free", "fr": "gratuits"}[lang],
			`[data-testid="applications"]`:  "W300012345",
			`[data-testid="profiles"]`:      "E0123456789",
		}
		for sel, text := range want {
			if got := d.Text(sel); !strings.Contains(got, text) {
				t.Errorf("%s: %s = %q, want %q", lang, sel, got, text)
			}
		}
		status := map[string]string{"en": "In progress", "fr": "En cours de traitement"}[lang]
		if !strings.Contains(d.Text(`[data-testid="applications"]`), status) {
			t.Errorf("%s: application status not in words: %q", lang, d.Text(`[data-testid="applications"]`))
		}
		if !strings.Contains(d.Text(`[data-testid="profiles"]`), "471") {
			t.Errorf("%s: no CRS score", lang)
		}
		day := map[string]string{"en": "January 21, 2024", "fr": "21 janvier 2024"}[lang]
		if !strings.Contains(d.Text(`[data-testid="applications"]`), day) {
			t.Errorf("%s: submission date not in Canada.ca style: %q", lang, d.Text(`[data-testid="applications"]`))
		}
		links := map[string]string{
			"express-entry":    "/" + lang + "/ircc/express-entry/",
			"link-application": "/" + lang + "/ircc/link",
			"report-problem":   "/" + lang + "/ircc/report",
			"contact-update":   "/" + lang + "/ircc/contact",
		}
		for id, href := range links {
			if got := d.Doc.Find(`[data-testid="`+id+`"]`).AttrOr("href", ""); got != href {
				t.Errorf("%s: %s links to %q", lang, id, got)
			}
		}
		if d.Doc.Find(`a[href="/`+lang+`/ircc/applications/7"]`).Length() != 1 {
			t.Errorf("%s: application link missing", lang)
		}
		if d.Doc.Find(`form[data-testid="sign-out"][action="/`+lang+`/session/end"] input[name="csrf_token"]`).Length() != 1 {
			t.Errorf("%s: no sign-out button", lang)
		}
		if d.Doc.Find(`table th[scope="col"]`).Length() == 0 || d.Doc.Find(`table caption`).Length() != 2 {
			t.Errorf("%s: tables need captions and column headers", lang)
		}
	}
	en := p.c.Get("/en/ircc/")
	if !strings.Contains(en.Body, "does not delay") {
		t.Error("the report link should say reporting does not delay processing")
	}
}

func TestDashboardWithoutListsOrMessages(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "solo@example.com", "en")
	d := p.c.Get("/en/ircc/")
	for _, id := range []string{"applications-empty", "profiles-empty"} {
		if d.Doc.Find(`[data-testid="`+id+`"]`).Length() != 1 {
			t.Errorf("no %s", id)
		}
	}
	if !strings.Contains(d.Text(`[data-testid="unread"]`), "no unread") || d.Doc.Find(`[data-testid="open-requests"]`).Length() != 0 {
		t.Errorf("unread: %q", d.Text(`[data-testid="unread"]`))
	}
}

func TestContactUpdate(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "fr")
	f := p.c.Get("/en/ircc/contact")
	if f.Doc.Find(`#email`).AttrOr("value", "") != "amelie@example.com" {
		t.Fatal("the form should show the current address")
	}
	if _, ok := f.Doc.Find(`#lang-fr`).Attr("checked"); !ok {
		t.Fatal("the form should show the current language")
	}
	for _, bad := range []url.Values{
		{"email": {""}, "lang": {"en"}},
		{"email": {"not an address"}, "lang": {"en"}},
		{"email": {"new@example.com"}, "lang": {"xx"}},
	} {
		r := p.c.Post("/en/ircc/contact", bad)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(".error-summary a").Length() != 1 {
			t.Fatalf("%v: %d %q", bad, r.StatusCode, summary(r))
		}
	}
	var email, lang string
	if err := e.DB.R.QueryRow(`SELECT email, lang FROM ircc_accounts WHERE id = ?`, p.id).Scan(&email, &lang); err != nil || email != "amelie@example.com" || lang != "fr" {
		t.Fatalf("bad input changed the account: %s %s", email, lang)
	}
	r := p.c.Post("/en/ircc/contact", url.Values{"email": {"new@example.com"}, "lang": {"en"}})
	if locate(r) != "/en/ircc/?done=contact" {
		t.Fatalf("update: %d %q %s", r.StatusCode, locate(r), summary(r))
	}
	if err := e.DB.R.QueryRow(`SELECT email, lang FROM ircc_accounts WHERE id = ?`, p.id).Scan(&email, &lang); err != nil || email != "new@example.com" || lang != "en" {
		t.Fatalf("after update: %s %s", email, lang)
	}
	d := p.c.Get("/en/ircc/?done=contact")
	if d.Text(`[data-testid="contact-email"]`) != "new@example.com" || d.Doc.Find(`[data-testid="done"]`).Length() != 1 {
		t.Fatal("dashboard does not show the new address")
	}
	// Letters now go to the new address, in the new language, and so
	// does what IRCC sends about the open applications.
	e.post(t, p.id, account.Letter{Kind: account.LetterGeneral, Subject: "S", Body: "B"})
	if ms := e.mails(t, "new@example.com"); len(ms) != 1 || ms[0].Lang != "en" {
		t.Fatalf("mail after the change: %+v", ms)
	}
	if got := e.apps.emails[p.id]; got != "new@example.com" {
		t.Fatalf("applications' email: %q", got)
	}
}

// A change of address that cannot reach the applications is not kept:
// the account and its applications never disagree.
func TestContactUpdateIsWholeOrNothing(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "fr")
	e.apps.fail = true
	if r := p.c.Post("/en/ircc/contact", url.Values{"email": {"new@example.com"}, "lang": {"en"}}); r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("update with the applications failing: %d", r.StatusCode)
	}
	var email, lang string
	if err := e.DB.R.QueryRow(`SELECT email, lang FROM ircc_accounts WHERE id = ?`, p.id).Scan(&email, &lang); err != nil || email != "amelie@example.com" || lang != "fr" {
		t.Fatalf("a failed update changed the account: %s %s", email, lang)
	}
	// Only the language: the applications are not asked.
	if r := p.c.Post("/en/ircc/contact", url.Values{"email": {"amelie@example.com"}, "lang": {"en"}}); locate(r) != "/en/ircc/?done=contact" {
		t.Fatalf("language only: %d %q", r.StatusCode, locate(r))
	}
}

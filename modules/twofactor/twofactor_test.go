package twofactor_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guichet/app/audit"
	"guichet/app/identity"
)

func TestNotSignedInGoesToSignIn(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, p := range []string{"/en/gckey/2fa/", "/en/gckey/2fa/setup", "/en/gckey/2fa/verify", "/en/gckey/2fa/done"} {
		expect(t, c.Get(p), http.StatusSeeOther, "/en/gckey/")
	}
}

func TestFirstSignInMustSetUp(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	expect(t, c.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/setup")
	expect(t, c.Get("/en/gckey/2fa/verify"), http.StatusSeeOther, "/en/gckey/2fa/setup")
	// Level 1 is not enough for the success page.
	expect(t, c.Get("/en/gckey/2fa/done"), http.StatusSeeOther, "/en/gckey/2fa/")

	// Choosing nothing is a clear error, linked from the summary.
	expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")
	p := c.Post("/en/gckey/2fa/setup", url.Values{})
	expect(t, p, http.StatusUnprocessableEntity, "")
	if p.Doc.Find(`.error-summary a[href="#method"]`).Length() != 1 || p.Doc.Find(`#method-error`).Length() != 1 {
		t.Fatalf("no linked error for the method: %s", p.Text(".error-summary"))
	}
}

func TestSetUpAppThenSignInWithIt(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")

	expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")
	expect(t, c.Post("/en/gckey/2fa/setup", url.Values{"method": {"app"}}), http.StatusSeeOther, "/en/gckey/2fa/setup/app")
	p := c.Get("/en/gckey/2fa/setup/app")
	if src := p.Doc.Find(`img[data-testid="qr"]`).AttrOr("src", ""); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR code src %.40q", src)
	}
	if p.Text(`[data-testid="issuer"]`) != "Guichet" || p.Text(`[data-testid="account"]`) != address {
		t.Fatalf("issuer/account %q / %q", p.Text(`[data-testid="issuer"]`), p.Text(`[data-testid="account"]`))
	}
	in := p.Doc.Find(`input#code`)
	if in.AttrOr("inputmode", "") != "numeric" || in.AttrOr("autocomplete", "") != "one-time-code" {
		t.Fatal("code input lacks inputmode/autocomplete")
	}
	grouped := p.Text(`[data-testid="secret"]`)
	if !regexp.MustCompile(`^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$`).MatchString(grouped) {
		t.Fatalf("secret not in groups of 4: %q", grouped)
	}
	secret := strings.ReplaceAll(grouped, " ", "")

	// The pending secret is sealed in the module's table, not in clear.
	var sealed []byte
	if err := e.DB.R.Get(&sealed, `SELECT secret_sealed FROM twofactor_factors WHERE subject_id = ? AND status = 'pending'`, cred); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), secret) {
		t.Fatal("secret stored in clear")
	}

	// A wrong code keeps the person on the page with a clear error.
	p = c.Post("/en/gckey/2fa/setup/app", url.Values{"code": {"000000"}})
	if code(t, secret, e.Fake.Now()) == "000000" {
		t.Skip("unlucky code")
	}
	expect(t, p, http.StatusUnprocessableEntity, "")
	if p.Doc.Find(`.error-summary a[href="#code"]`).Length() != 1 || p.Text(`[data-testid="secret"]`) != grouped {
		t.Fatal("wrong code: no linked error, or the key changed")
	}

	expect(t, c.Post("/en/gckey/2fa/setup/app", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/en/gckey/recovery/codes")
	if got := shownCodes(t, c, "en"); len(got) != 10 {
		t.Fatalf("codes after set-up: %q", got)
	}
	if m := lastMail(t, e); m.Subject != "Two-factor authentication is set up" || m.ToAddr != address {
		t.Fatalf("security mail %q to %q", m.Subject, m.ToAddr)
	}
	if countEvents(t, e, cred, audit.SecondFactorChanged) != 1 {
		t.Fatal("set-up not recorded")
	}
	// The session is at level 2 now.
	expect(t, c.Get("/en/gckey/2fa/done"), http.StatusOK, "")

	// Next sign-in: the two-factor page.
	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	expect(t, d.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/verify")
	p = d.Get("/en/gckey/2fa/verify")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`a[data-testid="recover"][href="/en/gckey/recovery/recover"]`).Length() != 1 ||
		p.Doc.Find(`a[data-testid="lost"][href="/en/gckey/recovery/lost"]`).Length() != 1 {
		t.Fatal("two-factor page lacks Recover account or the help link")
	}
	e.Fake.Advance(30 * time.Second)
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/en/gckey/2fa/done")
	expect(t, d.Get("/en/gckey/2fa/done"), http.StatusOK, "")
}

func TestVerifyRefusesBadAndExpiredCodes(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/2fa/verify")
	e.Fake.Advance(5 * time.Minute)

	// Shape errors are explained and do not count.
	for typed, msg := range map[string]string{"": "Enter the 6-digit code.", "12ab56": "Enter the code as 6 digits, like 123456."} {
		p := d.Post("/en/gckey/2fa/verify", url.Values{"code": {typed}})
		expect(t, p, http.StatusUnprocessableEntity, "")
		if got := p.Text(".error-summary li"); got != msg {
			t.Errorf("%q: %q", typed, got)
		}
	}
	// A code from a minute ago is expired (one step of drift only).
	old := code(t, secret, e.Fake.Now().Add(-60*time.Second))
	if old != code(t, secret, e.Fake.Now().Add(-30*time.Second)) && old != code(t, secret, e.Fake.Now()) && old != code(t, secret, e.Fake.Now().Add(30*time.Second)) {
		p := d.Post("/en/gckey/2fa/verify", url.Values{"code": {old}})
		expect(t, p, http.StatusUnprocessableEntity, "")
		if !strings.Contains(p.Text("#code-error"), "That code is not right") {
			t.Fatalf("expired code error %q", p.Text("#code-error"))
		}
	}
	if n := countEvents(t, e, cred, audit.SecondFactorFailed); n != 1 {
		t.Fatalf("failures recorded: %d, want 1 (shape errors do not count)", n)
	}
	// One step of drift either way is accepted.
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now().Add(30*time.Second))}}), http.StatusSeeOther, "/en/gckey/2fa/done")
}

func TestAuthenticatorCodeWorksOnce(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")
	used := code(t, secret, e.Fake.Now())

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/2fa/verify")
	// The code that confirmed the set-up cannot sign in.
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {used}}), http.StatusUnprocessableEntity, "")

	// Next step: accepted once, then refused.
	e.Fake.Advance(30 * time.Second)
	next := code(t, secret, e.Fake.Now())
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {next}}), http.StatusSeeOther, "/en/gckey/2fa/done")

	f := e.Client(t)
	signIn(t, f, "en", cred, "")
	f.Get("/en/gckey/2fa/verify")
	expect(t, f.Post("/en/gckey/2fa/verify", url.Values{"code": {next}}), http.StatusUnprocessableEntity, "")
	// The set-up code belongs to the step just before: inside the drift
	// window, but earlier than the last accepted step, so refused.
	if used != next {
		expect(t, f.Post("/en/gckey/2fa/verify", url.Values{"code": {used}}), http.StatusUnprocessableEntity, "")
	}
	e.Fake.Advance(30 * time.Second)
	expect(t, f.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/en/gckey/2fa/done")
}

func TestSetUpEmailThenSignInWithIt(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	setupEmail(t, e, c)
	if m := lastMail(t, e); m.Subject != "Two-factor authentication is set up" {
		t.Fatalf("security mail %q", m.Subject)
	}

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	// The index mails a code and says so.
	expect(t, d.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/verify")
	p := d.Get("/en/gckey/2fa/verify")
	if p.Doc.Find(`[data-testid="sent"]`).Length() != 0 || !strings.Contains(p.Text("main"), "We sent a 6-digit code to p•••@example.com.") {
		t.Fatalf("verify page: %q", p.Text("main"))
	}
	if m := lastMail(t, e); m.Subject != "Your verification code" {
		t.Fatalf("code mail %q", m.Subject)
	}
	good := mailedCode(t, e)

	// Expired after 10 minutes.
	e.Fake.Advance(11 * time.Minute)
	p = d.Post("/en/gckey/2fa/verify", url.Values{"code": {good}})
	expect(t, p, http.StatusUnprocessableEntity, "")
	if !strings.Contains(p.Text("#code-error"), "has expired") {
		t.Fatalf("expired: %q", p.Text("#code-error"))
	}
	// "Send a new code", then the new code works, once.
	expect(t, d.Post("/en/gckey/2fa/verify/send", nil), http.StatusSeeOther, "/en/gckey/2fa/verify?sent=1")
	if p := d.Get("/en/gckey/2fa/verify?sent=1"); !strings.Contains(p.Text(`[data-testid="sent"]`), "p•••@example.com") {
		t.Fatalf("sent notice %q", p.Text(`[data-testid="sent"]`))
	}
	fresh := mailedCode(t, e)
	if fresh != good {
		expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {good}}), http.StatusUnprocessableEntity, "")
	}
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {fresh}}), http.StatusSeeOther, "/en/gckey/2fa/done")
	f := e.Client(t)
	signIn(t, f, "en", cred, "")
	f.Get("/en/gckey/2fa/verify")
	expect(t, f.Post("/en/gckey/2fa/verify", url.Values{"code": {fresh}}), http.StatusUnprocessableEntity, "")
}

func TestEmailSendLimit(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	setupEmail(t, e, c) // send 1
	e.Fake.Advance(time.Minute)
	for i := 2; i <= 5; i++ {
		expect(t, c.Post("/en/gckey/2fa/verify/send", nil), http.StatusSeeOther, "/en/gckey/2fa/verify?sent=1")
	}
	before := len(mails(t, e))
	p := c.Post("/en/gckey/2fa/verify/send", nil)
	expect(t, p, http.StatusTooManyRequests, "")
	msg := p.Text(`[data-testid="send-limit"]`)
	if !strings.Contains(msg, "Use the newest code we sent") || !strings.Contains(msg, "Eastern time") {
		t.Fatalf("limit message %q", msg)
	}
	if len(mails(t, e)) != before {
		t.Fatal("a sixth code was mailed")
	}
	e.Fake.Advance(16 * time.Minute)
	expect(t, c.Post("/en/gckey/2fa/verify/send", nil), http.StatusSeeOther, "/en/gckey/2fa/verify?sent=1")
}

func TestTenWrongAnswersLockForTenMinutes(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")
	e.Fake.Advance(time.Minute)
	good := code(t, secret, e.Fake.Now())
	wrong := "000000"
	for _, w := range []string{"111111", "222222", "333333"} {
		if w != good && w != code(t, secret, e.Fake.Now().Add(-30*time.Second)) && w != code(t, secret, e.Fake.Now().Add(30*time.Second)) {
			wrong = w
			break
		}
	}
	before := len(mails(t, e))

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/2fa/verify")
	for i := 0; i < 8; i++ {
		expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {wrong}}), http.StatusUnprocessableEntity, "")
	}
	// Wrong recovery codes count on the same counter.
	d.Get("/en/gckey/recovery/recover")
	expect(t, d.Post("/en/gckey/recovery/recover", url.Values{"code": {"AAAA-BBBB-CCCC"}}), http.StatusUnprocessableEntity, "")
	p := d.Post("/en/gckey/2fa/verify", url.Values{"code": {wrong}})
	expect(t, p, http.StatusTooManyRequests, "")
	// apptest.Start is 10:00 Eastern; one minute later, plus 10.
	if got := p.Text(`[data-testid="locked-until"]`); got != "You can try again after 10:11 a.m. Eastern time." {
		t.Fatalf("locked page %q", got)
	}
	// Even the right code is refused while locked, and recovery too.
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {good}}), http.StatusTooManyRequests, "")
	expect(t, d.Get("/en/gckey/recovery/recover"), http.StatusTooManyRequests, "")
	fr := d.Get("/fr/gckey/2fa/verify")
	if got := fr.Text(`[data-testid="locked-until"]`); got != "Vous pourrez réessayer après 10\u00a0h\u00a011, heure de l'Est." {
		t.Fatalf("French locked page %q", got)
	}
	if countEvents(t, e, cred, audit.Locked) != 1 {
		t.Fatal("lock not recorded")
	}
	var lockMails int
	for _, m := range mails(t, e)[:len(mails(t, e))-before] {
		if m.Subject == "Too many wrong codes for your GCKey" {
			lockMails++
		}
	}
	if lockMails != 1 {
		t.Fatalf("lockout mails: %d", lockMails)
	}

	e.Fake.Advance(10 * time.Minute)
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/en/gckey/2fa/done")
}

func TestChangingTheMethodNeedsARecentCheck(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")

	e.Fake.Advance(5 * time.Minute)
	p := c.Get("/en/gckey/2fa/setup")
	expect(t, p, http.StatusOK, "")
	if p.Text("h1") != "Change your two-factor authentication" || !strings.Contains(p.Text(`[data-testid="current-method"]`), "authenticator app") {
		t.Fatalf("change page: %q / %q", p.Text("h1"), p.Text(`[data-testid="current-method"]`))
	}

	e.Fake.Advance(16 * time.Minute) // 21 minutes after the check
	expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusSeeOther, "/en/gckey/2fa/?next=manage")
	expect(t, c.Post("/en/gckey/2fa/setup", url.Values{"method": {"email"}}), http.StatusSeeOther, "/en/gckey/2fa/?next=manage")
	expect(t, c.Get("/en/gckey/2fa/?next=manage"), http.StatusSeeOther, "/en/gckey/2fa/verify?next=manage")
	p = c.Get("/en/gckey/2fa/verify?next=manage")
	if p.Doc.Find(`input[name="next"][value="manage"]`).Length() != 1 {
		t.Fatal("next not carried")
	}
	// As on the public GCKey pages, the check leads to the success page,
	// whose "Change your two-factor authentication" is now allowed.
	expect(t, c.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}, "next": {"manage"}}), http.StatusSeeOther, "/en/gckey/2fa/done")
	expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")

	// A check asked for by the account page returns there.
	e.Fake.Advance(21 * time.Minute)
	expect(t, c.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}, "next": {"account"}}), http.StatusSeeOther, "/en/gckey/account")

	// next is an enum: anything else is dropped, never followed.
	p = c.Get("/en/gckey/2fa/verify?next=%2F%2Fevil.example")
	if p.Doc.Find(`input[name="next"]`).Length() != 0 {
		t.Fatal("unknown next value carried")
	}
}

func TestFactorChangeEndsOtherSessions(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")

	other := e.Client(t)
	signIn(t, other, "en", cred, "")
	expect(t, other.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/verify")
	unrelated := e.Client(t)
	signIn(t, unrelated, "en", "", "")

	// Change to email within 20 minutes of the check.
	setupEmail(t, e, c)
	if m := lastMail(t, e); m.Subject != "Your two-factor authentication was changed" {
		t.Fatalf("security mail %q", m.Subject)
	}
	expect(t, other.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/")
	expect(t, unrelated.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/setup")
	expect(t, c.Get("/en/gckey/2fa/done"), http.StatusOK, "")
	if countEvents(t, e, cred, audit.SessionsEnded) != 1 {
		t.Fatal("ended sessions not recorded")
	}
	var active, pending int
	e.DB.R.Get(&active, `SELECT COUNT(*) FROM twofactor_factors WHERE subject_id = ? AND status = 'active' AND method = 'email'`, cred)
	e.DB.R.Get(&pending, `SELECT COUNT(*) FROM twofactor_factors WHERE subject_id = ? AND status = 'pending'`, cred)
	if active != 1 || pending != 0 {
		t.Fatalf("factors: %d active email, %d pending", active, pending)
	}
}

func TestDoneHandsOffToTheService(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "ircc")
	setupApp(t, e, c, "en")
	p := c.Get("/en/gckey/2fa/done")
	if got := p.Text(`[data-testid="next"]`); got != "Select Continue to go to the IRCC secure account." || p.Text(`main form button`) != "Continue" {
		t.Fatalf("continue: %q / %q", got, p.Text(`main form button`))
	}
	if p.Doc.Find(`a[data-testid="change"][href="/en/gckey/2fa/setup"]`).Length() != 1 {
		t.Fatal("no link to change the method")
	}
	expect(t, c.Post("/en/gckey/2fa/done", nil), http.StatusSeeOther, "/en/ircc/")
	// A first arrival at the service is its enrolment page; the account
	// exists once the person confirms.
	if c.Get("/en/ircc/").Doc.Find(`[data-testid="enrol-warning"]`).Length() != 1 {
		t.Fatal("no enrolment page on the first arrival")
	}
	expect(t, c.Get("/en/test/service/ircc"), http.StatusUnauthorized, "")
	expect(t, c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}}), http.StatusSeeOther, "/en/ircc/")
	s := c.Get("/en/test/service/ircc")
	expect(t, s, http.StatusOK, "")
	parts := strings.Split(s.Body, "|")
	if len(parts) != 4 || parts[0] != "ircc" || parts[2] != "gckey" || parts[3] != "2" {
		t.Fatalf("principal %q", s.Body)
	}
	if f := c.Get("/en/test/factor/ircc").Body; f != identity.FactorApp {
		t.Fatalf("the principal records the factor %q, want the app", f)
	}
	uuid := strings.TrimPrefix(cred, "gckey:")
	if strings.Contains(s.Body, uuid) || strings.Contains(s.Body, cred) {
		t.Fatal("principal carries the credential reference")
	}

	// With no service waiting, Continue leads to the GCKey account page.
	expect(t, c.Post("/en/gckey/2fa/done", nil), http.StatusSeeOther, "/en/gckey/account")
}

func TestEveryFormRefusesWithoutCSRF(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	for _, path := range []string{
		"/en/gckey/2fa/setup", "/en/gckey/2fa/setup/app", "/en/gckey/2fa/setup/email", "/en/gckey/2fa/setup/email/send",
		"/en/gckey/2fa/verify", "/en/gckey/2fa/verify/send", "/en/gckey/2fa/done",
		"/en/gckey/recovery/new", "/en/gckey/recovery/codes", "/en/gckey/recovery/recover",
	} {
		if p := c.Post(path, url.Values{"csrf_token": {""}, "code": {"123456"}, "method": {"app"}}); p.StatusCode != http.StatusForbidden {
			t.Errorf("%s without a token: %d", path, p.StatusCode)
		}
		if p := c.Post(path, url.Values{"csrf_token": {"forged"}, "code": {"123456"}}); p.StatusCode != http.StatusForbidden {
			t.Errorf("%s with a forged token: %d", path, p.StatusCode)
		}
	}
}

var missingKey = regexp.MustCompile(`\[[a-z]+\.[a-z0-9_.]+\]`)

func TestPagesInBothLanguages(t *testing.T) {
	e := start(t)
	for _, lang := range []string{"en", "fr"} {
		c := e.Client(t)
		cred := signIn(t, c, lang, "", "pt")
		check := func(path string, want int) {
			t.Helper()
			p := c.Get(path)
			expect(t, p, want, "")
			if got := p.Doc.Find("html").AttrOr("lang", ""); got != lang {
				t.Errorf("%s: html lang %q", path, got)
			}
			if m := missingKey.FindString(p.Body); m != "" {
				t.Errorf("%s: missing key %s", path, m)
			}
		}
		check("/"+lang+"/gckey/2fa/setup", http.StatusOK)
		c.Post("/"+lang+"/gckey/2fa/setup", url.Values{"method": {"email"}})
		check("/"+lang+"/gckey/2fa/setup/email", http.StatusOK)
		c.Post("/"+lang+"/gckey/2fa/setup/email/send", nil)
		check("/"+lang+"/gckey/2fa/setup/email?sent=1", http.StatusOK)
		c.Post("/"+lang+"/gckey/2fa/setup", url.Values{"method": {"app"}})
		check("/"+lang+"/gckey/2fa/setup/app", http.StatusOK)
		secret := setupApp(t, e, c, lang)
		check("/"+lang+"/gckey/2fa/done", http.StatusOK)
		check("/"+lang+"/gckey/2fa/setup", http.StatusOK)
		check("/"+lang+"/gckey/recovery/", http.StatusOK)
		check("/"+lang+"/gckey/recovery/codes", http.StatusOK)
		check("/"+lang+"/gckey/recovery/lost", http.StatusOK)
		d := e.Client(t)
		signIn(t, d, lang, cred, "")
		p := d.Get("/" + lang + "/gckey/2fa/verify")
		if m := missingKey.FindString(p.Body); m != "" || p.Doc.Find("html").AttrOr("lang", "") != lang {
			t.Errorf("%s verify: lang %q, missing %q", lang, p.Doc.Find("html").AttrOr("lang", ""), m)
		}
		p = d.Get("/" + lang + "/gckey/recovery/recover")
		if m := missingKey.FindString(p.Body); m != "" {
			t.Errorf("%s recover: missing %q", lang, m)
		}
		e.Fake.Advance(30 * time.Second)
		d.Post("/"+lang+"/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}})
		if fr := d.Get("/" + lang + "/gckey/2fa/done"); lang == "fr" && fr.Text("h1") != "Vous êtes connecté" {
			t.Errorf("French done page: %q", fr.Text("h1"))
		}
	}
}

func TestSecurityMailInThePersonsLanguage(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	e.contacts.mu.Lock()
	e.contacts.lang[cred] = "fr"
	e.contacts.mu.Unlock()
	setupApp(t, e, c, "en")
	m := lastMail(t, e)
	if m.Subject != "L'authentification à deux facteurs est configurée" || m.Lang != "fr" {
		t.Fatalf("mail %q (%s)", m.Subject, m.Lang)
	}
	if !strings.Contains(m.BodyText, "heure de l'Est") {
		t.Fatalf("French mail body: %q", m.BodyText)
	}
}

func TestWhatAuthAsks(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	has, err := e.tf.HasActiveFactor(ctx, "gckey", cred)
	if err != nil || has {
		t.Fatalf("before set-up: %v %v", has, err)
	}
	// A pending factor is not a factor.
	c.Get("/en/gckey/2fa/setup")
	c.Post("/en/gckey/2fa/setup", url.Values{"method": {"email"}})
	if has, _ := e.tf.HasActiveFactor(ctx, "gckey", cred); has {
		t.Fatal("pending factor counted")
	}
	setupEmail(t, e, c)
	has, _ = e.tf.HasActiveFactor(ctx, "gckey", cred)
	only, err := e.tf.OnlyEmail(ctx, "gckey", cred)
	if !has || !only || err != nil {
		t.Fatalf("email factor: has %v only email %v (%v)", has, only, err)
	}
	setupApp(t, e, c, "en")
	if only, _ := e.tf.OnlyEmail(ctx, "gckey", cred); only {
		t.Fatal("app factor reported as email")
	}
}

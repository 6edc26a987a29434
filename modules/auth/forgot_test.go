package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guichet/app/throttle"
)

func TestForgotUsername(t *testing.T) {
	e := start(t)
	u := e.demo(t, "Forgetful.One", "forget@example.com")
	c := e.Client(t)
	c.Get("/en/gckey/forgot-username")
	before := e.snapshot(t)
	for _, bad := range []string{"", "nope", "two@@example.com"} {
		p := c.Post("/en/gckey/forgot-username", url.Values{"email": {bad}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d", bad, p.StatusCode)
		}
		wantErrors(t, p, "email")
		if p.Doc.Find("#email").AttrOr("value", "") != bad {
			t.Errorf("%q not kept", bad)
		}
	}
	e.unchanged(t, before, "bad forgot-username")

	unknown := c.Post("/en/gckey/forgot-username", url.Values{"email": {"stranger@example.com"}})
	known := c.Post("/en/gckey/forgot-username", url.Values{"email": {"FORGET@example.com"}})
	if locate(unknown) != "/en/gckey/forgot-username/sent" || locate(known) != locate(unknown) {
		t.Fatalf("answers: %q / %q", locate(unknown), locate(known))
	}
	if len(e.mails(t, "stranger@example.com")) != 0 {
		t.Fatal("mail sent to an address no GCKey uses")
	}
	ms := e.mails(t, "forget@example.com")
	if len(ms) != 1 || !strings.Contains(ms[0].BodyText, u.username) || strings.Contains(ms[0].BodyText, u.password) {
		t.Fatalf("reminder: %+v", ms)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'username_reminder'`, u.cred); err != nil || n != 1 {
		t.Fatalf("audit: %d %v", n, err)
	}
	sent := c.Get("/fr/gckey/forgot-username/sent")
	if sent.Doc.Find(`[data-testid="username-sent"]`).Length() != 1 {
		t.Fatal("sent page")
	}
	noMissingKeys(t, "username sent", sent)

	// Sends to one address are limited: the page stays the same.
	for i := 0; i < 10; i++ {
		c.Post("/fr/gckey/forgot-username", url.Values{"email": {"forget@example.com"}})
	}
	if got := len(e.mails(t, "forget@example.com")); got != 5 {
		t.Fatalf("%d reminders in 15 minutes", got)
	}
	if ms := e.mails(t, "forget@example.com"); ms[0].Lang != "fr" {
		t.Fatal("reminder not in the language of the request")
	}
}

func TestForgotPasswordAndReset(t *testing.T) {
	e := start(t)
	u := e.demo(t, "reset.me", "reset@example.com")
	elsewhere := e.Client(t)
	signinFull(t, elsewhere, u)

	c := e.Client(t)
	c.Get("/en/gckey/forgot-password")
	p := c.Post("/en/gckey/forgot-password", url.Values{"username": {" "}})
	wantErrors(t, p, "username")
	unknown := c.Post("/en/gckey/forgot-password", url.Values{"username": {"no.such.user"}})
	known := c.Post("/en/gckey/forgot-password", url.Values{"username": {"RESET.me"}})
	if locate(unknown) != "/en/gckey/forgot-password/sent" || locate(known) != locate(unknown) {
		t.Fatalf("answers: %q / %q", locate(unknown), locate(known))
	}
	if e.count(t, "app_outbox") != 1 {
		t.Fatalf("%d mails; want only the reset link", e.count(t, "app_outbox"))
	}
	link := e.lastLink(t, "reset@example.com")
	form := c.Get(link)
	if form.StatusCode != http.StatusOK || form.Doc.Find(`input[name="token"]`).Length() != 1 || form.Doc.Find("#code").Length() != 0 {
		t.Fatalf("reset form: %d", form.StatusCode)
	}
	if !strings.Contains(form.Text("main"), "reset.me") {
		t.Fatal("reset form does not name the GCKey")
	}
	token := form.Doc.Find(`input[name="token"]`).AttrOr("value", "")

	// Bad input changes nothing, and the link keeps working.
	before := e.snapshot(t)
	for _, bad := range []struct {
		pw, confirm string
		fields      []string
	}{
		{"", "", []string{"password", "confirm"}},
		{"short", "short", []string{"password"}},
		{"hello reset.me again", "hello reset.me again", []string{"password"}},
		{goodPassword + "!", goodPassword, []string{"confirm"}},
	} {
		p := c.Post("/en/gckey/reset", url.Values{"token": {token}, "password": {bad.pw}, "confirm": {bad.confirm}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d", bad.pw, p.StatusCode)
		}
		wantErrors(t, p, bad.fields...)
		if p.Doc.Find(`input[name="token"]`).AttrOr("value", "") != token {
			t.Fatal("token not kept in the form")
		}
	}
	e.unchanged(t, before, "bad reset")

	newPassword := "a brand new passphrase for me"
	p = c.Post("/en/gckey/reset", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}})
	if locate(p) != "/en/gckey/signin?done=reset" {
		t.Fatalf("reset: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	if s := c.Get(locate(p)); s.Doc.Find(`[data-testid="reset-done"]`).Length() != 1 {
		t.Fatal("no notice after the reset")
	}
	// Every session of the credential ended.
	if got := elsewhere.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("other session survived the reset: %q", got)
	}
	if p := signin(e.Client(t), "en", u.username, u.password); p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("old password still works: %d", p.StatusCode)
	}
	// A reset never skips the second factor: sign-in leads to level 1 only.
	x := e.Client(t)
	if p := signin(x, "en", u.username, newPassword); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("new password: %q", locate(p))
	}
	if got := x.Get("/en/test/pending").Body; !strings.HasSuffix(got, "|1") {
		t.Fatalf("after reset and sign-in: %q", got)
	}
	ms := e.mails(t, "reset@example.com")
	if len(ms) != 2 || !strings.Contains(ms[0].Subject, "was reset") {
		t.Fatalf("security notice: %+v", ms)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'password_reset'`, u.cred); err != nil || n != 1 {
		t.Fatalf("audit: %d %v", n, err)
	}

	// The link works once.
	if p := c.Get(link); p.StatusCode != http.StatusGone || p.Doc.Find(`[data-testid="reset-invalid"]`).Length() != 1 {
		t.Fatalf("used link: %d", p.StatusCode)
	}
	if p := c.Post("/en/gckey/reset", url.Values{"token": {token}, "password": {goodPassword}, "confirm": {goodPassword}}); p.StatusCode != http.StatusGone {
		t.Fatalf("used token posted: %d", p.StatusCode)
	}
	// And for 30 minutes only.
	c.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	late := e.lastLink(t, "reset@example.com")
	e.Fake.Advance(31 * time.Minute)
	if p := c.Get(late); p.StatusCode != http.StatusGone {
		t.Fatalf("link after 30 minutes: %d", p.StatusCode)
	}
	if p := c.Get("/fr/gckey/reset?token=nonsense"); p.StatusCode != http.StatusGone {
		t.Fatalf("made-up token: %d", p.StatusCode)
	} else {
		noMissingKeys(t, "reset invalid fr", p)
	}
}

func TestResetAsksForRecoveryCodeWhenOnlyEmail(t *testing.T) {
	e := start(t)
	u := e.demo(t, "email.only", "only@example.com")
	e.factors.mu.Lock()
	e.factors.onlyEmail[u.cred] = true
	e.factors.mu.Unlock()
	e.recovery.mu.Lock()
	e.recovery.codes[u.cred] = "K7QM-2XRD-94TB"
	e.recovery.mu.Unlock()

	c := e.Client(t)
	c.Get("/en/gckey/forgot-password")
	c.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	form := c.Get(e.lastLink(t, "only@example.com"))
	if form.Doc.Find("#code").Length() != 1 {
		t.Fatal("reset form does not ask for a recovery code")
	}
	token := form.Doc.Find(`input[name="token"]`).AttrOr("value", "")
	newPassword := "another long passphrase here"
	vals := func(code string) url.Values {
		return url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}, "code": {code}}
	}
	p := c.Post("/en/gckey/reset", vals(""))
	wantErrors(t, p, "code")
	before := e.snapshot(t)
	p = c.Post("/en/gckey/reset", vals("AAAA-BBBB-CCCC"))
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", p.StatusCode)
	}
	wantErrors(t, p, "code")
	e.unchanged(t, before, "wrong recovery code")
	// It counts on the two-factor module's one counter of wrong answers.
	var wrong int
	if err := e.DB.R.Get(&wrong, `SELECT count FROM app_throttle WHERE key = ?`, "2fa:gckey:"+u.cred); err != nil || wrong != 1 {
		t.Fatalf("wrong answers counted: %d %v", wrong, err)
	}
	if p := signin(e.Client(t), "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatal("password changed despite a wrong recovery code")
	}
	p = c.Post("/en/gckey/reset", vals("K7QM-2XRD-94TB"))
	if locate(p) != "/en/gckey/signin?done=reset" {
		t.Fatalf("right code: %d %s", p.StatusCode, summary(p))
	}
	if p := signin(e.Client(t), "en", u.username, newPassword); locate(p) != "/en/gckey/welcome" {
		t.Fatal("new password does not work")
	}
	if e.recovery.calls != 2 {
		t.Fatalf("recovery module asked %d times", e.recovery.calls)
	}
}

func TestResetRefusedWhileSecondStepLocked(t *testing.T) {
	e := start(t)
	u := e.demo(t, "locked.second.step", "lss@example.com")
	e.factors.mu.Lock()
	e.factors.onlyEmail[u.cred] = true
	e.factors.mu.Unlock()
	e.recovery.mu.Lock()
	e.recovery.codes[u.cred] = "K7QM-2XRD-94TB"
	e.recovery.mu.Unlock()
	rule := throttle.Rule{Limit: 10, Window: 15 * time.Minute, Lock: 10 * time.Minute}
	for i := 0; i < 10; i++ {
		if _, _, err := throttle.New(e.DB, e.Clock).Fail(t.Context(), "2fa:gckey:"+u.cred, rule); err != nil {
			t.Fatal(err)
		}
	}
	c := e.Client(t)
	c.Get("/en/gckey/forgot-password")
	c.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	form := c.Get(e.lastLink(t, "lss@example.com"))
	token := form.Doc.Find(`input[name="token"]`).AttrOr("value", "")
	vals := url.Values{"token": {token}, "password": {goodPassword}, "confirm": {goodPassword}, "code": {"K7QM-2XRD-94TB"}}
	p := c.Post("/en/gckey/reset", vals)
	if p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked second step: %d", p.StatusCode)
	}
	wantErrors(t, p, "code")
	e.Fake.Advance(10*time.Minute + time.Second)
	if p := c.Post("/en/gckey/reset", vals); locate(p) != "/en/gckey/signin?done=reset" {
		t.Fatalf("after the lock: %d %s", p.StatusCode, summary(p))
	}
}

func TestResetLiftsTheUsernameLock(t *testing.T) {
	e := start(t)
	u := e.demo(t, "locked.then.reset", "lr@example.com")
	c := e.Client(t)
	for i := 0; i < 5; i++ {
		signin(c, "en", u.username, "nope nope nope")
	}
	c.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	form := c.Get(e.lastLink(t, "lr@example.com"))
	token := form.Doc.Find(`input[name="token"]`).AttrOr("value", "")
	c.Post("/en/gckey/reset", url.Values{"token": {token}, "password": {goodPassword}, "confirm": {goodPassword}})
	if p := signin(c, "en", u.username, goodPassword); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("after reset: %d %s", p.StatusCode, summary(p))
	}
}

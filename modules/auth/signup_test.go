package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const goodPassword = "maple syrup on snowy mornings"

func TestSignupEndToEndKeepsPendingService(t *testing.T) {
	e := start(t)
	c := e.Client(t)

	p := c.Get("/en/gckey/signup?service=ircc")
	if p.StatusCode != http.StatusOK || p.Doc.Find(`[data-testid="terms"] li`).Length() < 3 {
		t.Fatalf("terms page: %d", p.StatusCode)
	}
	// The details step needs the terms accepted first.
	if p := c.Get("/en/gckey/signup/details"); locate(p) != "/en/gckey/signup" {
		t.Fatalf("details before terms: %q", locate(p))
	}
	p = c.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	if locate(p) != "/en/gckey/signup/details" {
		t.Fatalf("accept: %d %q", p.StatusCode, locate(p))
	}
	c.Get("/en/gckey/signup/details")
	p = c.Post("/en/gckey/signup/details", url.Values{
		"username": {"Jean-Luc.Picard"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"jl.picard@example.com"},
	})
	if locate(p) != "/en/gckey/signup/verify" {
		t.Fatalf("details: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	if e.count(t, "auth_signups") != 1 || e.count(t, "auth_credentials") != 0 {
		t.Fatal("sign-up should wait for the code before creating the credential")
	}
	v := c.Get("/en/gckey/signup/verify")
	if !strings.Contains(v.Text(`[data-testid="sent-to"]`), "jl.picard@example.com") {
		t.Fatalf("verify page: %q", v.Text(`[data-testid="sent-to"]`))
	}
	ms := e.mails(t, "jl.picard@example.com")
	if len(ms) != 1 || ms[0].Lang != "en" || !strings.Contains(ms[0].BodyText, "10 minutes") {
		t.Fatalf("code mail: %+v", ms)
	}
	p = c.Post("/en/gckey/signup/verify", url.Values{"code": {e.lastCode(t, "jl.picard@example.com")}})
	if locate(p) != "/en/gckey/2fa/" {
		t.Fatalf("verify: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	if e.count(t, "auth_credentials") != 1 || e.count(t, "auth_signups") != 0 {
		t.Fatal("credential not created from the sign-up")
	}
	var cred, username, norm, hash, lang string
	var verified *time.Time
	if err := e.DB.R.QueryRow(`SELECT cred, username, username_norm, password_hash, lang, email_verified_at FROM auth_credentials`).
		Scan(&cred, &username, &norm, &hash, &lang, &verified); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cred, "gckey:") || username != "Jean-Luc.Picard" || norm != "jean-luc.picard" || lang != "en" || verified == nil {
		t.Fatalf("row: %s %s %s %s %v", cred, username, norm, lang, verified)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, goodPassword) {
		t.Fatalf("password not hashed with argon2id: %q", hash)
	}
	// Signed in at level 1 with the pending service kept.
	if got := c.Get("/en/test/pending").Body; got != "ircc|"+cred+"|1" {
		t.Fatalf("session after sign-up: %q", got)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'signup'`, cred); err != nil || n != 1 {
		t.Fatalf("signup audit: %d %v", n, err)
	}
	// The new GCKey signs in.
	if p := signin(e.Client(t), "en", "jean-luc.PICARD", goodPassword); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("sign-in with the new GCKey: %q %s", locate(p), summary(p))
	}
}

func TestSignupTermsMustBeAccepted(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, lang := range []string{"en", "fr"} {
		c.Get("/" + lang + "/gckey/signup")
		p := c.Post("/"+lang+"/gckey/signup", url.Values{})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d", lang, p.StatusCode)
		}
		wantErrors(t, p, "accept")
		noMissingKeys(t, "terms "+lang, p)
	}
}

func TestSignupDetailsBadInput(t *testing.T) {
	e := start(t)
	taken := e.demo(t, "Taken.User", "taken@example.com")
	c := e.Client(t)
	c.Get("/en/gckey/signup")
	c.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	c.Get("/en/gckey/signup/details")
	before := e.snapshot(t)

	cases := []struct {
		name                              string
		username, password, confirm, mail string
		fields                            []string
		words                             []string
	}{
		{"empty", "", "", "", "", []string{"username", "password", "confirm", "email"}, []string{"Enter a username.", "Enter a password."}},
		{"short username with a space", "bad nam", goodPassword, goodPassword, "a@example.com", []string{"username"}, []string{"at least 8 characters", "letters (a to z)"}},
		{"long username", strings.Repeat("a", 65), goodPassword, goodPassword, "a@example.com", []string{"username"}, []string{"64 characters or fewer"}},
		{"taken in another case", strings.ToUpper(taken.username), goodPassword, goodPassword, "a@example.com", []string{"username"}, []string{"already used"}},
		{"short password", "new.person", "short", "short", "a@example.com", []string{"password"}, []string{"at least 12 characters"}},
		{"long password", "new.person", strings.Repeat("ab cd", 26), strings.Repeat("ab cd", 26), "a@example.com", []string{"password"}, []string{"128 characters or fewer"}},
		{"common password", "new.person", "password1234", "password1234", "a@example.com", []string{"password"}, []string{"too common"}},
		{"contains username", "new.person", "hello new.person 2024", "hello new.person 2024", "a@example.com", []string{"password"}, []string{"must not contain your username"}},
		{"repeats", "new.person", "aaaaaaaaaaaaaa", "aaaaaaaaaaaaaa", "a@example.com", []string{"password"}, []string{"same character"}},
		{"confirm differs", "new.person", goodPassword, goodPassword + "!", "a@example.com", []string{"confirm"}, []string{"not the same"}},
		{"bad email", "new.person", goodPassword, goodPassword, "not-an-email", []string{"email"}, []string{"name@example.com"}},
	}
	for _, tc := range cases {
		p := c.Post("/en/gckey/signup/details", url.Values{"username": {tc.username}, "password": {tc.password}, "confirm": {tc.confirm}, "email": {tc.mail}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d", tc.name, p.StatusCode)
		}
		wantErrors(t, p, tc.fields...)
		for _, w := range tc.words {
			if !strings.Contains(summary(p), w) {
				t.Errorf("%s: summary %q lacks %q", tc.name, summary(p), w)
			}
		}
		// What was typed is kept, except the passwords.
		if got := p.Doc.Find("#username").AttrOr("value", ""); got != strings.TrimSpace(tc.username) {
			t.Errorf("%s: username not kept: %q", tc.name, got)
		}
		if got := p.Doc.Find("#email").AttrOr("value", ""); got != tc.mail {
			t.Errorf("%s: email not kept: %q", tc.name, got)
		}
		if p.Doc.Find("#password").AttrOr("value", "") != "" || p.Doc.Find("#confirm").AttrOr("value", "") != "" {
			t.Errorf("%s: a password was sent back", tc.name)
		}
	}
	e.unchanged(t, before, "bad sign-up details")

	// French messages too.
	c.Get("/fr/gckey/signup/details")
	p := c.Post("/fr/gckey/signup/details", url.Values{"username": {"x"}, "password": {"x"}, "confirm": {"y"}, "email": {"x"}})
	wantErrors(t, p, "username", "password", "confirm", "email")
	if !strings.Contains(summary(p), "au moins 12 caractères") {
		t.Fatalf("French summary: %q", summary(p))
	}
	noMissingKeys(t, "details fr", p)
}

func TestSignupCodeWrongExpiredAndThrottled(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	c.Get("/fr/gckey/signup")
	c.Post("/fr/gckey/signup", url.Values{"accept": {"yes"}})
	c.Get("/fr/gckey/signup/details")
	details := url.Values{"username": {"marie.curie"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"Marie@Example.com"}}
	if p := c.Post("/fr/gckey/signup/details", details); locate(p) != "/fr/gckey/signup/verify" {
		t.Fatalf("details: %q %s", locate(p), summary(p))
	}
	if ms := e.mails(t, "marie@example.com"); len(ms) != 1 || ms[0].Lang != "fr" || !strings.Contains(ms[0].Subject, "CléGC") {
		t.Fatalf("French code mail: %+v", ms)
	}
	c.Get("/fr/gckey/signup/verify")
	before := e.snapshot(t)
	for _, bad := range []struct {
		code, words string
	}{{"", "Entrez le code"}, {"12ab", "6 chiffres"}, {wrongCode(e.lastCode(t, "marie@example.com")), "n'est pas le bon"}} {
		p := c.Post("/fr/gckey/signup/verify", url.Values{"code": {bad.code}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("code %q: status %d", bad.code, p.StatusCode)
		}
		wantErrors(t, p, "code")
		if !strings.Contains(summary(p), bad.words) {
			t.Errorf("code %q: %q", bad.code, summary(p))
		}
		noMissingKeys(t, "verify fr", p)
	}
	e.unchanged(t, before, "wrong codes")

	// Four more sends are allowed (5 in 15 minutes), then no more, even
	// from another browser starting its own sign-up to the same address.
	for i := 0; i < 4; i++ {
		if p := c.Post("/fr/gckey/signup/resend", nil); locate(p) != "/fr/gckey/signup/verify?resent=1" {
			t.Fatalf("resend %d: %d %q", i, p.StatusCode, locate(p))
		}
	}
	p := c.Post("/fr/gckey/signup/resend", nil)
	if p.StatusCode != http.StatusTooManyRequests || !strings.Contains(summary(p), "5 codes") {
		t.Fatalf("sixth send: %d %q", p.StatusCode, summary(p))
	}
	if n := len(e.mails(t, "marie@example.com")); n != 5 {
		t.Fatalf("%d codes sent to one address", n)
	}
	other := e.Client(t)
	other.Get("/en/gckey/signup")
	other.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	other.Get("/en/gckey/signup/details")
	p = other.Post("/en/gckey/signup/details", url.Values{"username": {"someone.else"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"MARIE@example.com"}})
	wantErrors(t, p, "email")
	if !strings.Contains(summary(p), "5 codes") {
		t.Fatalf("other browser: %q", summary(p))
	}
	// After 15 minutes the address can get codes again; the newest code
	// works, the older ones do not.
	e.Fake.Advance(16 * time.Minute)
	if p := c.Post("/fr/gckey/signup/resend", nil); locate(p) != "/fr/gckey/signup/verify?resent=1" {
		t.Fatalf("resend after the window: %d", p.StatusCode)
	}
	// The sign-up itself is only kept 30 minutes.
	e.Fake.Advance(15 * time.Minute)
	p = c.Post("/fr/gckey/signup/verify", url.Values{"code": {e.lastCode(t, "marie@example.com")}})
	if locate(p) != "/fr/gckey/signup/details?restart=1" {
		t.Fatalf("expired sign-up: %d %q", p.StatusCode, locate(p))
	}
	if p := c.Get(locate(p)); p.Doc.Find(`[data-testid="restart"]`).Length() != 1 {
		t.Fatal("restart notice missing")
	}
	if e.count(t, "auth_credentials") != 0 {
		t.Fatal("credential created from an expired sign-up")
	}
}

func TestSignupWrongCodesLockTheCode(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	c.Get("/en/gckey/signup")
	c.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	c.Get("/en/gckey/signup/details")
	c.Post("/en/gckey/signup/details", url.Values{"username": {"ada.lovelace"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"ada@example.com"}})
	code := e.lastCode(t, "ada@example.com")
	c.Get("/en/gckey/signup/verify")
	for i := 0; i < 5; i++ {
		c.Post("/en/gckey/signup/verify", url.Values{"code": {wrongCode(code)}})
	}
	p := c.Post("/en/gckey/signup/verify", url.Values{"code": {code}})
	if p.StatusCode != http.StatusTooManyRequests || !strings.Contains(summary(p), "Too many wrong codes") {
		t.Fatalf("after 5 wrong codes: %d %q", p.StatusCode, summary(p))
	}
	// A new code starts a fresh count.
	c.Post("/en/gckey/signup/resend", nil)
	if p := c.Post("/en/gckey/signup/verify", url.Values{"code": {e.lastCode(t, "ada@example.com")}}); locate(p) != "/en/gckey/2fa/" {
		t.Fatalf("new code: %d %q", p.StatusCode, locate(p))
	}
}

func TestSignupUsernameTakenMeanwhile(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	c.Get("/en/gckey/signup")
	c.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	c.Get("/en/gckey/signup/details")
	c.Post("/en/gckey/signup/details", url.Values{"username": {"grace.hopper"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"grace@example.com"}})
	code := e.lastCode(t, "grace@example.com")
	e.demo(t, "Grace.Hopper", "someone@example.com")
	c.Get("/en/gckey/signup/verify")
	p := c.Post("/en/gckey/signup/verify", url.Values{"code": {code}})
	if p.StatusCode != http.StatusConflict {
		t.Fatalf("status %d", p.StatusCode)
	}
	wantErrors(t, p, "username")
	if e.count(t, "auth_credentials") != 1 {
		t.Fatal("second credential with the same username")
	}
}

func TestUsernameNeverReusedAfterClose(t *testing.T) {
	e := start(t)
	u := e.demo(t, "closing.soon", "close@example.com")
	c := e.Client(t)
	signinFull(t, c, u)
	c.Get("/en/gckey/account/close")
	if p := c.Post("/en/gckey/account/close", url.Values{"password": {u.password}}); locate(p) != "/en/gckey/closed" {
		t.Fatalf("close: %d %q", p.StatusCode, locate(p))
	}
	n := e.Client(t)
	n.Get("/en/gckey/signup")
	n.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	n.Get("/en/gckey/signup/details")
	p := n.Post("/en/gckey/signup/details", url.Values{"username": {"Closing.Soon"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"new@example.com"}})
	wantErrors(t, p, "username")
	if _, err := e.mod.CreateDemo(t.Context(), "CLOSING.SOON", goodPassword, "x@example.com"); err == nil {
		t.Fatal("demo reused a closed username")
	}
}

// wrongCode returns a 6-digit code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

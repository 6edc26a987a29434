package twofactor_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/throttle"
	"guichet/modules/recovery"
	"guichet/modules/twofactor"
)

// contacts is the test's stand-in for auth: every credential has one
// address, in the language the test sets.
type contacts struct {
	mu   sync.Mutex
	lang map[string]string
}

const address = "person@example.com"

func (c *contacts) Email(_ context.Context, kind, id string) (string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lang[id]
	if l == "" {
		l = "en"
	}
	return address, l, nil
}

type env struct {
	*apptest.App
	contacts *contacts
	tf       *twofactor.Module
}

// start runs the app with the twofactor and recovery modules wired as
// modules/mount.go wires them.
func start(t *testing.T) *env {
	t.Helper()
	ct := &contacts{lang: map[string]string{}}
	var tm *twofactor.Module
	a := apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		th := throttle.New(k.DB, k.Clock)
		au := audit.New(k.DB, k.Clock)
		rec := recovery.New(recovery.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Identity: k.Identity, Sessions: k.Sessions,
			Codes: k.Codes, Throttle: th, Audit: au, Contact: ct,
			CounterKey: twofactor.CounterKey, CounterRule: twofactor.WrongAnswerRule, MailDomain: "guichet.test", Jobs: k.Jobs,
		})
		tf := twofactor.New(twofactor.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Identity: k.Identity, Sessions: k.Sessions,
			Codes: k.Codes, Throttle: th, Audit: au, Contact: ct, Recovery: rec,
			MailDomain: "guichet.test", Issuer: "Guichet", Jobs: k.Jobs,
		})
		s.Mount(tf, rec)
		// The secure account's entry page, where Continue hands over.
		for _, g := range s.Langs {
			k.Identity.MountEntry(g, identity.Entry{Service: "ircc", NameKey: "service.ircc.title",
				Home: func(c echo.Context) error { return c.String(http.StatusOK, "ircc home") }})
		}
		tm = tf
	}})
	return &env{App: a, contacts: ct, tf: tm}
}

// signIn puts a client at level 1 for cred (a fresh one when empty), as a
// password sign-in would, and returns the credential.
func signIn(t *testing.T, c *apptest.Client, lang, cred, service string) string {
	t.Helper()
	q := url.Values{}
	if cred != "" {
		q.Set("cred", cred)
	}
	if service != "" {
		q.Set("service", service)
	}
	p := c.Get("/" + lang + "/test/password-verified?" + q.Encode())
	if p.StatusCode != http.StatusOK {
		t.Fatalf("password-verified: %d", p.StatusCode)
	}
	return strings.TrimSpace(p.Body)
}

func expect(t *testing.T, p *apptest.Page, status int, location string) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", p.StatusCode, status, p.Header.Get("Location"), p.Body)
	}
	if location != "" && p.Header.Get("Location") != location {
		t.Fatalf("location %q, want %q", p.Header.Get("Location"), location)
	}
}

// code is the authenticator code of secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setupApp sets up an authenticator app for the signed-in client and
// returns its secret; the client ends on the recovery codes page.
func setupApp(t *testing.T, e *env, c *apptest.Client, lang string) string {
	t.Helper()
	expect(t, c.Get("/"+lang+"/gckey/2fa/setup"), http.StatusOK, "")
	expect(t, c.Post("/"+lang+"/gckey/2fa/setup", url.Values{"method": {"app"}}), http.StatusSeeOther, "/"+lang+"/gckey/2fa/setup/app")
	p := c.Get("/" + lang + "/gckey/2fa/setup/app")
	expect(t, p, http.StatusOK, "")
	secret := strings.ReplaceAll(p.Text(`[data-testid="secret"]`), " ", "")
	if len(secret) != 32 {
		t.Fatalf("secret %q", secret)
	}
	expect(t, c.Post("/"+lang+"/gckey/2fa/setup/app", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/"+lang+"/gckey/recovery/codes")
	return secret
}

// setupEmail sets up the email method for the signed-in client.
func setupEmail(t *testing.T, e *env, c *apptest.Client) {
	t.Helper()
	expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")
	expect(t, c.Post("/en/gckey/2fa/setup", url.Values{"method": {"email"}}), http.StatusSeeOther, "/en/gckey/2fa/setup/email")
	p := c.Get("/en/gckey/2fa/setup/email")
	expect(t, p, http.StatusOK, "")
	expect(t, c.Post("/en/gckey/2fa/setup/email", url.Values{"code": {mailedCode(t, e)}}), http.StatusSeeOther, "/en/gckey/recovery/codes")
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// mailedCode is the code in the newest mail.
func mailedCode(t *testing.T, e *env) string {
	t.Helper()
	m := lastMail(t, e)
	c := sixDigits.FindString(m.BodyText)
	if c == "" {
		t.Fatalf("no code in %q", m.BodyText)
	}
	return c
}

func lastMail(t *testing.T, e *env) mail.Record {
	t.Helper()
	recs, err := mail.List(context.Background(), e.DB, 1)
	if err != nil || len(recs) == 0 {
		t.Fatalf("no mail (%v)", err)
	}
	return recs[0]
}

func mails(t *testing.T, e *env) []mail.Record {
	t.Helper()
	recs, err := mail.List(context.Background(), e.DB, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// countEvents counts audit entries of one event for cred.
func countEvents(t *testing.T, e *env, cred string, ev audit.Event) int {
	t.Helper()
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = ?`, cred, string(ev)); err != nil {
		t.Fatal(err)
	}
	return n
}

// shownCodes reads the recovery codes from the codes page.
func shownCodes(t *testing.T, c *apptest.Client, lang string) []string {
	t.Helper()
	p := c.Get("/" + lang + "/gckey/recovery/codes")
	expect(t, p, http.StatusOK, "")
	var out []string
	p.Doc.Find(`[data-testid="codes"] li`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

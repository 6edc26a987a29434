package twofactor_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/modules/twofactor"
)

// burst posts form to path n times at once in c's session, every request
// released together, and returns the answers. It goes around
// apptest.Client.Post, which is not safe for concurrent use.
func burst(t *testing.T, e *env, c *apptest.Client, path string, form url.Values, n int) []*apptest.Page {
	t.Helper()
	form.Set("csrf_token", c.CSRF)
	body := form.Encode()
	pages := make([]*apptest.Page, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
			<-start
			res, err := c.HTTP.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			if err != nil {
				t.Error(err)
				return
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
			if err != nil {
				t.Error(err)
				return
			}
			pages[i] = &apptest.Page{Response: res, Body: string(b), Doc: doc}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return pages
}

// answers counts a burst's wrong-code answers (422) and locked answers
// (429); anything else fails the test.
func answers(t *testing.T, pages []*apptest.Page) (wrong, locked int) {
	t.Helper()
	for _, p := range pages {
		switch p.StatusCode {
		case http.StatusUnprocessableEntity:
			wrong++
		case http.StatusTooManyRequests:
			locked++
		default:
			t.Fatalf("burst answer %d\n%s", p.StatusCode, p.Body)
		}
	}
	return wrong, locked
}

// wrongCode is a six-digit code that none of good is.
func wrongCode(good ...string) string {
	for _, w := range []string{"111111", "222222", "333333", "444444"} {
		ok := true
		for _, g := range good {
			ok = ok && w != g
		}
		if ok {
			return w
		}
	}
	panic("no wrong code")
}

// A burst of wrong second-factor codes sent all at once gets at most
// WrongAnswerRule.Limit of them checked: every code is counted before it
// is checked, so the rest find the step locked. The lock is recorded and
// mailed once, and the right code is then refused like any other.
func TestWrongCodeBurstChecksAtMostTheLimit(t *testing.T) {
	limit := twofactor.WrongAnswerRule.Limit
	for _, tc := range []struct {
		name string
		// prepare signs a client in with a factor to answer for, and
		// returns the form's path, the credential, and every code that
		// would be right now.
		prepare func(t *testing.T, e *env) (*apptest.Client, string, string, []string)
	}{
		{"verify, authenticator app", func(t *testing.T, e *env) (*apptest.Client, string, string, []string) {
			c := e.Client(t)
			cred := signIn(t, c, "en", "", "")
			secret := setupApp(t, e, c, "en")
			e.Fake.Advance(time.Minute)
			d := e.Client(t)
			signIn(t, d, "en", cred, "")
			d.Get("/en/gckey/2fa/verify")
			return d, "/en/gckey/2fa/verify", cred, totpCodes(t, e, secret)
		}},
		{"verify, emailed code", func(t *testing.T, e *env) (*apptest.Client, string, string, []string) {
			c := e.Client(t)
			cred := signIn(t, c, "en", "", "")
			setupEmail(t, e, c)
			d := e.Client(t)
			signIn(t, d, "en", cred, "")
			d.Get("/en/gckey/2fa/verify")
			expect(t, d.Post("/en/gckey/2fa/verify/send", nil), http.StatusSeeOther, "/en/gckey/2fa/verify?sent=1")
			good := mailedCode(t, e)
			d.Get("/en/gckey/2fa/verify")
			return d, "/en/gckey/2fa/verify", cred, []string{good}
		}},
		{"set-up, authenticator app", func(t *testing.T, e *env) (*apptest.Client, string, string, []string) {
			c := e.Client(t)
			cred := signIn(t, c, "en", "", "")
			expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")
			expect(t, c.Post("/en/gckey/2fa/setup", url.Values{"method": {"app"}}), http.StatusSeeOther, "/en/gckey/2fa/setup/app")
			p := c.Get("/en/gckey/2fa/setup/app")
			expect(t, p, http.StatusOK, "")
			secret := strings.ReplaceAll(p.Text(`[data-testid="secret"]`), " ", "")
			return c, "/en/gckey/2fa/setup/app", cred, totpCodes(t, e, secret)
		}},
		{"set-up, emailed code", func(t *testing.T, e *env) (*apptest.Client, string, string, []string) {
			c := e.Client(t)
			cred := signIn(t, c, "en", "", "")
			expect(t, c.Get("/en/gckey/2fa/setup"), http.StatusOK, "")
			expect(t, c.Post("/en/gckey/2fa/setup", url.Values{"method": {"email"}}), http.StatusSeeOther, "/en/gckey/2fa/setup/email")
			expect(t, c.Get("/en/gckey/2fa/setup/email"), http.StatusOK, "")
			good := mailedCode(t, e)
			return c, "/en/gckey/2fa/setup/email", cred, []string{good}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			c, path, cred, good := tc.prepare(t, e)
			before := len(mails(t, e))
			passed := countEvents(t, e, cred, audit.SecondFactorPassed)

			pages := burst(t, e, c, path, url.Values{"code": {wrongCode(good...)}}, 3*limit)
			nWrong, nLocked := answers(t, pages)
			checked := countEvents(t, e, cred, audit.SecondFactorFailed)
			if checked != limit {
				t.Fatalf("%d wrong codes checked out of %d sent at once, want %d", checked, 3*limit, limit)
			}
			if nWrong > limit || nWrong+nLocked != 3*limit {
				t.Fatalf("%d wrong-code answers and %d locked answers", nWrong, nLocked)
			}
			if n := countEvents(t, e, cred, audit.Locked); n != 1 {
				t.Fatalf("lock recorded %d times, want 1", n)
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
			// Locked: the right code waits, and is not checked.
			expect(t, c.Post(path, url.Values{"code": {good[0]}}), http.StatusTooManyRequests, "")
			if countEvents(t, e, cred, audit.SecondFactorPassed) != passed || countEvents(t, e, cred, audit.SecondFactorFailed) != limit {
				t.Fatal("a code was checked during the lock")
			}
		})
	}
}

// totpCodes are the authenticator codes accepted now: this step and the
// ones either side. The current one comes first.
func totpCodes(t *testing.T, e *env, secret string) []string {
	now := e.Fake.Now()
	return []string{code(t, secret, now), code(t, secret, now.Add(-30*time.Second)), code(t, secret, now.Add(30*time.Second))}
}

// Counting answers before checking them keeps the rule people see: nine
// wrong answers and a right tenth pass, and the count starts again.
func TestRightTenthAnswerPassesAndClearsTheCount(t *testing.T) {
	limit := twofactor.WrongAnswerRule.Limit
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")
	e.Fake.Advance(time.Minute)
	good := totpCodes(t, e, secret)
	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/2fa/verify")
	for range limit - 1 {
		expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {wrongCode(good...)}}), http.StatusUnprocessableEntity, "")
	}
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {good[0]}}), http.StatusSeeOther, "/en/gckey/2fa/done")
	if n := countEvents(t, e, cred, audit.Locked); n != 0 {
		t.Fatalf("a right tenth answer locked the step (%d)", n)
	}
	var count int
	if err := e.DB.R.Get(&count, `SELECT count FROM app_throttle WHERE key = ?`, twofactor.CounterKey("gckey", cred)); err != nil || count != 0 {
		t.Fatalf("count after a right answer: %d %v", count, err)
	}
}

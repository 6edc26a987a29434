package auth_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"guichet/app/apptest"
)

// burst posts the forms to path at once in c's session, every request
// released together, and returns the answers in the same order. It goes
// around apptest.Client.Post, which is not safe for concurrent use.
func burst(t *testing.T, e *env, c *apptest.Client, path string, forms []url.Values) []*apptest.Page {
	t.Helper()
	pages := make([]*apptest.Page, len(forms))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, form := range forms {
		form.Set("csrf_token", c.CSRF)
		body := form.Encode()
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

// repeat is n copies of a form.
func repeat(n int, form func(i int) url.Values) []url.Values {
	out := make([]url.Values, n)
	for i := range out {
		out[i] = form(i)
	}
	return out
}

// answers counts a burst's answers by status, failing on any status but
// the wrong-answer one (422) and the locked one (429).
func answers(t *testing.T, pages []*apptest.Page) (wrong, locked int) {
	t.Helper()
	for _, p := range pages {
		switch p.StatusCode {
		case http.StatusUnprocessableEntity:
			wrong++
		case http.StatusTooManyRequests:
			locked++
		default:
			t.Fatalf("burst answer %d %s", p.StatusCode, summary(p))
		}
	}
	return wrong, locked
}

func auditCount(t *testing.T, e *env, cred, event string) int {
	t.Helper()
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = ?`, cred, event); err != nil {
		t.Fatal(err)
	}
	return n
}

// Passwords sent all at once for one username are each counted before
// they are checked: of 15, at most 5 cost an argon2id verification and
// get "not right"; the others are answered "paused" unchecked. An unknown
// username is held to the same count and answered in the same words. For
// a GCKey, the failures and the lock are recorded and the lock mailed
// once; the right password then waits.
func TestSigninPasswordBurstChecksAtMostTheLimit(t *testing.T) {
	const limit = 5
	for _, known := range []bool{true, false} {
		t.Run(map[bool]string{true: "known", false: "unknown"}[known], func(t *testing.T) {
			e := start(t)
			u := e.demo(t, "burst.target", "burst@example.com")
			username := u.username
			if !known {
				username = "nobody.here"
			}
			c := e.Client(t)
			c.Get("/en/gckey/signin")
			checks0 := e.hasher.verifies.Load() + e.hasher.dummies.Load()
			pages := burst(t, e, c, "/en/gckey/signin", repeat(3*limit, func(i int) url.Values {
				return url.Values{"username": {username}, "password": {"guess number " + strconv.Itoa(i)}}
			}))
			checked := e.hasher.verifies.Load() + e.hasher.dummies.Load() - checks0
			if checked != limit {
				t.Fatalf("%d passwords checked out of %d sent at once, want %d", checked, 3*limit, limit)
			}
			wrong, locked := answers(t, pages)
			if wrong > limit || wrong+locked != 3*limit {
				t.Fatalf("%d not-right answers and %d paused answers", wrong, locked)
			}
			for _, p := range pages {
				if s := summary(p); !strings.Contains(s, "not right") && !strings.Contains(s, "paused") {
					t.Fatalf("answer %q", s)
				}
			}
			if known {
				if n := auditCount(t, e, u.cred, "signin_failed"); n != limit {
					t.Fatalf("%d failures recorded", n)
				}
				if n := auditCount(t, e, u.cred, "locked"); n != 1 {
					t.Fatalf("lock recorded %d times", n)
				}
				if ms := e.mails(t, u.email); len(ms) != 1 {
					t.Fatalf("%d lockout mails", len(ms))
				}
			}
			checks0 = e.hasher.verifies.Load() + e.hasher.dummies.Load()
			if p := signin(c, "en", username, u.password); p.StatusCode != http.StatusTooManyRequests || !strings.Contains(summary(p), "paused") {
				t.Fatalf("right password during the lock: %d %q", p.StatusCode, summary(p))
			}
			if e.hasher.verifies.Load()+e.hasher.dummies.Load() != checks0 {
				t.Fatal("a password was checked during the lock")
			}
			// The per-address count is still of failures only: 5 failures
			// from here are far from slowing the address down.
			e.Fake.Advance(15*time.Minute + time.Second)
			if known {
				if p := signin(c, "en", username, u.password); locate(p) != "/en/gckey/welcome" {
					t.Fatalf("after the lock: %d %q", p.StatusCode, summary(p))
				}
			}
		})
	}
}

// Many people behind one address (an office) sign in at once: successful
// sign-ins are not counted against the address.
func TestSigninSuccessesDoNotCountAgainstTheAddress(t *testing.T) {
	e := start(t)
	u := e.demo(t, "office.worker", "office@example.com")
	for range 60 {
		if p := signin(e.Client(t), "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
			t.Fatalf("sign-in: %d %q", p.StatusCode, summary(p))
		}
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_throttle WHERE key LIKE 'signin:ip:%' AND count > 0`); err != nil || n != 0 {
		t.Fatalf("successful sign-ins counted against the address: %d %v", n, err)
	}
}

// Email-change codes sent all at once: at most 5 checked (each answered
// "not right"), the rest refused as too many, and the right code waits.
func TestEmailChangeCodeBurstChecksAtMostTheLimit(t *testing.T) {
	const limit = 5
	e := start(t)
	u := e.demo(t, "burst.mover", "old.burst@example.com")
	c := e.Client(t)
	signinFull(t, c, u)
	c.Get("/en/gckey/account/email")
	if p := c.Post("/en/gckey/account/email", url.Values{"email": {"new.burst@example.com"}}); locate(p) != "/en/gckey/account/email/confirm" {
		t.Fatalf("ask: %d %q", p.StatusCode, locate(p))
	}
	code := e.lastCode(t, "new.burst@example.com")
	c.Get("/en/gckey/account/email/confirm")
	wrong, locked := answers(t, burst(t, e, c, "/en/gckey/account/email/confirm", repeat(3*limit, func(int) url.Values {
		return url.Values{"code": {wrongCode(code)}}
	})))
	if wrong != limit || locked != 2*limit {
		t.Fatalf("%d codes checked out of %d sent at once (%d refused), want %d", wrong, 3*limit, locked, limit)
	}
	if p := c.Post("/en/gckey/account/email/confirm", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code during the lock: %d", p.StatusCode)
	}
	if got := c.Get("/en/gckey/account").Text(`[data-testid="email"]`); got != u.email {
		t.Fatalf("email now %q", got)
	}
}

// Sign-up codes sent all at once: at most 5 checked, the rest refused, and
// the right code waits.
func TestSignupCodeBurstChecksAtMostTheLimit(t *testing.T) {
	const limit = 5
	e := start(t)
	c := e.Client(t)
	c.Get("/en/gckey/signup")
	c.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	c.Get("/en/gckey/signup/details")
	c.Post("/en/gckey/signup/details", url.Values{"username": {"grace.hopper"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"grace@example.com"}})
	code := e.lastCode(t, "grace@example.com")
	c.Get("/en/gckey/signup/verify")
	wrong, locked := answers(t, burst(t, e, c, "/en/gckey/signup/verify", repeat(3*limit, func(int) url.Values {
		return url.Values{"code": {wrongCode(code)}}
	})))
	if wrong != limit || locked != 2*limit {
		t.Fatalf("%d codes checked out of %d sent at once (%d refused), want %d", wrong, 3*limit, locked, limit)
	}
	if p := c.Post("/en/gckey/signup/verify", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests || e.count(t, "auth_credentials") != 0 {
		t.Fatalf("right code during the lock: %d", p.StatusCode)
	}
}

// Recovery codes sent all at once with a reset link: at most 10 reach the
// recovery module, the rest are refused, and the right code waits.
func TestResetRecoveryCodeBurstChecksAtMostTheLimit(t *testing.T) {
	const limit = 10
	e := start(t)
	u := e.demo(t, "burst.reset", "reset.burst@example.com")
	e.factors.mu.Lock()
	e.factors.onlyEmail[u.cred] = true
	e.factors.mu.Unlock()
	e.recovery.mu.Lock()
	e.recovery.codes[u.cred] = "K7QM-2XRD-94TB"
	e.recovery.mu.Unlock()
	c := e.Client(t)
	c.Get("/en/gckey/forgot-password")
	c.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	form := c.Get(e.lastLink(t, u.email))
	token := form.Doc.Find(`input[name="token"]`).AttrOr("value", "")
	vals := func(code string) url.Values {
		return url.Values{"token": {token}, "password": {"another long passphrase"}, "confirm": {"another long passphrase"}, "code": {code}}
	}
	wrong, locked := answers(t, burst(t, e, c, "/en/gckey/reset", repeat(3*limit, func(i int) url.Values {
		return vals("AAAA-BBBB-" + strconv.Itoa(1000+i))
	})))
	e.recovery.mu.Lock()
	calls := e.recovery.calls
	e.recovery.mu.Unlock()
	if calls != limit || wrong != limit || locked != 2*limit {
		t.Fatalf("%d recovery codes checked out of %d sent at once (%d wrong, %d refused), want %d", calls, 3*limit, wrong, locked, limit)
	}
	if p := c.Post("/en/gckey/reset", vals("K7QM-2XRD-94TB")); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code during the lock: %d", p.StatusCode)
	}
	if p := signin(e.Client(t), "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatal("password changed during the lock")
	}
}

// Counting passwords before checking them keeps the rule people see: four
// wrong passwords and a right fifth sign in, with no lock and no notice.
func TestSigninRightFifthPasswordSignsIn(t *testing.T) {
	e := start(t)
	u := e.demo(t, "fifth.time", "fifth@example.com")
	c := e.Client(t)
	for i := range 4 {
		if p := signin(c, "en", u.username, "wrong "+strconv.Itoa(i)); p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, p.StatusCode)
		}
	}
	if p := signin(c, "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("right fifth password: %d %q", p.StatusCode, summary(p))
	}
	if n := auditCount(t, e, u.cred, "locked"); n != 0 || len(e.mails(t, u.email)) != 0 {
		t.Fatalf("a right fifth password locked the username (%d)", n)
	}
	if p := signin(e.Client(t), "en", u.username, "wrong again"); p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a failure after signing in: %d", p.StatusCode)
	}
}

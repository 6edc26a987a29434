package recovery_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

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

// A burst of wrong recovery codes sent all at once gets at most the
// counter's limit of them checked: each is counted before it is checked,
// so the rest find the second step locked. The lock is recorded and mailed
// once, and a right recovery code is then refused without being used.
func TestWrongRecoveryCodeBurstChecksAtMostTheLimit(t *testing.T) {
	limit := twofactor.WrongAnswerRule.Limit
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	good := shownCodes(t, c, "en")[0]

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/recovery/recover")
	pages := burst(t, e, d, "/en/gckey/recovery/recover", url.Values{"code": {"AAAA-BBBB-CCCC"}}, 3*limit)
	var wrong, locked int
	for _, p := range pages {
		switch p.StatusCode {
		case http.StatusUnprocessableEntity:
			wrong++
		case http.StatusTooManyRequests:
			locked++
			if p.Text(`[data-testid="locked-until"]`) != "You can try again after 10:10 a.m. Eastern time." {
				t.Fatalf("locked page %q", p.Text(`[data-testid="locked-until"]`))
			}
		default:
			t.Fatalf("burst answer %d\n%s", p.StatusCode, p.Body)
		}
	}
	if n := countEvents(t, e, cred, audit.SecondFactorFailed); n != limit {
		t.Fatalf("%d wrong recovery codes checked out of %d sent at once, want %d", n, 3*limit, limit)
	}
	if wrong > limit || wrong+locked != 3*limit {
		t.Fatalf("%d wrong-code answers and %d locked answers", wrong, locked)
	}
	if n := countEvents(t, e, cred, audit.Locked); n != 1 {
		t.Fatalf("lock recorded %d times, want 1", n)
	}
	if m := lastMail(t, e); m.Subject != "Too many wrong codes for your GCKey" {
		t.Fatalf("last mail %q", m.Subject)
	}
	// Locked: the right code waits and stays unused.
	expect(t, d.Post("/en/gckey/recovery/recover", url.Values{"code": {good}}), http.StatusTooManyRequests, "")
	if n := countEvents(t, e, cred, audit.RecoveryCodeUsed); n != 0 {
		t.Fatalf("a recovery code was used during the lock (%d)", n)
	}
}

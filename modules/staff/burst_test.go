package staff_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"guichet/app/apptest"
	"guichet/app/identity"
	"guichet/modules/staff"
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

// enrolCount is the count of wrong enrolment codes of the test's one
// person.
func enrolCount(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.DB.R.Get(&n, `SELECT count FROM app_throttle WHERE key LIKE 'staff-enrol:%'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// Codes sent all at once to either step are each counted before they are
// checked: of a burst of wrong codes at most WrongCodeRule.Limit get the
// "cannot be used" answer and the rest the locked one, and the right code
// is refused afterwards.
func TestWrongCodeBurstIsCountedBeforeItIsChecked(t *testing.T) {
	limit := staff.WrongCodeRule.Limit
	for _, path := range []string{"/en/staff/redeem", "/en/staff/redeem/confirm"} {
		t.Run(path, func(t *testing.T) {
			e := setup(t)
			code, _ := e.grant(t, identity.RoleOfficer, "Burst Person")
			c, _ := e.signIn(t, "en", identity.FactorApp, "")
			c.Get("/en/staff/")
			forms := make([]url.Values, 3*limit)
			for i := range forms {
				forms[i] = url.Values{"code": {"wrong-" + strconv.Itoa(i)}}
			}
			var wrong, locked int
			for _, p := range burst(t, e, c, path, forms) {
				switch p.StatusCode {
				case http.StatusUnprocessableEntity:
					wrong++
				case http.StatusTooManyRequests:
					locked++
				default:
					t.Fatalf("burst answer %d", p.StatusCode)
				}
			}
			if wrong > limit || wrong+locked != 3*limit {
				t.Fatalf("%d wrong-code answers and %d locked answers", wrong, locked)
			}
			if n := enrolCount(t, e); n != limit {
				t.Fatalf("count %d, want %d", n, limit)
			}
			if p := redeem(t, c, "en", code); p.StatusCode != http.StatusTooManyRequests || e.Count(t, "staff_members") != 0 {
				t.Fatalf("right code during the lock: %d", p.StatusCode)
			}
		})
	}
}

// What a burst would win before: with one try left, every code of a burst
// was checked (here all of them right, to make each check visible). Now
// only one is, and as it used the last try, which also locks the form,
// it is answered like a locked form rather than with a confirmation that
// could not be submitted.
func TestCodeBurstOnTheLastTryChecksOnlyOne(t *testing.T) {
	limit := staff.WrongCodeRule.Limit
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Last Try")
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	for i := range limit - 1 {
		if p := c.Post("/en/staff/redeem", url.Values{"code": {"wrong-" + strconv.Itoa(i)}}); p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d", i, p.StatusCode)
		}
	}
	forms := make([]url.Values, 3*limit)
	for i := range forms {
		forms[i] = url.Values{"code": {code}}
	}
	checked := 0
	for _, p := range burst(t, e, c, "/en/staff/redeem", forms) {
		switch p.StatusCode {
		case http.StatusOK:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("burst answer %d", p.StatusCode)
		}
	}
	if checked != 0 {
		t.Fatalf("%d codes of the burst checked with one try left", checked)
	}
	if p := c.Post("/en/staff/redeem/confirm", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests || e.Count(t, "staff_members") != 0 {
		t.Fatalf("confirm during the lock: %d", p.StatusCode)
	}
	e.Fake.Advance(staff.WrongCodeRule.Lock)
	if p := redeem(t, c, "en", code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d", p.StatusCode)
	}
}

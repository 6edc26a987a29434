package partners_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/modules"
)

// follow walks a chain of redirects, as a browser does, and returns the
// last page. The demo bank lives on the same origin, so every hop of the
// OpenID Connect round trip goes through the test client.
func follow(t *testing.T, c *apptest.Client, base string, p *apptest.Page) *apptest.Page {
	t.Helper()
	for i := 0; p.StatusCode == http.StatusSeeOther || p.StatusCode == http.StatusFound; i++ {
		if i > 10 {
			t.Fatal("redirect loop")
		}
		loc := p.Header.Get("Location")
		loc = strings.TrimPrefix(loc, base)
		if !strings.HasPrefix(loc, "/") {
			t.Fatalf("redirected off-site to %q", loc)
		}
		p = c.Get(loc)
	}
	return p
}

// TestRoundTripThroughTheDemoBank signs in through the built-in demo
// partner with the whole application mounted: discovery, the bank's pages,
// the code, the token exchange and go-oidc's checks are all real.
func TestRoundTripThroughTheDemoBank(t *testing.T) {
	a := apptest.New(t, apptest.Options{Mount: modules.Mount})
	for _, tc := range []struct {
		lang    string
		second  bool
		wantAAL string
	}{{"en", true, "2"}, {"fr", false, "1"}} {
		c := a.Client(t)
		chooser := c.Get("/" + tc.lang + "/pt/")
		href := chooser.Doc.Find(`[data-testid="partner-test"]`).AttrOr("href", "")
		if href == "" {
			t.Fatalf("%s: the chooser does not list the demo bank", tc.lang)
		}
		leaving := c.Get(href)
		goURL := leaving.Doc.Find(`[data-testid="partner-go"]`).AttrOr("href", "")
		if leaving.Doc.Find(`[data-testid="test-partner-notice"]`).Length() != 1 || goURL == "" {
			t.Fatalf("%s: leaving page: %s", tc.lang, leaving.Text("main"))
		}
		bank := follow(t, c, a.URL, c.Get(goURL))
		if bank.Doc.Find(`[data-testid="create-form"]`).Length() != 1 {
			t.Fatalf("%s: not on the bank's sign-in page: %s", tc.lang, bank.Text("body"))
		}
		if got := bank.Doc.Find("html").AttrOr("lang", ""); got != tc.lang {
			t.Fatalf("bank page language %q, want %q", got, tc.lang)
		}
		action := bank.Doc.Find(`[data-testid="create-form"]`).AttrOr("action", "")
		verify := follow(t, c, a.URL, c.Post(action, url.Values{"choice": {"create"}, "name": {"Alex Roy " + tc.lang}}))
		code := strings.TrimSpace(verify.Text(`[data-testid="demo-code"]`))
		if code == "" {
			t.Fatalf("%s: no second-step page: %s", tc.lang, verify.Text("body"))
		}
		var back *apptest.Page
		if tc.second {
			action = verify.Doc.Find(`[data-testid="confirm-form"]`).AttrOr("action", "")
			back = c.Post(action, url.Values{"action": {"confirm"}, "code": {strings.ReplaceAll(code, " ", "")}})
		} else {
			action = verify.Doc.Find(`[data-testid="skip-form"]`).AttrOr("action", "")
			back = c.Post(action, url.Values{"action": {"skip"}})
		}
		enrolPage := follow(t, c, a.URL, back)
		if enrolPage.Doc.Find(`[data-testid="enrol-warning"]`).Length() != 1 {
			t.Fatalf("%s: not on the enrolment page: %s", tc.lang, enrolPage.Text("body"))
		}
		c.Post("/"+tc.lang+"/pt/continue", url.Values{"enrol": {"yes"}})
		if home := c.Get("/" + tc.lang + "/pt/"); home.Doc.Find(`[data-testid="service-home"]`).Length() != 1 {
			t.Fatalf("%s: home not reached", tc.lang)
		}
		p := c.Get("/" + tc.lang + "/test/service/pt")
		if parts := strings.Split(p.Body, "|"); len(parts) != 4 || parts[2] != "partner" || parts[3] != tc.wantAAL {
			t.Fatalf("%s: principal %q, want a partner at level %s", tc.lang, p.Body, tc.wantAAL)
		}
		wantFactor := ""
		if tc.second {
			wantFactor = "partner"
		}
		if f := c.Get("/" + tc.lang + "/test/factor/pt").Body; f != wantFactor {
			t.Fatalf("%s: factor %q, want %q", tc.lang, f, wantFactor)
		}

		// Sign-out ends the whole session and says the bank's is separate.
		out := c.Post("/"+tc.lang+"/session/end", nil)
		if loc := out.Header.Get("Location"); loc != "/"+tc.lang+"/signed-out?via=partner" {
			t.Fatalf("sign-out to %q", loc)
		}
		if c.Get(out.Header.Get("Location")).Doc.Find(`[data-testid="bank-separate"]`).Length() != 1 {
			t.Fatal("the signed-out page does not say the bank's session is separate")
		}
		if p := c.Get("/" + tc.lang + "/test/service/pt"); p.StatusCode != http.StatusUnauthorized {
			t.Fatal("still signed in after sign-out")
		}
	}
}

func TestDemoBankIsMountedOnlyWhenEnabled(t *testing.T) {
	a := apptest.New(t, apptest.Options{Mount: modules.Mount, Config: func(c *app.Config) { c.DemoPartner = false }})
	c := a.Client(t)
	for _, path := range []string{"/demo-bank/.well-known/openid-configuration", "/demo-bank/jwks", "/en/partners/demo"} {
		if p := c.Get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d with the demo partner off", path, p.StatusCode)
		}
	}
	if p := c.Get("/en/ircc/"); p.Doc.Find(`[data-testid="partner-test"]`).Length() != 0 || strings.Contains(p.Body, "Demo Bank") {
		t.Fatal("the chooser lists the demo bank while it is off")
	}
}

package site_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guichet/app/apptest"
)

func TestEntryPageShowsTheChooser(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)
	for _, lang := range []string{"en", "fr"} {
		p := c.Get("/" + lang + "/ircc/")
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", lang, p.StatusCode)
		}
		// The ten banks, unconnected by default, and the demo bank.
		if n := p.Doc.Find(`[data-testid="partner-section"] .partner-list li`).Length(); n != 11 {
			t.Errorf("%s: %d partners listed, want 11", lang, n)
		}
		if n := p.Doc.Find(`[data-testid="partner-unavailable"]`).Length(); n != 10 {
			t.Errorf("%s: %d partners unavailable, want 10", lang, n)
		}
		if href := p.Doc.Find(`[data-testid="partner-test"]`).AttrOr("href", ""); href != "/"+lang+"/partners/demo?service=ircc" {
			t.Errorf("%s: demo bank link %q", lang, href)
		}
		if href := p.Doc.Find(`[data-testid="gckey-signin"]`).AttrOr("href", ""); href != "/"+lang+"/gckey/signin?service=ircc" {
			t.Errorf("%s: GCKey sign-in link %q", lang, href)
		}
		if !strings.Contains(p.Body, "1-855-438-1102") {
			t.Errorf("%s: no Service Desk number", lang)
		}
		if p.Doc.Find(".notice").First().Text() == "" {
			t.Errorf("%s: no notice", lang)
		}
	}
	if !strings.Contains(c.Get("/en/ircc/").Body, "up to 5 days") {
		t.Error("the secure account's 5-day notice is missing")
	}
	if strings.Contains(c.Get("/en/pt/").Body, "up to 5 days") {
		t.Error("the 5-day notice belongs to the secure account only")
	}
	if p := c.Get("/fr/partners/rbc?service=pt"); p.StatusCode != 200 || p.Doc.Find(`a[href="/fr/pt/"]`).Length() != 1 {
		t.Fatalf("partner page: %d", p.StatusCode)
	}
}

func TestHandOffToAServiceNeedsTheSecondFactor(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)
	cred := c.Get("/en/test/password-verified").Body

	// Password alone: the service still shows the chooser, and refuses.
	if p := c.Get("/en/pt/"); p.Doc.Find(`[data-testid="gckey-section"]`).Length() != 1 {
		t.Fatal("a half-signed-in GCKey reached the service")
	}
	if p := c.Post("/en/pt/continue", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("continue: %d", p.StatusCode)
	}
	if p := c.Get("/en/test/service/pt"); p.StatusCode != http.StatusUnauthorized {
		t.Fatal("principal issued without a second factor")
	}

	before := c.Cookie("guichet_session")
	c.Get("/en/test/second-factor")
	if c.Cookie("guichet_session") == before {
		t.Fatal("session token not renewed when the assurance level rose")
	}
	// First arrival: the enrolment page, and nothing is created without
	// the person's confirmation.
	p := c.Get("/en/pt/")
	if p.Doc.Find(`[data-testid="enrol-warning"]`).Length() != 1 {
		t.Fatal("a first arrival should see the enrolment warning")
	}
	if p := c.Post("/en/pt/continue", nil); p.Header.Get("Location") != "/en/pt/" {
		t.Fatalf("continue: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	if p := c.Get("/en/test/service/pt"); p.StatusCode != http.StatusUnauthorized {
		t.Fatal("an account was created without confirmation")
	}
	if p := c.Post("/en/pt/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/en/pt/" {
		t.Fatalf("continue: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	if p := c.Get("/en/pt/"); p.Doc.Find(`[data-testid="service-home"]`).Length() != 1 {
		t.Fatal("service home not shown after hand-off")
	}
	pt := c.Get("/en/test/service/pt").Body
	c.Post("/en/cipo/continue", url.Values{"enrol": {"yes"}})
	cipo := c.Get("/en/test/service/cipo").Body
	if !strings.HasPrefix(pt, "pt|") || !strings.HasSuffix(pt, "|gckey|2") {
		t.Fatalf("principal %q", pt)
	}
	idPT, idCIPO := strings.Split(pt, "|")[1], strings.Split(cipo, "|")[1]
	if idPT == idCIPO || idPT == "" {
		t.Fatal("the same pairwise id at two services")
	}
	if strings.Contains(pt, strings.TrimPrefix(cred, "gckey:")) {
		t.Fatal("the principal carries the credential reference")
	}

	// Signing out ends every principal.
	// A returning GCKey gets one Continue, not the enrolment page.
	d := a.Client(t)
	d.Get("/en/test/password-verified?cred=" + url.QueryEscape(cred))
	d.Get("/en/test/second-factor")
	if p := d.Get("/en/pt/"); p.Doc.Find(`form[action="/en/pt/continue"]`).Length() != 1 || p.Doc.Find(`[data-testid="enrol-warning"]`).Length() != 0 {
		t.Fatal("a known credential should get one Continue")
	}

	c.Get("/en/test/signed-in")
	c.Post("/en/session/end", nil)
	if p := c.Get("/en/test/service/pt"); p.StatusCode != http.StatusUnauthorized {
		t.Fatal("principal survived sign-out")
	}
}

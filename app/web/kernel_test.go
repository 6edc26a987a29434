package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guichet/app"
	"guichet/app/apptest"
)

func TestSecurityHeaders(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	p := a.Client(t).Get("/en/test/signed-in")
	h := p.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("headers: %v", h)
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent for an http base URL")
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	if p.Doc.Find("script:not([src])").Length() != 0 || p.Doc.Find("[style]").Length() != 0 || p.Doc.Find("style").Length() != 0 {
		t.Error("page has inline script or style")
	}
}

func TestHSTSWhenHTTPS(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: func(c *app.Config) { c.BaseURL = "https://guichet.example" }})
	p := a.Client(t).Get("/en/")
	if !strings.Contains(p.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("no HSTS: %v", p.Header)
	}
}

func TestCSRFRefusesFormsWithoutAValidToken(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client(t)
	c.Get("/en/test/signed-in")
	if c.CSRF == "" || c.Cookie("guichet_csrf") == "" {
		t.Fatal("form page did not issue a CSRF token and cookie")
	}

	ok := c.Post("/en/test/echo", url.Values{"note": {"hello"}})
	if ok.StatusCode != http.StatusOK || ok.Body != "accepted:hello" {
		t.Fatalf("valid token: %d %q", ok.StatusCode, ok.Body)
	}

	for name, vals := range map[string]url.Values{
		"missing": {"note": {"x"}, "csrf_token": {""}},
		"forged":  {"note": {"x"}, "csrf_token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
	} {
		p := c.Post("/en/test/echo", vals)
		if p.StatusCode != http.StatusForbidden || strings.Contains(p.Body, "accepted") {
			t.Errorf("%s token: status %d body %q", name, p.StatusCode, p.Body)
		}
		if got := p.Text("h1"); got != "This form has expired" {
			t.Errorf("%s token: h1 %q", name, got)
		}
	}

	// A token is bound to its cookie: another browser's token fails.
	other := a.Client(t)
	other.Get("/fr/test/signed-in")
	p := other.Post("/fr/test/echo", url.Values{"note": {"x"}, "csrf_token": {c.CSRF}})
	if p.StatusCode != http.StatusForbidden || p.Text("h1") != "Ce formulaire a expiré" {
		t.Fatalf("cross-browser token: %d %q", p.StatusCode, p.Text("h1"))
	}
	if p.Doc.Find("html").AttrOr("lang", "") != "fr" {
		t.Error("French 403 page not marked fr")
	}
}

func TestPlainPagesSetNoCookies(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	p := a.Client(t).Get("/en/")
	if sc := p.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("landing page set cookies: %v", sc)
	}
}

func TestPanicBecomesAnErrorPageWithoutDetails(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	p := a.Client(t).Get("/en/test/panic")
	if p.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", p.StatusCode)
	}
	if strings.Contains(p.Body, "secret internal detail") || strings.Contains(p.Body, "goroutine") {
		t.Fatal("panic detail leaked to the page")
	}
	if p.Text("h1") != "Something went wrong on our side" {
		t.Fatalf("h1 %q", p.Text("h1"))
	}
	if !strings.Contains(p.Body, p.Header.Get("X-Request-Id")) {
		t.Error("error page does not quote the request id")
	}
}

func TestNotFoundPages(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client(t)
	fr := c.Get("/fr/pas-ici")
	if fr.StatusCode != http.StatusNotFound || fr.Text("h1") != "Nous ne trouvons pas cette page" {
		t.Fatalf("fr 404: %d %q", fr.StatusCode, fr.Text("h1"))
	}
	both := c.Get("/nowhere")
	if both.StatusCode != http.StatusNotFound {
		t.Fatalf("bare 404: %d", both.StatusCode)
	}
	if both.Doc.Find(`div[lang="en"] h1`).Length() != 1 || both.Doc.Find(`div[lang="fr"] h1`).Length() != 1 {
		t.Fatal("a 404 outside /en and /fr must be bilingual")
	}
}

func TestBodyLimit(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client(t)
	c.Get("/en/test/signed-in")
	p := c.Post("/en/test/echo", url.Values{"note": {strings.Repeat("x", 400<<10)}})
	if p.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(p.Body, "accepted") {
		t.Fatalf("status %d", p.StatusCode)
	}
}

func TestClientIPIgnoresForwardingUnlessTrusted(t *testing.T) {
	get := func(a *apptest.App) string {
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/en/test/ip", nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		return a.Client(t).Do(req).Body
	}
	if ip := get(apptest.New(t, apptest.Options{})); ip != "127.0.0.1" {
		t.Fatalf("untrusted forwarding header believed: %q", ip)
	}
	trusted := apptest.New(t, apptest.Options{Config: func(c *app.Config) {
		c.TrustedProxies, _ = app.ParseProxies("127.0.0.1")
	}})
	if ip := get(trusted); ip != "203.0.113.9" {
		t.Fatalf("trusted proxy's header ignored: %q", ip)
	}
}

// The 503 comes before any database work: it holds with the database gone.
func TestMaintenanceNeedsNoDatabase(t *testing.T) {
	a := apptest.New(t, apptest.Options{Maintenance: `[[window]]
id = "ircc-now"
services = ["ircc"]
start = 2024-01-23T09:00:00
end = 2024-01-23T11:30:00
`})
	c := a.Client(t)
	c.Get("/en/test/sign-in")
	if c.Cookie("guichet_session") == "" {
		t.Fatal("not signed in")
	}
	a.DB.Close()
	if p := c.Get("/en/ircc/"); p.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d", p.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err == nil {
		t.Fatal("database still open")
	}
}

func TestFormErrorsShowSummaryLinkedToFields(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client(t)
	c.Get("/fr/test/signed-in")
	p := c.Post("/fr/test/echo", url.Values{"note": {"   "}, "email": {"pas-une-adresse"}})
	if p.StatusCode != http.StatusUnprocessableEntity || strings.Contains(p.Body, "accepted") {
		t.Fatalf("status %d", p.StatusCode)
	}
	sum := p.Doc.Find("#error-summary")
	if sum.Length() != 1 || sum.AttrOr("tabindex", "") != "-1" {
		t.Fatal("no focusable error summary")
	}
	if got := strings.TrimSpace(sum.Find("h2").Text()); got != "Le formulaire n'a pas pu être soumis parce que 2 erreurs ont été trouvées." {
		t.Fatalf("summary heading %q", got)
	}
	links := sum.Find("a")
	if links.Length() != 2 || links.Eq(0).AttrOr("href", "") != "#note" || links.Eq(1).AttrOr("href", "") != "#email" {
		t.Fatalf("summary links: %d", links.Length())
	}
	if sum.Nodes[0] != p.Doc.Find("main .container").Children().First().Nodes[0] {
		t.Error("the error summary is not the first thing in main")
	}
	note := p.Doc.Find("input#note")
	if note.AttrOr("aria-invalid", "") != "true" || note.AttrOr("aria-describedby", "") != "note-hint note-error" {
		t.Fatalf("note input: invalid=%q describedby=%q", note.AttrOr("aria-invalid", ""), note.AttrOr("aria-describedby", ""))
	}
	if got := p.Text("#note-error"); !strings.Contains(got, "Entrez une note.") || !strings.HasPrefix(got, "Erreur") {
		t.Fatalf("note error %q", got)
	}
	if p.Doc.Find("input#email").AttrOr("value", "") != "pas-une-adresse" {
		t.Error("what the person typed was lost")
	}

	ok := c.Post("/fr/test/echo", url.Values{"note": {"bonjour"}, "email": {"nom@exemple.com"}})
	if ok.StatusCode != http.StatusOK || ok.Body != "accepted:bonjour" {
		t.Fatalf("good input: %d %q", ok.StatusCode, ok.Body)
	}
}

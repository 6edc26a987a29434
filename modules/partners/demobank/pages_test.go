package demobank_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/modules/partners/demobank"
)

// bankErrorPage checks that p is one of the bank's error pages, not a
// redirect, and returns its heading.
func bankErrorPage(t *testing.T, p *apptest.Page, status int) string {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.StatusCode, status, p.Body)
	}
	if p.Header.Get("Location") != "" {
		t.Fatalf("error page redirects to %s", p.Header.Get("Location"))
	}
	if p.Doc.Find(`[data-testid="bank-name"]`).Length() != 1 {
		t.Fatal("not a bank page")
	}
	return p.Text(`[data-testid="bank-error"]`)
}

func TestAuthorizeRefusesUnknownClientOrCallback(t *testing.T) {
	e := start(t)
	cases := map[string]func(url.Values){
		"other client":             func(v url.Values) { v.Set("client_id", "someone-else") },
		"no client":                func(v url.Values) { v.Del("client_id") },
		"two clients":              func(v url.Values) { v.Add("client_id", demobank.ClientID) },
		"other host":               func(v url.Values) { v.Set("redirect_uri", "http://evil.example/partners/callback") },
		"other path":               func(v url.Values) { v.Set("redirect_uri", e.origin()+"/partners/callback/x") },
		"callback with a query":    func(v url.Values) { v.Set("redirect_uri", e.callback()+"?next=x") },
		"https instead of http":    func(v url.Values) { v.Set("redirect_uri", strings.Replace(e.callback(), "http:", "https:", 1)) },
		"no callback":              func(v url.Values) { v.Del("redirect_uri") },
		"bad callback and no pkce": func(v url.Values) { v.Set("redirect_uri", "http://evil.example/cb"); v.Del("code_challenge") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			v := e.params(newFlow())
			mutate(v)
			p := e.a.Client(t).Get(authorizePath(v))
			if h := bankErrorPage(t, p, http.StatusBadRequest); h != "This sign-in request cannot be accepted" {
				t.Fatalf("heading %q", h)
			}
		})
	}
	if e.count(t, "requests") != 0 {
		t.Fatal("a refused request was stored")
	}

	// In French when the client asked for French.
	v := e.params(flow{Lang: "fr-CA en"})
	v.Set("client_id", "x")
	p := e.a.Client(t).Get(authorizePath(v))
	if h := bankErrorPage(t, p, http.StatusBadRequest); h != "Cette demande de connexion ne peut pas être acceptée" {
		t.Fatalf("heading %q", h)
	}
	if lang, _ := p.Doc.Find("html").Attr("lang"); lang != "fr" {
		t.Fatalf("lang %q", lang)
	}
}

func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	e := start(t)
	cases := []struct {
		name   string
		mutate func(url.Values)
		err    string
	}{
		{"no code_challenge", func(v url.Values) { v.Del("code_challenge") }, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"no PKCE method", func(v url.Values) { v.Del("code_challenge_method") }, "invalid_request"},
		{"malformed challenge", func(v url.Values) { v.Set("code_challenge", "short") }, "invalid_request"},
		{"no nonce", func(v url.Values) { v.Del("nonce") }, "invalid_request"},
		{"long nonce", func(v url.Values) { v.Set("nonce", strings.Repeat("n", 513)) }, "invalid_request"},
		{"no state", func(v url.Values) { v.Del("state") }, "invalid_request"},
		{"long state", func(v url.Values) { v.Set("state", strings.Repeat("s", 513)) }, "invalid_request"},
		{"no openid scope", func(v url.Values) { v.Set("scope", "profile email") }, "invalid_scope"},
		{"implicit flow", func(v url.Values) { v.Set("response_type", "id_token") }, "unsupported_response_type"},
		{"no response_type", func(v url.Values) { v.Del("response_type") }, "invalid_request"},
		{"repeated nonce", func(v url.Values) { v.Add("nonce", "again") }, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := e.params(newFlow())
			tc.mutate(v)
			u := location(t, e.a.Client(t).Get(authorizePath(v)))
			if got := u.Scheme + "://" + u.Host + u.Path; got != e.callback() {
				t.Fatalf("redirected to %s", u)
			}
			q := u.Query()
			if q.Get("error") != tc.err || q.Get("code") != "" {
				t.Fatalf("query %v, want error %s", q, tc.err)
			}
			if q.Get("state") != v.Get("state") {
				t.Fatalf("state %q, want %q", q.Get("state"), v.Get("state"))
			}
		})
	}
	if e.count(t, "requests") != 0 {
		t.Fatal("a refused request was stored")
	}
	// scope may hold more than openid.
	v := e.params(newFlow())
	v.Set("scope", "openid profile")
	if u := location(t, e.a.Client(t).Get(authorizePath(v))); !strings.HasPrefix(u.Path, "/demo-bank/signin/") {
		t.Fatalf("openid profile led to %s", u)
	}
}

func TestSigninPage(t *testing.T) {
	e := start(t)
	c := e.a.Client(t)
	signin := e.begin(t, c, newFlow())
	if id := strings.TrimPrefix(signin, "/demo-bank/signin/"); len(id) < 22 {
		t.Fatalf("request id %q is too short for 128 bits", id)
	}
	p := c.Get(signin)
	if p.StatusCode != http.StatusOK || p.Text("h1") != "Sign in to Demo Bank" || p.Doc.Find("h1").Length() != 1 {
		t.Fatalf("%d %q", p.StatusCode, p.Text("h1"))
	}
	if !strings.Contains(p.Text(`[data-testid="bank-name"]`), "Demo Bank — test partner") ||
		!strings.Contains(p.Text(`[data-testid="test-notice"]`), "No real bank is involved; use it to try Sign-In Partners.") {
		t.Fatal("the page does not say it is a test partner")
	}
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.Header.Get("Cache-Control"))
	}
	if p.Doc.Find(`link[rel=stylesheet][href*="demo-bank.css"]`).Length() != 1 || p.Doc.Find(`link[href*="site.css"], script[src*="site.js"], dialog`).Length() != 0 {
		t.Fatal("the bank page uses Guichet's shell")
	}
	for _, sel := range []string{"header", "main#main", "footer", `form[data-testid="create-form"] input[name="csrf_token"]`, `label[for="name"]`} {
		if p.Doc.Find(sel).Length() == 0 {
			t.Errorf("missing %s", sel)
		}
	}
	// No customers yet: only the form to create one.
	if p.Doc.Find(`form[data-testid="pick-form"]`).Length() != 0 {
		t.Fatal("a customer list with no customers")
	}

	// With customers: the newest 20, by name, in a fieldset with a legend.
	for i := range 22 {
		if _, err := e.b.CreateCustomer(t.Context(), string(rune('A'+i))+" Customer"); err != nil {
			t.Fatal(err)
		}
		e.a.Fake.Advance(time.Second)
	}
	p = c.Get(signin)
	radios := p.Doc.Find(`fieldset input[type=radio]`)
	if radios.Length() != 20 {
		t.Fatalf("%d customers listed", radios.Length())
	}
	if p.Doc.Find("fieldset legend").Length() != 1 {
		t.Fatal("the customer list has no legend")
	}
	first := p.Doc.Find("fieldset .bank-choice label").First().Text()
	if !strings.Contains(first, "C Customer") {
		t.Fatalf("first listed %q, want the newest 20 sorted by name", first)
	}
}

func TestSigninBadInputChangesNothing(t *testing.T) {
	e := start(t)
	if _, err := e.b.CreateCustomer(t.Context(), "Existing Person"); err != nil {
		t.Fatal(err)
	}
	c := e.a.Client(t)
	signin := e.begin(t, c, newFlow())
	p := c.Get(signin)
	firstRadio, _ := p.Doc.Find(`input[type=radio]`).First().Attr("id")

	cases := []struct {
		name string
		form url.Values
		link string
		msg  string
	}{
		{"nothing chosen", url.Values{"choice": {"pick"}}, "#" + firstRadio, "Choose a test customer."},
		{"unknown customer", url.Values{"choice": {"pick"}, "customer": {"0123456789abcdef0123456789abcdef"}}, "#" + firstRadio, "Choose a test customer."},
		{"empty name", url.Values{"choice": {"create"}, "name": {"   "}}, "#name", "Enter a name for the new customer."},
		{"long name", url.Values{"choice": {"create"}, "name": {strings.Repeat("é", 81)}}, "#name", "The name must be 80 characters or fewer."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := c.Post(signin, tc.form)
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", p.StatusCode)
			}
			a := p.Doc.Find(".error-summary a").First()
			if href, _ := a.Attr("href"); href != tc.link || strings.TrimSpace(a.Text()) != tc.msg {
				t.Fatalf("summary links %q with %q", href, a.Text())
			}
			if p.Doc.Find(tc.link).Length() != 1 {
				t.Fatalf("the summary links to %s, which is not on the page", tc.link)
			}
			if p.Doc.Find("h1").Length() != 1 {
				t.Fatal("not one h1")
			}
		})
	}
	if e.count(t, "customers") != 1 {
		t.Fatal("bad input created a customer")
	}
	// Still no customer chosen: the second step sends back to sign-in.
	verify := strings.Replace(signin, "/signin/", "/verify/", 1)
	if u := location(t, c.Get(verify)); u.Path != signin {
		t.Fatalf("verify without a customer led to %s", u)
	}
	// 80 characters (not bytes) is fine.
	if u := location(t, c.Post(signin, url.Values{"choice": {"create"}, "name": {strings.Repeat("é", 80)}})); u.Path != verify {
		t.Fatalf("80-character name led to %s", u)
	}
}

func TestSecondStepWrongCodes(t *testing.T) {
	e := start(t)
	c := e.a.Client(t)
	f := newFlow()
	verify := toVerify(t, c, e.begin(t, c, f), "Alex Tremblay")
	p := c.Get(verify)
	if p.Text("h1") != "Second step" || !strings.Contains(p.Text(`[data-testid="customer"]`), "Alex Tremblay") {
		t.Fatalf("%q", p.Text("h1"))
	}
	code := p.Text(`[data-testid="demo-code"]`)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}

	// Shape errors are not counted.
	for _, typed := range []string{"", "12345", "abcdef"} {
		p := c.Post(verify, url.Values{"action": {"confirm"}, "code": {typed}})
		if p.StatusCode != http.StatusUnprocessableEntity || p.Doc.Find(`.error-summary a[href="#code"]`).Length() != 1 {
			t.Fatalf("%q: status %d", typed, p.StatusCode)
		}
	}
	for i := 1; i <= 4; i++ {
		p := c.Post(verify, url.Values{"action": {"confirm"}, "code": {wrong}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: status %d", i, p.StatusCode)
		}
		msg := p.Text(".error-summary a")
		if i == 4 && msg != "This code is not right. You have 1 try left." {
			t.Fatalf("message %q", msg)
		}
		if i == 1 && msg != "This code is not right. You have 4 tries left." {
			t.Fatalf("message %q", msg)
		}
	}
	if e.count(t, "codes") != 0 {
		t.Fatal("a code was issued")
	}
	// The fifth wrong code cancels the request; the page offers the way back.
	p = c.Post(verify, url.Values{"action": {"confirm"}, "code": {wrong}})
	if h := bankErrorPage(t, p, http.StatusForbidden); h != "Too many wrong codes" {
		t.Fatalf("heading %q", h)
	}
	back, _ := p.Doc.Find(`a[data-testid="return"]`).Attr("href")
	u, _ := url.Parse(back)
	if u.Scheme+"://"+u.Host+u.Path != e.callback() || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != f.State {
		t.Fatalf("return link %s", back)
	}
	// Even the right code no longer works, nor skipping.
	p = c.Post(verify, url.Values{"action": {"confirm"}, "code": {code}})
	if p.StatusCode == http.StatusSeeOther || e.count(t, "codes") != 0 {
		t.Fatal("a cancelled request issued a code")
	}
	if p := c.Post(verify, url.Values{"action": {"skip"}}); p.StatusCode == http.StatusSeeOther {
		t.Fatal("a cancelled request could skip")
	}
}

func TestSecondStepRightCodeWithSpaces(t *testing.T) {
	e := start(t)
	c := e.a.Client(t)
	f := newFlow()
	verify := toVerify(t, c, e.begin(t, c, f), "Alex")
	code := c.Get(verify).Text(`[data-testid="demo-code"]`)
	u := location(t, c.Post(verify, url.Values{"action": {"confirm"}, "code": {code[:3] + " " + code[3:]}}))
	e.codeFrom(t, u, f)
	// One request gives one code: the pages now say it has ended.
	if h := bankErrorPage(t, c.Get(verify), http.StatusNotFound); h != "This sign-in request has ended" {
		t.Fatalf("heading %q", h)
	}
	if p := c.Post(verify, url.Values{"action": {"skip"}}); p.StatusCode != http.StatusNotFound || e.count(t, "codes") != 1 {
		t.Fatalf("second code: status %d", p.StatusCode)
	}
}

func TestCancelReturnsAccessDenied(t *testing.T) {
	e := start(t)
	for _, where := range []string{"signin", "verify"} {
		t.Run(where, func(t *testing.T) {
			c := e.a.Client(t)
			f := newFlow()
			signin := e.begin(t, c, f)
			page := signin
			if where == "verify" {
				page = toVerify(t, c, signin, "Alex")
			}
			p := c.Get(page)
			action, _ := p.Doc.Find(`form:has([data-testid="cancel"])`).Attr("action")
			if p.Text(`[data-testid="cancel"]`) != "Cancel and return" {
				t.Fatalf("cancel button %q", p.Text(`[data-testid="cancel"]`))
			}
			u := location(t, c.Post(action, nil))
			if u.Scheme+"://"+u.Host+u.Path != e.callback() || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != f.State || u.Query().Get("code") != "" {
				t.Fatalf("cancel led to %s", u)
			}
			// Cancelled for good.
			bankErrorPage(t, c.Get(page), http.StatusNotFound)
			if p := c.Post(action, nil); p.StatusCode != http.StatusNotFound {
				t.Fatalf("second cancel: %d", p.StatusCode)
			}
		})
	}
}

func TestUnknownAndExpiredRequests(t *testing.T) {
	e := start(t)
	c := e.a.Client(t)
	p := c.Get("/demo-bank/signin/no-such-request")
	if h := bankErrorPage(t, p, http.StatusNotFound); h != "This sign-in request has ended" {
		t.Fatalf("heading %q", h)
	}
	if lang, _ := p.Doc.Find("html").Attr("lang"); lang != "en" {
		t.Fatalf("lang %q", lang)
	}
	// An expired request answers in its own language.
	signin := e.begin(t, c, flow{State: "s", Nonce: "n", Verifier: newFlow().Verifier, Lang: "fr"})
	c.Get(signin) // for the form's CSRF token
	e.a.Fake.Advance(15*time.Minute + time.Second)
	p = c.Get(signin)
	if h := bankErrorPage(t, p, http.StatusNotFound); h != "Cette demande de connexion a pris fin" {
		t.Fatalf("heading %q", h)
	}
	p = c.Post(signin, url.Values{"choice": {"create"}, "name": {"Late"}})
	if p.StatusCode != http.StatusNotFound || e.count(t, "customers") != 0 {
		t.Fatalf("expired request accepted a customer: %d", p.StatusCode)
	}
	// The toggle of an error page leads to a page that can be fetched.
	toggle, _ := p.Doc.Find(`[data-testid="lang-toggle"]`).Attr("href")
	if toggle != signin+"?lang=en" {
		t.Fatalf("toggle %q", toggle)
	}
	if h := bankErrorPage(t, c.Get(toggle), http.StatusNotFound); h != "This sign-in request has ended" {
		t.Fatalf("heading after toggle %q", h)
	}
}

func TestFrenchPages(t *testing.T) {
	e := start(t)
	c := e.a.Client(t)
	f := newFlow()
	f.Lang = "fr"
	signin := e.begin(t, c, f)
	p := c.Get(signin)
	if lang, _ := p.Doc.Find("html").Attr("lang"); lang != "fr" || p.Text("h1") != "Se connecter à la Banque démo" {
		t.Fatalf("lang %q, h1 %q", lang, p.Text("h1"))
	}
	if !strings.Contains(p.Text(`[data-testid="bank-name"]`), "Banque démo — partenaire de test") {
		t.Fatalf("header %q", p.Text(`[data-testid="bank-name"]`))
	}
	// The toggle switches to English and the request remembers it.
	toggle, _ := p.Doc.Find(`[data-testid="lang-toggle"]`).Attr("href")
	if toggle != signin+"?lang=en" || p.Text(`[data-testid="lang-toggle"]`) != "English" {
		t.Fatalf("toggle %q %q", toggle, p.Text(`[data-testid="lang-toggle"]`))
	}
	if p := c.Get(toggle); p.Text("h1") != "Sign in to Demo Bank" {
		t.Fatalf("after toggle: %q", p.Text("h1"))
	}
	if p := c.Get(signin); p.Text("h1") != "Sign in to Demo Bank" {
		t.Fatal("the request did not remember English")
	}
	c.Get(signin + "?lang=fr")
	// Errors in French too.
	p = c.Post(signin, url.Values{"choice": {"create"}, "name": {""}})
	if p.Text(".error-summary a") != "Entrez un nom pour le nouveau client." {
		t.Fatalf("French error %q", p.Text(".error-summary a"))
	}
	verify := location(t, c.Post(signin, url.Values{"choice": {"create"}, "name": {"Camille Roy"}})).Path
	p = c.Get(verify)
	if p.Text("h1") != "Deuxième étape" || p.Text(`[data-testid="skip"]`) != "Passer la deuxième étape" {
		t.Fatalf("verify in French: %q", p.Text("h1"))
	}
}

func TestFixedBaseURL(t *testing.T) {
	e := startWith(t, "https://guichet.example")
	// The issuer does not follow the request's host.
	res, err := e.b.Client().Get("http://127.0.0.1:1/demo-bank/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if doc.Issuer != "https://guichet.example/demo-bank" {
		t.Fatalf("issuer %q", doc.Issuer)
	}
	// The callback must be on the public origin, not the host asked for.
	v := e.params(newFlow())
	v.Set("redirect_uri", e.a.URL+"/partners/callback")
	bankErrorPage(t, e.a.Client(t).Get(authorizePath(v)), http.StatusBadRequest)

	f := newFlow()
	code := e.fullFlow(t, f, true)
	idt, _ := e.exchange(t, code, f)
	if idt.Issuer != "https://guichet.example/demo-bank" {
		t.Fatalf("iss %q", idt.Issuer)
	}
}

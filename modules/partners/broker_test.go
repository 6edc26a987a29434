package partners_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/identity"
	"guichet/modules/partners"
)

// Distinctive values, so the privacy test can look for them everywhere.
const (
	bankA   = "bank-a7f3"
	bankB   = "bank-b9e1"
	subject = "subject-5c2d81e0"
)

type env struct {
	*apptest.App
	opA, opB *fakeOP
}

// start runs the broker with two partners on fake providers, one partner
// without connection settings, and two services (ircc, cipo) that take
// Principals; cipo's /secure page needs level 2.
func start(t *testing.T) *env {
	t.Helper()
	e := &env{}
	var now func() time.Time
	e.opA = newFakeOP(t, func() time.Time { return now() })
	e.opB = newFakeOP(t, func() time.Time { return now() })
	settings := []app.PartnerSettings{
		{ID: bankA, NameEN: "Bank A", NameFR: "Banque A", Issuer: e.opA.srv.URL, ClientID: e.opA.clientID, ClientSecret: e.opA.secret, MFAACR: []string{"bank:mfa"}},
		{ID: bankB, NameEN: "Bank B", NameFR: "Banque B", Issuer: e.opB.srv.URL, ClientID: e.opB.clientID, ClientSecret: e.opB.secret},
		{ID: "unlinked", NameEN: "Unlinked Bank", NameFR: "Banque non reliée"},
	}
	off := false
	settings = append(settings, app.PartnerSettings{ID: "hidden", NameEN: "Hidden", NameFR: "Cachée", Enabled: &off})
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		m := partners.New(partners.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Sessions: k.Sessions,
			Identity: k.Identity, Audit: k.Audit, Settings: settings})
		m.RootRoutes(s.Echo)
		s.Mount(m)
		for _, svc := range []string{"ircc", "cipo"} {
			entry := identity.Entry{Service: svc, NameKey: "service." + svc + ".title", Partners: m.Chooser(),
				Home: func(c echo.Context) error { return c.String(http.StatusOK, "home of "+svc) }}
			for _, g := range s.Langs {
				k.Identity.MountEntry(g, entry)
				g.GET("/"+svc+"/secure", func(c echo.Context) error { return c.String(http.StatusOK, "level 2 page") },
					k.Identity.RequireLevel(svc, identity.AAL2, "/"+svc+"/step-up"))
			}
		}
	}})
	now = e.Fake.Now
	return e
}

// attempt is a sign-in sent to the bank: what the broker put in the
// authorization request.
type attempt struct {
	auth  *url.URL
	query url.Values
}

// begin starts a sign-in through a partner for a service, as the chooser
// and the "Continue to your bank" link do.
func (e *env) begin(t *testing.T, c *apptest.Client, lang, partnerID, service string) attempt {
	t.Helper()
	path := "/" + lang + "/partners/" + partnerID
	if service != "" {
		path += "?service=" + service
	}
	if p := c.Get(path); p.StatusCode != http.StatusOK {
		t.Fatalf("leaving page: %d", p.StatusCode)
	}
	p := c.Get("/" + lang + "/partners/" + partnerID + "/go")
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("go: %d %s", p.StatusCode, p.Body)
	}
	// Nor may the bank learn the service from the Referer.
	if rp := p.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Fatalf("redirect to the bank with Referrer-Policy %q", rp)
	}
	u, err := url.Parse(p.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return attempt{auth: u, query: u.Query()}
}

// bankSignsIn is the bank authenticating its customer and sending the
// browser back with a code.
func (a attempt) bankSignsIn(op *fakeOP, sub string, bend func(map[string]any)) string {
	code := op.issue(a.query.Get("nonce"), a.query.Get("code_challenge"), a.query.Get("redirect_uri"), sub, bend)
	return "/partners/callback?" + url.Values{"code": {code}, "state": {a.query.Get("state")}}.Encode()
}

// enrol confirms the enrolment page, as the person does.
func enrol(t *testing.T, c *apptest.Client, lang, svc string) {
	t.Helper()
	if p := c.Get("/" + lang + "/" + svc + "/"); p.Doc.Find(`[data-testid="enrol-confirm"]`).Length() != 1 {
		t.Fatalf("no enrolment page at %s: %s", svc, p.Text("main"))
	}
	if p := c.Post("/"+lang+"/"+svc+"/continue", url.Values{"enrol": {"yes"}}); location(p) != "/"+lang+"/"+svc+"/" {
		t.Fatalf("enrol at %s: %d %q", svc, p.StatusCode, location(p))
	}
}

func location(p *apptest.Page) string { return p.Header.Get("Location") }

func expectFailure(t *testing.T, c *apptest.Client, p *apptest.Page, lang, reason string) {
	t.Helper()
	want := "/" + lang + "/partners/failed?reason=" + reason
	if p.StatusCode != http.StatusSeeOther || location(p) != want {
		t.Fatalf("callback: %d to %q, want %q", p.StatusCode, location(p), want)
	}
	page := c.Get(want)
	if page.Doc.Find(`[data-testid="failed-`+reason+`"]`).Length() != 1 {
		t.Fatalf("failure page does not explain %q: %s", reason, page.Text("main"))
	}
	if page.Doc.Find(`[data-testid="failed-back"]`).Length() != 1 {
		t.Fatal("no way back to the sign-in options")
	}
}

func (e *env) signedIn(t *testing.T, c *apptest.Client, service string) (pairwise string, aal string, ok bool) {
	t.Helper()
	p := c.Get("/en/test/service/" + service)
	if p.StatusCode != http.StatusOK {
		return "", "", false
	}
	parts := strings.Split(p.Body, "|")
	return parts[1], parts[3], true
}

func TestSignInThroughABankWithEnrolment(t *testing.T) {
	e := start(t)
	for _, lang := range []string{"en", "fr"} {
		c := e.Client(t)
		chooser := c.Get("/" + lang + "/ircc/")
		if chooser.Doc.Find(`a[href="/`+lang+`/partners/`+bankA+`?service=ircc"]`).Length() != 1 {
			t.Fatalf("%s: chooser does not link to bank A", lang)
		}
		if chooser.Doc.Find(`[data-testid="partner-unavailable"]`).Length() != 1 {
			t.Fatalf("%s: a partner without settings should be listed as unavailable", lang)
		}
		if strings.Contains(chooser.Body, "Hidden") || strings.Contains(chooser.Body, "Cachée") {
			t.Fatalf("%s: a disabled partner is listed", lang)
		}
		leaving := c.Get("/" + lang + "/partners/" + bankA + "?service=ircc")
		if leaving.Doc.Find(`[data-testid="partner-go"]`).AttrOr("href", "") != "/"+lang+"/partners/"+bankA+"/go" {
			t.Fatalf("%s: leaving page has no way on", lang)
		}
		if leaving.Doc.Find(`[data-testid="partner-privacy"] li`).Length() != 3 {
			t.Fatalf("%s: the privacy promise is missing", lang)
		}

		a := e.begin(t, c, lang, bankA, "ircc")
		p := c.Get(a.bankSignsIn(e.opA, subject+lang, nil))
		if p.StatusCode != http.StatusSeeOther || location(p) != "/"+lang+"/ircc/" {
			t.Fatalf("%s: callback %d to %q", lang, p.StatusCode, location(p))
		}
		// First arrival: the enrolment page warns and asks; nothing exists
		// at the service until the person confirms.
		enrolPage := c.Get("/" + lang + "/ircc/")
		if enrolPage.Doc.Find(`[data-testid="enrol-warning"]`).Length() != 1 {
			t.Fatalf("%s: no enrolment warning: %s", lang, enrolPage.Text("main"))
		}
		if _, _, ok := e.signedIn(t, c, "ircc"); ok {
			t.Fatalf("%s: an account was created before the person confirmed", lang)
		}
		if p := c.Post("/"+lang+"/ircc/continue", nil); location(p) != "/"+lang+"/ircc/" {
			t.Fatalf("%s: continue without confirming: %q", lang, location(p))
		}
		if _, _, ok := e.signedIn(t, c, "ircc"); ok {
			t.Fatalf("%s: continue without enrol=yes created an account", lang)
		}
		enrol(t, c, lang, "ircc")
		if home := c.Get("/" + lang + "/ircc/"); home.Body != "home of ircc" {
			t.Fatalf("%s: home not reached: %s", lang, home.Body)
		}
		pw, aal, ok := e.signedIn(t, c, "ircc")
		if !ok || aal != "2" || len(pw) != 32 {
			t.Fatalf("%s: principal %q aal %q", lang, pw, aal)
		}
	}
	if n := e.Count(t, "partners_credentials"); n != 2 {
		t.Fatalf("two bank customers: %d credentials", n)
	}
}

func TestReturningPersonSkipsEnrolment(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	a := e.begin(t, c, "en", bankA, "ircc")
	c.Get(a.bankSignsIn(e.opA, subject, nil))
	enrol(t, c, "en", "ircc")
	first, _, _ := e.signedIn(t, c, "ircc")

	d := e.Client(t)
	a = e.begin(t, d, "en", bankA, "ircc")
	d.Get(a.bankSignsIn(e.opA, subject, nil))
	if home := d.Get("/en/ircc/"); home.Body != "home of ircc" {
		t.Fatalf("a returning person should land on the home: %s", home.Text("main"))
	}
	if again, _, _ := e.signedIn(t, d, "ircc"); again != first {
		t.Fatal("the same bank customer reached a different account")
	}
}

func TestAuthorizationRequestCarriesNothingAboutTheService(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	a := e.begin(t, c, "fr", bankA, "cipo")
	if got := a.auth.Scheme + "://" + a.auth.Host + a.auth.Path; got != e.opA.srv.URL+"/authorize" {
		t.Fatalf("sent to %q", got)
	}
	allowed := map[string]bool{"client_id": true, "redirect_uri": true, "response_type": true, "scope": true,
		"state": true, "nonce": true, "code_challenge": true, "code_challenge_method": true, "ui_locales": true}
	for k, vs := range a.query {
		if !allowed[k] {
			t.Errorf("unexpected parameter %s=%v", k, vs)
		}
		for _, v := range vs {
			if strings.Contains(strings.ToLower(v), "cipo") {
				t.Errorf("parameter %s names the service: %q", k, v)
			}
		}
	}
	if a.query.Get("client_id") != e.opA.clientID || a.query.Get("redirect_uri") != e.URL+"/partners/callback" {
		t.Fatalf("client %q redirect %q", a.query.Get("client_id"), a.query.Get("redirect_uri"))
	}
	if a.query.Get("code_challenge_method") != "S256" || len(a.query.Get("code_challenge")) != 43 {
		t.Fatal("PKCE S256 is not used")
	}
	if len(a.query.Get("state")) < 43 || len(a.query.Get("nonce")) < 43 || a.query.Get("state") == a.query.Get("nonce") {
		t.Fatal("state and nonce must be independent and at least 256 bits")
	}
	if a.query.Get("ui_locales") != "fr" {
		t.Fatal("the bank should be asked for French pages")
	}
	b := e.begin(t, c, "fr", bankA, "cipo")
	if b.query.Get("state") == a.query.Get("state") || b.query.Get("nonce") == a.query.Get("nonce") {
		t.Fatal("state and nonce repeat")
	}
}

func TestFailuresEndOnAClearPageAndLeaveNothing(t *testing.T) {
	e := start(t)
	cases := []struct {
		name   string
		reason string
		run    func(c *apptest.Client) *apptest.Page
	}{
		{"cancelled at the bank", "cancelled", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get("/partners/callback?error=access_denied&state=" + url.QueryEscape(a.query.Get("state")))
		}},
		{"bank error", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get("/partners/callback?error=server_error&state=" + url.QueryEscape(a.query.Get("state")))
		}},
		{"bad state", "expired", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			cb := a.bankSignsIn(e.opA, subject, nil)
			return c.Get(strings.Replace(cb, "state=", "state=x", 1))
		}},
		{"no sign-in in progress", "expired", func(c *apptest.Client) *apptest.Page {
			return c.Get("/partners/callback?code=abc&state=def")
		}},
		{"took too long", "expired", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			cb := a.bankSignsIn(e.opA, subject, nil)
			e.Fake.Advance(11 * time.Minute)
			return c.Get(cb)
		}},
		{"wrong nonce", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get(a.bankSignsIn(e.opA, subject, func(m map[string]any) { m["nonce"] = "another-nonce" }))
		}},
		{"expired token", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get(a.bankSignsIn(e.opA, subject, func(m map[string]any) {
				m["exp"] = e.Fake.Now().Add(-time.Minute).Unix()
				m["iat"] = e.Fake.Now().Add(-6 * time.Minute).Unix()
			}))
		}},
		{"token for another client", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get(a.bankSignsIn(e.opA, subject, func(m map[string]any) { m["aud"] = "someone-else" }))
		}},
		{"token from another issuer", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get(a.bankSignsIn(e.opA, subject, func(m map[string]any) { m["iss"] = e.opB.srv.URL }))
		}},
		{"code the bank does not know", "refused", func(c *apptest.Client) *apptest.Page {
			a := e.begin(t, c, "en", bankA, "ircc")
			return c.Get("/partners/callback?code=forged&state=" + url.QueryEscape(a.query.Get("state")))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.Client(t)
			before := e.Count(t, "partners_credentials")
			expectFailure(t, c, tc.run(c), "en", tc.reason)
			if e.Count(t, "partners_credentials") != before {
				t.Fatal("a credential was created by a failed sign-in")
			}
			if p := c.Get("/en/ircc/"); p.Doc.Find(`[data-testid="gckey-section"]`).Length() != 1 {
				t.Fatal("a failed sign-in left the person signed in")
			}
		})
	}
	// French callbacks fail in French.
	c := e.Client(t)
	a := e.begin(t, c, "fr", bankA, "ircc")
	p := c.Get("/partners/callback?error=access_denied&state=" + url.QueryEscape(a.query.Get("state")))
	expectFailure(t, c, p, "fr", "cancelled")
	if !strings.Contains(c.Get(location(p)).Text("h1"), "n'a pas abouti") {
		t.Fatal("failure page not in French")
	}
}

func TestUnknownUnavailableAndUnreachablePartners(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, path := range []string{"/en/partners/nope", "/en/partners/nope/go", "/en/partners/hidden", "/fr/partners/hidden/go"} {
		if p := c.Get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, p.StatusCode)
		}
	}
	p := c.Get("/fr/partners/unlinked?service=ircc")
	if p.Doc.Find(`[data-testid="partner-unavailable-page"]`).Length() != 1 || p.Doc.Find(`a[href="/fr/ircc/"]`).Length() != 1 {
		t.Fatalf("unavailable partner page: %s", p.Text("main"))
	}
	if p := c.Get("/fr/partners/unlinked/go"); location(p) != "/fr/partners/unlinked" {
		t.Fatalf("an unavailable partner was started: %q", location(p))
	}

	// A partner that does not answer: the person is told, nothing breaks,
	// and the partner works again as soon as it is back.
	e.opB.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	p = c.Get("/en/partners/" + bankB + "/go")
	expectFailure(t, c, p, "en", "unreachable")
	e.opB.srv.Close()
	p = c.Get("/en/partners/" + bankB + "/go")
	expectFailure(t, c, p, "en", "unreachable")
}

func TestNoSecondFactorReportedMeansLevelOne(t *testing.T) {
	e := start(t)
	for name, bend := range map[string]func(map[string]any){
		"no acr or amr":     func(m map[string]any) { delete(m, "acr"); delete(m, "amr") },
		"password only":     func(m map[string]any) { m["amr"] = []string{"pwd"}; m["acr"] = "bank:pwd" },
		"unknown acr value": func(m map[string]any) { delete(m, "amr"); m["acr"] = "something-else" },
	} {
		t.Run(name, func(t *testing.T) {
			c := e.Client(t)
			a := e.begin(t, c, "en", bankA, "cipo")
			c.Get(a.bankSignsIn(e.opA, subject+name, bend))
			enrol(t, c, "en", "cipo")
			_, aal, ok := e.signedIn(t, c, "cipo")
			if !ok || aal != "1" {
				t.Fatalf("principal aal %q (signed in %v), want 1", aal, ok)
			}
			// A page that needs level 2 asks for the service's own second
			// factor instead.
			if p := c.Get("/en/cipo/secure"); location(p) != "/en/cipo/step-up" {
				t.Fatalf("level-2 page: %d %q", p.StatusCode, location(p))
			}
			// Once the service has checked its own second factor, that
			// Principal, and only it, is at level 2.
			before := c.Cookie("guichet_session")
			if p := c.Get("/en/test/raise/cipo"); p.Body != "raised" {
				t.Fatalf("raise: %s", p.Body)
			}
			if c.Cookie("guichet_session") == before {
				t.Fatal("the session token was not renewed at the step-up")
			}
			if p := c.Get("/en/cipo/secure"); p.Body != "level 2 page" {
				t.Fatalf("after the step-up: %d %q", p.StatusCode, location(p))
			}
			if p := c.Get("/en/test/raise/ircc"); p.StatusCode != http.StatusUnauthorized {
				t.Fatal("raised a service the person has not entered")
			}
		})
	}
	// The configured acr alone is enough.
	c := e.Client(t)
	a := e.begin(t, c, "en", bankA, "cipo")
	c.Get(a.bankSignsIn(e.opA, "acr-only", func(m map[string]any) { delete(m, "amr") }))
	enrol(t, c, "en", "cipo")
	if _, aal, _ := e.signedIn(t, c, "cipo"); aal != "2" {
		t.Fatalf("acr bank:mfa gave aal %q", aal)
	}
	if p := c.Get("/en/cipo/secure"); p.Body != "level 2 page" {
		t.Fatalf("level-2 page refused: %d", p.StatusCode)
	}
}

func TestCallbackCannotBeReplayedOrForwarded(t *testing.T) {
	e := start(t)

	// Forwarded: a victim's callback URL used in the attacker's browser.
	victim, attacker := e.Client(t), e.Client(t)
	a := e.begin(t, victim, "en", bankA, "ircc")
	cb := a.bankSignsIn(e.opA, subject, nil)
	calls := e.opA.calls()
	expectFailure(t, attacker, attacker.Get(cb), "en", "expired")
	if e.opA.calls() != calls {
		t.Fatal("a forwarded callback reached the bank's token endpoint")
	}
	// The attacker's own sign-in in progress does not help either.
	e.begin(t, attacker, "en", bankA, "ircc")
	expectFailure(t, attacker, attacker.Get(cb), "en", "expired")
	if _, _, ok := e.signedIn(t, attacker, "ircc"); ok || attacker.Get("/en/ircc/").Doc.Find(`[data-testid="enrol-warning"]`).Length() != 0 {
		t.Fatal("the attacker is signed in")
	}

	// The victim still completes their own sign-in, once.
	if p := victim.Get(cb); location(p) != "/en/ircc/" {
		t.Fatalf("victim's own callback: %q", location(p))
	}
	// Replayed in the same browser, or anywhere else: nothing to complete.
	expectFailure(t, victim, victim.Get(cb), "en", "expired")
	other := e.Client(t)
	expectFailure(t, other, other.Get(cb), "en", "expired")

	// Login fixation: the attacker signs in at the bank as themselves and
	// sends the callback URL to a victim who has a sign-in in progress.
	target := e.Client(t)
	e.begin(t, target, "en", bankA, "ircc")
	b := e.begin(t, attacker, "en", bankA, "ircc")
	planted := b.bankSignsIn(e.opA, "attacker-subject", nil)
	expectFailure(t, target, target.Get(planted), "en", "expired")
	if target.Get("/en/ircc/").Doc.Find(`[data-testid="enrol-warning"]`).Length() != 0 {
		t.Fatal("the target was signed in as the attacker")
	}
}

func TestPrivacyOfPairwiseIdentifiers(t *testing.T) {
	e := start(t)
	enter := func(op *fakeOP, bank, svc, sub string) string {
		c := e.Client(t)
		a := e.begin(t, c, "en", bank, svc)
		if p := c.Get(a.bankSignsIn(op, sub, nil)); location(p) != "/en/"+svc+"/" {
			t.Fatalf("callback: %q", location(p))
		}
		if c.Get("/en/"+svc+"/").Doc.Find(`[data-testid="enrol-confirm"]`).Length() == 1 {
			c.Post("/en/"+svc+"/continue", url.Values{"enrol": {"yes"}})
		}
		pw, _, ok := e.signedIn(t, c, svc)
		if !ok {
			t.Fatalf("%s at %s: not signed in", bank, svc)
		}
		return pw
	}
	irccA := enter(e.opA, bankA, "ircc", subject)
	cipoA := enter(e.opA, bankA, "cipo", subject)
	irccB := enter(e.opB, bankB, "ircc", subject) // the same person through another bank
	if irccA == cipoA {
		t.Fatal("the same pairwise id at two services")
	}
	if irccA == irccB {
		t.Fatal("another bank reached the same account")
	}
	if again := enter(e.opA, bankA, "ircc", subject); again != irccA {
		t.Fatal("the same bank customer got a new account")
	}

	// Outside the broker's own table, nothing holds the bank's id or its
	// customer's subject: not the pairwise table, the audit trail, the
	// sessions, or anything else.
	rows, err := e.DB.R.Queryx(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, table := range tables {
		if strings.HasPrefix(table, "partners_") || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		dump := dumpTable(t, e, table)
		for _, secret := range []string{bankA, bankB, subject, "Bank A"} {
			if strings.Contains(dump, secret) {
				t.Errorf("table %s holds %q", table, secret)
			}
		}
	}
	// The broker's table keeps a MAC of the subject, not the subject.
	if dump := dumpTable(t, e, "partners_credentials"); strings.Contains(dump, subject) {
		t.Error("partners_credentials stores the subject in clear")
	}
}

func dumpTable(t *testing.T, e *env, table string) string {
	t.Helper()
	rows, err := e.DB.R.Queryx(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%s|", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestEnrolmentCanBeDeclined(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	a := e.begin(t, c, "en", bankA, "ircc")
	c.Get(a.bankSignsIn(e.opA, subject, nil))
	c.Get("/en/ircc/")
	if p := c.Post("/en/ircc/switch", nil); location(p) != "/en/ircc/" {
		t.Fatalf("switch: %q", location(p))
	}
	if p := c.Get("/en/ircc/"); p.Doc.Find(`[data-testid="gckey-section"]`).Length() != 1 {
		t.Fatal("declining the enrolment should sign out and show the chooser")
	}
	if n := e.Count(t, "app_pairwise"); n != 0 {
		t.Fatalf("declined enrolment left %d pairwise ids", n)
	}
}

func TestSignInWithoutAServiceOffersTheServices(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	idx := c.Get("/fr/partners/")
	if idx.StatusCode != http.StatusOK || idx.Doc.Find(`a[href="/fr/partners/`+bankA+`"]`).Length() != 1 {
		t.Fatalf("partners page: %d", idx.StatusCode)
	}
	// A service chosen earlier and abandoned is forgotten.
	c.Get("/fr/partners/" + bankA + "?service=ircc")
	a := e.begin(t, c, "fr", bankA, "")
	if p := c.Get(a.bankSignsIn(e.opA, subject, nil)); location(p) != "/fr/partners/signed-in" {
		t.Fatalf("callback: %q", location(p))
	}
	p := c.Get("/fr/partners/signed-in")
	for _, svc := range []string{"ircc", "pt", "cipo"} {
		if p.Doc.Find(`a[href="/fr/`+svc+`/"]`).Length() != 1 {
			t.Errorf("no link to %s", svc)
		}
	}
	if e.Count(t, "app_pairwise") != 0 {
		t.Fatal("a service account was created without a service")
	}
}

func TestDiscoveryIsLazyAndCached(t *testing.T) {
	e := start(t)
	if e.opA.discoveries() != 0 || e.opB.discoveries() != 0 {
		t.Fatal("start-up fetched a partner's discovery document")
	}
	c := e.Client(t)
	for i := 0; i < 3; i++ {
		e.begin(t, c, "en", bankA, "ircc")
	}
	if n := e.opA.discoveries(); n != 1 {
		t.Fatalf("%d discovery fetches for three sign-ins, want 1", n)
	}
	e.Fake.Advance(61 * time.Minute)
	e.begin(t, c, "en", bankA, "ircc")
	if n := e.opA.discoveries(); n != 2 {
		t.Fatalf("%d discovery fetches after an hour, want 2", n)
	}
}

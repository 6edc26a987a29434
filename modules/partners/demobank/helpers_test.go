package demobank_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/modules/partners/demobank"
)

// env is a running application with the bank mounted as the lead's
// wiring does: routes on the root echo, machine paths bypassed.
type env struct {
	a    *apptest.App
	b    *demobank.Bank
	base string // BaseURL given to the bank, "" in dev
}

func start(t *testing.T) *env { return startWith(t, "") }

func startWith(t *testing.T, baseURL string) *env {
	t.Helper()
	e := &env{base: baseURL}
	e.a = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		b, err := demobank.New(context.Background(), demobank.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, BaseURL: baseURL})
		if err != nil {
			t.Fatal(err)
		}
		b.Routes(s.Echo)
		s.Bypass(b.MachinePaths()...)
		e.b = b
	}})
	return e
}

// origin is the site as the browser and the bank see it.
func (e *env) origin() string {
	if e.base != "" {
		return e.base
	}
	return e.a.URL
}

func (e *env) issuer() string   { return e.origin() + "/demo-bank" }
func (e *env) callback() string { return e.origin() + "/partners/callback" }

// flow is one authorization request as the broker would start it.
type flow struct {
	State, Nonce, Verifier string
	Lang                   string
}

func newFlow() flow {
	return flow{State: oauth2.GenerateVerifier()[:20], Nonce: oauth2.GenerateVerifier()[:24], Verifier: oauth2.GenerateVerifier()}
}

// params are the authorization request's query parameters.
func (e *env) params(f flow) url.Values {
	v := url.Values{
		"client_id":             {demobank.ClientID},
		"redirect_uri":          {e.callback()},
		"response_type":         {"code"},
		"scope":                 {"openid"},
		"state":                 {f.State},
		"nonce":                 {f.Nonce},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(f.Verifier)},
		"code_challenge_method": {"S256"},
	}
	if f.Lang != "" {
		v.Set("ui_locales", f.Lang)
	}
	return v
}

func authorizePath(v url.Values) string { return "/demo-bank/authorize?" + v.Encode() }

// location returns a redirect's target, failing unless the answer is 303.
func location(t *testing.T, p *apptest.Page) *url.URL {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", p.StatusCode, p.Body)
	}
	u, err := url.Parse(p.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// begin starts a flow and returns the bank's sign-in page path.
func (e *env) begin(t *testing.T, c *apptest.Client, f flow) string {
	t.Helper()
	u := location(t, c.Get(authorizePath(e.params(f))))
	if !strings.HasPrefix(u.Path, "/demo-bank/signin/") {
		t.Fatalf("authorize led to %s", u)
	}
	return u.Path
}

// toVerify creates a customer on the sign-in page and returns the second
// step's path.
func toVerify(t *testing.T, c *apptest.Client, signin, name string) string {
	t.Helper()
	if p := c.Get(signin); p.StatusCode != http.StatusOK {
		t.Fatalf("sign-in page: %d", p.StatusCode)
	}
	u := location(t, c.Post(signin, url.Values{"choice": {"create"}, "name": {name}}))
	if !strings.HasPrefix(u.Path, "/demo-bank/verify/") {
		t.Fatalf("sign-in led to %s", u)
	}
	return u.Path
}

// confirm types the code shown on the second-step page.
func confirm(t *testing.T, c *apptest.Client, verify string) *url.URL {
	t.Helper()
	p := c.Get(verify)
	code := p.Text(`[data-testid="demo-code"]`)
	if len(code) != 6 {
		t.Fatalf("demo code %q", code)
	}
	return location(t, c.Post(verify, url.Values{"action": {"confirm"}, "code": {code}}))
}

// codeFrom checks a callback redirect and returns its code.
func (e *env) codeFrom(t *testing.T, u *url.URL, f flow) string {
	t.Helper()
	if got := u.Scheme + "://" + u.Host + u.Path; got != e.callback() {
		t.Fatalf("redirected to %s, want the callback", u)
	}
	q := u.Query()
	if q.Get("state") != f.State || q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("callback query %v", q)
	}
	return q.Get("code")
}

// fullFlow runs the pages to a code, with or without the second step.
func (e *env) fullFlow(t *testing.T, f flow, mfa bool) string {
	t.Helper()
	c := e.a.Client(t)
	verify := toVerify(t, c, e.begin(t, c, f), "Alex Tremblay")
	if mfa {
		return e.codeFrom(t, confirm(t, c, verify), f)
	}
	c.Get(verify)
	return e.codeFrom(t, location(t, c.Post(verify, url.Values{"action": {"skip"}})), f)
}

// tokenAnswer is a token endpoint answer, success or error.
type tokenAnswer struct {
	Status      int
	Header      http.Header
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Error       string `json:"error"`
}

// postToken calls the token endpoint over the network, through the real
// middleware (so the bypass is exercised), with HTTP Basic when basic.
func (e *env) postToken(t *testing.T, form url.Values, basic bool, secret string) tokenAnswer {
	t.Helper()
	a, err := e.tryToken(form, basic, secret)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tryToken is postToken for goroutines, which must not call t.Fatal.
func (e *env) tryToken(form url.Values, basic bool, secret string) (tokenAnswer, error) {
	var a tokenAnswer
	if !basic {
		form.Set("client_id", demobank.ClientID)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequest(http.MethodPost, e.a.URL+"/demo-bank/token", strings.NewReader(form.Encode()))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(demobank.ClientID), url.QueryEscape(secret))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return a, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("token answer %d is not JSON: %s", res.StatusCode, body)
	}
	a.Status, a.Header = res.StatusCode, res.Header
	return a, nil
}

func (e *env) exchangeForm(code, verifier string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {e.callback()}, "code_verifier": {verifier},
	}
}

// count returns the rows of one of the bank's tables.
func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	q := map[string]string{
		"customers": `SELECT COUNT(*) FROM partners_demo_customers`,
		"requests":  `SELECT COUNT(*) FROM partners_demo_requests`,
		"codes":     `SELECT COUNT(*) FROM partners_demo_codes`,
		"keys":      `SELECT COUNT(*) FROM partners_demo_keys`,
	}[table]
	var n int
	if err := e.a.DB.R.Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

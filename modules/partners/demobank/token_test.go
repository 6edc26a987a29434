package demobank_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"guichet/modules/partners/demobank"
)

// brokerClaims are the claims the broker reads besides the standard ones.
type brokerClaims struct {
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
	AZP      string   `json:"azp"`
	AuthTime int64    `json:"auth_time"`
}

// exchange runs the broker's code path: discovery through Client,
// oauth2.Config.Exchange with PKCE, then go-oidc's verifier.
func (e *env) exchange(t *testing.T, code string, f flow) (*oidc.IDToken, string) {
	t.Helper()
	ctx := context.Background()
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, e.b.Client()), e.issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{
		ClientID: demobank.ClientID, ClientSecret: e.b.ClientSecret(),
		Endpoint: provider.Endpoint(), RedirectURL: e.callback(), Scopes: []string{oidc.ScopeOpenID},
	}
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, e.b.Client()), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") {
		t.Fatalf("token %+v", tok)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: demobank.ClientID, Now: e.a.Fake.Now}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != f.Nonce {
		t.Fatalf("nonce %q, want %q", idt.Nonce, f.Nonce)
	}
	return idt, raw
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := start(t)
	var doc map[string]any
	res, err := http.Get(e.a.URL + "/demo-bank/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Set-Cookie") != "" {
		t.Error("a machine endpoint set a cookie: it did not bypass sessions/CSRF")
	}
	iss := e.issuer()
	want := map[string]string{
		"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token", "jwks_uri": iss + "/jwks",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %s", k, doc[k], v)
		}
	}
	lists := map[string][]string{
		"response_types_supported":              {"code"},
		"subject_types_supported":               {"public"},
		"id_token_signing_alg_values_supported": {"ES256"},
		"code_challenge_methods_supported":      {"S256"},
		"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      {"openid"},
		"acr_values_supported":                  {demobank.PasswordACR, demobank.MFAACR},
	}
	for k, v := range lists {
		got, _ := json.Marshal(doc[k])
		w, _ := json.Marshal(v)
		if string(got) != string(w) {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	claims, _ := json.Marshal(doc["claims_supported"])
	for _, c := range []string{"acr", "amr", "auth_time", "nonce"} {
		if !strings.Contains(string(claims), `"`+c+`"`) {
			t.Errorf("claims_supported lacks %s: %s", c, claims)
		}
	}

	// The JWKS, through the in-process client at a host that does not
	// even exist: one P-256 signing key.
	res, err = e.b.Client().Get("http://nowhere.invalid/demo-bank/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(set.Keys) != 1 {
		t.Fatalf("%d keys", len(set.Keys))
	}
	k := set.Keys[0]
	if k.KeyID == "" || k.Use != "sig" || k.Algorithm != "ES256" || !k.IsPublic() || !k.Valid() {
		t.Fatalf("key %+v", k)
	}

	// In development the issuer follows the host asked for.
	res, err = e.b.Client().Get("http://127.0.0.1:9999/demo-bank/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	doc = nil
	json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if doc["issuer"] != "http://127.0.0.1:9999/demo-bank" {
		t.Errorf("issuer %v", doc["issuer"])
	}
	// Only the machine endpoints are served in-process.
	res, err = e.b.Client().Get("http://x/demo-bank/authorize")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("authorize through the in-process client: %d", res.StatusCode)
	}
}

func TestExchangeWithSecondStep(t *testing.T) {
	e := start(t)
	f := newFlow()
	code := e.fullFlow(t, f, true)
	idt, raw := e.exchange(t, code, f)
	var cl brokerClaims
	if err := idt.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if strings.Join(cl.AMR, ",") != "pwd,otp,mfa" || cl.ACR != demobank.MFAACR || cl.AZP != demobank.ClientID {
		t.Fatalf("claims %+v", cl)
	}
	if idt.Issuer != e.issuer() || len(idt.Audience) != 1 || idt.Audience[0] != demobank.ClientID {
		t.Fatalf("iss %q aud %v", idt.Issuer, idt.Audience)
	}
	if got := idt.Expiry.Sub(e.a.Fake.Now()); got != 5*time.Minute {
		t.Errorf("lifetime %s", got)
	}
	if cl.AuthTime != e.a.Fake.Now().Unix() {
		t.Errorf("auth_time %d", cl.AuthTime)
	}
	if len(idt.Subject) != 32 {
		t.Errorf("subject %q is not 128-bit hex", idt.Subject)
	}

	// The token's header names the key; its payload says nothing about the
	// customer but the subject, and aud is an array.
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header %+v", h)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	var all map[string]any
	json.Unmarshal(payload, &all)
	if _, ok := all["aud"].([]any); !ok {
		t.Errorf("aud is not an array: %s", payload)
	}
	allowed := map[string]bool{"iss": true, "sub": true, "aud": true, "azp": true, "exp": true, "iat": true, "auth_time": true, "nonce": true, "amr": true, "acr": true}
	for k := range all {
		if !allowed[k] {
			t.Errorf("unexpected claim %q", k)
		}
	}
	if strings.Contains(string(payload), "Tremblay") {
		t.Error("the ID token carries the customer's name")
	}
}

func TestExchangeWithoutSecondStep(t *testing.T) {
	e := start(t)
	cust, err := e.b.CreateCustomer(context.Background(), "  Sam Gagnon ")
	if err != nil {
		t.Fatal(err)
	}
	if cust.Name != "Sam Gagnon" || len(cust.ID) != 32 || !cust.CreatedAt.Equal(e.a.Fake.Now()) {
		t.Fatalf("customer %+v", cust)
	}
	f := newFlow()
	c := e.a.Client(t)
	signin := e.begin(t, c, f)
	p := c.Get(signin)
	if n := p.Doc.Find(`input[type=radio][name=customer]`).Length(); n != 1 {
		t.Fatalf("%d customers listed", n)
	}
	verify := location(t, c.Post(signin, url.Values{"choice": {"pick"}, "customer": {cust.ID}})).Path
	c.Get(verify)
	code := e.codeFrom(t, location(t, c.Post(verify, url.Values{"action": {"skip"}})), f)

	idt, _ := e.exchange(t, code, f)
	var cl brokerClaims
	idt.Claims(&cl)
	if strings.Join(cl.AMR, ",") != "pwd" || cl.ACR != demobank.PasswordACR {
		t.Fatalf("claims %+v", cl)
	}
	if idt.Subject != cust.ID {
		t.Fatalf("sub %q, want %q", idt.Subject, cust.ID)
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	e := start(t)
	secret := e.b.ClientSecret()

	// Both client authentication methods work (each with a fresh code).
	f := newFlow()
	if a := e.postToken(t, e.exchangeForm(e.fullFlow(t, f, true), f.Verifier), true, secret); a.Status != 200 || a.IDToken == "" || a.ExpiresIn != 300 || a.TokenType != "Bearer" {
		t.Fatalf("basic: %+v", a)
	} else if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", a.Header.Get("Cache-Control"))
	}
	f = newFlow()
	if a := e.postToken(t, e.exchangeForm(e.fullFlow(t, f, false), f.Verifier), false, secret); a.Status != 200 || a.IDToken == "" {
		t.Fatalf("post: %+v", a)
	}

	cases := []struct {
		name   string
		mutate func(form map[string][]string)
		basic  bool
		secret string
		status int
		err    string
		// advance moves the clock before the exchange.
		advance time.Duration
	}{
		{name: "wrong secret (basic)", basic: true, secret: secret + "x", status: 401, err: "invalid_client"},
		{name: "wrong secret (post)", secret: "nope", status: 401, err: "invalid_client"},
		{name: "wrong verifier", basic: true, secret: secret, status: 400, err: "invalid_grant",
			mutate: func(f map[string][]string) { f["code_verifier"] = []string{oauth2.GenerateVerifier()} }},
		{name: "wrong redirect_uri", basic: true, secret: secret, status: 400, err: "invalid_grant",
			mutate: func(f map[string][]string) { f["redirect_uri"] = []string{"http://127.0.0.1/elsewhere"} }},
		{name: "unknown code", basic: true, secret: secret, status: 400, err: "invalid_grant",
			mutate: func(f map[string][]string) { f["code"] = []string{"made-up"} }},
		{name: "missing verifier", basic: true, secret: secret, status: 400, err: "invalid_request",
			mutate: func(f map[string][]string) { delete(f, "code_verifier") }},
		{name: "other grant", basic: true, secret: secret, status: 400, err: "unsupported_grant_type",
			mutate: func(f map[string][]string) { f["grant_type"] = []string{"refresh_token"} }},
		{name: "expired code", basic: true, secret: secret, status: 400, err: "invalid_grant", advance: 61 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlow()
			form := e.exchangeForm(e.fullFlow(t, f, true), f.Verifier)
			if tc.mutate != nil {
				tc.mutate(form)
			}
			e.a.Fake.Advance(tc.advance)
			a := e.postToken(t, form, tc.basic, tc.secret)
			if a.Status != tc.status || a.Error != tc.err || a.IDToken != "" {
				t.Fatalf("got %d %q, want %d %q", a.Status, a.Error, tc.status, tc.err)
			}
			if tc.status == 401 && a.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if a.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", a.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	e := start(t)
	f := newFlow()
	form := e.exchangeForm(e.fullFlow(t, f, true), f.Verifier)
	if a := e.postToken(t, form, true, e.b.ClientSecret()); a.Status != 200 {
		t.Fatalf("first use: %+v", a)
	}
	if a := e.postToken(t, form, true, e.b.ClientSecret()); a.Status != 400 || a.Error != "invalid_grant" {
		t.Fatalf("replay: %d %q", a.Status, a.Error)
	}

	// Two redemptions racing: exactly one wins.
	f = newFlow()
	form = e.exchangeForm(e.fullFlow(t, f, false), f.Verifier)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := e.tryToken(cloneValues(form), true, e.b.ClientSecret())
			mu.Lock()
			defer mu.Unlock()
			if err == nil && a.Status == 200 {
				wins++
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d redemptions of one code succeeded", wins)
	}
}

func cloneValues(v map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestSigningKeySurvivesReopening(t *testing.T) {
	e := start(t)
	kid := func(b *demobank.Bank) string {
		res, err := b.Client().Get("http://x/demo-bank/jwks")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var set jose.JSONWebKeySet
		json.NewDecoder(res.Body).Decode(&set)
		return set.Keys[0].KeyID
	}
	again, err := demobank.New(context.Background(), demobank.Deps{DB: e.a.DB, Clock: e.a.Clock, Log: e.a.Log, Keys: e.a.Keys})
	if err != nil {
		t.Fatal(err)
	}
	if kid(again) != kid(e.b) || e.count(t, "keys") != 1 {
		t.Fatalf("kid %q then %q, %d keys stored", kid(e.b), kid(again), e.count(t, "keys"))
	}
	if again.ClientSecret() != e.b.ClientSecret() || len(e.b.ClientSecret()) != 43 {
		t.Fatal("client secret is not stable")
	}
	// The sealed key is bound to its row: it is not stored in the clear.
	var sealed []byte
	e.a.DB.R.Get(&sealed, `SELECT sealed_key FROM partners_demo_keys`)
	if len(sealed) < 40 {
		t.Fatalf("sealed key of %d bytes", len(sealed))
	}

	// A token signed before reopening verifies against the reopened bank.
	f := newFlow()
	code := e.fullFlow(t, f, true)
	e.b = again
	e.exchange(t, code, f)
}

func TestCleanupDeletesExpired(t *testing.T) {
	e := start(t)
	f := newFlow()
	e.fullFlow(t, f, true)               // a finished request and its code
	e.begin(t, e.a.Client(t), newFlow()) // an abandoned request
	if e.count(t, "requests") != 2 || e.count(t, "codes") != 1 {
		t.Fatalf("%d requests, %d codes", e.count(t, "requests"), e.count(t, "codes"))
	}
	n, err := e.b.Cleanup(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("early cleanup: %d, %v", n, err)
	}
	e.a.Fake.Advance(2 * time.Minute)
	if n, err := e.b.Cleanup(context.Background()); err != nil || n != 1 {
		t.Fatalf("cleanup after the code expired: %d, %v", n, err)
	}
	e.a.Fake.Advance(15 * time.Minute)
	if n, err := e.b.Cleanup(context.Background()); err != nil || n != 2 {
		t.Fatalf("cleanup after the requests expired: %d, %v", n, err)
	}
	if e.count(t, "customers") != 1 {
		t.Fatal("cleanup deleted a customer")
	}
}

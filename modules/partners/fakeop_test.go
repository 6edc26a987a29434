package partners_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fakeOP is a partner for tests: a minimal OpenID Connect provider whose
// token endpoint checks the client, the redirect URI and PKCE like a real
// one, and whose ID tokens each test can bend (wrong nonce, expired, no
// acr) to see the broker refuse them.
type fakeOP struct {
	t        *testing.T
	srv      *httptest.Server
	key      *ecdsa.PrivateKey
	clientID string
	secret   string
	now      func() time.Time

	mu     sync.Mutex
	grants map[string]grant
	// tokenCalls counts token requests, to show a refused callback never
	// reached the partner.
	tokenCalls     int
	discoveryCalls int
}

type grant struct {
	nonce, challenge, redirect, sub string
	// bend changes the ID token's claims before signing.
	bend func(claims map[string]any)
}

func newFakeOP(t *testing.T, now func() time.Time) *fakeOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := &fakeOP{t: t, key: key, clientID: "broker-client", secret: "broker-secret-value", now: now, grants: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("POST /token", op.token)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *fakeOP) discovery(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.discoveryCalls++
	op.mu.Unlock()
	iss := op.srv.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
		"jwks_uri": iss + "/jwks", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"ES256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
	})
}

func (op *fakeOP) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &op.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
}

// issue is what the bank does when its customer signs in: it remembers the
// request's nonce and PKCE challenge against a fresh code.
func (op *fakeOP) issue(nonce, challenge, redirect, sub string, bend func(map[string]any)) string {
	b := make([]byte, 16)
	rand.Read(b)
	code := hex.EncodeToString(b)
	op.mu.Lock()
	op.grants[code] = grant{nonce: nonce, challenge: challenge, redirect: redirect, sub: sub, bend: bend}
	op.mu.Unlock()
	return code
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.tokenCalls++
	op.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != op.clientID || secret != op.secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	op.mu.Lock()
	g, found := op.grants[r.PostFormValue("code")]
	delete(op.grants, r.PostFormValue("code"))
	op.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if !found || g.redirect != r.PostFormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := op.now()
	claims := map[string]any{
		"iss": op.srv.URL, "sub": g.sub, "aud": op.clientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"amr": []string{"pwd", "otp", "mfa"}, "acr": "bank:mfa",
	}
	if g.bend != nil {
		g.bend(claims)
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": op.sign(claims)})
}

func (op *fakeOP) sign(claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: op.key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		op.t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		op.t.Fatal(err)
	}
	return raw
}

func (op *fakeOP) discoveries() int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.discoveryCalls
}

func (op *fakeOP) calls() int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.tokenCalls
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

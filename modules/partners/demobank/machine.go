package demobank

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"guichet/db"
)

// machineHandler serves the back-channel endpoints: discovery, JWKS and
// token. Routes mounts it on echo; Client calls it in-process.
func (b *Bank) machineHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+discoveryPath, b.discovery)
	mux.HandleFunc("GET "+jwksPath, b.serveJWKS)
	mux.HandleFunc("POST "+tokenPath, b.token)
	return mux
}

// discoveryDoc is the OpenID Provider metadata.
type discoveryDoc struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	ResponseTypes         []string `json:"response_types_supported"`
	SubjectTypes          []string `json:"subject_types_supported"`
	SigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypes            []string `json:"grant_types_supported"`
	Scopes                []string `json:"scopes_supported"`
	Claims                []string `json:"claims_supported"`
	ACRValues             []string `json:"acr_values_supported"`
	UILocales             []string `json:"ui_locales_supported"`
}

func (b *Bank) discovery(w http.ResponseWriter, r *http.Request) {
	iss := b.Issuer(r)
	writeJSON(w, http.StatusOK, discoveryDoc{
		Issuer:                iss,
		AuthorizationEndpoint: iss + "/authorize",
		TokenEndpoint:         iss + "/token",
		JWKSURI:               iss + "/jwks",
		ResponseTypes:         []string{"code"},
		SubjectTypes:          []string{"public"},
		SigningAlgs:           []string{"ES256"},
		CodeChallengeMethods:  []string{"S256"},
		TokenAuthMethods:      []string{"client_secret_basic", "client_secret_post"},
		GrantTypes:            []string{"authorization_code"},
		Scopes:                []string{"openid"},
		Claims:                []string{"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "acr", "amr"},
		ACRValues:             []string{PasswordACR, MFAACR},
		UILocales:             []string{"en", "fr"},
	})
}

func (b *Bank) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, b.jwks())
}

// tokenResponse is the answer to a good code exchange.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
}

// oauthError is an RFC 6749 section 5.2 error.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="demo-bank"`)
	}
	writeJSON(w, status, oauthError{Error: code, Description: desc})
}

// token exchanges an authorization code for an ID token.
func (b *Bank) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the request body is not a form")
		return
	}
	f := r.PostForm
	if !b.clientAuthenticated(r, f) {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	for _, k := range []string{"grant_type", "code", "redirect_uri", "code_verifier"} {
		if len(f[k]) > 1 {
			tokenError(w, http.StatusBadRequest, "invalid_request", k+" is repeated")
			return
		}
	}
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code, redirectURI, verifier := f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier")
	switch {
	case code == "" || redirectURI == "":
		tokenError(w, http.StatusBadRequest, "invalid_request", "code and redirect_uri are required")
		return
	case !validVerifier(verifier):
		tokenError(w, http.StatusBadRequest, "invalid_request", "code_verifier is required (PKCE, RFC 7636)")
		return
	}

	c, err := b.redeemCode(r.Context(), code)
	if errors.Is(err, db.ErrNoRows) {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code is unknown or was already used")
		return
	}
	if err != nil {
		b.log.Error("demo bank token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	now := b.clock.Now()
	switch {
	case !now.Before(c.ExpiresAt):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code has expired")
		return
	case c.ClientID != ClientID || c.RedirectURI != redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the code was issued to another client or redirect_uri")
		return
	case !pkceMatches(c.CodeChallenge, verifier):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	idt, err := b.idToken(c, now)
	if err != nil {
		b.log.Error("demo bank token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: randomToken(32), TokenType: "Bearer", ExpiresIn: int(tokenTTL.Seconds()), IDToken: idt,
	})
}

// clientAuthenticated checks the client's credentials, sent either with
// HTTP Basic (id and secret form-urlencoded first, as RFC 6749 2.3.1 and
// golang.org/x/oauth2 do) or in the form body, never both.
func (b *Bank) clientAuthenticated(r *http.Request, f url.Values) bool {
	id, secret, basic := r.BasicAuth()
	if basic {
		if f.Has("client_secret") {
			return false
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return false
		}
		if f.Has("client_id") && f.Get("client_id") != id {
			return false
		}
	} else {
		if len(f["client_id"]) != 1 || len(f["client_secret"]) != 1 {
			return false
		}
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(ClientID))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(b.secret))
	return idOK&secretOK == 1
}

// validVerifier checks a PKCE code_verifier's shape: 43 to 128 unreserved
// characters (RFC 7636 section 4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	return strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == ""
}

// validChallenge checks an S256 code_challenge's shape: base64url of a
// SHA-256, 43 characters.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil
}

// pkceMatches compares BASE64URL(SHA256(verifier)) with the challenge in
// constant time.
func pkceMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Package demobank is the Demo Bank: a small but real OpenID Connect
// provider built into Guichet as a test Sign-In Partner. It serves
// discovery, a JWKS, an authorization endpoint with its own sign-in and
// second-step pages, and a token endpoint issuing ES256 ID tokens, so the
// broker's whole round trip (redirect, code exchange with PKCE, ID token
// validation) runs for real in development and in browser tests.
//
// It only knows made-up customers and one client, the broker.
package demobank

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"

	"guichet/app/clock"
	"guichet/app/keys"
	"guichet/db"
)

// ClientID is the one registered client: Guichet's Sign-In Partner broker.
const ClientID = "guichet-broker"

// The acr values the bank reports: with the second step done, or with the
// password only.
const (
	MFAACR      = "urn:guichet:demo-bank:mfa"
	PasswordACR = "urn:guichet:demo-bank:pwd"
)

// Lifetimes and limits.
const (
	requestTTL   = 15 * time.Minute
	codeTTL      = 60 * time.Second
	tokenTTL     = 5 * time.Minute
	maxWrongOTP  = 5
	maxParamLen  = 512
	maxNameLen   = 80
	listedPeople = 20
)

// Paths, relative to the site root.
const (
	basePath      = "/demo-bank"
	discoveryPath = basePath + "/.well-known/openid-configuration"
	jwksPath      = basePath + "/jwks"
	tokenPath     = basePath + "/token"
	authorizePath = basePath + "/authorize"
	callbackPath  = "/partners/callback"
)

// Deps are what the bank needs.
type Deps struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	Keys  *keys.Ring
	// BaseURL is the public URL ("https://guichet.example"), or "" in
	// development, where the issuer follows the request's host.
	BaseURL string
}

// Bank is the Demo Bank.
type Bank struct {
	db      *db.DB
	clock   clock.Clock
	log     *slog.Logger
	baseURL string
	secret  string

	kid    string
	key    *ecdsa.PrivateKey
	signer jose.Signer

	// machine serves discovery, JWKS and token, both through echo and
	// in-process through Client.
	machine http.Handler
}

// New loads the signing key from the database, creating it the first time.
func New(ctx context.Context, d Deps) (*Bank, error) {
	b := &Bank{
		db: d.DB, clock: d.Clock, log: d.Log,
		baseURL: strings.TrimSuffix(d.BaseURL, "/"),
		secret:  base64.RawURLEncoding.EncodeToString(d.Keys.Subkey(keys.PurposeDemoBankClient)),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	kid, key, err := loadOrCreateKey(ctx, d.DB, d.Keys, d.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("demo bank signing key: %w", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("demo bank signer: %w", err)
	}
	b.kid, b.key, b.signer = kid, key, signer
	b.machine = b.machineHandler()
	return b, nil
}

// Routes mounts every /demo-bank/ route on the root echo instance.
func (b *Bank) Routes(e *echo.Echo) {
	// Back channel: called by the broker's server, never by a browser
	// form. MachinePaths lists them so they skip sessions and CSRF.
	machine := echo.WrapHandler(b.machine)
	e.GET(discoveryPath, machine)
	e.GET(jwksPath, machine)
	e.POST(tokenPath, machine)

	// Front channel: the browser's pages.
	e.GET(authorizePath, b.authorize)
	e.GET(basePath+"/signin/:id", b.signinShow)
	e.POST(basePath+"/signin/:id", b.signinSave)
	e.GET(basePath+"/verify/:id", b.verifyShow)
	e.POST(basePath+"/verify/:id", b.verifySave)
	e.POST(basePath+"/cancel/:id", b.cancel)
}

// MachinePaths are the exact paths other servers call: discovery, JWKS
// and token.
func (b *Bank) MachinePaths() []string {
	return []string{discoveryPath, jwksPath, tokenPath}
}

// Issuer is the issuer URL for a request: fixed by BaseURL when set;
// otherwise (development, plain http on loopback) it follows the host the
// request came to.
func (b *Bank) Issuer(r *http.Request) string {
	return b.origin(r) + basePath
}

// origin is the site's scheme and host as the issuer sees it.
func (b *Bank) origin(r *http.Request) string {
	if b.baseURL != "" {
		return b.baseURL
	}
	return "http://" + r.Host
}

// ClientSecret is the broker's client secret, derived from the root
// secret, base64url without padding.
func (b *Bank) ClientSecret() string { return b.secret }

// Cleanup deletes expired authorization requests and codes.
func (b *Bank) Cleanup(ctx context.Context) (int64, error) {
	return cleanup(ctx, b.db, b.clock.Now())
}

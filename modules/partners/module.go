// Package partners is the Sign-In Partner broker: a person picks their
// bank, leaves for a moment to sign in there by OpenID Connect, and comes
// back signed in, while the bank never learns which service they use and
// the service never learns which bank.
//
// The broker is the only place that knows a bank's name for a person. It
// maps (partner, subject) to a partner credential ("partner:<uuid>") and
// hands that to app/identity, which gives each service only a pairwise id.
// Nothing about the service goes to the bank: the service and the page
// language wait in the session, never in state or the redirect URI.
package partners

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/keys"
	"guichet/app/web"
	"guichet/db"
)

// Demo is what the broker needs from the built-in demo bank.
type Demo interface {
	// Issuer is the demo bank's issuer as seen from this request (its
	// host, in dev without a base URL).
	Issuer(r *http.Request) string
	ClientSecret() string
	// Client reaches the demo bank's discovery, keys and token endpoints
	// in-process.
	Client() *http.Client
}

// DemoSettings describe the built-in demo partner on the chooser.
type DemoSettings struct {
	Bank     Demo
	ClientID string
	// MFAACR is the acr value by which the demo bank reports its second
	// step.
	MFAACR string
}

// Deps are what the broker uses.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Keys     *keys.Ring
	Sessions *web.Sessions
	Identity *identity.Sessions
	Audit    *audit.Log
	// Settings are the configured partners (app.Config.Partners).
	Settings []app.PartnerSettings
	// Demo is the built-in test partner, nil when it is off.
	Demo *DemoSettings
	// BaseURL is the public URL the redirect URI starts with; empty in dev,
	// where the request's own host is used.
	BaseURL string
	// HTTP reaches real partners; nil means a client with timeouts.
	HTTP *http.Client
}

// Module is the broker.
type Module struct {
	db       *db.DB
	clock    clock.Clock
	log      *slog.Logger
	sessions *web.Sessions
	identity *identity.Sessions
	audit    *audit.Log
	store    *Store
	baseURL  string
	list     []*partner
	byID     map[string]*partner
}

// Timeouts for talking to a partner: a bank that does not answer must not
// hold a person's page for long.
const (
	discoveryTimeout = 10 * time.Second
	exchangeTimeout  = 15 * time.Second
	// loginTTL is how long a person may spend at the bank.
	loginTTL = 10 * time.Minute
	// providerTTL is how long a discovery document is trusted before it is
	// fetched again (key rotation is handled by go-oidc on unknown kids).
	providerTTL = time.Hour
)

// New builds the broker. Nothing is fetched from any partner here.
func New(d Deps) *Module {
	m := &Module{db: d.DB, clock: d.Clock, log: d.Log, sessions: d.Sessions, identity: d.Identity,
		audit: d.Audit, store: NewStore(d.DB, d.Keys, d.Clock), baseURL: d.BaseURL, byID: map[string]*partner{}}
	client := d.HTTP
	if client == nil {
		client = &http.Client{Timeout: exchangeTimeout}
	}
	if d.Demo != nil {
		m.add(&partner{
			settings: app.PartnerSettings{ID: app.DemoPartnerID, NameEN: i18n.In(i18n.EN, "demobank.name"), NameFR: i18n.In(i18n.FR, "demobank.name"),
				ClientID: d.Demo.ClientID, ClientSecret: d.Demo.Bank.ClientSecret(), MFAACR: []string{d.Demo.MFAACR}},
			demo: d.Demo.Bank, client: d.Demo.Bank.Client(),
		})
	}
	for _, s := range d.Settings {
		if s.On() {
			m.add(&partner{settings: s, client: client})
		}
	}
	return m
}

func (m *Module) add(p *partner) {
	p.providers = map[string]cachedProvider{}
	m.list = append(m.list, p)
	m.byID[p.settings.ID] = p
}

// Chooser lists the partners for the services' sign-in choosers.
func (m *Module) Chooser() []identity.Partner {
	out := make([]identity.Partner, 0, len(m.list))
	for _, p := range m.list {
		out = append(out, p.chooser())
	}
	return out
}

// Routes adds the broker's pages to a language group.
func (m *Module) Routes(g *echo.Group) {
	g.GET("/partners/", m.indexShow)
	g.GET("/partners/signed-in", m.signedInShow)
	g.GET("/partners/failed", m.failedShow)
	g.GET("/partners/:id", m.leavingShow)
	g.GET("/partners/:id/go", m.start)
}

// RootRoutes adds the one language-neutral route: the callback every
// partner sends people back to.
func (m *Module) RootRoutes(e *echo.Echo) {
	e.GET(CallbackPath, m.callback)
}

// CallbackPath is the broker's redirect URI path, the same for every
// partner and every service.
const CallbackPath = "/partners/callback"

// redirectURI is the absolute callback URL partners send people back to.
func (m *Module) redirectURI(r *http.Request) string {
	return origin(m.baseURL, r) + CallbackPath
}

// origin is the public origin: the base URL, or in dev (no base URL) the
// request's own host, so the cookie set there is the one that comes back.
func origin(baseURL string, r *http.Request) string {
	if baseURL != "" {
		return baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

package partners

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"guichet/app"
	"guichet/app/identity"
)

// partner is one configured Sign-In Partner and its discovery cache.
type partner struct {
	settings app.PartnerSettings
	// demo is set for the built-in demo bank, whose issuer depends on the
	// host it is reached at in dev.
	demo   Demo
	client *http.Client

	mu sync.Mutex
	// providers caches discovery per issuer (one, except for the demo
	// bank reached under two host names in dev).
	providers map[string]cachedProvider
}

type cachedProvider struct {
	p       *oidc.Provider
	fetched time.Time
}

func (p *partner) available() bool { return p.demo != nil || p.settings.Available() }

func (p *partner) name(lang string) string {
	if lang == "fr" {
		return p.settings.NameFR
	}
	return p.settings.NameEN
}

func (p *partner) chooser() identity.Partner {
	return identity.Partner{ID: p.settings.ID, NameEN: p.settings.NameEN, NameFR: p.settings.NameFR,
		Available: p.available(), Test: p.demo != nil}
}

// issuer is the issuer expected for a sign-in started by r.
func (p *partner) issuer(r *http.Request) string {
	if p.demo != nil {
		return p.demo.Issuer(r)
	}
	return p.settings.Issuer
}

// provider returns the partner's discovered configuration, fetching it on
// first use and again after providerTTL. A failed fetch is not cached, so
// a partner that comes back is usable at once. The lock makes concurrent
// first sign-ins share one fetch.
func (p *partner) provider(ctx context.Context, issuer string, now time.Time) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.providers[issuer]; ok && now.Sub(c.fetched) < providerTTL {
		return c.p, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.client), discoveryTimeout)
	defer cancel()
	prov, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	p.providers[issuer] = cachedProvider{p: prov, fetched: now}
	return prov, nil
}

// mfa tells whether the partner reported a second factor: an "mfa"
// authentication method (RFC 8176), or an acr value the partner is
// configured to use for it.
func (p *partner) mfa(acr string, amr []string) bool {
	if slices.Contains(amr, "mfa") {
		return true
	}
	return acr != "" && slices.Contains(p.settings.MFAACR, acr)
}

package partners

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/partners/views"
	"guichet/templates"
)

// keyLogin holds the sign-in in progress. It is the only thing that ties
// a callback to the browser that started it.
const keyLogin = "partners.login"

// login is a sign-in waiting for the partner's answer.
type login struct {
	Partner  string    `json:"p"`
	Issuer   string    `json:"i"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Lang     string    `json:"l"`
	Started  time.Time `json:"t"`
}

// Failure reasons, each with its own explanation on the failure page.
const (
	failCancelled   = "cancelled"
	failExpired     = "expired"
	failUnreachable = "unreachable"
	failRefused     = "refused"
)

func validReason(r string) bool {
	switch r {
	case failCancelled, failExpired, failUnreachable, failRefused:
		return true
	}
	return false
}

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (m *Module) oauth(p *partner, prov *oidc.Provider, r *http.Request) *oauth2.Config {
	ep := prov.Endpoint()
	if p.demo != nil {
		ep.AuthStyle = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{ClientID: p.settings.ClientID, ClientSecret: p.settings.ClientSecret,
		Endpoint: ep, RedirectURL: m.redirectURI(r), Scopes: []string{oidc.ScopeOpenID}}
}

// start sends the person to the partner with a fresh state, nonce and PKCE
// verifier kept in the session. The authorization request names only the
// broker (client id and redirect URI): never the service.
func (m *Module) start(c echo.Context) error {
	p, ok := m.byID[c.Param("id")]
	if !ok {
		return echo.ErrNotFound
	}
	lang := web.Lang(c)
	if !p.available() {
		return web.Redirect(c, web.URL(c, "/partners/"+p.settings.ID))
	}
	r := c.Request()
	ctx := r.Context()
	issuer := p.issuer(r)
	prov, err := p.provider(ctx, issuer, m.clock.Now())
	if err != nil {
		m.log.Warn("partner discovery failed", "partner", p.settings.ID, "err", err)
		return m.fail(c, lang, failUnreachable)
	}
	state, err1 := random()
	nonce, err2 := random()
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	raw, err := json.Marshal(login{Partner: p.settings.ID, Issuer: issuer, State: state, Nonce: nonce,
		Verifier: verifier, Lang: lang, Started: m.clock.Now().UTC()})
	if err != nil {
		return err
	}
	m.sessions.Put(ctx, keyLogin, string(raw))
	to := m.oauth(p, prov, r).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("ui_locales", lang))
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	// The page the person came from names the service (?service=ircc); the
	// bank must not learn it from the Referer either.
	h.Set("Referrer-Policy", "no-referrer")
	return c.Redirect(http.StatusSeeOther, to)
}

// callback finishes a sign-in. Whatever happens, the sign-in in progress
// is used up, so a callback URL replayed or forwarded to another browser
// finds nothing to complete.
func (m *Module) callback(c echo.Context) error {
	r := c.Request()
	ctx := r.Context()
	q := r.URL.Query()
	raw := m.sessions.PopString(ctx, keyLogin)
	var l login
	if raw == "" || json.Unmarshal([]byte(raw), &l) != nil {
		m.log.Info("partner callback without a sign-in in progress")
		return m.fail(c, preferredLang(r), failExpired)
	}
	lang := l.Lang
	if !i18n.Valid(lang) {
		lang = i18n.EN
	}
	if m.clock.Now().Sub(l.Started) > loginTTL {
		m.log.Info("partner callback after the sign-in expired", "partner", l.Partner)
		return m.fail(c, lang, failExpired)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.State)) != 1 {
		m.log.Warn("partner callback with the wrong state", "partner", l.Partner)
		return m.fail(c, lang, failExpired)
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return m.fail(c, lang, failCancelled)
		}
		m.log.Warn("partner answered with an error", "partner", l.Partner, "error", clip(e), "description", clip(q.Get("error_description")))
		return m.fail(c, lang, failRefused)
	}
	p, ok := m.byID[l.Partner]
	if !ok || !p.available() || q.Get("code") == "" {
		return m.fail(c, lang, failRefused)
	}
	mfa, subject, reason := m.verify(ctx, p, l, q.Get("code"), r)
	if reason != "" {
		return m.fail(c, lang, reason)
	}
	cred, created, err := m.store.Credential(ctx, p.settings.ID, subject)
	if err != nil {
		return err
	}
	if err := m.identity.PartnerVerified(ctx, cred, mfa, m.clock.Now()); err != nil {
		return err
	}
	ip, ua := web.Client(c)
	detail := "sign-in partner"
	if created {
		detail = "sign-in partner, first sign-in"
	}
	// The event names the credential, never the bank: the broker's own
	// table is the one place that links the two.
	if err := m.audit.Credential(ctx, m.db.W, string(cred), audit.SignIn, ip, ua, detail); err != nil {
		return err
	}
	svc := m.identity.Pending(ctx)
	if !identity.ValidService(svc) {
		return web.Redirect(c, "/"+lang+"/partners/signed-in")
	}
	if err := m.identity.Land(ctx, svc); err != nil {
		return err
	}
	return web.Redirect(c, "/"+lang+"/"+svc+"/")
}

// verify exchanges the code (with the PKCE verifier) and checks the ID
// token: signature, issuer, audience and expiry by go-oidc, then the
// nonce. It returns the failure reason, or "" with the result.
func (m *Module) verify(ctx context.Context, p *partner, l login, code string, r *http.Request) (mfa bool, subject, reason string) {
	prov, err := p.provider(ctx, l.Issuer, m.clock.Now())
	if err != nil {
		m.log.Warn("partner discovery failed at callback", "partner", p.settings.ID, "err", err)
		return false, "", failUnreachable
	}
	xctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, p.client), exchangeTimeout)
	defer cancel()
	tok, err := m.oauth(p, prov, r).Exchange(xctx, code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			m.log.Warn("partner refused the code", "partner", p.settings.ID, "error", re.ErrorCode)
			return false, "", failRefused
		}
		m.log.Warn("partner token endpoint unreachable", "partner", p.settings.ID, "err", err)
		return false, "", failUnreachable
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		m.log.Warn("partner sent no ID token", "partner", p.settings.ID)
		return false, "", failRefused
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: p.settings.ClientID, Now: m.clock.Now}).Verify(ctx, rawID)
	if err != nil {
		m.log.Warn("partner ID token rejected", "partner", p.settings.ID, "err", err)
		return false, "", failRefused
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		m.log.Warn("partner ID token with the wrong nonce", "partner", p.settings.ID)
		return false, "", failRefused
	}
	if idt.Subject == "" {
		return false, "", failRefused
	}
	var claims struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil {
		m.log.Warn("partner ID token claims unreadable", "partner", p.settings.ID, "err", err)
		return false, "", failRefused
	}
	return p.mfa(claims.ACR, claims.AMR), idt.Subject, ""
}

// fail ends a sign-in on the failure page in the person's language.
func (m *Module) fail(c echo.Context, lang, reason string) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return web.Redirect(c, "/"+lang+"/partners/failed?reason="+reason)
}

// preferredLang guesses the language of a callback that carries no
// sign-in: French when the browser puts it first.
func preferredLang(r *http.Request) string {
	if strings.HasPrefix(strings.TrimSpace(strings.ToLower(r.Header.Get("Accept-Language"))), "fr") {
		return i18n.FR
	}
	return i18n.EN
}

// clip keeps what a partner sent from flooding the log.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// back is where "try again" leads: the chooser of the service the person
// was signing in to, or the list of partners.
func (m *Module) back(c echo.Context) string {
	if svc := m.identity.Pending(c.Request().Context()); identity.ValidService(svc) {
		return web.URL(c, "/"+svc+"/")
	}
	return web.URL(c, "/partners/")
}

func (m *Module) failedShow(c echo.Context) error {
	reason := c.QueryParam("reason")
	if !validReason(reason) {
		reason = failRefused
	}
	return web.Render(c, http.StatusOK, views.Failed(views.FailedView{Reason: reason, Back: m.back(c)}))
}

// leavingShow is the page between the chooser and the bank: it says the
// person is about to leave the site and what the bank will and will not
// learn.
func (m *Module) leavingShow(c echo.Context) error {
	p, ok := m.byID[c.Param("id")]
	if !ok {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if svc := c.QueryParam("service"); svc != "" {
		m.identity.SetPending(ctx, svc)
	} else {
		// From the partners page, for no service in particular.
		m.identity.ClearPending(ctx)
	}
	lang := web.Lang(c)
	v := views.LeavingView{Name: p.name(lang), Test: p.demo != nil, Back: m.back(c)}
	if !p.available() {
		return web.Render(c, http.StatusOK, views.Unavailable(v))
	}
	v.Go = web.URL(c, "/partners/"+p.settings.ID+"/go")
	return web.Render(c, http.StatusOK, views.Leaving(v))
}

func (m *Module) indexShow(c echo.Context) error {
	lang := web.Lang(c)
	var links []templates.PartnerLink
	for _, p := range m.list {
		links = append(links, templates.PartnerLink{Name: p.name(lang), Href: web.URL(c, "/partners/"+p.settings.ID),
			Test: p.demo != nil, Unavailable: !p.available()})
	}
	return web.Render(c, http.StatusOK, views.Index(links))
}

// signedInShow is where a sign-in started from the partners page (for no
// particular service) lands: the person picks the service.
func (m *Module) signedInShow(c echo.Context) error {
	st := m.identity.Current(c.Request().Context())
	if !st.SignedIn() || st.Method != identity.KindPartner {
		return web.Redirect(c, web.URL(c, "/partners/"))
	}
	var svcs []views.ServiceLink
	for _, s := range []string{"ircc", "pt", "cipo"} {
		svcs = append(svcs, views.ServiceLink{NameKey: "service." + s + ".title", DescKey: "service." + s + ".desc", Href: web.URL(c, "/"+s+"/")})
	}
	return web.Render(c, http.StatusOK, views.SignedIn(svcs))
}

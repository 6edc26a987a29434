package identity

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/templates"
)

// Entry describes a service's entry page.
type Entry struct {
	Service string
	// NameKey is the catalog key of the service's name.
	NameKey string
	// DelayNotice shows "up to 5 days" (the secure account).
	DelayNotice bool
	// Home serves the service's home to a person holding its Principal.
	Home     echo.HandlerFunc
	Partners []Partner
	// AppOnly admits only a GCKey whose second factor was the
	// authenticator app (IRCC staff): no Sign-In Partner, no email code.
	AppOnly bool
}

// admits tells whether the entry accepts the signed-in credential.
func (e Entry) admits(st State) bool {
	return !e.AppOnly || (st.Method == KindGCKey && st.Factor == FactorApp)
}

// MountEntry adds GET /{service}/ (the chooser, the enrolment page on a
// credential's first arrival, one "Continue" for a person already signed
// in, or the home), POST /{service}/continue and POST /{service}/switch.
func (s *Sessions) MountEntry(g *echo.Group, e Entry) {
	s.entriesMu.Lock()
	s.entries[e.Service] = e
	s.entriesMu.Unlock()
	entry := func(c echo.Context) string { return "/" + web.Lang(c) + "/" + e.Service + "/" }
	g.GET("/"+e.Service+"/", func(c echo.Context) error {
		ctx := c.Request().Context()
		if _, ok := s.Principal(ctx, e.Service); ok {
			return e.Home(c)
		}
		lang := web.Lang(c)
		name := i18n.In(lang, e.NameKey)
		st := s.Current(ctx)
		if s.usable(st) && !e.admits(st) {
			return web.Render(c, http.StatusForbidden, templates.AppOnly(templates.AppOnlyView{ServiceName: name, Switch: entry(c) + "switch"}))
		}
		if s.usable(st) {
			known, err := s.store.Known(ctx, st.Cred, e.Service)
			if err != nil {
				return err
			}
			if !known {
				return web.Render(c, http.StatusOK, templates.Enrol(templates.EnrolView{
					ServiceName: name, Partner: st.Method == KindPartner,
					Action: entry(c) + "continue", Switch: entry(c) + "switch",
				}))
			}
			return web.Render(c, http.StatusOK, templates.ContinueTo(templates.ContinueView{
				ServiceName: name, Action: entry(c) + "continue",
			}))
		}
		v := templates.ChooserView{ServiceName: name, Service: e.Service, DelayNotice: e.DelayNotice, GCKeyOnly: e.AppOnly, AppOnly: e.AppOnly}
		for _, p := range e.Partners {
			v.Partners = append(v.Partners, templates.PartnerLink{
				Name: p.Name(lang), Test: p.Test, Unavailable: !p.Available,
				Href: "/" + lang + "/partners/" + p.ID + "?service=" + e.Service,
			})
		}
		return web.Render(c, http.StatusOK, templates.Chooser(v))
	})
	g.POST("/"+e.Service+"/continue", func(c echo.Context) error {
		ctx := c.Request().Context()
		st := s.Current(ctx)
		if !s.usable(st) || !e.admits(st) {
			return web.Redirect(c, entry(c))
		}
		// An account is created only when the person confirmed it on the
		// enrolment page, having read that another way in leads elsewhere.
		known, err := s.store.Known(ctx, st.Cred, e.Service)
		if err != nil {
			return err
		}
		if !known && c.FormValue("enrol") != "yes" {
			return web.Redirect(c, entry(c))
		}
		if _, err := s.Issue(ctx, e.Service); err != nil {
			return err
		}
		return web.Redirect(c, entry(c))
	})
	// "Sign out and choose another way" from the enrolment page: nothing
	// was created, and the chooser is shown again.
	g.POST("/"+e.Service+"/switch", func(c echo.Context) error {
		if err := s.SignOut(c.Request().Context()); err != nil {
			return err
		}
		return web.Redirect(c, entry(c))
	})
}

// usable tells whether the signed-in credential may be handed to a
// service: a GCKey only after its second factor.
func (s *Sessions) usable(st State) bool {
	if !st.SignedIn() {
		return false
	}
	return st.Method != KindGCKey || st.AAL >= AAL2
}

// Require lets a request through only with the service's Principal;
// anyone else goes to the service's entry page.
func (s *Sessions) Require(service string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, ok := s.Principal(c.Request().Context(), service); !ok {
				return web.Redirect(c, "/"+web.Lang(c)+"/"+service+"/")
			}
			return next(c)
		}
	}
}

// RequireLevel lets a request through only with the service's Principal at
// level or above. A Principal below it (a bank that reported no second
// factor) goes to the service's own second-factor page, stepUp, a path
// after the language prefix; anyone else goes to the entry page.
func (s *Sessions) RequireLevel(service string, level int, stepUp string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := s.Principal(c.Request().Context(), service)
			if !ok {
				return web.Redirect(c, "/"+web.Lang(c)+"/"+service+"/")
			}
			if p.AAL < level {
				return web.Redirect(c, web.URL(c, stepUp))
			}
			return next(c)
		}
	}
}

// PrincipalOf returns the request's Principal for a service, for handlers
// behind Require.
func (s *Sessions) PrincipalOf(c echo.Context, service string) Principal {
	p, _ := s.Principal(c.Request().Context(), service)
	return p
}

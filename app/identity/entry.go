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
}

// MountEntry adds GET /{service}/ (the chooser, one "Continue" for a
// person already signed in, or the home) and POST /{service}/continue.
func (s *Sessions) MountEntry(g *echo.Group, e Entry) {
	g.GET("/"+e.Service+"/", func(c echo.Context) error {
		ctx := c.Request().Context()
		if _, ok := s.Principal(ctx, e.Service); ok {
			return e.Home(c)
		}
		lang := web.Lang(c)
		name := i18n.In(lang, e.NameKey)
		if s.usable(s.Current(ctx)) {
			return web.Render(c, http.StatusOK, templates.ContinueTo(templates.ContinueView{
				ServiceName: name, Action: "/" + lang + "/" + e.Service + "/continue",
			}))
		}
		v := templates.ChooserView{ServiceName: name, Service: e.Service, DelayNotice: e.DelayNotice}
		for _, p := range e.Partners {
			v.Partners = append(v.Partners, templates.PartnerLink{Name: p.Name(lang), Href: "/" + lang + "/partners/" + p.ID + "?service=" + e.Service})
		}
		return web.Render(c, http.StatusOK, templates.Chooser(v))
	})
	g.POST("/"+e.Service+"/continue", func(c echo.Context) error {
		ctx := c.Request().Context()
		lang := web.Lang(c)
		if !s.usable(s.Current(ctx)) {
			return web.Redirect(c, "/"+lang+"/"+e.Service+"/")
		}
		if _, err := s.Issue(ctx, e.Service); err != nil {
			return err
		}
		return web.Redirect(c, "/"+lang+"/"+e.Service+"/")
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

// PrincipalOf returns the request's Principal for a service, for handlers
// behind Require.
func (s *Sessions) PrincipalOf(c echo.Context, service string) Principal {
	p, _ := s.Principal(c.Request().Context(), service)
	return p
}

package apptest

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
)

// TestCred is the credential the test-only sign-in route uses.
const TestCred = "gckey:00000000-0000-4000-8000-000000000001"

// mountTestRoutes adds routes that exist only in tests: a way to be signed
// in before the credential modules exist, a signed-in page with a form, and
// a route that panics.
func mountTestRoutes(srv *app.Server, k *app.Kernel) {
	for _, g := range srv.Langs {
		g.GET("/test/sign-in", func(c echo.Context) error {
			ctx := c.Request().Context()
			if err := k.Sessions.RenewToken(ctx); err != nil {
				return err
			}
			k.Sessions.Put(ctx, web.KeyCred, TestCred)
			return web.Redirect(c, "/"+web.Lang(c)+"/test/signed-in")
		})
		// Password checked for a credential (query "cred", or a fresh one),
		// as the GCKey sign-in leaves the session, so second-factor pages
		// can be tested on their own.
		g.GET("/test/password-verified", func(c echo.Context) error {
			cred := identity.Ref(c.QueryParam("cred"))
			if cred == "" {
				var err error
				if cred, err = identity.NewRef(identity.KindGCKey); err != nil {
					return err
				}
			}
			if err := k.Identity.PasswordVerified(c.Request().Context(), cred); err != nil {
				return err
			}
			k.Identity.SetPending(c.Request().Context(), c.QueryParam("service"))
			return c.String(http.StatusOK, string(cred))
		})
		// Second factor checked, as the two-factor page leaves the session.
		g.GET("/test/second-factor", func(c echo.Context) error {
			factor := c.QueryParam("factor")
			if factor == "" {
				factor = identity.FactorApp
			}
			if err := k.Identity.SecondFactorVerified(c.Request().Context(), k.Clock.Now(), factor); err != nil {
				return err
			}
			return c.String(http.StatusOK, "aal2")
		})
		// A service that receives the Principal, standing in for the
		// service modules until they exist.
		g.GET("/test/service/:service", func(c echo.Context) error {
			p, ok := k.Identity.Principal(c.Request().Context(), c.Param("service"))
			if !ok {
				return c.String(http.StatusUnauthorized, "no principal")
			}
			return c.String(http.StatusOK, p.Service+"|"+p.PairwiseID+"|"+p.Method+"|"+strconv.Itoa(p.AAL))
		})
		// A service's own second factor passed, as a service's step-up page
		// (CIPO's 2-step verification) records it.
		g.GET("/test/raise/:service", func(c echo.Context) error {
			if err := k.Identity.Raise(c.Request().Context(), c.Param("service"), k.Clock.Now(), identity.FactorApp); err != nil {
				return c.String(http.StatusUnauthorized, err.Error())
			}
			return c.String(http.StatusOK, "raised")
		})
		// The second factor behind a service's Principal.
		g.GET("/test/factor/:service", func(c echo.Context) error {
			p, ok := k.Identity.Principal(c.Request().Context(), c.Param("service"))
			if !ok {
				return c.String(http.StatusUnauthorized, "no principal")
			}
			return c.String(http.StatusOK, p.Factor)
		})
		g.GET("/test/signed-in", func(c echo.Context) error {
			return web.Render(c, http.StatusOK, signedInPage(k.Sessions.Exists(c.Request().Context(), web.KeyCred), testForm{}))
		})
		// A form with checks, so the error summary and field errors can be
		// tested before any module has forms of its own.
		g.POST("/test/echo", func(c echo.Context) error {
			ctx := c.Request().Context()
			f := testForm{Note: c.FormValue("note"), Email: c.FormValue("email")}
			switch n := utf8.RuneCountInString(strings.TrimSpace(f.Note)); {
			case n == 0:
				f.NoteError = i18n.T(ctx, "testform.note_required")
			case n > 20:
				f.NoteError = i18n.T(ctx, "testform.note_long")
			}
			if f.Email != "" {
				if _, err := mail.ParseAddress(f.Email); err != nil || !strings.Contains(f.Email, "@") {
					f.EmailError = i18n.T(ctx, "testform.email_invalid")
				}
			}
			if f.NoteError != "" || f.EmailError != "" {
				return web.Render(c, http.StatusUnprocessableEntity, signedInPage(k.Sessions.Exists(ctx, web.KeyCred), f))
			}
			return c.String(http.StatusOK, "accepted:"+f.Note)
		})
		g.GET("/test/ip", func(c echo.Context) error {
			return c.String(http.StatusOK, c.RealIP())
		})
		g.GET("/test/panic", func(c echo.Context) error {
			panic("secret internal detail")
		})
	}
}

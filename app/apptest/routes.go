package apptest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app"
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
		g.GET("/test/signed-in", func(c echo.Context) error {
			return web.Render(c, http.StatusOK, signedInPage(k.Sessions.Exists(c.Request().Context(), web.KeyCred)))
		})
		g.POST("/test/echo", func(c echo.Context) error {
			return c.String(http.StatusOK, "accepted:"+c.FormValue("note"))
		})
		g.GET("/test/ip", func(c echo.Context) error {
			return c.String(http.StatusOK, c.RealIP())
		})
		g.GET("/test/panic", func(c echo.Context) error {
			panic("secret internal detail")
		})
	}
}

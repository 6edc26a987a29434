package site

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/site/views"
)

func (m *Module) splashShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.Splash())
}

func (m *Module) landingShow(c echo.Context) error {
	info := web.Page(c)
	return web.Render(c, http.StatusOK, views.Landing(views.LandingFor(info.Lang, info.Upcoming)))
}

func (m *Module) infoShow(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return web.Render(c, http.StatusOK, views.Info(views.InfoPages[name]))
	}
}

func (m *Module) pendingShow(service string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return web.Render(c, http.StatusOK, views.Pending(service))
	}
}

func (m *Module) signedOutShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.SignedOut(c.QueryParam("reason") == "timeout", c.QueryParam("via") == "partner"))
}

// signedInHome is the home of a service whose own pages are still to
// come: the person is signed in and handed over, and is told so plainly.
func (m *Module) signedInHome(nameKey string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return web.Render(c, http.StatusOK, views.SignedInHome(i18n.In(web.Lang(c), nameKey)))
	}
}

package site

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/identity"
	"guichet/app/web"
)

// sessionExtend is the dialog's "Continue session". Scripts get the time
// left as JSON; without scripts the form posts and returns to the page.
func (m *Module) sessionExtend(c echo.Context) error {
	ctx := c.Request().Context()
	lang := web.Lang(c)
	if !m.sessions.Exists(ctx, web.KeyCred) {
		if wantsJSON(c) {
			return c.JSON(http.StatusUnauthorized, map[string]any{"signed_in": false})
		}
		return web.Redirect(c, "/"+lang+"/signed-out?reason=timeout")
	}
	web.Tracker(c).Force = true
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]any{"remaining_seconds": int(m.sessions.IdleTimeout.Seconds())})
	}
	return web.Redirect(c, localReturn(c.FormValue("return"), "/"+lang+"/"))
}

// sessionEnd is "End session now", and what the dialog submits when time
// runs out. It ends the whole session.
func (m *Module) sessionEnd(c echo.Context) error {
	ctx := c.Request().Context()
	viaPartner := m.identity.Current(ctx).Method == identity.KindPartner
	if err := m.sessions.Destroy(ctx); err != nil {
		return err
	}
	q := url.Values{}
	if c.FormValue("reason") == "timeout" {
		q.Set("reason", "timeout")
	}
	// The bank's own session is separate: the signed-out page says so to
	// people who came through one.
	if viaPartner {
		q.Set("via", "partner")
	}
	to := "/" + web.Lang(c) + "/signed-out"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	return web.Redirect(c, to)
}

func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "application/json")
}

// localReturn accepts only a path on this site, so the form cannot be used
// to send people elsewhere.
func localReturn(p, fallback string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return fallback
	}
	return p
}

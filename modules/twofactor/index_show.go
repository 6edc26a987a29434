package twofactor

import (
	"github.com/labstack/echo/v4"

	"guichet/app/web"
)

// indexShow sends a signed-in person on: to set-up when they have no
// method yet (the first sign-in after sign-up sets one up before anything
// else), otherwise to the two-factor page, mailing a code first when their
// method is email.
func (h *handlers) indexShow(c echo.Context) error {
	s, ok := h.p.Subject(c)
	if !ok {
		return h.toSignIn(c)
	}
	f, ok, err := h.m.store.Get(c.Request().Context(), s, statusActive)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, h.url(c, "/setup"))
	}
	next := nextOf(c.QueryParam("next"))
	if f.Method == MethodEmail {
		_, locked, err := h.lockedUntil(c, s)
		if err != nil {
			return err
		}
		// A refused send (5 in 15 minutes) is fine here: the newest of
		// those codes still works, and the page can ask for another.
		if !locked {
			if _, _, err := h.m.sendCode(c, s); err != nil {
				return err
			}
		}
	}
	return web.Redirect(c, withQuery(h.url(c, "/verify"), "next", next))
}

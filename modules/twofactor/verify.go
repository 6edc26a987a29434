package twofactor

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

// verifyAccess finds the subject and its active factor; without a factor
// the person sets one up first. done means a response was written.
func (h *handlers) verifyAccess(c echo.Context) (Subject, Factor, bool, error) {
	s, ok := h.p.Subject(c)
	if !ok {
		return s, Factor{}, true, h.toSignIn(c)
	}
	f, ok, err := h.m.store.Get(c.Request().Context(), s, statusActive)
	if err != nil {
		return s, f, true, err
	}
	if !ok {
		return s, f, true, web.Redirect(c, h.url(c, "/setup"))
	}
	if until, locked, err := h.lockedUntil(c, s); err != nil || locked {
		if err != nil {
			return s, f, true, err
		}
		return s, f, true, h.showLocked(c, until)
	}
	return s, f, false, nil
}

func (h *handlers) verifyView(c echo.Context, s Subject, f Factor, next string) (views.VerifyView, error) {
	v := views.VerifyView{
		Action: h.url(c, "/verify"), SendAction: h.url(c, "/verify/send"),
		Method: views.MethodTOTP, Next: next, Links: h.links(c),
	}
	if f.Method == MethodEmail {
		v.Method = views.MethodEmail
		addr, _, err := h.m.contactOf(c.Request().Context(), s, web.Lang(c))
		if err != nil {
			return v, err
		}
		v.Masked = maskEmail(addr)
	}
	return v, nil
}

func (h *handlers) verifyShow(c echo.Context) error {
	s, f, done, err := h.verifyAccess(c)
	if done {
		return err
	}
	v, err := h.verifyView(c, s, f, nextOf(c.QueryParam("next")))
	if err != nil {
		return err
	}
	v.Sent = c.QueryParam("sent") == "1"
	return web.Render(c, http.StatusOK, views.Verify(v))
}

// verifySubmit checks the code. A right one raises the session to level 2;
// a wrong one counts towards the lock.
func (h *handlers) verifySubmit(c echo.Context) error {
	s, f, done, err := h.verifyAccess(c)
	if done {
		return err
	}
	form := readCodeForm(c)
	v, err := h.verifyView(c, s, f, form.Next)
	if err != nil {
		return err
	}
	v.Code = form.Code
	if key := form.Validate(); key != "" {
		v.ErrorKey = key
		return web.Render(c, http.StatusUnprocessableEntity, views.Verify(v))
	}
	try, err := h.m.takeTry(c, s)
	if err != nil {
		return err
	}
	if !try.Allowed {
		return h.showLocked(c, i18n.FormatTime(web.Lang(c), try.Until))
	}
	ctx := c.Request().Context()
	var good bool
	if f.Method == MethodEmail {
		good, err = h.m.checkEmail(ctx, s, form.Code)
	} else {
		good, err = h.m.checkTOTP(ctx, s, f, form.Code)
	}
	if err != nil {
		return err
	}
	if !good {
		until, locked, err := h.m.wrongAnswer(c, s, f.Method, try)
		if err != nil {
			return err
		}
		if locked {
			return h.showLocked(c, i18n.FormatTime(web.Lang(c), until))
		}
		v.ErrorKey = "twofactor.error_code_wrong_app"
		if f.Method == MethodEmail {
			v.ErrorKey = "twofactor.error_code_wrong_email"
		}
		return web.Render(c, http.StatusUnprocessableEntity, views.Verify(v))
	}
	if err := h.m.passed(c, s, f.Method); err != nil {
		return err
	}
	return web.Redirect(c, h.afterCheck(c, form.Next))
}

// verifySend is "Send a new code" on the two-factor page.
func (h *handlers) verifySend(c echo.Context) error {
	s, f, done, err := h.verifyAccess(c)
	if done {
		return err
	}
	next := nextOf(c.FormValue("next"))
	if f.Method != MethodEmail {
		return web.Redirect(c, withQuery(h.url(c, "/verify"), "next", next))
	}
	until, sent, err := h.m.sendCode(c, s)
	if err != nil {
		return err
	}
	if !sent {
		v, err := h.verifyView(c, s, f, next)
		if err != nil {
			return err
		}
		v.SendUntil = i18n.FormatTime(web.Lang(c), until)
		return web.Render(c, http.StatusTooManyRequests, views.Verify(v))
	}
	return web.Redirect(c, withQuery(h.url(c, "/verify"), "next", next, "sent", "1"))
}

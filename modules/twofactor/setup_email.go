package twofactor

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

func (h *handlers) emailView(c echo.Context, s Subject, change bool) (views.EmailView, error) {
	addr, _, err := h.m.contactOf(c.Request().Context(), s, web.Lang(c))
	if err != nil {
		return views.EmailView{}, err
	}
	return views.EmailView{
		Action: h.url(c, "/setup/email"), SendAction: h.url(c, "/setup/email/send"), Back: h.url(c, "/setup"),
		Masked: maskEmail(addr), Change: change,
	}, nil
}

func (h *handlers) emailShow(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	if _, ok, err := h.pendingOf(c.Request().Context(), s, MethodEmail); err != nil || !ok {
		if err != nil {
			return err
		}
		return web.Redirect(c, h.url(c, "/setup"))
	}
	v, err := h.emailView(c, s, current != nil)
	if err != nil {
		return err
	}
	v.Sent = c.QueryParam("sent") == "1"
	return web.Render(c, http.StatusOK, views.Email(v))
}

// emailSubmit confirms the email method with the code just mailed, which
// proves the person reads that inbox.
func (h *handlers) emailSubmit(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	ctx := c.Request().Context()
	f, ok, err := h.pendingOf(ctx, s, MethodEmail)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, h.url(c, "/setup"))
	}
	if until, locked, err := h.lockedUntil(c, s); err != nil || locked {
		if err != nil {
			return err
		}
		return h.showLocked(c, until)
	}
	v, err := h.emailView(c, s, current != nil)
	if err != nil {
		return err
	}
	form := readCodeForm(c)
	v.Code = form.Code
	if key := form.Validate(); key != "" {
		v.ErrorKey = key
		return web.Render(c, http.StatusUnprocessableEntity, views.Email(v))
	}
	try, err := h.m.takeTry(c, s)
	if err != nil {
		return err
	}
	if !try.Allowed {
		return h.showLocked(c, i18n.FormatTime(web.Lang(c), try.Until))
	}
	good, err := h.m.checkEmail(ctx, s, form.Code)
	if err != nil {
		return err
	}
	if !good {
		until, locked, err := h.m.wrongAnswer(c, s, "email set-up", try)
		if err != nil {
			return err
		}
		if locked {
			return h.showLocked(c, i18n.FormatTime(web.Lang(c), until))
		}
		v.ErrorKey = "twofactor.error_code_wrong_email"
		return web.Render(c, http.StatusUnprocessableEntity, views.Email(v))
	}
	if err := h.m.finishSetup(c, s, f); err != nil {
		if errors.Is(err, ErrGone) {
			return web.Redirect(c, h.url(c, "/setup"))
		}
		return err
	}
	return web.Redirect(c, web.URL(c, h.m.recovery.CodesPath()))
}

// emailSend mails a new code while setting up.
func (h *handlers) emailSend(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	if _, ok, err := h.pendingOf(c.Request().Context(), s, MethodEmail); err != nil || !ok {
		if err != nil {
			return err
		}
		return web.Redirect(c, h.url(c, "/setup"))
	}
	until, sent, err := h.m.sendCode(c, s)
	if err != nil {
		return err
	}
	if !sent {
		v, err := h.emailView(c, s, current != nil)
		if err != nil {
			return err
		}
		v.SendUntil = i18n.FormatTime(web.Lang(c), until)
		return web.Render(c, http.StatusTooManyRequests, views.Email(v))
	}
	return web.Redirect(c, withQuery(h.url(c, "/setup/email"), "sent", "1"))
}

package twofactor

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

// pendingOf returns the subject's pending factor of a method; false sends
// the person back to choosing.
func (h *handlers) pendingOf(ctx context.Context, s Subject, method string) (Factor, bool, error) {
	f, ok, err := h.m.store.Get(ctx, s, statusPending)
	if err != nil || !ok || f.Method != method {
		return Factor{}, false, err
	}
	return f, true, nil
}

// accountName is what the authenticator app lists the key under.
func (h *handlers) accountName(c echo.Context, s Subject) (string, error) {
	addr, _, err := h.m.contactOf(c.Request().Context(), s, web.Lang(c))
	if err != nil {
		return "", err
	}
	if addr != "" {
		return addr, nil
	}
	return i18n.In(web.Lang(c), "twofactor.app_account_default"), nil
}

func (h *handlers) renderApp(c echo.Context, status int, s Subject, f Factor, change bool, code, errKey string) error {
	secret, err := h.m.openSecret(s, f)
	if err != nil {
		return err
	}
	account, err := h.accountName(c, s)
	if err != nil {
		return err
	}
	key, err := keyFor(h.m.issuer, account, secret)
	if err != nil {
		return err
	}
	qr, err := qrDataURL(key)
	if err != nil {
		return err
	}
	return web.Render(c, status, views.App(views.AppView{
		Action: h.url(c, "/setup/app"), Back: h.url(c, "/setup"),
		QR: qr, Secret: groupSecret(secret), Issuer: h.m.issuer, Account: account,
		Code: code, ErrorKey: errKey, Change: change,
	}))
}

func (h *handlers) appShow(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	f, ok, err := h.pendingOf(c.Request().Context(), s, MethodTOTP)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, h.url(c, "/setup"))
	}
	return h.renderApp(c, http.StatusOK, s, f, current != nil, "", "")
}

// appSubmit confirms the app with a current code, which also proves the
// person typed or scanned the key right.
func (h *handlers) appSubmit(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	ctx := c.Request().Context()
	f, ok, err := h.pendingOf(ctx, s, MethodTOTP)
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
	form := readCodeForm(c)
	if key := form.Validate(); key != "" {
		return h.renderApp(c, http.StatusUnprocessableEntity, s, f, current != nil, form.Code, key)
	}
	try, err := h.m.takeTry(c, s)
	if err != nil {
		return err
	}
	if !try.Allowed {
		return h.showLocked(c, i18n.FormatTime(web.Lang(c), try.Until))
	}
	good, err := h.m.checkTOTP(ctx, s, f, form.Code)
	if err != nil {
		return err
	}
	if !good {
		until, locked, err := h.m.wrongAnswer(c, s, "totp set-up", try)
		if err != nil {
			return err
		}
		if locked {
			return h.showLocked(c, i18n.FormatTime(web.Lang(c), until))
		}
		return h.renderApp(c, http.StatusUnprocessableEntity, s, f, current != nil, form.Code, "twofactor.error_code_wrong_app")
	}
	if err := h.m.finishSetup(c, s, f); err != nil {
		if errors.Is(err, ErrGone) {
			return web.Redirect(c, h.url(c, "/setup"))
		}
		return err
	}
	return web.Redirect(c, web.URL(c, h.m.recovery.CodesPath()))
}

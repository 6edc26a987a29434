package twofactor

import (
	"net/http"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

// setupAccess lets a person set up a method the first time, or change it
// within 20 minutes of a second-factor check (a recovery code counts);
// anyone else is sent to the two-factor page first. done means a response
// was written.
func (h *handlers) setupAccess(c echo.Context) (s Subject, current *Factor, done bool, err error) {
	s, ok := h.p.Subject(c)
	if !ok {
		return s, nil, true, h.toSignIn(c)
	}
	ctx := c.Request().Context()
	f, has, err := h.m.store.Get(ctx, s, statusActive)
	if err != nil {
		return s, nil, true, err
	}
	if !has {
		return s, nil, false, nil
	}
	if !h.m.identity.Current(ctx).MFAWithin(h.m.clock.Now(), ChangeWindow) {
		return s, nil, true, web.Redirect(c, withQuery(h.url(c, "/"), "next", nextManage))
	}
	return s, &f, false, nil
}

func (h *handlers) chooseView(c echo.Context, current *Factor) views.ChooseView {
	v := views.ChooseView{
		Action:    h.url(c, "/setup"),
		SignedIn2: h.m.identity.Current(c.Request().Context()).AAL >= identity.AAL2,
		Links:     h.links(c),
	}
	if current != nil {
		v.Current = current.Method
	}
	return v
}

func (h *handlers) setupShow(c echo.Context) error {
	_, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	return web.Render(c, http.StatusOK, views.Choose(h.chooseView(c, current)))
}

// setupSubmit starts setting up the chosen method. The new factor waits,
// pending (an app's secret sealed), until the person proves it works.
func (h *handlers) setupSubmit(c echo.Context) error {
	s, current, done, err := h.setupAccess(c)
	if done {
		return err
	}
	f := methodForm{Method: c.FormValue("method")}
	if key := f.Validate(); key != "" {
		v := h.chooseView(c, current)
		v.ErrorKey = key
		return web.Render(c, http.StatusUnprocessableEntity, views.Choose(v))
	}
	ctx := c.Request().Context()
	now := h.m.clock.Now()
	if f.Method == "app" {
		secret, err := newSecret(h.m.issuer, s.Kind)
		if err != nil {
			return err
		}
		sealed, err := h.m.sealSecret(s, secret)
		if err != nil {
			return err
		}
		err = h.m.db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := h.m.store.PutPending(ctx, tx, s, MethodTOTP, sealed, now)
			return err
		})
		if err != nil {
			return err
		}
		return web.Redirect(c, h.url(c, "/setup/app"))
	}
	err = h.m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := h.m.store.PutPending(ctx, tx, s, MethodEmail, nil, now)
		return err
	})
	if err != nil {
		return err
	}
	if _, _, err := h.m.sendCode(c, s); err != nil {
		return err
	}
	return web.Redirect(c, h.url(c, "/setup/email"))
}

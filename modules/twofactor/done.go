package twofactor

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

// doneAccess lets only a session past its second factor through.
func (h *handlers) doneAccess(c echo.Context) (bool, error) {
	if _, ok := h.p.Subject(c); !ok {
		return true, h.toSignIn(c)
	}
	if h.m.identity.Current(c.Request().Context()).AAL < identity.AAL2 {
		return true, web.Redirect(c, h.url(c, "/"))
	}
	return false, nil
}

// doneShow is the authentication success page: "Continue" to the service
// the person came from, or change the method.
func (h *handlers) doneShow(c echo.Context) error {
	if done, err := h.doneAccess(c); done {
		return err
	}
	v := views.DoneView{Action: h.url(c, "/done"), Change: h.url(c, "/setup"), Links: h.links(c)}
	if svc := h.m.identity.Pending(c.Request().Context()); identity.ValidService(svc) {
		v.ServiceKey = "service." + svc + ".title"
	}
	return web.Render(c, http.StatusOK, views.Done(v))
}

// doneSubmit hands the sign-in to the waiting service.
func (h *handlers) doneSubmit(c echo.Context) error {
	if done, err := h.doneAccess(c); done {
		return err
	}
	ctx := c.Request().Context()
	svc := h.m.identity.Pending(ctx)
	if !identity.ValidService(svc) {
		return web.Redirect(c, web.URL(c, h.p.Account))
	}
	// A credential new to the service lands on its enrolment page first.
	if err := h.m.identity.Land(ctx, svc); err != nil {
		return err
	}
	return web.Redirect(c, "/"+web.Lang(c)+"/"+svc+"/")
}

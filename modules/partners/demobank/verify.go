package demobank

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/web"
	"guichet/modules/partners/demobank/views"
)

// verifyView builds the second-step page. A request with no customer yet
// has no second step: ok is false and the caller sends the browser to
// the sign-in page.
func (b *Bank) verifyView(c echo.Context, r request) (v views.VerifyView, ok bool, err error) {
	if !r.CustomerID.Valid {
		return v, false, nil
	}
	cust, err := b.customer(c.Request().Context(), r.CustomerID.String)
	if err != nil {
		return v, false, err
	}
	return views.VerifyView{
		Chrome: chrome(c, verifyPath(r.ID), nil),
		Action: verifyPath(r.ID), CancelAction: cancelPath(r.ID),
		Customer: cust.Name, Code: r.OTP,
	}, true, nil
}

func (b *Bank) verifyShow(c echo.Context) error {
	r, ok, err := b.openRequest(c)
	if !ok {
		return err
	}
	v, ok, err := b.verifyView(c, r)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, signinPath(r.ID))
	}
	return render(c, http.StatusOK, views.Verify(v))
}

// verifySave checks the code, or skips the second step, and then sends
// the browser back to Guichet with an authorization code.
func (b *Bank) verifySave(c echo.Context) error {
	r, ok, err := b.openRequest(c)
	if !ok {
		return err
	}
	v, ok, err := b.verifyView(c, r)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, signinPath(r.ID))
	}
	if c.FormValue("action") == "skip" {
		return b.finish(c, r, false)
	}
	typed := typedOTP(c.FormValue("code"))
	switch {
	case typed == "":
		v.Errs = views.Problems{{Field: "code", Key: "demobank.verify.code_required"}}
	case !sixDigits(typed):
		v.Errs = views.Problems{{Field: "code", Key: "demobank.verify.code_shape"}}
	case subtle.ConstantTimeCompare([]byte(typed), []byte(r.OTP)) != 1:
		n, err := b.wrongOTP(c.Request().Context(), r.ID)
		if errors.Is(err, errEnded) {
			return b.ended(c)
		}
		if err != nil {
			return err
		}
		left := maxWrongOTP - n
		switch {
		case left <= 0:
			return b.tooMany(c, r)
		case left == 1:
			v.Errs = views.Problems{{Field: "code", Key: "demobank.verify.code_wrong_one"}}
		default:
			v.Errs = views.Problems{{Field: "code", Key: "demobank.verify.code_wrong_many", Args: []any{left}}}
		}
	default:
		return b.finish(c, r, true)
	}
	return render(c, http.StatusUnprocessableEntity, views.Verify(v))
}

// finish issues the request's one authorization code and sends the
// browser back to the client with it.
func (b *Bank) finish(c echo.Context, r request, mfa bool) error {
	done, code, err := b.issueCode(c.Request().Context(), r.ID, mfa)
	if errors.Is(err, errEnded) {
		return b.ended(c)
	}
	if err != nil {
		return err
	}
	b.log.Info("demo bank code issued", "mfa", mfa)
	return web.Redirect(c, withParams(done.RedirectURI, "code", code, "state", done.State))
}

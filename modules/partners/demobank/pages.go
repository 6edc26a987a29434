package demobank

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/db"
	"guichet/modules/partners/demobank/views"
)

func signinPath(id string) string { return basePath + "/signin/" + url.PathEscape(id) }
func verifyPath(id string) string { return basePath + "/verify/" + url.PathEscape(id) }
func cancelPath(id string) string { return basePath + "/cancel/" + url.PathEscape(id) }

// chrome is the layout's data for a page at path: the language toggle
// keeps the query (q may be nil) and sets lang to the other language.
func chrome(c echo.Context, path string, q url.Values) views.Chrome {
	other := i18n.Other(web.Lang(c))
	t := url.Values{}
	for k, vs := range q {
		t[k] = append([]string(nil), vs...)
	}
	t.Set("lang", other)
	return views.Chrome{Other: other, Toggle: path + "?" + t.Encode()}
}

// render sends a bank page; none is ever cached (they carry codes and
// customers' names).
func render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return web.Render(c, status, comp)
}

func (b *Bank) renderError(c echo.Context, status int, v views.ErrorView) error {
	return render(c, status, views.Error(v))
}

// ended answers a request that can no longer be worked on, sending
// nobody anywhere. Its toggle leads to the sign-in page, which answers
// the same for an ended request (the page at hand may be POST only).
func (b *Bank) ended(c echo.Context) error {
	return b.renderError(c, http.StatusNotFound, views.ErrorView{Kind: views.Ended, Chrome: chrome(c, signinPath(c.Param("id")), nil)})
}

// tooMany answers a request cancelled after too many wrong codes: the
// person may go back to Guichet, which learns the sign-in was refused.
func (b *Bank) tooMany(c echo.Context, r request) error {
	return b.renderError(c, http.StatusForbidden, views.ErrorView{
		Kind: views.TooMany, Chrome: chrome(c, verifyPath(r.ID), nil),
		Return: withParams(r.RedirectURI, "error", "access_denied", "state", r.State),
	})
}

// openRequest loads the request a page is about and sets the page's
// language: the request's, or the one picked with the toggle (which is
// remembered). When the request cannot be worked on it renders the right
// error page and returns ok false with the render's error.
func (b *Bank) openRequest(c echo.Context) (r request, ok bool, err error) {
	ctx := c.Request().Context()
	picked := ""
	if c.Request().Method == http.MethodGet {
		if l := c.QueryParam("lang"); i18n.Valid(l) {
			picked = l
		}
	}
	r, err = b.loadRequest(ctx, c.Param("id"))
	if errors.Is(err, db.ErrNoRows) {
		web.SetLang(c, picked)
		return r, false, b.ended(c)
	}
	if err != nil {
		return r, false, err
	}
	if picked != "" && picked != r.Lang {
		if err := b.setRequestLang(ctx, r.ID, picked); err != nil {
			return r, false, err
		}
		r.Lang = picked
	}
	web.SetLang(c, r.Lang)
	now := b.clock.Now()
	switch {
	case r.Done && r.WrongTries >= maxWrongOTP && now.Before(r.ExpiresAt):
		return r, false, b.tooMany(c, r)
	case !r.live(now):
		return r, false, b.ended(c)
	}
	return r, true, nil
}

// cancel ends the request and sends the browser back to Guichet with
// access_denied.
func (b *Bank) cancel(c echo.Context) error {
	r, ok, err := b.openRequest(c)
	if !ok {
		return err
	}
	err = b.endRequest(c.Request().Context(), r.ID)
	if errors.Is(err, errEnded) {
		return b.ended(c)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, withParams(r.RedirectURI, "error", "access_denied", "state", r.State))
}

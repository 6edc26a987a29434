// Package web holds the echo edge of Guichet: rendering, middleware, CSRF,
// sessions, forms and the error handler. Stores, services and views never
// import it.
package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render renders a templ component into a pooled buffer and sends it with a
// Content-Length. Rendering first means a template error becomes a clean 500
// page instead of half a page, and it measured faster than streaming.
func Render(c echo.Context, status int, comp templ.Component) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// Redirect sends a 303 See Other, the right answer to a form POST.
func Redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}

// URL is a path in the request's language: URL(c, "/gckey/") is
// "/fr/gckey/" on a French page.
func URL(c echo.Context, rest string) string { return "/" + Lang(c) + rest }

// Client is who made the request, as the audit trail records it.
func Client(c echo.Context) (ip, userAgent string) {
	return c.RealIP(), c.Request().UserAgent()
}

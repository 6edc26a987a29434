package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/templates"
)

// ErrorHandler renders every error as a page in the request's language (or
// both, outside /en and /fr) and logs server errors. People see a message
// and a reference, never internals.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		// The person left before the answer was ready: nobody to show a
		// page to, and nothing wrong with the server.
		if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
			return
		}
		pageInfo(c)
		lang, _ := splitLang(c.Request().URL.Path)
		v := templates.ErrorView{Bilingual: lang == "", RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}

		var me *MaintenanceError
		var he *echo.HTTPError
		switch {
		case errors.As(err, &me):
			v.Status = http.StatusServiceUnavailable
			v.TitleKey = "maintenance.title"
			v.BodyKeys = []string{"maintenance.closed"}
			v.UntilEN = i18n.FormatDateTime(i18n.EN, me.Until)
			v.UntilFR = i18n.FormatDateTime(i18n.FR, me.Until)
			v.RequestID = ""
		case errors.Is(err, ErrCSRF):
			v.Status = http.StatusForbidden
			v.TitleKey = "error.csrf_title"
			v.BodyKeys = []string{"error.csrf_body", "error.csrf_next"}
		case errors.As(err, &he):
			v.Status = he.Code
			switch he.Code {
			case http.StatusNotFound:
				v.TitleKey, v.BodyKeys = "error.not_found_title", []string{"error.not_found_body"}
				v.RequestID = ""
			case http.StatusMethodNotAllowed:
				v.TitleKey, v.BodyKeys = "error.not_found_title", []string{"error.not_found_body"}
				v.RequestID = ""
			case http.StatusRequestEntityTooLarge:
				v.TitleKey, v.BodyKeys = "error.too_large_title", []string{"error.too_large_body"}
			case http.StatusForbidden:
				v.TitleKey, v.BodyKeys = "error.forbidden_title", []string{"error.forbidden_body"}
			case http.StatusBadRequest:
				v.TitleKey, v.BodyKeys = "error.bad_request_title", []string{"error.bad_request_body"}
			case http.StatusTooManyRequests:
				v.TitleKey, v.BodyKeys = "error.too_many_title", []string{"error.too_many_body"}
			default:
				if he.Code < 500 {
					v.TitleKey, v.BodyKeys = "error.bad_request_title", []string{"error.bad_request_body"}
				} else {
					v.Status = http.StatusInternalServerError
					v.TitleKey, v.BodyKeys = "error.server_title", []string{"error.server_body"}
				}
			}
		default:
			v.Status = http.StatusInternalServerError
			v.TitleKey, v.BodyKeys = "error.server_title", []string{"error.server_body"}
		}
		if v.Status >= 500 && v.Status != http.StatusServiceUnavailable {
			log.Error("server error", "request_id", v.RequestID, "path", c.Request().URL.Path, "err", err)
		}
		// An error page is never part of a signed-in flow worth caching.
		c.Response().Header().Set("Cache-Control", "no-store")
		if rerr := Render(c, v.Status, templates.ErrorPage(v)); rerr != nil {
			log.Error("render error page", "err", rerr)
			c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextPlainCharsetUTF8)
			c.Response().WriteHeader(v.Status)
			_, _ = c.Response().Write([]byte(http.StatusText(v.Status)))
		}
	}
}

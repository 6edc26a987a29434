package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"guichet/app/clock"
	"guichet/app/i18n"
	"guichet/app/maintenance"
	"guichet/app/page"
)

const pageKey = "guichet.page"

// pageInfo returns the request's page info, creating it if an earlier
// middleware did not (error pages for requests that never got that far).
func pageInfo(c echo.Context) *page.Info {
	if i, ok := c.Get(pageKey).(*page.Info); ok {
		return i
	}
	i := &page.Info{Lang: i18n.EN, Rest: "/"}
	c.Set(pageKey, i)
	c.SetRequest(c.Request().WithContext(page.With(c.Request().Context(), i)))
	return i
}

// SetLang sets the language of a page served outside /en and /fr (the
// demo bank, which learns it from the authorization request).
func SetLang(c echo.Context, lang string) {
	if !i18n.Valid(lang) {
		return
	}
	info := pageInfo(c)
	info.Lang = lang
	c.SetRequest(c.Request().WithContext(page.With(c.Request().Context(), info)))
}

// Page returns the page info of the request for handlers.
func Page(c echo.Context) *page.Info { return pageInfo(c) }

// Lang returns the language of the request.
func Lang(c echo.Context) string { return pageInfo(c).Lang }

// IsBare tells whether a path is served without language, maintenance,
// session or CSRF work: static files and health checks.
func IsBare(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/favicon.ico"
}

// SkipBare is IsBare as an echo skipper.
func SkipBare(c echo.Context) bool { return IsBare(c.Request().URL.Path) }

// splitLang splits "/fr/gckey/x" into "fr", "/gckey/x". A path without a
// language prefix gives "", path.
func splitLang(path string) (lang, rest string) {
	for _, l := range i18n.Langs {
		if path == "/"+l {
			return l, "/"
		}
		if strings.HasPrefix(path, "/"+l+"/") {
			return l, path[len(l)+1:]
		}
	}
	return "", path
}

// serviceOf returns the service segment of a rest path: "/gckey/x" -> "gckey".
func serviceOf(rest string) string {
	s := strings.TrimPrefix(rest, "/")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i]
	}
	return ""
}

// Services are the URL segments that maintenance windows can name.
var Services = []string{"gckey", "partners", "ircc", "pt", "pr", "cipo", "staff"}

func isService(s string) bool {
	for _, v := range Services {
		if v == s {
			return true
		}
	}
	return false
}

// Language reads the language from the /en or /fr prefix and starts the
// request's page info, which later middleware and the templates fill in.
func Language(idle, warn time.Duration, devOutbox bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			lang, rest := splitLang(r.URL.Path)
			info := &page.Info{Lang: lang, Rest: rest, Query: r.URL.RawQuery, Idle: idle, IdleLimit: idle, Warn: warn, DevOutbox: devOutbox}
			if lang == "" {
				info.Lang = i18n.EN
			}
			if s := serviceOf(rest); isService(s) {
				info.Service = s
			}
			info.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
			c.Set(pageKey, info)
			c.SetRequest(r.WithContext(page.With(r.Context(), info)))
			return next(c)
		}
	}
}

// MaintenanceError carries the end of a window to the error handler.
type MaintenanceError struct{ Until time.Time }

func (e *MaintenanceError) Error() string {
	return "service under maintenance until " + e.Until.String()
}

// Maintenance answers 503 for a service inside its window and
// records the banners to show. It runs before sessions, so a service under
// maintenance costs no database work at all.
func Maintenance(w *maintenance.Watcher, clk clock.Clock) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sched := w.Schedule()
			if len(sched.Windows) == 0 {
				return next(c)
			}
			info := pageInfo(c)
			now := clk.Now()
			if info.Service != "" {
				if until, ok := sched.Active(now, info.Service); ok {
					secs := int(until.Sub(now).Seconds()) + 1
					c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
					return &MaintenanceError{Until: until}
				}
				info.Banners = sched.Banners(now, info.Service)
			} else {
				info.Upcoming = sched.Upcoming(now)
			}
			return next(c)
		}
	}
}

// SecurityHeaders sets the headers every response carries. The values are
// built once and assigned directly, which keeps this off the allocation
// profile of every request.
func SecurityHeaders(secure bool) echo.MiddlewareFunc {
	set := map[string][]string{
		"Content-Security-Policy":    {"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'"},
		"X-Content-Type-Options":     {"nosniff"},
		"Referrer-Policy":            {"same-origin"},
		"X-Frame-Options":            {"DENY"},
		"Cross-Origin-Opener-Policy": {"same-origin"},
		"Permissions-Policy":         {"camera=(), microphone=(), geolocation=(), payment=()"},
	}
	if secure {
		set["Strict-Transport-Security"] = []string{"max-age=63072000; includeSubDomains"}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for k, v := range set {
				h[k] = v
			}
			return next(c)
		}
	}
}

// Recover turns a panic into a logged 500: the person sees the
// error page with a reference, never a stack trace.
func Recover(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
						"method", c.Request().Method, "path", c.Request().URL.Path,
						"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					err = echo.NewHTTPError(http.StatusInternalServerError).SetInternal(fmt.Errorf("panic: %v", p))
				}
			}()
			return next(c)
		}
	}
}

func RequestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true,
		LogRequestID: true, LogRemoteIP: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("request_id", v.RequestID), slog.String("method", v.Method),
				slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP),
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("err", v.Error.Error()))
			}
			log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// NoStoreWhenSignedIn keeps signed-in pages out of every cache.
func NoStoreWhenSignedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		info := pageInfo(c)
		c.Response().Before(func() {
			if info.SignedIn {
				c.Response().Header().Set("Cache-Control", "no-store")
			}
		})
		return next(c)
	}
}

// Package app is Guichet's shared kernel: configuration and the web server
// that every module mounts its routes on.
package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"guichet/app/clock"
	"guichet/app/i18n"
	"guichet/app/keys"
	"guichet/app/maintenance"
	"guichet/app/web"
	"guichet/db"
	"guichet/static"
)

// Module is a domain module: it adds its routes to a language group
// ("/en" or "/fr"), once per language.
type Module interface {
	Routes(g *echo.Group)
}

// Deps are what the server needs to run.
type Deps struct {
	Config      Config
	DB          *db.DB
	Clock       clock.Clock
	Log         *slog.Logger
	Keys        *keys.Ring
	Maintenance *maintenance.Watcher
	Sessions    *web.Sessions
}

// Server is the configured echo instance.
type Server struct {
	Echo *echo.Echo
	deps Deps
	// Langs are the /en and /fr groups modules mount on.
	Langs []*echo.Group
	// bypass holds machine-to-machine paths (an OpenID Connect provider's
	// discovery, keys and token endpoints) that skip language, maintenance,
	// sessions and CSRF like static files do. It is filled while mounting,
	// before serving, and only read afterwards.
	bypass map[string]bool
	// uploads holds the route paths, as registered
	// ("/en/ircc/documents/requests/:id"), that take bodies up to
	// UploadLimit. Filled while mounting, only read afterwards.
	uploads map[string]bool
}

// BodyLimit caps request bodies; upload routes (AllowUploads) take up to
// UploadLimit instead.
const (
	BodyLimit   = "256K"
	UploadLimit = "5M"
)

// NewServer builds echo with the middleware in the order ARCHITECTURE.md
// gives, and mounts the root routes (splash handled by a module, health,
// static files).
func NewServer(d Deps) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.ReadTimeout = 30 * time.Second
	e.Server.WriteTimeout = 60 * time.Second
	e.Server.IdleTimeout = 120 * time.Second
	e.HTTPErrorHandler = web.ErrorHandler(d.Log)
	e.IPExtractor = ipExtractor(d.Config)

	e.Use(web.Recover(d.Log))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Skipper: web.SkipBare}))
	e.Use(web.RequestLogger(d.Log))
	e.Use(web.SecurityHeaders(d.Config.Secure()))
	s := &Server{Echo: e, deps: d, bypass: map[string]bool{}, uploads: map[string]bool{}}
	// The limit is chosen by route before anything reads the body (the
	// CSRF check parses the form): a route's own, larger limit could not
	// work, the server-wide one would already have cut the body off.
	small := middleware.BodyLimit(BodyLimit)
	large := middleware.BodyLimit(UploadLimit)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		sn, ln := small(next), large(next)
		return func(c echo.Context) error {
			if s.uploads[c.Path()] {
				return ln(c)
			}
			return sn(c)
		}
	})
	e.Use(s.skip(web.Language(d.Config.SessionIdle, d.Config.SessionWarn, d.Config.DevOutbox)))
	e.Use(s.skip(web.Maintenance(d.Maintenance, d.Clock)))
	e.Use(s.skip(d.Sessions.Middleware()))
	e.Use(s.skip(web.NoStoreWhenSignedIn))
	e.Use(s.skip(web.NewCSRF(d.Keys, d.Config.Secure()).Middleware()))

	assets := echo.WrapHandler(static.Handler())
	e.GET("/static/*", assets)
	e.HEAD("/static/*", assets)
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, static.Path("img/favicon.svg"))
	})
	e.GET("/healthz", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.String(http.StatusOK, "ok\n")
	})
	e.GET("/readyz", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			d.Log.Error("readyz", "err", err)
			return c.String(http.StatusServiceUnavailable, "database unavailable\n")
		}
		return c.String(http.StatusOK, "ready\n")
	})
	for _, l := range i18n.Langs {
		s.Langs = append(s.Langs, e.Group("/"+l))
	}
	return s
}

// skip wraps a middleware so static files, health checks and the bypassed
// machine endpoints go around it.
func (s *Server) skip(m echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		wrapped := m(next)
		return func(c echo.Context) error {
			if web.SkipBare(c) || s.bypass[c.Request().URL.Path] {
				return next(c)
			}
			return wrapped(c)
		}
	}
}

// Bypass marks exact paths as machine endpoints: no session, no CSRF
// token, no language. Only endpoints that other servers call (never a
// browser form) belong here. Call it before serving.
func (s *Server) Bypass(paths ...string) {
	for _, p := range paths {
		s.bypass[p] = true
	}
}

// AllowUploads lets the routes registered at these paths take bodies up
// to UploadLimit. Call it before serving.
func (s *Server) AllowUploads(paths ...string) {
	for _, p := range paths {
		s.uploads[p] = true
	}
}

// Mount adds each module's routes under /en and /fr.
func (s *Server) Mount(mods ...Module) {
	for _, g := range s.Langs {
		for _, m := range mods {
			m.Routes(g)
		}
	}
}

// ServeHTTP lets tests drive the server through httptest.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Echo.ServeHTTP(w, r) }

// ipExtractor believes forwarding headers only from the configured proxies.
func ipExtractor(c Config) echo.IPExtractor {
	if len(c.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range c.TrustedProxies {
		_, ipnet, err := net.ParseCIDR(p.String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(ipnet))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

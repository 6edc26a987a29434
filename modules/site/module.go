// Package site serves the pages that belong to no single service: the
// bilingual splash page, the landing page, the footer's information pages,
// the session timeout endpoints and, in development, the mail outbox.
package site

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"guichet/app/clock"
	"guichet/app/web"
	"guichet/db"
)

// Module holds the site pages' dependencies.
type Module struct {
	db        *db.DB
	clock     clock.Clock
	log       *slog.Logger
	sessions  *web.Sessions
	devOutbox bool
	// pending lists services whose modules are not built yet; their entry
	// pages say so instead of answering 404.
	pending []string
}

// New returns the site module.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, s *web.Sessions, devOutbox bool, pending []string) *Module {
	return &Module{db: d, clock: clk, log: log, sessions: s, devOutbox: devOutbox, pending: pending}
}

// RootRoutes adds the routes outside the language prefixes.
func (m *Module) RootRoutes(e *echo.Echo) {
	e.GET("/", m.splashShow)
	e.GET("/en", redirectSlash)
	e.GET("/fr", redirectSlash)
}

// Routes adds the site's pages to a language group.
func (m *Module) Routes(g *echo.Group) {
	// Landing and information pages.
	g.GET("/", m.landingShow)
	g.GET("/terms", m.infoShow("terms"))
	g.GET("/privacy", m.infoShow("privacy"))
	g.GET("/accessibility", m.infoShow("accessibility"))
	g.GET("/help", m.infoShow("help"))

	// Session timeout.
	g.POST("/session/extend", m.sessionExtend)
	g.POST("/session/end", m.sessionEnd)
	g.GET("/signed-out", m.signedOutShow)

	// Services whose modules are still to come.
	for _, s := range m.pending {
		g.GET("/"+s+"/", m.pendingShow(s))
	}

	// Development only: read the mail the app would have sent.
	if m.devOutbox {
		g.GET("/dev/outbox", m.outboxList)
		g.GET("/dev/outbox/:id", m.outboxShow)
	}
}

func redirectSlash(c echo.Context) error {
	return c.Redirect(301, c.Request().URL.Path+"/")
}

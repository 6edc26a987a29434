// Package site serves the pages that belong to no single service: the
// bilingual splash page, the landing page, the footer's information pages,
// the session timeout endpoints and, in development, the mail outbox.
package site

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/db"
)

// Module holds the site pages' dependencies.
type Module struct {
	db        *db.DB
	clock     clock.Clock
	log       *slog.Logger
	sessions  *web.Sessions
	identity  *identity.Sessions
	partners  []identity.Partner
	devOutbox bool
	// pending lists services whose modules are not built yet; their entry
	// pages say so instead of answering 404.
	pending []string
	// signInOnly lists services whose sign-in works but whose own pages
	// are still to come: their entry page is the real sign-in chooser.
	signInOnly []identity.Entry
}

// Deps are the site module's dependencies.
type Deps struct {
	DB         *db.DB
	Clock      clock.Clock
	Log        *slog.Logger
	Sessions   *web.Sessions
	Identity   *identity.Sessions
	Partners   []identity.Partner
	DevOutbox  bool
	Pending    []string
	SignInOnly []identity.Entry
}

// New returns the site module.
func New(d Deps) *Module {
	m := &Module{db: d.DB, clock: d.Clock, log: d.Log, sessions: d.Sessions, identity: d.Identity,
		partners: d.Partners, devOutbox: d.DevOutbox, pending: d.Pending}
	for _, e := range d.SignInOnly {
		e.Home = m.signedInHome(e.NameKey)
		e.Partners = d.Partners
		m.signInOnly = append(m.signInOnly, e)
	}
	return m
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
	for _, e := range m.signInOnly {
		m.identity.MountEntry(g, e)
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

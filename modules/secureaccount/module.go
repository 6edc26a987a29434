// Package secureaccount is the IRCC secure account itself: enrolment on a
// Principal's first arrival, the dashboard, contact details, IRCC's
// letters and the person's replies, and the documents IRCC asks for.
//
// The account is keyed by the pairwise id of the ircc Principal and by
// nothing else. Every page reads or changes only the signed-in account's
// things: each query filters by its id, and someone else's id is a 404.
// The other parts of the secure account (Express Entry, applications, the
// staff console) reach accounts, letters and documents through the
// interfaces of package account, which this package implements.
package secureaccount

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// Service is the secure account's service name, as Principals carry it.
const Service = "ircc"

// Kicker starts a background job now (the mail job after a letter).
type Kicker interface{ Kick(name string) }

// Deps are what the secure account uses.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Identity *identity.Sessions
	Sessions *web.Sessions
	Audit    *audit.Log
	// Partners are the Sign-In Partners the entry page lists.
	Partners []identity.Partner
	// Profiles and Applications fill the dashboard; either may be nil
	// (then that list is empty), or be given later with Use.
	Profiles     account.Profiles
	Applications account.ApplicationList
	// Jobs is kicked ("mail") after this module's own transactions that
	// queue mail; nil in tests that do not deliver.
	Jobs Kicker
	// MailDomain names the Message-IDs of the emails (Config.MailDomain()).
	MailDomain string
	// BaseURL starts the link in emails; empty gives a relative path.
	BaseURL string
}

// Module is the secure account.
type Module struct {
	db           *db.DB
	clock        clock.Clock
	log          *slog.Logger
	identity     *identity.Sessions
	audit        *audit.Log
	partners     []identity.Partner
	profiles     account.Profiles
	applications account.ApplicationList
	jobs         Kicker
	mailDomain   string
	baseURL      string
	store        *Store
}

// New builds the module.
func New(d Deps) *Module {
	if d.MailDomain == "" {
		d.MailDomain = "guichet.local"
	}
	return &Module{db: d.DB, clock: d.Clock, log: d.Log, identity: d.Identity, audit: d.Audit,
		partners: d.Partners, profiles: d.Profiles, applications: d.Applications, jobs: d.Jobs,
		mailDomain: d.MailDomain, baseURL: d.BaseURL, store: NewStore(d.DB, d.Clock)}
}

// Use gives the dashboard its lists when the parts that keep them are
// built after this one (they need its Mailbox). Call it before serving.
func (m *Module) Use(p account.Profiles, a account.ApplicationList) {
	m.profiles, m.applications = p, a
}

// Store returns the module's store.
func (m *Module) Store() *Store { return m.store }

// Accounts finds the signed-in person's account.
func (m *Module) Accounts() account.Accounts { return accounts{m} }

// Mailbox posts letters; the caller kicks the mail job (Kick) after its
// transaction commits.
func (m *Module) Mailbox() account.Mailbox { return mailbox{m} }

// Documents reads uploads for staff.
func (m *Module) Documents() account.Documents { return documentStore{m.store} }

// Correspondence reads letters for staff and moves them with an
// application.
func (m *Module) Correspondence() account.Correspondence { return correspondence{m.store} }

// Kick starts mail delivery now, after a transaction that posted letters
// committed.
func (m *Module) Kick() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

// UploadPaths are the routes, after the language prefix, whose bodies may
// be larger than the server's default limit (up to UploadBodyLimit): the
// server's own limit must let them through, or a file over 256 KB never
// reaches the handler.
func UploadPaths() []string {
	return []string{"/ircc/messages/:id/reply", "/ircc/documents/requests/:id"}
}

// Routes adds the secure account's pages.
func (m *Module) Routes(g *echo.Group) {
	m.identity.MountEntry(g, identity.Entry{Service: Service, NameKey: "service.ircc.title", DelayNotice: true, Partners: m.partners, Home: m.home})

	in := m.identity.Require(Service)
	// Enrolment: a Principal without an account yet.
	g.POST("/ircc/enrol", m.enrolSubmit, in)

	// Everything else needs the account.
	own := []echo.MiddlewareFunc{in, m.requireAccount}
	upload := append([]echo.MiddlewareFunc{middleware.BodyLimit(UploadBodyLimit)}, own...)

	// Contact details
	g.GET("/ircc/contact", m.contactShow, own...)
	g.POST("/ircc/contact", m.contactSubmit, own...)

	// Correspondence
	g.GET("/ircc/messages", m.messagesList, own...)
	g.GET("/ircc/messages/:id", m.messageShow, own...)
	g.POST("/ircc/messages/:id/reply", m.replySubmit, upload...)

	// Documents
	g.GET("/ircc/documents", m.documentsList, own...)
	g.POST("/ircc/documents/requests/:id", m.uploadSubmit, upload...)
	g.GET("/ircc/documents/:id/download", m.download, own...)
}

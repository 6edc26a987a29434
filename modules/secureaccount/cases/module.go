// Package cases is the applications side of the IRCC secure account:
// applications submitted online or recorded from paper, their statuses
// and history, the events a later module consumes when one is approved,
// technical-problem reports, linking an application to another account,
// and the staff console pages that move applications along.
package cases

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/identity"
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// Kicker wakes a job: the mail job, right after a commit that queued mail
// (*jobs.Runner).
type Kicker interface {
	Kick(name string)
}

// Deps are what the module uses.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Identity *identity.Sessions
	Sessions *web.Sessions
	Audit    *audit.Log
	Codes    *codes.Store
	Throttle *throttle.Store
	// MailDomain is the right-hand side of Message-IDs.
	MailDomain string
	// Jobs, when set, is kicked after mail is queued.
	Jobs Kicker

	Accounts       account.Accounts
	Mailbox        account.Mailbox
	Documents      account.Documents
	Correspondence account.Correspondence
	// RoleGate is the staff module's RequireRole.
	RoleGate identity.RoleGate
}

// Module serves the applicant's application pages, the report and
// linking forms, and the staff console's application pages.
type Module struct {
	db             *db.DB
	clock          clock.Clock
	log            *slog.Logger
	identity       *identity.Sessions
	audit          *audit.Log
	codes          *codes.Store
	throttle       *throttle.Store
	mailDomain     string
	jobs           Kicker
	accounts       account.Accounts
	mailbox        account.Mailbox
	documents      account.Documents
	correspondence account.Correspondence
	roleGate       identity.RoleGate
	store          *Store
}

// New returns the module.
func New(d Deps) *Module {
	return &Module{
		db: d.DB, clock: d.Clock, log: d.Log, identity: d.Identity, audit: d.Audit,
		codes: d.Codes, throttle: d.Throttle, mailDomain: d.MailDomain, jobs: d.Jobs,
		accounts: d.Accounts, mailbox: d.Mailbox, documents: d.Documents, correspondence: d.Correspondence,
		roleGate: d.RoleGate, store: NewStore(d.DB),
	}
}

// Paths after the language prefix.
const (
	irccHome      = "/ircc/"
	appsBase      = "/ircc/applications/"
	reportPath    = "/ircc/report"
	linkPath      = "/ircc/link"
	staffBase     = "/staff/ircc/"
	staffApps     = "/staff/ircc/applications"
	staffReports  = "/staff/ircc/reports"
	staffLinksURL = "/staff/ircc/links"
)

// Section names the console's applications section for the staff home.
func (m *Module) Section() (nameKey, path string) {
	return "cases.staff.section", staffBase
}

// Applications is the account.Applications the Express Entry part
// submits through.
func (m *Module) Applications() account.Applications { return applications{m} }

// ApplicationList is the account.ApplicationList the dashboard reads.
func (m *Module) ApplicationList() account.ApplicationList { return applicationList{m} }

// Routes adds the applicant's pages and the staff console's pages. The
// middleware goes on each route rather than on a group, so no catch-all
// is registered over paths other modules serve.
func (m *Module) Routes(g *echo.Group) {
	// Applicant: behind the ircc Principal; the handlers then need an
	// enrolled account.
	ircc := m.identity.Require("ircc")
	g.GET("/ircc/applications/:id", m.applicationShow, ircc)
	g.GET("/ircc/report", m.reportShow, ircc)
	g.POST("/ircc/report", m.reportSubmit, ircc)
	g.GET("/ircc/report/:id", m.reportSent, ircc)
	g.GET("/ircc/link", m.linkShow, ircc)
	g.POST("/ircc/link", m.linkSubmit, ircc)
	g.GET("/ircc/link/:id", m.linkStatus, ircc)
	g.POST("/ircc/link/:id", m.linkConfirm, ircc)

	// Staff console: officers and administrators only.
	staff := m.roleGate(identity.RoleOfficer, identity.RoleAdministrator)
	g.GET("/staff/ircc/", m.staffHome, staff)
	g.GET("/staff/ircc/applications", m.staffSearch, staff)
	g.GET("/staff/ircc/applications/:id", m.staffApplication, staff)
	g.POST("/staff/ircc/applications/:id/status", m.staffStatus, staff)
	g.POST("/staff/ircc/applications/:id/message", m.staffMessage, staff)
	g.POST("/staff/ircc/applications/:id/request", m.staffRequest, staff)
	g.GET("/staff/ircc/documents/:id", m.staffDocument, staff)
	g.GET("/staff/ircc/paper", m.staffPaperShow, staff)
	g.POST("/staff/ircc/paper", m.staffPaperSubmit, staff)
	g.GET("/staff/ircc/reports", m.staffReports, staff)
	g.POST("/staff/ircc/reports/:id/handled", m.staffReportHandled, staff)
	g.GET("/staff/ircc/links", m.staffLinks, staff)
	g.POST("/staff/ircc/links/:id/approve", m.staffLinkApprove, staff)
	g.POST("/staff/ircc/links/:id/refuse", m.staffLinkRefuse, staff)
}

// mailQueued wakes the mail job after a commit that queued mail.
func (m *Module) mailQueued() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

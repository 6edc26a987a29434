// Package staff is the IRCC staff console's gate: who is staff, in which
// role, and how a person becomes staff. An administrator makes a grant on
// the command line ("guichet staff grant"), which prints a one-time
// enrolment code naming the person it is for; that person signs in to the
// staff service with a GCKey and an authenticator app (never a Sign-In
// Partner or an email code) and redeems the code, which makes them a
// member known only by the staff service's pairwise id. RequireRole guards
// every staff page of every module; each staff action is audited under the
// member's number.
package staff

import (
	"log/slog"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/identity"
	"guichet/app/throttle"
	"guichet/db"
)

// Service is the staff console's service name.
const Service = "staff"

// Section is a part of the console another module adds: a link on the
// console's home, shown to the roles that may use it.
type Section struct {
	// NameKey is the catalog key of the link's text.
	NameKey string
	// Path is after the language prefix, e.g. "/staff/ircc/".
	Path string
	// Roles may see the section; an administrator always may.
	Roles []string
}

// Deps are what the module uses.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Identity *identity.Sessions
	Codes    *codes.Store
	Throttle *throttle.Store
	Audit    *audit.Log
	// Sections are the other modules' parts of the console.
	Sections []Section
	// BaseURL, when set, makes the command line print the full address
	// where a code is redeemed.
	BaseURL string
}

// Module is the staff console's gate and shell.
type Module struct {
	db       *db.DB
	clock    clock.Clock
	log      *slog.Logger
	identity *identity.Sessions
	codes    *codes.Store
	throttle *throttle.Store
	audit    *audit.Log
	store    *Store
	baseURL  string

	sectionsMu sync.RWMutex
	sections   []Section
}

// The numbers of enrolment.
const (
	// CodePurpose names enrolment codes in app_codes; the subject is the
	// grant's number.
	CodePurpose = "staff-enrolment"
	// CodeTTL is how long an enrolment code works.
	CodeTTL = 24 * time.Hour
	// MaxName is the longest name a grant takes, in characters.
	MaxName = 100
)

// WrongCodeRule counts tries at an enrolment code per person (pairwise
// id), checks and confirmations alike, before they are checked: 5 within
// 15 minutes lock the form for 15 minutes; a confirmed enrolment clears
// the count.
var WrongCodeRule = throttle.Rule{Limit: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}

// New returns the module.
func New(d Deps) *Module {
	return &Module{
		db: d.DB, clock: d.Clock, log: d.Log, identity: d.Identity, codes: d.Codes, throttle: d.Throttle,
		audit: d.Audit, store: NewStore(d.DB), baseURL: d.BaseURL, sections: append([]Section(nil), d.Sections...),
	}
}

// AddSections adds parts of the console after the module was built (for a
// module built after the staff module, since it needs RequireRole).
func (m *Module) AddSections(s ...Section) {
	m.sectionsMu.Lock()
	m.sections = append(m.sections, s...)
	m.sectionsMu.Unlock()
}

// Routes adds the console's entry, enrolment and administration pages.
func (m *Module) Routes(g *echo.Group) {
	m.identity.MountEntry(g, identity.Entry{Service: Service, NameKey: "service.staff.title", AppOnly: true, Home: m.home})
	signedIn := m.identity.Require(Service)
	g.POST("/staff/redeem", m.redeemCheck, signedIn)
	g.POST("/staff/redeem/confirm", m.redeemConfirm, signedIn)
	admin := m.RequireRole(identity.RoleAdministrator)
	g.GET("/staff/activity", m.activityShow, admin)
	g.GET("/staff/members", m.membersShow, admin)
	g.POST("/staff/members/:id/revoke", m.memberRevoke, admin)
	g.POST("/staff/grants/:id/revoke", m.grantRevoke, admin)
}

// Package expressentry is Express Entry in the IRCC secure account: the
// profile (a multi-step form with a draft saved at every step, scored by
// the crs package on submission), the rounds of invitations staff run,
// the invitation the person answers by applying for permanent residence
// or declining, and the API the provinces' portal will use to search the
// pool, verify a profile and nominate.
package expressentry

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// Kicker wakes a job (the mail job, after a commit that posted letters).
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

	Accounts     account.Accounts
	Mailbox      account.Mailbox
	Applications account.Applications
	// RoleGate guards the staff pages (the staff module's RequireRole).
	RoleGate identity.RoleGate
	// Jobs wakes the mail job after letters were posted (optional).
	Jobs Kicker
	// Require guards the applicant's pages; by default the ircc Principal
	// (Identity.Require("ircc")). The secure account may hand its own,
	// one that also asks for a second factor.
	Require echo.MiddlewareFunc
}

// Module is Express Entry.
type Module struct {
	store        *Store
	db           *db.DB
	clock        clock.Clock
	log          *slog.Logger
	audit        *audit.Log
	accounts     account.Accounts
	mailbox      account.Mailbox
	applications account.Applications
	roleGate     identity.RoleGate
	jobs         Kicker
	require      echo.MiddlewareFunc
}

// New returns the module.
func New(d Deps) *Module {
	req := d.Require
	if req == nil && d.Identity != nil {
		req = d.Identity.Require("ircc")
	}
	return &Module{
		store: NewStore(d.DB), db: d.DB, clock: d.Clock, log: d.Log, audit: d.Audit,
		accounts: d.Accounts, mailbox: d.Mailbox, applications: d.Applications,
		roleGate: d.RoleGate, jobs: d.Jobs, require: req,
	}
}

// Numbers from DOMAIN.md and the issue.
const (
	// A profile stays in the pool 12 months.
	profileValidMonths = 12
	// An invitation gives 60 days to apply or decline.
	invitationDays = 60
	// A round invites between 1 and 10,000 people.
	maxRoundSize = 10000
	// The highest CRS score.
	maxScore = 1200
	// The rounds page lists this many.
	roundsListed = 50
)

// Routes adds the Express Entry pages to a language group.
func (m *Module) Routes(g *echo.Group) {
	mine := []echo.MiddlewareFunc{m.require, m.withAccount}

	// The person's profiles, and starting one.
	g.GET("/ircc/express-entry/", m.listShow, mine...)
	g.POST("/ircc/express-entry/", m.startSubmit, mine...)

	// One profile: its page, its steps, the review and submission.
	g.GET("/ircc/express-entry/:id", m.profileShow, mine...)
	g.GET("/ircc/express-entry/:id/confirmation", m.confirmationShow, mine...)
	g.GET("/ircc/express-entry/:id/step/:n", m.stepShow, mine...)
	g.POST("/ircc/express-entry/:id/step/:n", m.stepSubmit, mine...)
	g.GET("/ircc/express-entry/:id/review", m.reviewShow, mine...)
	g.POST("/ircc/express-entry/:id/submit", m.submitProfile, mine...)

	// The invitation to apply: decline, or apply for permanent residence.
	g.GET("/ircc/express-entry/:id/invitation/decline", m.declineShow, mine...)
	g.POST("/ircc/express-entry/:id/invitation/decline", m.declineSubmit, mine...)
	g.GET("/ircc/express-entry/:id/invitation/apply", m.applyShow, mine...)
	g.POST("/ircc/express-entry/:id/invitation/apply", m.applySubmit, mine...)

	// Staff: rounds of invitations (administrators only).
	admin := m.roleGate(identity.RoleAdministrator)
	g.GET("/staff/ircc/rounds", m.roundsShow, admin)
	g.POST("/staff/ircc/rounds", m.roundsSubmit, admin)
}

const accountKey = "expressentry.account"

// withAccount finds the person's secure account; someone who has not
// enrolled yet goes to the secure account's entry page to do so.
func (m *Module) withAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, ok := m.accounts.Current(c)
		if !ok {
			return web.Redirect(c, web.URL(c, "/ircc/"))
		}
		c.Set(accountKey, a)
		return next(c)
	}
}

func accountOf(c echo.Context) account.Account {
	a, _ := c.Get(accountKey).(account.Account)
	return a
}

// idParam reads the :id of a URL; anything else is not found.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// notFound turns ErrNotFound into a 404 page.
func notFound(err error) error {
	if err == ErrNotFound {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}

func (m *Module) kickMail() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

func profileHref(id int64) string { return "/ircc/express-entry/" + strconv.FormatInt(id, 10) }

// Profiles lists an account's profiles for the dashboard.
func (m *Module) Profiles() account.Profiles { return profiles{m} }

type profiles struct{ m *Module }

func (p profiles) ForAccount(ctx context.Context, accountID int64) ([]account.ProfileSummary, error) {
	return p.m.store.summaries(ctx, accountID)
}

// StatusKey is the catalog key naming a profile status, for the
// dashboard: "ee.status.draft" and so on.
func StatusKey(status string) string {
	switch status {
	case StatusDraft:
		return "ee.status.draft"
	case StatusSubmitted:
		return "ee.status.submitted"
	case StatusInvited:
		return "ee.status.invited"
	case StatusApplied:
		return "ee.status.applied"
	case StatusExpired:
		return "ee.status.expired"
	case StatusWithdrawn:
		return "ee.status.withdrawn"
	}
	return "ee.status.unknown"
}

func invitationStatusKey(status string) string {
	switch status {
	case InvitationOpen:
		return "ee.inv.status_open"
	case InvitationDeclined:
		return "ee.inv.status_declined"
	case InvitationApplied:
		return "ee.inv.status_applied"
	case InvitationExpired:
		return "ee.inv.status_expired"
	}
	return "ee.status.unknown"
}

// expiry is when a profile submitted at t leaves the pool.
func expiry(t time.Time) time.Time { return t.AddDate(0, profileValidMonths, 0) }

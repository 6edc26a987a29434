// Package twofactor owns second factors: an authenticator app (TOTP) or a
// code sent by email. It serves the GCKey two-factor pages (set up, verify,
// the authentication success page) and can mount the same pages for
// another kind of subject under another prefix.
package twofactor

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/identity"
	"guichet/app/keys"
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/db"
)

// Subject is whoever owns a factor: a GCKey credential (Kind "gckey", ID
// the credential reference) or, later, a service account.
type Subject struct {
	Kind string
	ID   string
}

// String is the subject as one-time codes name it.
func (s Subject) String() string { return s.Kind + ":" + s.ID }

// Contact finds where to mail a subject and in which language. Auth
// implements it for GCKey credentials (the verified recovery email).
type Contact interface {
	Email(ctx context.Context, kind, id string) (addr, lang string, err error)
}

// Recovery issues a new set of recovery codes when a factor is set up; the
// recovery module implements it.
type Recovery interface {
	// IssueNew replaces the subject's recovery codes in tx and keeps the new
	// set readable for one showing.
	IssueNew(ctx context.Context, tx *sqlx.Tx, kind, id string) error
	// CodesPath is where the new set is shown, after the language prefix.
	CodesPath() string
}

// Kicker wakes a job: the mail job, right after a commit that queued mail,
// so a code arrives without waiting for the job's next tick (*jobs.Runner).
type Kicker interface {
	Kick(name string)
}

// Deps are what the module uses.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Keys     *keys.Ring
	Identity *identity.Sessions
	// Sessions ends the credential's other sessions after a factor change.
	Sessions *web.Sessions
	Codes    *codes.Store
	Throttle *throttle.Store
	Audit    *audit.Log
	Contact  Contact
	Recovery Recovery
	// MailDomain is the right-hand side of Message-IDs.
	MailDomain string
	// Jobs, when set, is kicked after mail is queued.
	Jobs Kicker
	// Issuer names the service in authenticator apps ("Guichet").
	Issuer string
}

// Module serves the two-factor pages.
type Module struct {
	db         *db.DB
	clock      clock.Clock
	log        *slog.Logger
	keys       *keys.Ring
	identity   *identity.Sessions
	sessions   *web.Sessions
	codes      *codes.Store
	throttle   *throttle.Store
	audit      *audit.Log
	contact    Contact
	recovery   Recovery
	mailDomain string
	issuer     string
	jobs       Kicker
	store      *Store
}

// New returns the module.
func New(d Deps) *Module {
	issuer := d.Issuer
	if issuer == "" {
		issuer = "Guichet"
	}
	return &Module{
		db: d.DB, clock: d.Clock, log: d.Log, keys: d.Keys, identity: d.Identity, sessions: d.Sessions,
		codes: d.Codes, throttle: d.Throttle, audit: d.Audit, contact: d.Contact, recovery: d.Recovery,
		mailDomain: d.MailDomain, issuer: issuer, jobs: d.Jobs, store: NewStore(d.DB),
	}
}

// The numbers DOMAIN.md gives.
const (
	// ChangeWindow is how recent a second-factor check must be to change
	// the factor (or the recovery codes).
	ChangeWindow = 20 * time.Minute
	// EmailCodeTTL is how long an emailed code works.
	EmailCodeTTL = 10 * time.Minute
	// EmailPurpose names emailed codes in app_codes.
	EmailPurpose = "2fa-email"
)

// WrongAnswerRule is the one counter of wrong second-factor answers, codes
// and recovery codes alike: 10 wrong answers within 15 minutes lock the
// second step for 10 minutes.
var WrongAnswerRule = throttle.Rule{Limit: 10, Window: 15 * time.Minute, Lock: 10 * time.Minute}

// CounterKey is the throttle key of a subject's wrong answers. The recovery
// module counts wrong recovery codes on the same key.
func CounterKey(kind, id string) string { return "2fa:" + kind + ":" + id }

// emailSendRule allows at most 5 emailed codes in 15 minutes; the lock lets
// the page say when the next one can be asked for.
var emailSendRule = throttle.Rule{Limit: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}

func emailSendKey(s Subject) string { return "2fa-email-send:" + s.Kind + ":" + s.ID }

// mailQueued wakes the mail job after a commit that queued mail.
func (m *Module) mailQueued() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

// HasActiveFactor tells whether the subject has finished setting up a
// second factor (auth sends a person without one to set-up). It takes
// strings, not a Subject, so a consumer can declare it without importing
// this package.
func (m *Module) HasActiveFactor(ctx context.Context, kind, id string) (bool, error) {
	_, ok, err := m.store.Get(ctx, Subject{kind, id}, statusActive)
	return ok, err
}

// OnlyEmail tells whether the subject's only factor is an emailed code, so
// a password reset (mailed to the same inbox) must also ask for a recovery
// code.
func (m *Module) OnlyEmail(ctx context.Context, kind, id string) (bool, error) {
	f, ok, err := m.store.Get(ctx, Subject{kind, id}, statusActive)
	return ok && f.Method == MethodEmail, err
}

// Routes adds the GCKey two-factor pages.
func (m *Module) Routes(g *echo.Group) {
	m.RoutesAt(g, m.GCKeyPages())
}

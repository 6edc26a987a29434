// Package recovery owns recovery codes: a set of 10 single-use codes
// issued with every second factor, shown once (with a download and print
// for a few minutes), counted and renewed on the manage page, and used on
// the "Recover account" page when the person has lost their method.
package recovery

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
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

// Contact finds where to mail a subject and in which language. Auth
// implements it for GCKey credentials; the same method serves twofactor.
type Contact interface {
	Email(ctx context.Context, kind, id string) (addr, lang string, err error)
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
	// Sessions ends the credential's other sessions after a recovery.
	Sessions *web.Sessions
	Codes    *codes.Store
	Throttle *throttle.Store
	Audit    *audit.Log
	Contact  Contact
	// CounterKey and CounterRule are the twofactor module's counter of
	// wrong answers (twofactor.CounterKey, twofactor.WrongAnswerRule):
	// wrong recovery codes count on it too.
	CounterKey  func(kind, id string) string
	CounterRule throttle.Rule
	// MailDomain is the right-hand side of Message-IDs.
	MailDomain string
	// Jobs, when set, is kicked after mail is queued.
	Jobs Kicker
}

// Module serves the recovery pages.
type Module struct {
	db          *db.DB
	clock       clock.Clock
	log         *slog.Logger
	keys        *keys.Ring
	identity    *identity.Sessions
	sessions    *web.Sessions
	codes       *codes.Store
	throttle    *throttle.Store
	audit       *audit.Log
	contact     Contact
	counterKey  func(kind, id string) string
	counterRule throttle.Rule
	mailDomain  string
	jobs        Kicker
	store       *Store
}

// New returns the module.
func New(d Deps) *Module {
	return &Module{
		db: d.DB, clock: d.Clock, log: d.Log, keys: d.Keys, identity: d.Identity, sessions: d.Sessions,
		codes: d.Codes, throttle: d.Throttle, audit: d.Audit, contact: d.Contact,
		counterKey: d.CounterKey, counterRule: d.CounterRule, mailDomain: d.MailDomain, jobs: d.Jobs,
		store: NewStore(d.DB),
	}
}

// The numbers DOMAIN.md gives.
const (
	// Purpose names recovery codes in app_codes.
	Purpose = "recovery"
	// SetSize is how many codes a set has.
	SetSize = 10
	// WarnAt is the number of codes left at which the person is warned.
	WarnAt = 2
	// ShowFor is how long a new set stays downloadable, unless the person
	// says they saved it sooner.
	ShowFor = 15 * time.Minute
	// ChangeWindow is how recent a second-factor check must be to get a
	// new set.
	ChangeWindow = 20 * time.Minute
)

// GCKey pages of the twofactor module that these pages lead to.
const (
	twoFactorIndex  = "/gckey/2fa/"
	twoFactorVerify = "/gckey/2fa/verify"
	twoFactorSetup  = "/gckey/2fa/setup"
	twoFactorDone   = "/gckey/2fa/done"
	signIn          = "/gckey/"
)

// Paths of this module, after the language prefix.
const (
	base      = "/gckey/recovery"
	codesPath = base + "/codes"
)

// mailQueued wakes the mail job after a commit that queued mail.
func (m *Module) mailQueued() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

func subjectOf(kind, id string) string { return kind + ":" + id }

// IssueNew replaces the subject's recovery codes with a new set, in the
// caller's transaction (the twofactor module's set-up), and keeps a sealed
// copy so the set can be shown once and downloaded for a few minutes. The
// old set stops working.
func (m *Module) IssueNew(ctx context.Context, tx *sqlx.Tx, kind, id string) error {
	set, err := m.codes.IssueSet(ctx, tx, Purpose, subjectOf(kind, id), codes.Grouped, SetSize, 0)
	if err != nil {
		return fmt.Errorf("recovery: issue codes: %w", err)
	}
	sealed, err := m.keys.Seal([]byte(strings.Join(set, "\n")), sealAD(kind, id))
	if err != nil {
		return fmt.Errorf("recovery: seal codes: %w", err)
	}
	return m.store.PutShown(ctx, tx, kind, id, sealed, m.clock.Now())
}

// CodesPath is the page that shows a new set, after the language prefix.
func (m *Module) CodesPath() string { return codesPath }

// Consume uses one of the subject's recovery codes in tx; of two requests
// racing with the same code, exactly one gets true. Auth's password reset
// calls it when the only factor is email; counting wrong codes and
// recording the use are the caller's.
func (m *Module) Consume(ctx context.Context, tx *sqlx.Tx, kind, id, code string) (bool, error) {
	return m.codes.Consume(ctx, tx, Purpose, subjectOf(kind, id), codes.Grouped, code)
}

// Remaining counts the subject's unused recovery codes.
func (m *Module) Remaining(ctx context.Context, kind, id string) (int, error) {
	return m.codes.Remaining(ctx, Purpose, subjectOf(kind, id))
}

// Cleanup deletes readable copies older than ShowFor. Pages already refuse
// to open them; this removes them from the disk too. A job calls it.
func (m *Module) Cleanup(ctx context.Context) (int64, error) {
	return m.store.DeleteShownBefore(ctx, m.clock.Now().Add(-ShowFor))
}

func sealAD(kind, id string) []byte { return []byte("recovery_shown:" + kind + ":" + id) }

// Routes adds the GCKey recovery pages.
func (m *Module) Routes(g *echo.Group) {
	// Manage: how many codes are left, and a new set.
	g.GET(base+"/", m.manageShow)
	g.POST(base+"/new", m.newSubmit)

	// A new set, shown once; downloadable until saved or 15 minutes pass.
	g.GET(codesPath, m.codesShow)
	g.GET(codesPath+".txt", m.codesDownload)
	g.POST(codesPath, m.codesSaved)

	// Recover account: a recovery code instead of the lost method.
	g.GET(base+"/recover", m.recoverShow)
	g.POST(base+"/recover", m.recoverSubmit)
	g.GET(base+"/recovered", m.recoveredShow)

	// No method and no codes: what to do.
	g.GET(base+"/lost", m.lostShow)
}

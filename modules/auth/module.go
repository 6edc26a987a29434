// Package auth is the GCKey credential: sign-up with an emailed code,
// sign-in with username and password (throttled, with known browsers
// exempt from the username lock), forgotten username or password, the
// credential management pages, expiry after two years without use, and
// closing. The second factor and recovery codes belong to other modules;
// auth reaches them through the small interfaces declared here.
package auth

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
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/db"
)

// SecondFactors is what auth asks of the two-factor module about a
// subject. A GCKey's subject is kind "gckey" and its full reference as id
// ("gckey:3f2a…").
type SecondFactors interface {
	// HasActiveFactor tells whether the subject has set up a method.
	HasActiveFactor(ctx context.Context, kind, id string) (bool, error)
	// OnlyEmail tells whether email codes are the subject's only method,
	// in which case the recovery inbox alone must not be enough to reset
	// the password.
	OnlyEmail(ctx context.Context, kind, id string) (bool, error)
}

// RecoveryCodes uses one of a subject's recovery codes inside the
// caller's transaction, so a password reset and the code it spent commit
// or fail together.
type RecoveryCodes interface {
	Consume(ctx context.Context, tx *sqlx.Tx, kind, id, code string) (bool, error)
}

// Hasher is the argon2id hasher (*password.Hasher).
type Hasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, encoded, pw string) (ok, rehash bool, err error)
	VerifyDummy(ctx context.Context, pw string)
}

// Kicker wakes a job (the mail job, after a commit that queued mail).
type Kicker interface {
	Kick(name string)
}

// Deps are what the module uses.
type Deps struct {
	DB            *db.DB
	Clock         clock.Clock
	Log           *slog.Logger
	Identity      *identity.Sessions
	Sessions      *web.Sessions
	Pairwise      *identity.Store
	Codes         *codes.Store
	Throttle      *throttle.Store
	Audit         *audit.Log
	Hasher        Hasher
	SecondFactors SecondFactors
	RecoveryCodes RecoveryCodes
	Jobs          Kicker
	// Secure marks cookies Secure (the site is served over https).
	Secure bool
	// MailDomain is the right-hand side of Message-IDs.
	MailDomain string
	// BaseURL starts the links in emails (reset links). When empty (dev),
	// the request's own host is used.
	BaseURL string
}

// Module is the GCKey credential module.
type Module struct {
	store    *Store
	db       *db.DB
	clock    clock.Clock
	log      *slog.Logger
	identity *identity.Sessions
	sessions *web.Sessions
	pairwise *identity.Store
	codes    *codes.Store
	throttle *throttle.Store
	audit    *audit.Log
	hasher   Hasher
	factors  SecondFactors
	recovery RecoveryCodes
	jobs     Kicker
	secure   bool
	domain   string
	baseURL  string
}

// New returns the module.
func New(d Deps) *Module {
	return &Module{
		store: NewStore(d.DB), db: d.DB, clock: d.Clock, log: d.Log,
		identity: d.Identity, sessions: d.Sessions, pairwise: d.Pairwise,
		codes: d.Codes, throttle: d.Throttle, audit: d.Audit, hasher: d.Hasher,
		factors: d.SecondFactors, recovery: d.RecoveryCodes, jobs: d.Jobs,
		secure: d.Secure, domain: d.MailDomain, baseURL: d.BaseURL,
	}
}

// Numbers from DOMAIN.md ("GCKey two-factor authentication").
const (
	// Sign-in: 5 failed passwords for one username within 15 minutes lock
	// it for 15 minutes; 50 failures from one address within 15 minutes
	// slow that address down for 15 minutes.
	userFailLimit = 5
	ipFailLimit   = 50
	failWindow    = 15 * time.Minute
	failLock      = 15 * time.Minute
	// Lockout emails: at most one a day per account.
	lockNoticeEvery = 24 * time.Hour
	// Email codes: 6 digits, 10 minutes, at most 5 sends per 15 minutes
	// to one address (and per session).
	codeTTL     = 10 * time.Minute
	codeSends   = 5
	codeWindow  = 15 * time.Minute
	codeGuesses = 5
	// Sign-ups wait 30 minutes for their code.
	signupTTL = 30 * time.Minute
	// Reset links: 30 minutes, single use.
	resetTTL = 30 * time.Minute
	// Credential changes need a second factor within 20 minutes.
	freshMFA = 20 * time.Minute
	// GCKeys expire after 2 years without use.
	expireAfter = 2 * 365 * 24 * time.Hour
	// The known-browser cookie lasts a year.
	deviceTTL = 365 * 24 * time.Hour
	// Recent activity shows this many events.
	activityLimit = 50
	// Wrong second-factor and recovery codes share one counter per
	// credential: 10 wrong answers lock for 10 minutes.
	secondStepLimit  = 10
	secondStepWindow = 15 * time.Minute
	secondStepLock   = 10 * time.Minute
)

// Code purposes in app_codes.
const (
	purposeSignup      = "auth-signup-email"
	purposeEmailChange = "auth-email-change"
	purposeReset       = "auth-reset"
)

// Session keys owned by auth. identity's sign-in clears them all.
const (
	keyTerms    = "auth.terms"
	keySignup   = "auth.signup"
	keyThrottle = "auth.tid"
	keyNewEmail = "auth.new_email"
)

var (
	userRule       = throttle.Rule{Limit: userFailLimit, Window: failWindow, Lock: failLock}
	ipRule         = throttle.Rule{Limit: ipFailLimit, Window: failWindow, Lock: failLock}
	sendRule       = throttle.Rule{Limit: codeSends, Window: codeWindow}
	guessRule      = throttle.Rule{Limit: codeGuesses, Window: codeTTL, Lock: codeTTL}
	secondStepRule = throttle.Rule{Limit: secondStepLimit, Window: secondStepWindow, Lock: secondStepLock}
)

// Routes adds the GCKey pages to a language group.
func (m *Module) Routes(g *echo.Group) {
	// Entry: where the landing page's GCKey card leads.
	g.GET("/gckey/", m.entryShow)

	// Sign up: terms, then details, then the emailed code.
	g.GET("/gckey/signup", m.termsShow)
	g.POST("/gckey/signup", m.termsSubmit)
	g.GET("/gckey/signup/details", m.detailsShow)
	g.POST("/gckey/signup/details", m.detailsSubmit)
	g.GET("/gckey/signup/verify", m.verifyShow)
	g.POST("/gckey/signup/verify", m.verifySubmit)
	g.POST("/gckey/signup/resend", m.verifyResend)

	// Sign in and out.
	g.GET("/gckey/signin", m.signinShow)
	g.POST("/gckey/signin", m.signinSubmit)
	g.GET("/gckey/welcome", m.welcomeShow)
	g.POST("/gckey/signout", m.signoutSubmit)

	// Forgotten username or password.
	g.GET("/gckey/forgot-username", m.forgotUsernameShow)
	g.POST("/gckey/forgot-username", m.forgotUsernameSubmit)
	g.GET("/gckey/forgot-username/sent", m.forgotUsernameSent)
	g.GET("/gckey/forgot-password", m.forgotPasswordShow)
	g.POST("/gckey/forgot-password", m.forgotPasswordSubmit)
	g.GET("/gckey/forgot-password/sent", m.forgotPasswordSent)
	g.GET("/gckey/reset", m.resetShow)
	g.POST("/gckey/reset", m.resetSubmit)

	// Managing the credential (second factor required; changes need it
	// within the last 20 minutes).
	g.GET("/gckey/account", m.accountShow)
	g.GET("/gckey/account/activity", m.activityShow)
	g.GET("/gckey/account/password", m.passwordShow)
	g.POST("/gckey/account/password", m.passwordSubmit)
	g.GET("/gckey/account/email", m.emailShow)
	g.POST("/gckey/account/email", m.emailSubmit)
	g.GET("/gckey/account/email/confirm", m.emailConfirmShow)
	g.POST("/gckey/account/email/confirm", m.emailConfirmSubmit)
	g.GET("/gckey/account/sessions", m.sessionsShow)
	g.POST("/gckey/account/sessions", m.sessionsSubmit)
	g.GET("/gckey/account/close", m.closeShow)
	g.POST("/gckey/account/close", m.closeSubmit)
	g.GET("/gckey/closed", m.closedShow)
}

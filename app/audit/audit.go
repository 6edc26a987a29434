// Package audit records security events, append-only, and reads a
// credential's recent activity back for its owner.
//
// Credential events (sign-ins, factor changes, recovery) name the credential;
// service events (what a service account did) name the service and the
// pairwise id it was given, never the credential, so the audit trail does not
// link what pairwise ids keep apart. The API enforces this by shape: Service
// takes no credential. Addresses and user agents are kept for a retention
// period, then blanked by Purge; the events themselves stay.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"guichet/app/clock"
	"guichet/db"
)

// Event names what happened. The values are stored, so they never change.
type Event string

// The recorded events.
const (
	SignIn              Event = "signin"
	SignInFailed        Event = "signin_failed"
	SecondFactorPassed  Event = "second_factor_passed"
	Locked              Event = "locked"
	SecondFactorFailed  Event = "second_factor_failed"
	SecondFactorChanged Event = "second_factor_changed"
	RecoveryCodeUsed    Event = "recovery_code_used"
	RecoveryCodesIssued Event = "recovery_codes_issued"
	PasswordChanged     Event = "password_changed"
	EmailChanged        Event = "email_changed"
	SessionsEnded       Event = "sessions_ended"
	CredentialClosed    Event = "credential_closed"
	CredentialExpired   Event = "credential_expired"
	SignUp              Event = "signup"
	PasswordReset       Event = "password_reset"
	UsernameReminder    Event = "username_reminder"
	// StaffAction is anything an IRCC staff member did; the detail says
	// what, and the subject is the staff member's number.
	StaffAction Event = "staff_action"
	// ServiceEnrolled is a person creating their account at a service.
	ServiceEnrolled Event = "service_enrolled"
)

// Scopes of an entry.
const (
	ScopeCredential = "credential"
	ScopeService    = "service"
)

// Field limits, in bytes. A user agent is whatever the client sent, and a
// detail may quote input; neither may grow the table without bound.
const (
	MaxUserAgent = 256
	MaxDetail    = 1000
	maxIP        = 64 // an IPv6 address with a zone fits well within this
)

// DefaultRecent is how many entries Recent returns when asked for none.
const DefaultRecent = 20

// ErrInvalid reports an entry that cannot be recorded.
var ErrInvalid = errors.New("audit: invalid entry")

// Entry is one recorded event.
type Entry struct {
	ID        int64     `db:"id"`
	At        time.Time `db:"at"`
	Scope     string    `db:"scope"`
	Subject   string    `db:"subject"`
	Event     Event     `db:"event"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
	Detail    string    `db:"detail"`
}

// Log writes and reads app_audit.
type Log struct {
	db    *db.DB
	clock clock.Clock
}

// New returns a log over d.
func New(d *db.DB, c clock.Clock) *Log { return &Log{db: d, clock: c} }

const (
	insertEntry = `INSERT INTO app_audit (at, scope, subject, event, ip, user_agent, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?)`

	// id breaks ties between events of the same instant, in the order
	// they were recorded.
	selectRecent = `SELECT id, at, scope, subject, event, ip, user_agent, detail
	FROM app_audit WHERE scope = 'credential' AND subject = ?
	ORDER BY at DESC, id DESC LIMIT ?`

	// A service's events, newest first. A range on the subject ("staff:"
	// up to "staff;", ';' being the character after ':') rather than LIKE
	// uses the (scope, subject, at) index on any database.
	selectServiceRecent = `SELECT id, at, scope, subject, event, ip, user_agent, detail
	FROM app_audit WHERE scope = 'service' AND subject >= ? AND subject < ?
	ORDER BY at DESC, id DESC LIMIT ?`

	// The only UPDATE on this table. Its WHERE repeats the partial index's
	// condition so rows already purged are never visited again.
	purgeOld = `UPDATE app_audit SET ip = '', user_agent = ''
	WHERE (ip <> '' OR user_agent <> '') AND at < ?`
)

// Credential records ev for the credential cred ("gckey:<uuid>"). q is the
// caller's transaction, so the event exists exactly when the change it
// describes committed, or the writer pool for a change with no transaction
// of its own (a failed sign-in).
func (l *Log) Credential(ctx context.Context, q sqlx.ExtContext, cred string, ev Event, ip, ua, detail string) error {
	if strings.TrimSpace(cred) == "" {
		return fmt.Errorf("%w: no credential", ErrInvalid)
	}
	return l.insert(ctx, q, ScopeCredential, cred, ev, ip, ua, detail)
}

// Service records ev for what a service account did, under the pairwise id
// that service knows the person by; the subject is "<service>:<pairwise id>".
func (l *Log) Service(ctx context.Context, q sqlx.ExtContext, service, pairwiseID string, ev Event, ip, ua, detail string) error {
	// A colon in the service name would make subjects ambiguous.
	if service == "" || strings.Contains(service, ":") {
		return fmt.Errorf("%w: service %q", ErrInvalid, service)
	}
	if strings.TrimSpace(pairwiseID) == "" {
		return fmt.Errorf("%w: no pairwise id", ErrInvalid)
	}
	return l.insert(ctx, q, ScopeService, service+":"+pairwiseID, ev, ip, ua, detail)
}

func (l *Log) insert(ctx context.Context, q sqlx.ExtContext, scope, subject string, ev Event, ip, ua, detail string) error {
	if ev == "" {
		return fmt.Errorf("%w: no event", ErrInvalid)
	}
	_, err := q.ExecContext(ctx, q.Rebind(insertEntry),
		l.clock.Now().UTC(), scope, clean(subject, 0), string(ev),
		clean(ip, maxIP), clean(ua, MaxUserAgent), clean(detail, MaxDetail))
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", ev, err)
	}
	return nil
}

// clean makes s storable in any TEXT column: invalid UTF-8 and NUL bytes
// (which PostgreSQL refuses) are replaced, and s is cut to at most limit bytes
// (0: no limit) without splitting a character.
func clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if limit <= 0 || len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Recent returns cred's most recent credential events, newest first, at most
// limit (DefaultRecent when limit is not positive). Service events are never
// returned: they do not name the credential.
func (l *Log) Recent(ctx context.Context, cred string, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = DefaultRecent
	}
	var out []Entry
	if err := l.db.R.SelectContext(ctx, &out, l.db.Rebind(selectRecent), cred, limit); err != nil {
		return nil, fmt.Errorf("audit: recent for %q: %w", cred, err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// ServiceRecent returns a service's most recent events, newest first, at
// most limit (DefaultRecent when limit is not positive): what the staff
// console's activity page lists.
func (l *Log) ServiceRecent(ctx context.Context, service string, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = DefaultRecent
	}
	var out []Entry
	if err := l.db.R.SelectContext(ctx, &out, l.db.Rebind(selectServiceRecent), service+":", service+";", limit); err != nil {
		return nil, fmt.Errorf("audit: recent for service %q: %w", service, err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// Purge blanks the address and user agent of entries older than olderThan,
// the stated retention, and returns how many entries it blanked. The job
// runner calls it; the events themselves are kept.
func (l *Log) Purge(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, fmt.Errorf("audit: purge retention %v is not positive", olderThan)
	}
	cutoff := l.clock.Now().UTC().Add(-olderThan)
	var n int64
	err := l.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(purgeOld), cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit: purge: %w", err)
	}
	return n, nil
}

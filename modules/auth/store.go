package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// Errors the store returns.
var (
	ErrNotFound      = errors.New("auth: credential not found")
	ErrUsernameTaken = errors.New("auth: username already used")
)

// Credential is one GCKey.
type Credential struct {
	Cred            string     `db:"cred"`
	Username        string     `db:"username"`
	UsernameNorm    string     `db:"username_norm"`
	PasswordHash    string     `db:"password_hash"`
	Email           string     `db:"email"`
	EmailNorm       string     `db:"email_norm"`
	EmailVerifiedAt *time.Time `db:"email_verified_at"`
	Lang            string     `db:"lang"`
	CreatedAt       time.Time  `db:"created_at"`
	LastUsedAt      *time.Time `db:"last_used_at"`
	ExpiredAt       *time.Time `db:"expired_at"`
	ClosedAt        *time.Time `db:"closed_at"`
}

// Closed tells whether the person closed this GCKey.
func (c Credential) Closed() bool { return c.ClosedAt != nil }

// lastUse is when the credential was last used, or created if never.
func (c Credential) lastUse() time.Time {
	if c.LastUsedAt != nil {
		return *c.LastUsedAt
	}
	return c.CreatedAt
}

// Signup is a sign-up waiting for its email code.
type Signup struct {
	ID           string    `db:"id"`
	Username     string    `db:"username"`
	UsernameNorm string    `db:"username_norm"`
	PasswordHash string    `db:"password_hash"`
	Email        string    `db:"email"`
	Lang         string    `db:"lang"`
	CreatedAt    time.Time `db:"created_at"`
}

// Store holds every SQL statement of the auth module; it touches only the
// auth_ tables.
type Store struct {
	db *db.DB
}

// NewStore returns the store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

const credentialColumns = `cred, username, username_norm, password_hash, email, email_norm, email_verified_at,
	lang, created_at, last_used_at, expired_at, closed_at`

const (
	selectByUsername = `SELECT ` + credentialColumns + ` FROM auth_credentials WHERE username_norm = ?`
	selectByCred     = `SELECT ` + credentialColumns + ` FROM auth_credentials WHERE cred = ?`
	selectByEmail    = `SELECT ` + credentialColumns + ` FROM auth_credentials
	WHERE email_norm = ? AND email_verified_at IS NOT NULL AND closed_at IS NULL AND expired_at IS NULL
	ORDER BY created_at`
	countUsername = `SELECT COUNT(*) FROM auth_credentials WHERE username_norm = ?`

	// ON CONFLICT DO NOTHING makes a lost race on a username an ordinary
	// "no row inserted" on SQLite and PostgreSQL alike.
	insertCredential = `INSERT INTO auth_credentials
	(cred, username, username_norm, password_hash, email, email_norm, email_verified_at, lang, created_at, last_used_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (username_norm) DO NOTHING`

	updateSignedIn = `UPDATE auth_credentials SET last_used_at = ?, lang = ? WHERE cred = ?`
	updatePassword = `UPDATE auth_credentials SET password_hash = ? WHERE cred = ?`
	updateEmail    = `UPDATE auth_credentials SET email = ?, email_norm = ?, email_verified_at = ? WHERE cred = ?`
	updateClosed   = `UPDATE auth_credentials SET closed_at = ? WHERE cred = ? AND closed_at IS NULL`
	updateExpired  = `UPDATE auth_credentials SET expired_at = ? WHERE cred = ? AND expired_at IS NULL`
	selectStale    = `SELECT cred FROM auth_credentials
	WHERE expired_at IS NULL AND closed_at IS NULL AND COALESCE(last_used_at, created_at) < ?
	ORDER BY cred`

	insertSignup = `INSERT INTO auth_signups (id, username, username_norm, password_hash, email, lang, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectSignup     = `SELECT id, username, username_norm, password_hash, email, lang, created_at FROM auth_signups WHERE id = ? AND created_at > ?`
	deleteSignup     = `DELETE FROM auth_signups WHERE id = ?`
	deleteOldSignups = `DELETE FROM auth_signups WHERE created_at <= ?`
	insertDevice     = `INSERT INTO auth_devices (device_hash, cred, created_at) VALUES (?, ?, ?)
	ON CONFLICT (device_hash, cred) DO UPDATE SET created_at = excluded.created_at`
	selectDevice      = `SELECT COUNT(*) FROM auth_devices WHERE device_hash = ? AND cred = ? AND created_at > ?`
	deleteDevices     = `DELETE FROM auth_devices WHERE cred = ?`
	deleteOldDevices  = `DELETE FROM auth_devices WHERE created_at <= ?`
	selectDeviceCount = `SELECT COUNT(*) FROM auth_devices WHERE cred = ?`
)

func getCredential(ctx context.Context, q sqlx.QueryerContext, query string, arg any) (Credential, error) {
	var c Credential
	err := sqlx.GetContext(ctx, q, &c, query, arg)
	if errors.Is(err, db.ErrNoRows) {
		return Credential{}, ErrNotFound
	}
	if err != nil {
		return Credential{}, fmt.Errorf("read credential: %w", err)
	}
	return c, nil
}

// ByUsername finds a credential by its normalized username, whatever its
// state (closed and expired ones too: their usernames stay taken).
func (s *Store) ByUsername(ctx context.Context, norm string) (Credential, error) {
	return getCredential(ctx, s.db.R, s.db.Rebind(selectByUsername), norm)
}

// ByCred finds a credential by reference.
func (s *Store) ByCred(ctx context.Context, cred string) (Credential, error) {
	return getCredential(ctx, s.db.R, s.db.Rebind(selectByCred), cred)
}

// ByEmail lists the usable credentials whose verified recovery email is
// emailNorm, oldest first.
func (s *Store) ByEmail(ctx context.Context, emailNorm string) ([]Credential, error) {
	var out []Credential
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectByEmail), emailNorm); err != nil {
		return nil, fmt.Errorf("credentials by email: %w", err)
	}
	return out, nil
}

// UsernameTaken tells whether a username was ever used, by any credential
// open, expired or closed.
func (s *Store) UsernameTaken(ctx context.Context, norm string) (bool, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, s.db.Rebind(countUsername), norm); err != nil {
		return false, fmt.Errorf("check username: %w", err)
	}
	return n > 0, nil
}

// Create inserts a credential in tx; ErrUsernameTaken when the username
// was used before, even if only by a different case.
func (s *Store) Create(ctx context.Context, tx *sqlx.Tx, c Credential) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(insertCredential),
		c.Cred, c.Username, c.UsernameNorm, c.PasswordHash, c.Email, c.EmailNorm, utcPtr(c.EmailVerifiedAt),
		c.Lang, c.CreatedAt.UTC(), utcPtr(c.LastUsedAt))
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	if n == 0 {
		return ErrUsernameTaken
	}
	return nil
}

// SignedIn records a successful sign-in and the language it used.
func (s *Store) SignedIn(ctx context.Context, tx *sqlx.Tx, cred string, now time.Time, lang string) error {
	return exec1(ctx, tx, updateSignedIn, "record sign-in", now.UTC(), lang, cred)
}

// SetPassword stores a new password hash.
func (s *Store) SetPassword(ctx context.Context, tx *sqlx.Tx, cred, hash string) error {
	return exec1(ctx, tx, updatePassword, "set password", hash, cred)
}

// SetEmail stores a new, verified recovery email.
func (s *Store) SetEmail(ctx context.Context, tx *sqlx.Tx, cred, email string, now time.Time) error {
	return exec1(ctx, tx, updateEmail, "set email", email, normEmail(email), now.UTC(), cred)
}

// Close closes a credential and forgets its known browsers. The row, and
// with it the username, stays.
func (s *Store) Close(ctx context.Context, tx *sqlx.Tx, cred string, now time.Time) error {
	if err := exec1(ctx, tx, updateClosed, "close credential", now.UTC(), cred); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(deleteDevices), cred); err != nil {
		return fmt.Errorf("forget devices: %w", err)
	}
	return nil
}

// MarkExpired stamps expired_at unless already set; it tells whether it did.
func (s *Store) MarkExpired(ctx context.Context, tx *sqlx.Tx, cred string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(updateExpired), now.UTC(), cred)
	if err != nil {
		return false, fmt.Errorf("mark expired: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Stale lists open, unexpired credentials not used since before cutoff.
func (s *Store) Stale(ctx context.Context, cutoff time.Time) ([]string, error) {
	var out []string
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectStale), cutoff.UTC()); err != nil {
		return nil, fmt.Errorf("stale credentials: %w", err)
	}
	return out, nil
}

// AddSignup stores a pending sign-up, deleting the dead ones first.
func (s *Store) AddSignup(ctx context.Context, tx *sqlx.Tx, su Signup, deadBefore time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(deleteOldSignups), deadBefore.UTC()); err != nil {
		return fmt.Errorf("delete old sign-ups: %w", err)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(insertSignup), su.ID, su.Username, su.UsernameNorm, su.PasswordHash, su.Email, su.Lang, su.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add sign-up: %w", err)
	}
	return nil
}

// Signup returns a pending sign-up created after notBefore.
func (s *Store) Signup(ctx context.Context, id string, notBefore time.Time) (Signup, error) {
	var su Signup
	err := s.db.R.GetContext(ctx, &su, s.db.Rebind(selectSignup), id, notBefore.UTC())
	if errors.Is(err, db.ErrNoRows) {
		return Signup{}, ErrNotFound
	}
	if err != nil {
		return Signup{}, fmt.Errorf("read sign-up: %w", err)
	}
	return su, nil
}

// DeleteSignup removes a pending sign-up.
func (s *Store) DeleteSignup(ctx context.Context, q sqlx.ExecerContext, id string) error {
	if _, err := q.ExecContext(ctx, s.db.Rebind(deleteSignup), id); err != nil {
		return fmt.Errorf("delete sign-up: %w", err)
	}
	return nil
}

// AddDevice remembers that a browser completed a sign-in for cred. A
// browser seen again starts a fresh year, like its cookie.
func (s *Store) AddDevice(ctx context.Context, tx *sqlx.Tx, hash []byte, cred string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(insertDevice), hash, cred, now.UTC()); err != nil {
		return fmt.Errorf("add device: %w", err)
	}
	return nil
}

// KnownDevice tells whether the browser with this hash signed in to cred
// after since.
func (s *Store) KnownDevice(ctx context.Context, hash []byte, cred string, since time.Time) (bool, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, s.db.Rebind(selectDevice), hash, cred, since.UTC()); err != nil {
		return false, fmt.Errorf("known device: %w", err)
	}
	return n > 0, nil
}

// Devices counts the known browsers of cred.
func (s *Store) Devices(ctx context.Context, cred string) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, s.db.Rebind(selectDeviceCount), cred)
	return n, err
}

// Cleanup deletes dead sign-ups and known browsers older than their
// cookie, and returns how many rows went.
func (s *Store) Cleanup(ctx context.Context, signupsBefore, devicesBefore time.Time) (int64, error) {
	var total int64
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, st := range []struct {
			q string
			t time.Time
		}{{deleteOldSignups, signupsBefore}, {deleteOldDevices, devicesBefore}} {
			res, err := tx.ExecContext(ctx, tx.Rebind(st.q), st.t.UTC())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("auth cleanup: %w", err)
	}
	return total, nil
}

// exec1 runs a statement that must change exactly one row.
func exec1(ctx context.Context, tx *sqlx.Tx, query, what string, args ...any) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(query), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n != 1 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

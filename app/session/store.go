// Package session stores scs sessions in Guichet's database.
//
// Unlike scs's stock SQLite store it reads on the reader pool, keeps only a
// hash of each token, can end every session of one credential, and skips
// the write on a signed-in request whose data did not change and whose
// expiry moved by less than a minute (scs commits on every request when an
// idle timeout is set, which would turn every page view into a write).
package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"guichet/app/clock"
	"guichet/db"
)

// SkipWindow is how far the expiry may move before an otherwise unchanged
// session is written again.
const SkipWindow = time.Minute

// Store implements scs.CtxStore.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// NewStore returns a store over d.
func NewStore(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

// Tracker remembers what was loaded for this request, so Commit can tell
// whether anything changed. The middleware puts one in each request context.
type Tracker struct {
	token  string
	data   []byte
	expiry time.Time
	found  bool
	// Cred is the credential reference to record with the row, so all of
	// one credential's sessions can be ended together.
	Cred string
	// Force makes the next commit write even if nothing changed (the
	// "Continue session" button must really extend the session).
	Force bool
}

// Expiry is the stored expiry of the loaded session, zero if none.
func (t *Tracker) Expiry() time.Time { return t.expiry }

// Found tells whether a stored session was loaded.
func (t *Tracker) Found() bool { return t.found }

type trackerKey struct{}

// WithTracker returns ctx carrying t.
func WithTracker(ctx context.Context, t *Tracker) context.Context {
	return context.WithValue(ctx, trackerKey{}, t)
}

func trackerFrom(ctx context.Context) *Tracker {
	t, _ := ctx.Value(trackerKey{}).(*Tracker)
	return t
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

type row struct {
	Data   []byte    `db:"data"`
	Expiry time.Time `db:"expiry"`
}

// FindCtx returns the data of an unexpired session.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var r row
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(`SELECT data, expiry FROM app_sessions WHERE token_hash = ? AND expiry > ?`), hashToken(token), s.clock.Now())
	if errors.Is(err, db.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if t := trackerFrom(ctx); t != nil {
		t.token, t.data, t.expiry, t.found = token, r.Data, r.Expiry, true
	}
	return r.Data, true, nil
}

// CommitCtx writes the session unless nothing worth writing changed.
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	t := trackerFrom(ctx)
	cred := ""
	if t != nil {
		cred = t.Cred
		if t.found && !t.Force && t.token == token && bytes.Equal(t.data, b) && expiry.Sub(t.expiry) < SkipWindow {
			return nil
		}
	}
	// A session loaded by this request is only updated, never re-inserted:
	// if it was ended meanwhile (sign-out elsewhere, password change), the
	// end must win over this request's late write.
	if t != nil && t.found && t.token == token {
		res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`UPDATE app_sessions SET data = ?, expiry = ?, cred = ? WHERE token_hash = ?`),
			b, expiry.UTC(), cred, hashToken(token))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			t.data, t.expiry = b, expiry.UTC()
		}
		return nil
	}
	_, err := s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO app_sessions (token_hash, data, expiry, cred) VALUES (?, ?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, cred = excluded.cred`),
		hashToken(token), b, expiry.UTC(), cred)
	if err == nil && t != nil {
		t.token, t.data, t.expiry, t.found = token, b, expiry.UTC(), true
	}
	return err
}

// DeleteCtx removes one session.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM app_sessions WHERE token_hash = ?`), hashToken(token))
	return err
}

// Find implements scs.Store.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *Store) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *Store) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// EndCredential deletes every session of cred except the one whose token is
// keep (empty to end them all), and returns how many ended.
func (s *Store) EndCredential(ctx context.Context, cred, keep string) (int64, error) {
	if cred == "" {
		return 0, errors.New("session: no credential given")
	}
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM app_sessions WHERE cred = ? AND token_hash <> ?`), cred, hashToken(keep))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountCredential counts the live sessions of cred.
func (s *Store) CountCredential(ctx context.Context, cred string) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM app_sessions WHERE cred = ? AND expiry > ?`), cred, s.clock.Now())
	return n, err
}

// Cleanup deletes expired sessions; the job runner calls it.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM app_sessions WHERE expiry <= ?`), s.clock.Now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Package throttle keeps attempt counters and locks in the database, shared
// by every module: failed passwords per username and per address, wrong
// second-factor answers, email codes sent to one address.
//
// The counters are rows, not memory, so a restart (or a deploy in the middle
// of an attack) never resets them, and so every instance sees the same
// counts. Each change is one write transaction whose first statement claims
// the row, so concurrent failures on one key are counted one after another
// and none is lost.
package throttle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/clock"
	"guichet/db"
)

// Horizon is how long after its window, lock and last notice ended a row is
// kept before Cleanup deletes it. It must exceed every rule's Window and Lock
// and every NotifyOnce interval, or a cleanup would forget a count, a lock or
// a notice that still matters.
const Horizon = 48 * time.Hour

// ErrRule reports a rule that cannot be applied.
var ErrRule = errors.New("throttle: invalid rule")

// Rule says that Limit attempts within Window lock the key for Lock.
type Rule struct {
	Limit  int
	Window time.Duration
	Lock   time.Duration
}

func (r Rule) validate() error {
	if r.Limit < 1 || r.Window <= 0 || r.Lock < 0 {
		return fmt.Errorf("%w: %+v", ErrRule, r)
	}
	return nil
}

// Store reads and writes app_throttle.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// New returns a store over d.
func New(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

// state is one key's row as far as counting goes.
type state struct {
	Count       int        `db:"count"`
	WindowStart time.Time  `db:"window_start"`
	LockedUntil *time.Time `db:"locked_until"`
}

func (st state) lockedAt(now time.Time) bool {
	return st.LockedUntil != nil && st.LockedUntil.After(now)
}

const (
	selectLock = `SELECT locked_until FROM app_throttle WHERE key = ?`

	// claimRow creates the row if needed and otherwise "updates" it to
	// itself. The update is what makes the read-then-write below safe on
	// any database: SQLite's BEGIN IMMEDIATE already serialises writers,
	// and on PostgreSQL ON CONFLICT DO UPDATE locks the row until commit,
	// so a concurrent attempt waits and then reads this one's result.
	claimRow = `INSERT INTO app_throttle (key, count, window_start) VALUES (?, 0, ?)
	ON CONFLICT (key) DO UPDATE SET count = app_throttle.count
	RETURNING count, window_start, locked_until`

	updateRow = `UPDATE app_throttle SET count = ?, window_start = ?, locked_until = ? WHERE key = ?`

	// Reset keeps the row, and with it last_notified: a successful sign-in
	// between two lockouts must not let a second notice out the same day.
	resetRow = `UPDATE app_throttle SET count = 0, locked_until = NULL WHERE key = ?`

	// One statement decides and records the notice, so two requests racing
	// to notify for the same key cannot both win. The DO UPDATE ... WHERE
	// form leaves the row untouched (no affected row) when a notice went
	// out within the interval.
	notifyOnce = `INSERT INTO app_throttle (key, count, window_start, last_notified) VALUES (?, 0, ?, ?)
	ON CONFLICT (key) DO UPDATE SET last_notified = excluded.last_notified
	WHERE app_throttle.last_notified IS NULL OR app_throttle.last_notified <= ?`

	cleanupRows = `DELETE FROM app_throttle
	WHERE window_start < ?
	AND (locked_until IS NULL OR locked_until < ?)
	AND (last_notified IS NULL OR last_notified < ?)`
)

// Locked tells whether key is locked now, and until when. It only reads (on
// the reader pool) and creates nothing, so checking an unknown username
// leaves no trace.
func (s *Store) Locked(ctx context.Context, key string) (until time.Time, locked bool, err error) {
	var lu *time.Time
	err = s.db.R.GetContext(ctx, &lu, s.db.Rebind(selectLock), key)
	if errors.Is(err, db.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("throttle: read %q: %w", key, err)
	}
	st := state{LockedUntil: lu}
	if !st.lockedAt(s.clock.Now()) {
		return time.Time{}, false, nil
	}
	return lu.UTC(), true, nil
}

// Fail records one failed attempt on key and returns the lock state after
// it: locked is true when this failure reached r.Limit within r.Window (or
// the key was locked already; failures during a lock are not counted, so
// they neither extend the lock nor carry over past it).
func (s *Store) Fail(ctx context.Context, key string, r Rule) (until time.Time, locked bool, err error) {
	st, _, err := s.attempt(ctx, key, r, false)
	if err != nil {
		return time.Time{}, false, err
	}
	if !st.lockedAt(s.clock.Now()) {
		return time.Time{}, false, nil
	}
	return st.LockedUntil.UTC(), true, nil
}

// Allow counts one attempt on key against a rate limit ("at most 5 email
// codes in 15 minutes") and tells whether it may go ahead. Once r.Limit
// attempts were made in the window, further attempts are refused and not
// counted, until the window ends (r.Lock 0) or the lock set when the limit
// was reached ends (r.Lock > 0), whichever is the rule.
func (s *Store) Allow(ctx context.Context, key string, r Rule) (bool, error) {
	_, ok, err := s.attempt(ctx, key, r, true)
	return ok, err
}

// Try is one guess counted by Take.
type Try struct {
	// Allowed says the guess may be checked. When false nothing was
	// counted and the key stays shut until Until.
	Allowed bool
	// Last says this guess reached r.Limit: with r.Lock > 0 the key is now
	// locked until Until, so a wrong guess leaves it locked and a right
	// one calls Reset.
	Last bool
	// Until is when the key opens again: the end of the lock, or, for a
	// rule without one, the end of the window. Zero for an allowed guess
	// that was not the last.
	Until time.Time
}

// Take is Allow for guesses at a secret (a code, a password): it counts
// the guess before it is checked, so a burst of guesses sent at once gets
// at most r.Limit of them checked in a window, and it also says whether
// this guess was the last one the rule allows and until when the key is
// shut. Checking the lock first and counting a failure afterwards would
// let every guess of a burst pass the check before any was counted.
func (s *Store) Take(ctx context.Context, key string, r Rule) (Try, error) {
	st, counted, err := s.attempt(ctx, key, r, true)
	if err != nil {
		return Try{}, err
	}
	t := Try{Allowed: counted, Last: counted && st.Count >= r.Limit}
	if counted && !t.Last {
		return t, nil
	}
	switch {
	case st.LockedUntil != nil:
		t.Until = st.LockedUntil.UTC()
	default:
		t.Until = st.WindowStart.Add(r.Window).UTC()
	}
	return t, nil
}

// attempt applies one attempt in a single write transaction and returns the
// key's state afterwards and whether the attempt was counted.
func (s *Store) attempt(ctx context.Context, key string, r Rule, refuseAtLimit bool) (state, bool, error) {
	if err := r.validate(); err != nil {
		return state{}, false, err
	}
	now := s.clock.Now().UTC()
	var after state
	var counted bool
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var cur state
		if err := tx.QueryRowxContext(ctx, tx.Rebind(claimRow), key, now).StructScan(&cur); err != nil {
			return err
		}
		after, counted = step(cur, r, now, refuseAtLimit)
		if !counted {
			return nil
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(updateRow), after.Count, after.WindowStart.UTC(), utcOrNil(after.LockedUntil), key)
		return err
	})
	if err != nil {
		return state{}, false, fmt.Errorf("throttle: attempt on %q: %w", key, err)
	}
	return after, counted, nil
}

// step is the counting rule, kept free of SQL so it reads in one place.
// An attempt on a locked key changes nothing. Otherwise a new window begins
// when there is no count yet, when the window has run out, or when a lock
// has run out (a lock served wipes the slate). With refuseAtLimit (Allow),
// an attempt beyond the limit is refused and not counted; a counted attempt
// that reaches the limit locks the key for r.Lock.
func step(cur state, r Rule, now time.Time, refuseAtLimit bool) (state, bool) {
	if cur.lockedAt(now) {
		return cur, false
	}
	next := cur
	if cur.Count <= 0 || !now.Before(cur.WindowStart.Add(r.Window)) || cur.LockedUntil != nil {
		next = state{Count: 0, WindowStart: now}
	}
	if refuseAtLimit && next.Count >= r.Limit {
		return cur, false
	}
	next.Count++
	if next.Count >= r.Limit && r.Lock > 0 {
		until := now.Add(r.Lock)
		next.LockedUntil = &until
	}
	return next, true
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// Reset clears key's count and lock, for instance after a successful
// sign-in. It remembers when a notice was last sent.
func (s *Store) Reset(ctx context.Context, key string) error {
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(resetRow), key)
		return err
	})
	if err != nil {
		return fmt.Errorf("throttle: reset %q: %w", key, err)
	}
	return nil
}

// NotifyOnce returns true at most once per every for key, and records that
// it did: the caller sends its notice (a lockout email) only on true.
func (s *Store) NotifyOnce(ctx context.Context, key string, every time.Duration) (bool, error) {
	if every <= 0 {
		return false, fmt.Errorf("%w: notice interval %v", ErrRule, every)
	}
	now := s.clock.Now().UTC()
	var n int64
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(notifyOnce), key, now, now, now.Add(-every))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("throttle: notify %q: %w", key, err)
	}
	return n > 0, nil
}

// Cleanup deletes the rows whose window, lock and last notice all ended
// more than Horizon ago, and returns how many it deleted. A job calls it;
// without it every username ever tried would keep a row.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	cutoff := s.clock.Now().UTC().Add(-Horizon)
	var n int64
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(cleanupRows), cutoff, cutoff, cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("throttle: cleanup: %w", err)
	}
	return n, nil
}

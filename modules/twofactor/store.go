package twofactor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// Methods of a factor.
const (
	MethodTOTP  = "totp"
	MethodEmail = "email"
)

const (
	statusPending = "pending"
	statusActive  = "active"
)

// Factor is one row of twofactor_factors.
type Factor struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"subject_kind"`
	SubjectID   string     `db:"subject_id"`
	Method      string     `db:"method"`
	Sealed      []byte     `db:"secret_sealed"`
	Status      string     `db:"status"`
	LastStep    int64      `db:"last_step"`
	CreatedAt   time.Time  `db:"created_at"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
}

// Store holds every statement on twofactor_factors.
type Store struct {
	db *db.DB
}

// NewStore returns the store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

const (
	selectFactor = `SELECT id, subject_kind, subject_id, method, secret_sealed, status, last_step, created_at, confirmed_at
	FROM twofactor_factors WHERE subject_kind = ? AND subject_id = ? AND status = ?`

	deleteStatus = `DELETE FROM twofactor_factors WHERE subject_kind = ? AND subject_id = ? AND status = ?`

	insertPending = `INSERT INTO twofactor_factors (subject_kind, subject_id, method, secret_sealed, status, last_step, created_at)
	VALUES (?, ?, ?, ?, 'pending', 0, ?)`

	// SQLite may give a new row the id of one just deleted, so the row is
	// matched on its method and creation time too: a request that checked
	// a code against a pending factor since replaced must not activate the
	// replacement.
	activatePending = `UPDATE twofactor_factors SET status = 'active', confirmed_at = ?
	WHERE id = ? AND subject_kind = ? AND subject_id = ? AND status = 'pending' AND method = ? AND created_at = ?`

	// The condition on last_step is the replay guard: of two requests with
	// the same code, only the first moves the step forward.
	advanceStep = `UPDATE twofactor_factors SET last_step = ? WHERE id = ? AND last_step < ?`
)

// Get returns the subject's factor with the given status, if any.
func (s *Store) Get(ctx context.Context, subj Subject, status string) (Factor, bool, error) {
	var f Factor
	err := s.db.R.GetContext(ctx, &f, s.db.Rebind(selectFactor), subj.Kind, subj.ID, status)
	if errors.Is(err, db.ErrNoRows) {
		return Factor{}, false, nil
	}
	if err != nil {
		return Factor{}, false, fmt.Errorf("twofactor: read %s factor: %w", status, err)
	}
	return f, true, nil
}

// PutPending replaces the subject's pending factor (set-up started again,
// or with the other method) and returns the new row's id.
func (s *Store) PutPending(ctx context.Context, tx *sqlx.Tx, subj Subject, method string, sealed []byte, now time.Time) (int64, error) {
	if _, err := tx.ExecContext(ctx, tx.Rebind(deleteStatus), subj.Kind, subj.ID, statusPending); err != nil {
		return 0, fmt.Errorf("twofactor: clear pending factor: %w", err)
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(insertPending), subj.Kind, subj.ID, method, sealed, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("twofactor: save pending factor: %w", err)
	}
	return res.LastInsertId()
}

// ErrGone is returned when the pending factor was confirmed or replaced
// meanwhile (by another tab).
var ErrGone = errors.New("twofactor: pending factor no longer exists")

// Activate makes the pending factor f the subject's active factor, in tx:
// the previous active factor is deleted.
func (s *Store) Activate(ctx context.Context, tx *sqlx.Tx, subj Subject, f Factor, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(deleteStatus), subj.Kind, subj.ID, statusActive); err != nil {
		return fmt.Errorf("twofactor: remove old factor: %w", err)
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(activatePending), now.UTC(), f.ID, subj.Kind, subj.ID, f.Method, f.CreatedAt)
	if err != nil {
		return fmt.Errorf("twofactor: activate factor: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrGone
	}
	return nil
}

// AdvanceStep records step as factor id's last accepted TOTP step, if it
// is later than the one recorded. It returns false when another request
// accepted this step (or a later one) first.
func (s *Store) AdvanceStep(ctx context.Context, id, step int64) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(advanceStep), step, id, step)
	if err != nil {
		return false, fmt.Errorf("twofactor: record time step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

package recovery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// Shown is the readable copy of a new set.
type Shown struct {
	Sealed    []byte     `db:"sealed"`
	CreatedAt time.Time  `db:"created_at"`
	ViewedAt  *time.Time `db:"viewed_at"`
}

// Store holds every statement on recovery_shown. The codes themselves are
// in app_codes, through app/codes.
type Store struct {
	db *db.DB
}

// NewStore returns the store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

const (
	upsertShown = `INSERT INTO recovery_shown (subject_kind, subject_id, sealed, created_at, viewed_at)
	VALUES (?, ?, ?, ?, NULL)
	ON CONFLICT (subject_kind, subject_id) DO UPDATE
	SET sealed = excluded.sealed, created_at = excluded.created_at, viewed_at = NULL`

	selectShown = `SELECT sealed, created_at, viewed_at FROM recovery_shown
	WHERE subject_kind = ? AND subject_id = ? AND created_at > ?`

	// Only the first view of a set shows it: of two requests, one wins.
	markViewed = `UPDATE recovery_shown SET viewed_at = ?
	WHERE subject_kind = ? AND subject_id = ? AND viewed_at IS NULL AND created_at > ?`

	deleteShown = `DELETE FROM recovery_shown WHERE subject_kind = ? AND subject_id = ?`

	deleteOld = `DELETE FROM recovery_shown WHERE created_at <= ?`

	deleteOldOf = `DELETE FROM recovery_shown WHERE subject_kind = ? AND subject_id = ? AND created_at <= ?`
)

// PutShown keeps the sealed copy of a new set in tx, replacing any older.
func (s *Store) PutShown(ctx context.Context, tx *sqlx.Tx, kind, id string, sealed []byte, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(upsertShown), kind, id, sealed, now.UTC()); err != nil {
		return fmt.Errorf("recovery: keep new set: %w", err)
	}
	return nil
}

// GetShown returns the copy if it was made after since.
func (s *Store) GetShown(ctx context.Context, kind, id string, since time.Time) (Shown, bool, error) {
	var sh Shown
	err := s.db.R.GetContext(ctx, &sh, s.db.Rebind(selectShown), kind, id, since.UTC())
	if errors.Is(err, db.ErrNoRows) {
		return Shown{}, false, nil
	}
	if err != nil {
		return Shown{}, false, fmt.Errorf("recovery: read new set: %w", err)
	}
	return sh, true, nil
}

// MarkViewed records the first view of a copy made after since, and tells
// whether this was it.
func (s *Store) MarkViewed(ctx context.Context, kind, id string, now, since time.Time) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(markViewed), now.UTC(), kind, id, since.UTC())
	if err != nil {
		return false, fmt.Errorf("recovery: mark new set viewed: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteShown forgets the copy (the person saved the codes).
func (s *Store) DeleteShown(ctx context.Context, kind, id string) error {
	if _, err := s.db.W.ExecContext(ctx, s.db.Rebind(deleteShown), kind, id); err != nil {
		return fmt.Errorf("recovery: forget new set: %w", err)
	}
	return nil
}

// DeleteShownOf forgets the subject's copy if it was made at or before t.
func (s *Store) DeleteShownOf(ctx context.Context, kind, id string, t time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, s.db.Rebind(deleteOldOf), kind, id, t.UTC()); err != nil {
		return fmt.Errorf("recovery: forget old set: %w", err)
	}
	return nil
}

// DeleteShownBefore forgets every copy made at or before t.
func (s *Store) DeleteShownBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(deleteOld), t.UTC())
	if err != nil {
		return 0, fmt.Errorf("recovery: clean up: %w", err)
	}
	return res.RowsAffected()
}

package expressentry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/crs"
)

// Profile statuses.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted" // in the pool
	StatusInvited   = "invited"
	StatusApplied   = "applied"
	StatusExpired   = "expired"
	StatusWithdrawn = "withdrawn"
)

// Invitation statuses.
const (
	InvitationOpen     = "open"
	InvitationDeclined = "declined"
	InvitationApplied  = "applied"
	InvitationExpired  = "expired"
)

// ErrNotFound is a profile, invitation or round that does not exist, or
// not for this account.
var ErrNotFound = errors.New("expressentry: not found")

var errIncomplete = errors.New("expressentry: the profile is not complete")

// profileRow is a row of ircc_profiles.
type profileRow struct {
	ID          int64          `db:"id"`
	AccountID   int64          `db:"account_id"`
	Status      string         `db:"status"`
	Answers     string         `db:"answers"`
	Number      sql.NullString `db:"number"`
	JSVC        string         `db:"jsvc"`
	UCI         string         `db:"uci"`
	CRSProfile  string         `db:"crs_profile"`
	Breakdown   string         `db:"breakdown"`
	Score       int            `db:"score"`
	NominatedBy string         `db:"nominated_by"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	SubmittedAt sql.NullTime   `db:"submitted_at"`
	ExpiresAt   sql.NullTime   `db:"expires_at"`
}

const profileColumns = `id, account_id, status, answers, number, jsvc, uci, crs_profile, breakdown, score,
	nominated_by, created_at, updated_at, submitted_at, expires_at`

func (r profileRow) answers() (Answers, error) {
	var a Answers
	if r.Answers == "" {
		return a, nil
	}
	if err := json.Unmarshal([]byte(r.Answers), &a); err != nil {
		return a, fmt.Errorf("profile %d answers: %w", r.ID, err)
	}
	return a, nil
}

func (r profileRow) breakdown() (*crs.Breakdown, error) {
	if r.Breakdown == "" {
		return nil, nil
	}
	var b crs.Breakdown
	if err := json.Unmarshal([]byte(r.Breakdown), &b); err != nil {
		return nil, fmt.Errorf("profile %d breakdown: %w", r.ID, err)
	}
	return &b, nil
}

func (r profileRow) crsProfile() (crs.Profile, error) {
	var p crs.Profile
	if err := json.Unmarshal([]byte(r.CRSProfile), &p); err != nil {
		return p, fmt.Errorf("profile %d crs profile: %w", r.ID, err)
	}
	return p, nil
}

// invitationRow is a row of ircc_invitations.
type invitationRow struct {
	ID                int64         `db:"id"`
	RoundID           int64         `db:"round_id"`
	ProfileID         int64         `db:"profile_id"`
	AccountID         int64         `db:"account_id"`
	Status            string        `db:"status"`
	Score             int           `db:"score"`
	InvitedAt         time.Time     `db:"invited_at"`
	RespondBy         time.Time     `db:"respond_by"`
	RespondedAt       sql.NullTime  `db:"responded_at"`
	ApplicationID     sql.NullInt64 `db:"application_id"`
	ApplicationNumber string        `db:"application_number"`
}

const invitationColumns = `id, round_id, profile_id, account_id, status, score, invited_at, respond_by,
	responded_at, application_id, application_number`

// Round is a round of invitations as recorded.
type Round struct {
	ID int64 `db:"id"`
	// Date is the round's date, YYYY-MM-DD.
	Date     string `db:"round_date"`
	Size     int    `db:"size"`
	MinScore int    `db:"min_score"`
	Invited  int    `db:"invited"`
	// Cutoff is the lowest score invited; Tiebreak the submission time of
	// the last profile invited at that score. Both are NULL when nobody
	// was invited.
	Cutoff   sql.NullInt64 `db:"cutoff_score"`
	Tiebreak sql.NullTime  `db:"tiebreak_at"`
	StaffID  int64         `db:"staff_id"`
	RunAt    time.Time     `db:"run_at"`
}

const roundColumns = `id, round_date, size, min_score, invited, cutoff_score, tiebreak_at, staff_id, run_at`

// Store holds every SQL statement of the module.
type Store struct {
	db *db.DB
}

// NewStore returns the store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

func (s *Store) createDraft(ctx context.Context, tx *sqlx.Tx, accountID int64, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, s.db.Rebind(`INSERT INTO ircc_profiles (account_id, status, answers, created_at, updated_at)
		VALUES (?, 'draft', '{}', ?, ?) RETURNING id`), accountID, now, now)
	return id, err
}

// active returns the account's profile that is a draft, in the pool or
// invited, if any: a person has one at a time.
func (s *Store) active(ctx context.Context, q sqlx.QueryerContext, accountID int64) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, s.db.Rebind(`SELECT id FROM ircc_profiles
		WHERE account_id = ? AND status IN ('draft', 'submitted', 'invited') ORDER BY id DESC LIMIT 1`), accountID)
	if errors.Is(err, db.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// profile returns one of the account's profiles.
func (s *Store) profile(ctx context.Context, q sqlx.QueryerContext, accountID, id int64) (profileRow, error) {
	var r profileRow
	err := sqlx.GetContext(ctx, q, &r, s.db.Rebind(`SELECT `+profileColumns+` FROM ircc_profiles WHERE id = ? AND account_id = ?`), id, accountID)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// profileByNumber returns a submitted profile by its number.
func (s *Store) profileByNumber(ctx context.Context, q sqlx.QueryerContext, number string) (profileRow, error) {
	var r profileRow
	err := sqlx.GetContext(ctx, q, &r, s.db.Rebind(`SELECT `+profileColumns+` FROM ircc_profiles WHERE number = ?`), number)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

func (s *Store) profiles(ctx context.Context, accountID int64) ([]profileRow, error) {
	var rs []profileRow
	err := s.db.R.SelectContext(ctx, &rs, s.db.Rebind(`SELECT `+profileColumns+` FROM ircc_profiles
		WHERE account_id = ? ORDER BY created_at DESC, id DESC`), accountID)
	return rs, err
}

// summaries reads what the dashboard shows of an account's profiles, and
// nothing of the answers or the breakdown.
func (s *Store) summaries(ctx context.Context, accountID int64) ([]account.ProfileSummary, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT id, COALESCE(number, ''), status, score, updated_at, expires_at
		FROM ircc_profiles WHERE account_id = ? ORDER BY created_at DESC, id DESC`), accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.ProfileSummary
	for rows.Next() {
		var p account.ProfileSummary
		var score sql.NullInt64
		var expires sql.NullTime
		if err := rows.Scan(&p.ID, &p.Number, &p.Status, &score, &p.Updated, &expires); err != nil {
			return nil, err
		}
		p.Score, p.Expires, p.Href, p.StatusKey = int(score.Int64), expires.Time, profileHref(p.ID), StatusKey(p.Status)
		out = append(out, p)
	}
	return out, rows.Err()
}

// saveDraft stores the answers of a draft in place of prev, the answers
// they were made from; false when the profile is not the account's draft
// any more, or its answers are no longer prev (another tab saved a step).
func (s *Store) saveDraft(ctx context.Context, accountID, id int64, prev string, a Answers, now time.Time) (bool, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`UPDATE ircc_profiles SET answers = ?, updated_at = ?
		WHERE id = ? AND account_id = ? AND status = 'draft' AND answers = ?`), string(b), now, id, accountID, prev)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) numberTaken(ctx context.Context, tx *sqlx.Tx, number string) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM ircc_profiles WHERE number = ?`), number)
	return n > 0, err
}

// submission is what submitting writes. AnswersJSON is the draft's
// answers as read: the profile is submitted only if they are still the
// ones scored.
type submission struct {
	Number, JSVC, UCI string
	Profile           crs.Profile
	Breakdown         crs.Breakdown
	Answers           Answers
	AnswersJSON       string
	At, Expires       time.Time
}

func (s *Store) submit(ctx context.Context, tx *sqlx.Tx, accountID, id int64, sub submission) (bool, error) {
	p, err := json.Marshal(sub.Profile)
	if err != nil {
		return false, err
	}
	b, err := json.Marshal(sub.Breakdown)
	if err != nil {
		return false, err
	}
	first := sub.Profile.English
	if sub.Profile.First == crs.French {
		first = sub.Profile.French
	}
	lmin := 0
	if first != nil {
		lmin = first.Min()
	}
	teer, _ := strconv.Atoi(sub.Answers.Work.TEER)
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE ircc_profiles SET status = 'submitted', number = ?, jsvc = ?, uci = ?,
		crs_profile = ?, breakdown = ?, score = ?, first_language_min = ?, education = ?, canadian_work = ?, foreign_work = ?,
		noc = ?, teer = ?, interests = ?, updated_at = ?, submitted_at = ?, expires_at = ?
		WHERE id = ? AND account_id = ? AND status = 'draft' AND answers = ?`),
		sub.Number, sub.JSVC, sub.UCI, string(p), string(b), sub.Breakdown.Total, lmin, int(sub.Profile.Education),
		sub.Profile.CanadianWorkYears, sub.Profile.ForeignWorkYears, sub.Answers.Work.NOC, teer, sub.Answers.interests(),
		sub.At, sub.At, sub.Expires, id, accountID, sub.AnswersJSON)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// rescore writes a new score after a nomination is recorded or cleared.
// It lands only on the profile as it was read (its status and nomination),
// so two nominations racing cannot both win; false when it changed.
func (s *Store) rescore(ctx context.Context, tx *sqlx.Tx, was profileRow, p crs.Profile, b crs.Breakdown, nominatedBy string, now time.Time) (bool, error) {
	pj, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	bj, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE ircc_profiles SET crs_profile = ?, breakdown = ?, score = ?, nominated_by = ?, updated_at = ?
		WHERE id = ? AND status = ? AND nominated_by = ?`), string(pj), string(bj), b.Total, nominatedBy, now, was.ID, was.Status, was.NominatedBy)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) invitations(ctx context.Context, profileID int64) ([]invitationRow, error) {
	var rs []invitationRow
	err := s.db.R.SelectContext(ctx, &rs, s.db.Rebind(`SELECT `+invitationColumns+` FROM ircc_invitations
		WHERE profile_id = ? ORDER BY invited_at DESC, id DESC`), profileID)
	return rs, err
}

// openInvitation is the account's open invitation for a profile.
func (s *Store) openInvitation(ctx context.Context, q sqlx.QueryerContext, accountID, profileID int64, now time.Time) (invitationRow, error) {
	var r invitationRow
	err := sqlx.GetContext(ctx, q, &r, s.db.Rebind(`SELECT `+invitationColumns+` FROM ircc_invitations
		WHERE profile_id = ? AND account_id = ? AND status = 'open' AND respond_by > ?`), profileID, accountID, now)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// answerInvitation closes an open invitation; false when it was not open
// any more (answered in another tab, or expired).
func (s *Store) answerInvitation(ctx context.Context, tx *sqlx.Tx, id int64, status string, now time.Time, appID int64, appNumber string) (bool, error) {
	var app any
	if appID != 0 {
		app = appID
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE ircc_invitations SET status = ?, responded_at = ?, application_id = ?, application_number = ?
		WHERE id = ? AND status = 'open' AND respond_by > ?`), status, now, app, appNumber, id, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// setStatus moves a profile from one status to another; false when it
// was not in from.
func (s *Store) setStatus(ctx context.Context, tx *sqlx.Tx, id int64, from, to string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE ircc_profiles SET status = ?, updated_at = ? WHERE id = ? AND status = ?`), to, now, id, from)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) rounds(ctx context.Context, limit int) ([]Round, error) {
	var rs []Round
	err := s.db.R.SelectContext(ctx, &rs, s.db.Rebind(`SELECT `+roundColumns+` FROM ircc_rounds ORDER BY id DESC LIMIT ?`), limit)
	return rs, err
}

func (s *Store) round(ctx context.Context, id int64) (Round, error) {
	var r Round
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(`SELECT `+roundColumns+` FROM ircc_rounds WHERE id = ?`), id)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

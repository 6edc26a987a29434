package staff

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// ErrNotFound is returned for a member or grant that does not exist (or,
// for revoking, is no longer in a state that can change).
var ErrNotFound = errors.New("staff: not found")

// Member is a staff member.
type Member struct {
	ID         int64      `db:"id"`
	PairwiseID string     `db:"pairwise_id"`
	Name       string     `db:"name"`
	Role       string     `db:"role"`
	GrantedAt  time.Time  `db:"granted_at"`
	EnrolledAt time.Time  `db:"enrolled_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Active tells whether the member may use the console.
func (m Member) Active() bool { return m.RevokedAt == nil }

// Grant is the right, made on the command line, for a named person to
// become a staff member with a role by redeeming its enrolment code.
type Grant struct {
	ID         int64      `db:"id"`
	Name       string     `db:"name"`
	Role       string     `db:"role"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	RedeemedAt *time.Time `db:"redeemed_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	MemberID   *int64     `db:"member_id"`
}

// Grant states, as List shows them.
const (
	GrantPending  = "pending"
	GrantRedeemed = "redeemed"
	GrantRevoked  = "revoked"
	GrantExpired  = "expired"
)

// State is the grant's state at now.
func (g Grant) State(now time.Time) string {
	switch {
	case g.RedeemedAt != nil:
		return GrantRedeemed
	case g.RevokedAt != nil:
		return GrantRevoked
	case !now.Before(g.ExpiresAt):
		return GrantExpired
	}
	return GrantPending
}

// Store reads and writes staff_members and staff_grants.
type Store struct {
	db *db.DB
}

// NewStore returns a store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

const (
	memberCols = `id, pairwise_id, name, role, granted_at, enrolled_at, revoked_at`
	grantCols  = `id, name, role, created_at, expires_at, redeemed_at, revoked_at, member_id`
)

func utcMember(m *Member) {
	m.GrantedAt, m.EnrolledAt = m.GrantedAt.UTC(), m.EnrolledAt.UTC()
	if m.RevokedAt != nil {
		t := m.RevokedAt.UTC()
		m.RevokedAt = &t
	}
}

func utcGrant(g *Grant) {
	g.CreatedAt, g.ExpiresAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC()
	for _, p := range []**time.Time{&g.RedeemedAt, &g.RevokedAt} {
		if *p != nil {
			t := (**p).UTC()
			*p = &t
		}
	}
}

// MemberByPairwise finds the member the staff service knows by pairwiseID,
// active or revoked.
func (s *Store) MemberByPairwise(ctx context.Context, pairwiseID string) (Member, error) {
	var m Member
	err := s.db.R.GetContext(ctx, &m, s.db.Rebind(`SELECT `+memberCols+` FROM staff_members WHERE pairwise_id = ?`), pairwiseID)
	if errors.Is(err, db.ErrNoRows) {
		return Member{}, ErrNotFound
	}
	utcMember(&m)
	return m, err
}

// Member finds a member by number.
func (s *Store) Member(ctx context.Context, q sqlx.QueryerContext, id int64) (Member, error) {
	var m Member
	err := sqlx.GetContext(ctx, q, &m, s.db.Rebind(`SELECT `+memberCols+` FROM staff_members WHERE id = ?`), id)
	if errors.Is(err, db.ErrNoRows) {
		return Member{}, ErrNotFound
	}
	utcMember(&m)
	return m, err
}

// Members lists every member, active first, then by name.
func (s *Store) Members(ctx context.Context) ([]Member, error) {
	var out []Member
	err := s.db.R.SelectContext(ctx, &out, `SELECT `+memberCols+` FROM staff_members
		ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, name, id`)
	for i := range out {
		utcMember(&out[i])
	}
	return out, err
}

// Grant finds a grant by number.
func (s *Store) Grant(ctx context.Context, q sqlx.QueryerContext, id int64) (Grant, error) {
	var g Grant
	err := sqlx.GetContext(ctx, q, &g, s.db.Rebind(`SELECT `+grantCols+` FROM staff_grants WHERE id = ?`), id)
	if errors.Is(err, db.ErrNoRows) {
		return Grant{}, ErrNotFound
	}
	utcGrant(&g)
	return g, err
}

// Grants lists every grant, newest first.
func (s *Store) Grants(ctx context.Context) ([]Grant, error) {
	var out []Grant
	err := s.db.R.SelectContext(ctx, &out, `SELECT `+grantCols+` FROM staff_grants ORDER BY created_at DESC, id DESC`)
	for i := range out {
		utcGrant(&out[i])
	}
	return out, err
}

// AddGrant records a new grant and returns its number.
func (s *Store) AddGrant(ctx context.Context, tx *sqlx.Tx, name, role string, now, expires time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO staff_grants (name, role, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id`),
		name, role, now.UTC(), expires.UTC())
	return id, err
}

// RevokeGrant marks a grant that was neither redeemed nor revoked as
// revoked; ErrNotFound otherwise.
func (s *Store) RevokeGrant(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE staff_grants SET revoked_at = ? WHERE id = ? AND redeemed_at IS NULL AND revoked_at IS NULL`), now.UTC(), id)
	return oneRow(res, err)
}

// RedeemGrant marks an open grant redeemed by member; ErrNotFound when the
// grant was redeemed or revoked meanwhile.
func (s *Store) RedeemGrant(ctx context.Context, tx *sqlx.Tx, id, memberID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE staff_grants SET redeemed_at = ?, member_id = ?
		WHERE id = ? AND redeemed_at IS NULL AND revoked_at IS NULL`), now.UTC(), memberID, id)
	return oneRow(res, err)
}

// Enrol makes the person known by pairwiseID a member under the grant g,
// or restores a revoked member with the grant's name and role. It returns
// the member's number, ErrNotFound if they are already an active member.
func (s *Store) Enrol(ctx context.Context, tx *sqlx.Tx, pairwiseID string, g Grant, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO staff_members (pairwise_id, name, role, granted_at, enrolled_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (pairwise_id) DO UPDATE SET name = excluded.name, role = excluded.role, granted_at = excluded.granted_at,
			enrolled_at = excluded.enrolled_at, revoked_at = NULL
		WHERE staff_members.revoked_at IS NOT NULL
		RETURNING id`), pairwiseID, g.Name, g.Role, g.CreatedAt.UTC(), now.UTC())
	if errors.Is(err, db.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// RevokeMember marks an active member revoked; ErrNotFound otherwise.
func (s *Store) RevokeMember(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE staff_members SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), now.UTC(), id)
	return oneRow(res, err)
}

func oneRow(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrNotFound
	}
	return nil
}

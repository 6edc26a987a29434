// Package codes issues one-time codes and tokens and consumes them exactly
// once. Only an HMAC of each code, under the codes subkey, is stored, so a
// copy of the database reveals no usable code; consuming is one conditional
// UPDATE, so of two requests racing with the same code exactly one wins.
package codes

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/clock"
	"guichet/app/keys"
	"guichet/db"
)

// Kind is the shape of a code.
type Kind int

// The kinds of code.
const (
	// Digits is six digits, for codes people type from an email.
	Digits Kind = iota + 1
	// Grouped is twelve characters from an unambiguous alphabet in three
	// groups of four, like K7QM-2XRD-94TB: recovery and invitation codes.
	Grouped
	// Token is 256 random bits, URL-safe, for links in emails.
	Token
)

// Alphabet leaves out characters people confuse (0/O, 1/I/L) so a code
// read from paper is typed right.
const Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// Store issues and consumes codes.
type Store struct {
	db    *db.DB
	clock clock.Clock
	key   []byte
}

// New returns a store keyed by the ring's codes subkey.
func New(d *db.DB, c clock.Clock, ring *keys.Ring) *Store {
	return &Store{db: d, clock: c, key: ring.Subkey(keys.PurposeCodes)}
}

// Generate makes a fresh random code of a kind.
func Generate(k Kind) (string, error) {
	switch k {
	case Digits:
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%06d", n.Int64()), nil
	case Grouped:
		var b strings.Builder
		for i := 0; i < 12; i++ {
			if i > 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(Alphabet))))
			if err != nil {
				return "", err
			}
			b.WriteByte(Alphabet[n.Int64()])
		}
		return b.String(), nil
	case Token:
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("codes: unknown kind %d", k)
}

// Normalize turns what a person typed into the canonical form: spaces,
// dashes and case do not matter for grouped codes, spaces not for digits.
func Normalize(k Kind, typed string) string {
	switch k {
	case Digits:
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '\u00a0' || r == '-' {
				return -1
			}
			return r
		}, strings.TrimSpace(typed))
	case Grouped:
		s := strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
				return -1
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			}
			return r
		}, typed)
		return s
	default:
		return strings.TrimSpace(typed)
	}
}

func (s *Store) hash(purpose string, k Kind, code string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(Normalize(k, code)))
	return m.Sum(nil)
}

// Issue makes a new code for subject and stores its HMAC in q (the
// caller's transaction, or the writer). Earlier unused codes of the same
// purpose and subject stop working, so only the newest code is ever valid.
// ttl 0 means the code does not expire.
func (s *Store) Issue(ctx context.Context, q sqlx.ExtContext, purpose, subject string, k Kind, ttl time.Duration) (string, error) {
	if err := s.Revoke(ctx, q, purpose, subject); err != nil {
		return "", err
	}
	code, err := Generate(k)
	if err != nil {
		return "", err
	}
	return code, s.insert(ctx, q, purpose, subject, k, code, ttl)
}

// IssueSet replaces the subject's codes of this purpose with n new ones
// (recovery codes: a new set makes the old set useless).
func (s *Store) IssueSet(ctx context.Context, q sqlx.ExtContext, purpose, subject string, k Kind, n int, ttl time.Duration) ([]string, error) {
	if err := s.Revoke(ctx, q, purpose, subject); err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	seen := map[string]bool{}
	for len(out) < n {
		code, err := Generate(k)
		if err != nil {
			return nil, err
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		if err := s.insert(ctx, q, purpose, subject, k, code, ttl); err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	return out, nil
}

func (s *Store) insert(ctx context.Context, q sqlx.ExtContext, purpose, subject string, k Kind, code string, ttl time.Duration) error {
	now := s.clock.Now()
	var expires *time.Time
	if ttl > 0 {
		e := now.Add(ttl)
		expires = &e
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO app_codes (purpose, subject, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		purpose, subject, s.hash(purpose, k, code), now, expires)
	return err
}

// Consume uses subject's code if it is valid: unused and unexpired. It
// returns false for any other code, without saying why.
func (s *Store) Consume(ctx context.Context, q sqlx.ExtContext, purpose, subject string, k Kind, typed string) (bool, error) {
	if Normalize(k, typed) == "" {
		return false, nil
	}
	now := s.clock.Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE app_codes SET used_at = ?
		WHERE id = (SELECT id FROM app_codes WHERE purpose = ? AND subject = ? AND code_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?) LIMIT 1)
		AND used_at IS NULL`),
		now, purpose, subject, s.hash(purpose, k, typed), now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ErrInvalid is returned when a token is unknown, used or expired.
var ErrInvalid = errors.New("codes: invalid or expired")

// Lookup finds whose token this is, without using it (to show the form a
// reset link leads to). Tokens are long enough to identify their subject.
func (s *Store) Lookup(ctx context.Context, purpose, token string) (string, error) {
	var subject string
	err := s.db.R.GetContext(ctx, &subject, s.db.Rebind(`SELECT subject FROM app_codes
		WHERE purpose = ? AND code_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`),
		purpose, s.hash(purpose, Token, token), s.clock.Now())
	if errors.Is(err, db.ErrNoRows) {
		return "", ErrInvalid
	}
	return subject, err
}

// ConsumeToken uses a token and returns its subject.
func (s *Store) ConsumeToken(ctx context.Context, q sqlx.ExtContext, purpose, token string) (string, error) {
	now := s.clock.Now()
	var subject string
	err := sqlx.GetContext(ctx, q, &subject, q.Rebind(`UPDATE app_codes SET used_at = ?
		WHERE purpose = ? AND code_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
		RETURNING subject`), now, purpose, s.hash(purpose, Token, token), now)
	if errors.Is(err, db.ErrNoRows) {
		return "", ErrInvalid
	}
	return subject, err
}

// Revoke makes every unused code of subject for purpose useless.
func (s *Store) Revoke(ctx context.Context, q sqlx.ExtContext, purpose, subject string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE app_codes SET used_at = ? WHERE purpose = ? AND subject = ? AND used_at IS NULL`),
		s.clock.Now(), purpose, subject)
	return err
}

// Remaining counts subject's usable codes of a purpose (the recovery page
// warns when 2 or fewer are left).
func (s *Store) Remaining(ctx context.Context, purpose, subject string) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM app_codes
		WHERE purpose = ? AND subject = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`),
		purpose, subject, s.clock.Now())
	return n, err
}

// Cleanup deletes codes used or expired more than a day ago (job).
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	cut := s.clock.Now().Add(-24 * time.Hour)
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM app_codes WHERE (used_at IS NOT NULL AND used_at < ?) OR (expires_at IS NOT NULL AND expires_at < ?)`), cut, cut)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Package identity is the signed-in session and what services learn from
// it: credential references, pairwise identifiers and Principals.
//
// A credential (a GCKey, a Sign-In Partner identity) is what a person signs
// in with; a service (ircc, pt, cipo, staff) only ever sees a Principal
// carrying a pairwise identifier minted for that credential at that
// service, never the credential, the username or the bank.
package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"guichet/app/clock"
	"guichet/db"
)

// Credential kinds.
const (
	KindGCKey   = "gckey"
	KindPartner = "partner"
)

// Ref is a credential reference: kind and a random UUID, never a username
// or a row number.
type Ref string

// NewRef makes a fresh reference of a kind.
func NewRef(kind string) (Ref, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b)
	return Ref(fmt.Sprintf("%s:%s-%s-%s-%s-%s", kind, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])), nil
}

// Kind returns "gckey" or "partner".
func (r Ref) Kind() string {
	k, _, _ := strings.Cut(string(r), ":")
	return k
}

// Services are the relying services that receive Principals. The PR
// portal is deliberately absent: it has its own accounts.
var Services = []string{"ircc", "pt", "cipo", "staff"}

// ValidService tells whether s names a relying service.
func ValidService(s string) bool {
	for _, v := range Services {
		if v == s {
			return true
		}
	}
	return false
}

// Assurance levels.
const (
	AAL1 = 1 // password only
	AAL2 = 2 // password and second factor, or a partner that reported MFA
)

// Principal is everything a service learns about who is signed in.
type Principal struct {
	Service    string
	PairwiseID string
	// Method is "gckey" or "partner", never which bank.
	Method string
	AAL    int
	// MFAAt is the time of the last second-factor check (zero if none).
	MFAAt time.Time
	// Factor is the second factor that check used (FactorApp, ...).
	Factor string
}

// Store keeps pairwise identifiers.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// NewStore returns the pairwise store.
func NewStore(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

// Pairwise returns the credential's identifier at a service, minting a
// random one the first time the credential reaches that service.
func (s *Store) Pairwise(ctx context.Context, cred Ref, service string) (string, error) {
	if !ValidService(service) {
		return "", fmt.Errorf("identity: unknown service %q", service)
	}
	var id string
	err := s.db.R.GetContext(ctx, &id, s.db.Rebind(`SELECT pairwise_id FROM app_pairwise WHERE cred = ? AND service = ?`), string(cred), service)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, db.ErrNoRows) {
		return "", err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	fresh := hex.EncodeToString(b)
	// Two first visits racing: the insert that loses does nothing and both
	// read the winner's identifier.
	if _, err := s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO app_pairwise (cred, service, pairwise_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (cred, service) DO NOTHING`), string(cred), service, fresh, s.clock.Now()); err != nil {
		return "", err
	}
	err = s.db.W.GetContext(ctx, &id, s.db.Rebind(`SELECT pairwise_id FROM app_pairwise WHERE cred = ? AND service = ?`), string(cred), service)
	return id, err
}

// Known tells whether a credential already reached a service (so it has
// an account there) without minting anything.
func (s *Store) Known(ctx context.Context, cred Ref, service string) (bool, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM app_pairwise WHERE cred = ? AND service = ?`), string(cred), service)
	return n > 0, err
}

// Forget deletes a credential's pairwise identifiers (a closed GCKey keeps
// its service accounts unreachable, and nothing links them to it).
func (s *Store) Forget(ctx context.Context, cred Ref) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM app_pairwise WHERE cred = ?`), string(cred))
	return err
}

package partners

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/keys"
	"guichet/db"
)

// purposeSubject keys the MAC of a partner's subject: the broker needs to
// recognise a returning bank customer, not to read who they are.
const purposeSubject keys.Purpose = "partners-subject"

// Store maps a partner's subject to a partner credential.
type Store struct {
	db    *db.DB
	key   []byte
	clock clock.Clock
}

// NewStore returns the credential store.
func NewStore(d *db.DB, ring *keys.Ring, c clock.Clock) *Store {
	return &Store{db: d, key: ring.Subkey(purposeSubject), clock: c}
}

// subjectMAC keeps the subject unreadable at rest while still matching a
// returning person. The partner id is part of the message so two banks'
// identical subjects never collide.
func (s *Store) subjectMAC(partnerID, subject string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(partnerID))
	m.Write([]byte{0})
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Credential returns the credential of a partner's subject, creating it on
// first sign-in. created tells whether it is new.
func (s *Store) Credential(ctx context.Context, partnerID, subject string) (cred identity.Ref, created bool, err error) {
	mac := s.subjectMAC(partnerID, subject)
	now := s.clock.Now()
	var existing string
	err = s.db.W.GetContext(ctx, &existing, s.db.Rebind(`UPDATE partners_credentials SET last_seen_at = ?
		WHERE partner = ? AND subject_mac = ? RETURNING cred`), now, partnerID, mac)
	if err == nil {
		return identity.Ref(existing), false, nil
	}
	if !errors.Is(err, db.ErrNoRows) {
		return "", false, err
	}
	fresh, err := identity.NewRef(identity.KindPartner)
	if err != nil {
		return "", false, err
	}
	// Two first sign-ins racing: the loser's insert does nothing and both
	// read the winner's credential.
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO partners_credentials (cred, partner, subject_mac, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (partner, subject_mac) DO NOTHING`), string(fresh), partnerID, mac, now, now)
	if err != nil {
		return "", false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return fresh, true, nil
	}
	err = s.db.W.GetContext(ctx, &existing, s.db.Rebind(`SELECT cred FROM partners_credentials WHERE partner = ? AND subject_mac = ?`), partnerID, mac)
	return identity.Ref(existing), false, err
}

// Package keys derives per-purpose subkeys from Guichet's root secret,
// guards against starting with the wrong secret, and seals small values.
package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"guichet/db"
)

// Purpose names what a subkey is for. A subkey is only ever used for its
// purpose, so a leak of one (say, through a CSRF bug) exposes nothing else.
type Purpose string

// The purposes in use. New modules add theirs here so every label is unique.
const (
	PurposeCSRF     Purpose = "csrf"
	PurposeCodes    Purpose = "codes-hmac"
	PurposeSeal     Purpose = "seal"
	PurposeKeyCheck Purpose = "key-check"
	PurposeSessions Purpose = "sessions"
	PurposeDevice   Purpose = "device-cookie"
	// PurposeDemoBankClient is the built-in demo bank's client secret for
	// the Sign-In Partner broker.
	PurposeDemoBankClient Purpose = "demo-bank-client"
)

// MinSecretLen is the shortest root secret accepted (32 bytes of entropy
// encoded as text is comfortably above it).
const MinSecretLen = 32

// Ring holds the root secret(s). Version 1 is the current secret; older
// secrets may be kept so sealed values written under them still open.
type Ring struct {
	current uint32
	roots   map[uint32][]byte
}

// New returns a ring with one root secret as version 1.
func New(secret []byte) (*Ring, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("the secret must be at least %d bytes long", MinSecretLen)
	}
	return &Ring{current: 1, roots: map[uint32][]byte{1: append([]byte(nil), secret...)}}, nil
}

// AddOld registers an earlier secret under version v so values sealed with
// it can still be opened while they are re-sealed under the current one.
func (r *Ring) AddOld(v uint32, secret []byte) {
	r.roots[v] = append([]byte(nil), secret...)
}

// Rotate makes secret the current version v (v must be new).
func (r *Ring) Rotate(v uint32, secret []byte) error {
	if _, ok := r.roots[v]; ok {
		return fmt.Errorf("key version %d already exists", v)
	}
	r.roots[v] = append([]byte(nil), secret...)
	r.current = v
	return nil
}

func derive(root []byte, p Purpose) []byte {
	k, err := hkdf.Key(sha256.New, root, []byte("guichet/v1"), string(p), 32)
	if err != nil {
		// hkdf.Key only fails for absurd lengths; 32 bytes is never one.
		panic(err)
	}
	return k
}

// Subkey returns the 32-byte key for a purpose under the current secret.
func (r *Ring) Subkey(p Purpose) []byte { return derive(r.roots[r.current], p) }

// MAC returns HMAC-SHA256 of msg under the purpose's subkey.
func (r *Ring) MAC(p Purpose, msg []byte) []byte {
	m := hmac.New(sha256.New, r.Subkey(p))
	m.Write(msg)
	return m.Sum(nil)
}

// Equal compares two secrets in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// ErrOpen is returned when a sealed value cannot be opened: it was tampered
// with, sealed under another secret, or sealed for another context.
var ErrOpen = errors.New("sealed value cannot be opened")

// Seal encrypts plaintext with AES-256-GCM under the current seal key. The
// associated data binds the value to its place (for example the table and
// row id) so a sealed value copied elsewhere does not open. The output
// starts with the key version.
func (r *Ring) Seal(plaintext, associated []byte) ([]byte, error) {
	aead, err := newAEAD(derive(r.roots[r.current], PurposeSeal))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 4, 4+aead.NonceSize()+len(plaintext)+aead.Overhead())
	binary.BigEndian.PutUint32(out, r.current)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, associated), nil
}

// Open reverses Seal, using whichever key version the value names.
func (r *Ring) Open(sealed, associated []byte) ([]byte, error) {
	if len(sealed) < 4 {
		return nil, ErrOpen
	}
	v := binary.BigEndian.Uint32(sealed)
	root, ok := r.roots[v]
	if !ok {
		return nil, ErrOpen
	}
	aead, err := newAEAD(derive(root, PurposeSeal))
	if err != nil {
		return nil, err
	}
	rest := sealed[4:]
	if len(rest) < aead.NonceSize() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], associated)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// SealedVersion tells which key version sealed a value, so a rotation job
// can find values to re-seal.
func SealedVersion(sealed []byte) uint32 {
	if len(sealed) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(sealed)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ErrWrongSecret means the database was set up under another secret.
var ErrWrongSecret = errors.New("GUICHET_SECRET does not match the one this database was created with: sealed data and codes would not open; restore the original secret")

// CheckValue is what the database remembers of the secret: a MAC of a fixed
// label, which reveals nothing about the secret itself.
func (r *Ring) CheckValue() string {
	return base64.RawStdEncoding.EncodeToString(r.MAC(PurposeKeyCheck, []byte("guichet key check")))
}

// Verify compares the ring's check value with the one stored in the
// database, storing it on first use. It fails loudly when the secret changed.
func (r *Ring) Verify(ctx context.Context, d *db.DB, now time.Time) error {
	want := r.CheckValue()
	var stored string
	err := d.W.GetContext(ctx, &stored, `SELECT check_value FROM app_keycheck WHERE id = 1`)
	if errors.Is(err, db.ErrNoRows) {
		_, err = d.W.ExecContext(ctx, d.Rebind(`INSERT INTO app_keycheck (id, check_value, created_at) VALUES (1, ?, ?)`), want, now.UTC())
		return err
	}
	if err != nil {
		return fmt.Errorf("read key check: %w", err)
	}
	if !Equal([]byte(stored), []byte(want)) {
		return ErrWrongSecret
	}
	return nil
}

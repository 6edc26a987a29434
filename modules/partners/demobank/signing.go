package demobank

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/jmoiron/sqlx"

	"guichet/app/keys"
	"guichet/db"
)

// keyAD binds a sealed signing key to its row and purpose, so a sealed
// value copied to another row or table does not open.
func keyAD(kid string) []byte { return []byte("partners_demo_keys/" + kid + "/id-token-signing") }

// loadOrCreateKey returns the newest signing key, generating and storing
// one the first time. It runs in a write transaction, so two processes
// starting at once cannot both create one.
func loadOrCreateKey(ctx context.Context, d *db.DB, ring *keys.Ring, now time.Time) (string, *ecdsa.PrivateKey, error) {
	var kid string
	var key *ecdsa.PrivateKey
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			KID    string `db:"kid"`
			Sealed []byte `db:"sealed_key"`
		}
		err := tx.GetContext(ctx, &row, `SELECT kid, sealed_key FROM partners_demo_keys ORDER BY created_at DESC LIMIT 1`)
		if err == nil {
			der, err := ring.Open(row.Sealed, keyAD(row.KID))
			if err != nil {
				return fmt.Errorf("open key %s: %w", row.KID, err)
			}
			k, err := x509.ParseECPrivateKey(der)
			if err != nil {
				return fmt.Errorf("parse key %s: %w", row.KID, err)
			}
			kid, key = row.KID, k
			return nil
		}
		if !errors.Is(err, db.ErrNoRows) {
			return fmt.Errorf("read key: %w", err)
		}
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tp, err := (&jose.JSONWebKey{Key: &k.PublicKey}).Thumbprint(crypto.SHA256)
		if err != nil {
			return err
		}
		id := base64.RawURLEncoding.EncodeToString(tp)
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return err
		}
		sealed, err := ring.Seal(der, keyAD(id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO partners_demo_keys (kid, sealed_key, created_at) VALUES (?, ?, ?)`), id, sealed, now.UTC()); err != nil {
			return fmt.Errorf("store key: %w", err)
		}
		kid, key = id, k
		return nil
	})
	return kid, key, err
}

// jwks is the public half of the signing key.
func (b *Bank) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &b.key.PublicKey, KeyID: b.kid, Use: "sig", Algorithm: string(jose.ES256),
	}}}
}

// idClaims are the ID token's claims: nothing about the customer but the
// subject. aud is always an array.
type idClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
	AZP      string   `json:"azp"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce"`
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
}

// idToken signs the ID token for a redeemed code.
func (b *Bank) idToken(c codeRow, now time.Time) (string, error) {
	claims := idClaims{
		Issuer: c.Issuer, Subject: c.Subject, Audience: []string{c.ClientID}, AZP: c.ClientID,
		Expiry: now.Add(tokenTTL).Unix(), IssuedAt: now.Unix(), AuthTime: c.AuthTime.Unix(),
		Nonce: c.Nonce, AMR: []string{"pwd"}, ACR: PasswordACR,
	}
	if c.MFA {
		claims.AMR, claims.ACR = []string{"pwd", "otp", "mfa"}, MFAACR
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	sig, err := b.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign id token: %w", err)
	}
	return sig.CompactSerialize()
}

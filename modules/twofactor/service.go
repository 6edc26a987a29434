package twofactor

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"guichet/app/codes"
)

// Authenticator codes: SHA-1, 6 digits, 30 seconds, one step either way.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret makes a fresh TOTP secret, base32 as authenticator apps take it.
func newSecret(issuer, account string) (string, error) {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("twofactor: new secret: %w", err)
	}
	return k.Secret(), nil
}

// keyFor rebuilds the otpauth key of a secret, for the QR code.
func keyFor(issuer, account, secret string) (*otp.Key, error) {
	raw, err := b32.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("twofactor: decode secret: %w", err)
	}
	return totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
}

// qrDataURL is the key's QR code as a PNG data: URL (the CSP allows
// img-src data:), so the secret never sits at a URL of its own.
func qrDataURL(k *otp.Key) (string, error) {
	img, err := k.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("twofactor: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("twofactor: QR code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// groupSecret writes the secret in groups of 4, for typing.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stepAt is the TOTP time step of an instant.
func stepAt(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchStep checks a typed code against the steps just before, at and just
// after now, and returns the latest step it matches that is later than
// after (the last accepted step). Every candidate is computed and compared
// in constant time, so timing tells nothing about which step matched.
func matchStep(secret, typed string, now time.Time, after int64) (int64, bool) {
	code := codes.Normalize(codes.Digits, typed)
	if len(code) != 6 {
		return 0, false
	}
	t := stepAt(now)
	best, ok := int64(0), false
	for s := t - totpSkew; s <= t+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		eq := subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
		if eq && s > after {
			best, ok = s, true
		}
	}
	return best, ok
}

// sealAD binds a sealed secret to its subject and method, so a value
// copied onto another row does not open.
func sealAD(s Subject, method string) []byte {
	return []byte("twofactor_factors:" + s.Kind + ":" + s.ID + ":" + method)
}

func (m *Module) sealSecret(s Subject, secret string) ([]byte, error) {
	return m.keys.Seal([]byte(secret), sealAD(s, MethodTOTP))
}

func (m *Module) openSecret(s Subject, f Factor) (string, error) {
	pt, err := m.keys.Open(f.Sealed, sealAD(s, MethodTOTP))
	if err != nil {
		return "", fmt.Errorf("twofactor: open secret: %w", err)
	}
	return string(pt), nil
}

// checkTOTP accepts a code for factor f at most once: the matched step is
// recorded with a conditional UPDATE, so a replayed code, or one racing
// with its twin, is refused.
func (m *Module) checkTOTP(ctx context.Context, s Subject, f Factor, typed string) (bool, error) {
	secret, err := m.openSecret(s, f)
	if err != nil {
		return false, err
	}
	step, ok := matchStep(secret, typed, m.clock.Now(), f.LastStep)
	if !ok {
		return false, nil
	}
	return m.store.AdvanceStep(ctx, f.ID, step)
}

// checkEmail uses the subject's emailed code.
func (m *Module) checkEmail(ctx context.Context, s Subject, typed string) (bool, error) {
	return m.codes.Consume(ctx, m.db.W, EmailPurpose, s.String(), codes.Digits, typed)
}

// maskEmail shows enough of an address for the person to recognise it:
// "p•••@example.com".
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return addr
	}
	r := []rune(local)
	return string(r[0]) + "•••@" + domain
}

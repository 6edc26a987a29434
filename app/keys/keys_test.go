package keys_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"guichet/app/keys"
	"guichet/db"
)

func ring(t *testing.T, s string) *keys.Ring {
	t.Helper()
	r, err := keys.New([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSubkeysDifferByPurpose(t *testing.T) {
	r := ring(t, "0123456789abcdef0123456789abcdef-root")
	if bytes.Equal(r.Subkey(keys.PurposeCSRF), r.Subkey(keys.PurposeCodes)) {
		t.Fatal("two purposes share a key")
	}
	if !bytes.Equal(r.Subkey(keys.PurposeCSRF), ring(t, "0123456789abcdef0123456789abcdef-root").Subkey(keys.PurposeCSRF)) {
		t.Fatal("derivation is not deterministic")
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := keys.New([]byte("short")); err == nil {
		t.Fatal("short secret accepted")
	}
}

func TestSealOpen(t *testing.T) {
	r := ring(t, "0123456789abcdef0123456789abcdef-root")
	s, err := r.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("twofactor:42"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("plaintext visible in sealed value")
	}
	got, err := r.Open(s, []byte("twofactor:42"))
	if err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := r.Open(s, []byte("twofactor:43")); !errors.Is(err, keys.ErrOpen) {
		t.Fatal("opened under other associated data")
	}
	s[len(s)-1] ^= 1
	if _, err := r.Open(s, []byte("twofactor:42")); !errors.Is(err, keys.ErrOpen) {
		t.Fatal("opened a tampered value")
	}
	other := ring(t, "another-secret-another-secret-another")
	s2, _ := r.Seal([]byte("x"), nil)
	if _, err := other.Open(s2, nil); !errors.Is(err, keys.ErrOpen) {
		t.Fatal("opened under another secret")
	}
}

func TestRotationKeepsOldValuesOpen(t *testing.T) {
	r := ring(t, "0123456789abcdef0123456789abcdef-root")
	old, _ := r.Seal([]byte("v1 data"), nil)
	if err := r.Rotate(2, []byte("the-new-secret-the-new-secret-12345")); err != nil {
		t.Fatal(err)
	}
	fresh, _ := r.Seal([]byte("v2 data"), nil)
	if keys.SealedVersion(old) != 1 || keys.SealedVersion(fresh) != 2 {
		t.Fatalf("versions %d, %d", keys.SealedVersion(old), keys.SealedVersion(fresh))
	}
	for _, s := range [][]byte{old, fresh} {
		if _, err := r.Open(s, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyDetectsChangedSecret(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := ring(t, "0123456789abcdef0123456789abcdef-root").Verify(ctx, d, now); err != nil {
		t.Fatal(err)
	}
	if err := ring(t, "0123456789abcdef0123456789abcdef-root").Verify(ctx, d, now); err != nil {
		t.Fatalf("same secret refused: %v", err)
	}
	if err := ring(t, "a-different-secret-of-enough-length!!").Verify(ctx, d, now); !errors.Is(err, keys.ErrWrongSecret) {
		t.Fatalf("changed secret: err = %v", err)
	}
}

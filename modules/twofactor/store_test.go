package twofactor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp/totp"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/keys"
)

var now = time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC)

// put starts a set-up, one second after the previous one.
func put(t *testing.T, s *Store, subj Subject, method string) Factor {
	t.Helper()
	now = now.Add(time.Second)
	err := s.db.Tx(context.Background(), func(tx *sqlx.Tx) error {
		_, err := s.PutPending(context.Background(), tx, subj, method, []byte("sealed"), now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f, ok, err := s.Get(context.Background(), subj, statusPending)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	return f
}

func activate(t *testing.T, s *Store, subj Subject, f Factor) error {
	t.Helper()
	return s.db.Tx(context.Background(), func(tx *sqlx.Tx) error { return s.Activate(context.Background(), tx, subj, f, now) })
}

func TestStoreKeepsOnePendingAndOneActive(t *testing.T) {
	s := NewStore(apptest.OpenDB(t))
	ctx := context.Background()
	a := Subject{"gckey", "gckey:a"}
	b := Subject{"gckey", "gckey:b"}

	first := put(t, s, a, MethodTOTP)
	second := put(t, s, a, MethodEmail)
	put(t, s, b, MethodTOTP)
	f, ok, err := s.Get(ctx, a, statusPending)
	if err != nil || !ok || f.ID != second.ID || f.Method != MethodEmail {
		t.Fatalf("pending after a second start: %+v %v %v", f, ok, err)
	}
	if err := activate(t, s, a, first); !errors.Is(err, ErrGone) {
		t.Fatalf("activating a replaced pending factor: %v", err)
	}
	if err := activate(t, s, a, second); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, a, statusPending); ok {
		t.Fatal("pending factor left after activation")
	}
	// A new factor replaces the active one only once confirmed.
	third := put(t, s, a, MethodTOTP)
	if f, _, _ := s.Get(ctx, a, statusActive); f.ID != second.ID {
		t.Fatal("starting a set-up removed the active factor")
	}
	if err := activate(t, s, a, third); err != nil {
		t.Fatal(err)
	}
	f, _, _ = s.Get(ctx, a, statusActive)
	if f.ID != third.ID || f.ConfirmedAt == nil {
		t.Fatalf("active after change: %+v", f)
	}
	// Another subject's pending factor cannot be activated for a.
	other, _, _ := s.Get(ctx, b, statusPending)
	if err := activate(t, s, a, other); !errors.Is(err, ErrGone) {
		t.Fatalf("activating another subject's factor: %v", err)
	}
	var n int
	s.db.R.Get(&n, `SELECT COUNT(*) FROM twofactor_factors WHERE subject_id = 'gckey:a'`)
	if n != 1 {
		t.Fatalf("%d rows for a", n)
	}
}

func TestAdvanceStepOnlyForward(t *testing.T) {
	s := NewStore(apptest.OpenDB(t))
	id := put(t, s, Subject{"gckey", "gckey:a"}, MethodTOTP).ID
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.AdvanceStep(context.Background(), id, 100)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d requests accepted step 100", wins.Load())
	}
	if ok, _ := s.AdvanceStep(context.Background(), id, 99); ok {
		t.Fatal("an earlier step was accepted")
	}
	if ok, _ := s.AdvanceStep(context.Background(), id, 101); !ok {
		t.Fatal("a later step was refused")
	}
}

func TestMatchStep(t *testing.T) {
	secret, err := newSecret("Guichet", "x")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string {
		c, err := totp.GenerateCodeCustom(secret, now.Add(d), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cur := stepAt(now)
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		step, ok := matchStep(secret, at(d), now, 0)
		if !ok || step != stepAt(now.Add(d)) {
			t.Errorf("drift %v: step %d ok %v", d, step, ok)
		}
	}
	for _, d := range []time.Duration{-90 * time.Second, 90 * time.Second} {
		c := at(d)
		if c == at(-30*time.Second) || c == at(0) || c == at(30*time.Second) {
			continue
		}
		if _, ok := matchStep(secret, c, now, 0); ok {
			t.Errorf("drift %v accepted", d)
		}
	}
	if _, ok := matchStep(secret, at(0), now, cur); ok {
		t.Error("a code for the last accepted step was accepted again")
	}
	if _, ok := matchStep(secret, at(-30*time.Second), now, cur); ok && at(-30*time.Second) != at(30*time.Second) {
		t.Error("a code for an earlier step was accepted")
	}
	if _, ok := matchStep(secret, "12345", now, 0); ok {
		t.Error("a 5-digit code was accepted")
	}
	// Spaces people type are ignored.
	c := at(0)
	if _, ok := matchStep(secret, c[:3]+" "+c[3:], now, 0); !ok {
		t.Error("a code typed with a space was refused")
	}
}

func TestSealedSecretIsBoundToItsSubject(t *testing.T) {
	ring, err := keys.New([]byte(apptest.TestSecret))
	if err != nil {
		t.Fatal(err)
	}
	m := &Module{keys: ring, clock: clock.NewFake(now)}
	a, b := Subject{"gckey", "gckey:a"}, Subject{"gckey", "gckey:b"}
	sealed, err := m.sealSecret(a, "JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.openSecret(a, Factor{Sealed: sealed}); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := m.openSecret(b, Factor{Sealed: sealed}); err == nil {
		t.Fatal("a secret copied to another subject opened")
	}
}

func TestGroupAndMask(t *testing.T) {
	if got := groupSecret("ABCDEFGHIJ"); got != "ABCD EFGH IJ" {
		t.Errorf("group %q", got)
	}
	if got := maskEmail("person@example.com"); got != "p•••@example.com" {
		t.Errorf("mask %q", got)
	}
}

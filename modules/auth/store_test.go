package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/modules/auth"
)

func newCred(ref, username, email string, at time.Time) auth.Credential {
	return auth.Credential{
		Cred: ref, Username: username, UsernameNorm: lower(username), PasswordHash: "$argon2id$x",
		Email: email, EmailNorm: lower(email), EmailVerifiedAt: &at, Lang: "en", CreatedAt: at,
	}
}

func TestStoreUsernamesAreUniqueWithoutCaseAndNeverReused(t *testing.T) {
	d := apptest.OpenDB(t)
	s := auth.NewStore(d)
	ctx := t.Context()
	now := apptest.Start
	create := func(c auth.Credential) error {
		return d.Tx(ctx, func(tx *sqlx.Tx) error { return s.Create(ctx, tx, c) })
	}
	if err := create(newCred("gckey:1", "Marie.Tremblay", "marie@example.com", now)); err != nil {
		t.Fatal(err)
	}
	if err := create(newCred("gckey:2", "marie.TREMBLAY", "other@example.com", now)); !errors.Is(err, auth.ErrUsernameTaken) {
		t.Fatalf("same username in other case: %v", err)
	}
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error { return s.Close(ctx, tx, "gckey:1", now) }); err != nil {
		t.Fatal(err)
	}
	if taken, err := s.UsernameTaken(ctx, "marie.tremblay"); err != nil || !taken {
		t.Fatalf("closed credential freed its username: %v %v", taken, err)
	}
	if err := create(newCred("gckey:3", "marie.tremblay", "x@example.com", now)); !errors.Is(err, auth.ErrUsernameTaken) {
		t.Fatalf("username reused after close: %v", err)
	}
	cr, err := s.ByUsername(ctx, "marie.tremblay")
	if err != nil || cr.Username != "Marie.Tremblay" || !cr.Closed() {
		t.Fatalf("by username: %+v %v", cr, err)
	}
	if _, err := s.ByCred(ctx, "gckey:nope"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("missing credential: %v", err)
	}
}

func TestStoreByEmailOnlyUsableVerified(t *testing.T) {
	d := apptest.OpenDB(t)
	s := auth.NewStore(d)
	ctx := t.Context()
	now := apptest.Start
	unverified := newCred("gckey:b", "second.user", "Shared@Example.com", now)
	unverified.EmailVerifiedAt = nil
	closed := newCred("gckey:c", "third.user", "shared@example.com", now)
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, c := range []auth.Credential{newCred("gckey:a", "first.user", "SHARED@example.com", now), unverified, closed} {
			if err := s.Create(ctx, tx, c); err != nil {
				return err
			}
		}
		return s.Close(ctx, tx, "gckey:c", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ByEmail(ctx, "shared@example.com")
	if err != nil || len(got) != 1 || got[0].Cred != "gckey:a" {
		t.Fatalf("by email: %+v %v", got, err)
	}
}

func TestStoreStaleAndExpiry(t *testing.T) {
	d := apptest.OpenDB(t)
	s := auth.NewStore(d)
	ctx := t.Context()
	old := apptest.Start.Add(-3 * 365 * 24 * time.Hour)
	recent := apptest.Start.Add(-time.Hour)
	usedLately := newCred("gckey:used", "used.lately", "u@example.com", old)
	usedLately.LastUsedAt = &recent
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, c := range []auth.Credential{newCred("gckey:old", "old.unused", "o@example.com", old), usedLately, newCred("gckey:new", "brand.new", "n@example.com", recent)} {
			if err := s.Create(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cut := apptest.Start.Add(-2 * 365 * 24 * time.Hour)
	stale, err := s.Stale(ctx, cut)
	if err != nil || len(stale) != 1 || stale[0] != "gckey:old" {
		t.Fatalf("stale: %v %v", stale, err)
	}
	var marked, again bool
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if marked, err = s.MarkExpired(ctx, tx, "gckey:old", apptest.Start); err != nil {
			return err
		}
		again, err = s.MarkExpired(ctx, tx, "gckey:old", apptest.Start)
		return err
	})
	if err != nil || !marked || again {
		t.Fatalf("mark expired: %v %v %v", marked, again, err)
	}
	if stale, _ := s.Stale(ctx, cut); len(stale) != 0 {
		t.Fatalf("expired credential still stale: %v", stale)
	}
}

func TestStoreSignupsAndDevices(t *testing.T) {
	d := apptest.OpenDB(t)
	s := auth.NewStore(d)
	ctx := t.Context()
	now := apptest.Start
	su := auth.Signup{ID: "s1", Username: "New.Person", UsernameNorm: "new.person", PasswordHash: "h", Email: "n@example.com", Lang: "fr", CreatedAt: now}
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error { return s.AddSignup(ctx, tx, su, now.Add(-30*time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Signup(ctx, "s1", now.Add(-30*time.Minute)); err != nil || got.Username != "New.Person" || got.Lang != "fr" {
		t.Fatalf("signup: %+v %v", got, err)
	}
	// Thirty minutes later it is dead, and the next sign-up sweeps it.
	later := now.Add(31 * time.Minute)
	if _, err := s.Signup(ctx, "s1", later.Add(-30*time.Minute)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("old signup still found: %v", err)
	}
	su2 := su
	su2.ID, su2.CreatedAt = "s2", later
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error { return s.AddSignup(ctx, tx, su2, later.Add(-30*time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.R.Get(&n, `SELECT COUNT(*) FROM auth_signups`); err != nil || n != 1 {
		t.Fatalf("signups left: %d %v", n, err)
	}

	if err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		return s.Create(ctx, tx, newCred("gckey:d", "device.owner", "d@example.com", now))
	}); err != nil {
		t.Fatal(err)
	}
	hash := []byte("0123456789abcdef0123456789abcdef")
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error { return s.AddDevice(ctx, tx, hash, "gckey:d", now) }); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.KnownDevice(ctx, hash, "gckey:d", now.Add(-time.Hour)); err != nil || !ok {
		t.Fatalf("known device: %v %v", ok, err)
	}
	if ok, _ := s.KnownDevice(ctx, hash, "gckey:other", now.Add(-time.Hour)); ok {
		t.Fatal("device known for another credential")
	}
	if ok, _ := s.KnownDevice(ctx, hash, "gckey:d", now.Add(time.Hour)); ok {
		t.Fatal("device older than the cut still known")
	}
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error { return s.AddDevice(ctx, tx, hash, "gckey:d", later) }); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.KnownDevice(ctx, hash, "gckey:d", now.Add(10*time.Minute)); !ok {
		t.Fatal("signing in again did not refresh the device")
	}
	if n, err := s.Cleanup(ctx, later.Add(time.Hour), later.Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("cleanup: %d %v", n, err)
	}
}

package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/db"
)

const (
	cred  = "gckey:5f0c2a7e-1d3b-4c8e-9a61-2b7f0e4d9c13"
	other = "gckey:9e1d44b0-7c2a-4f5e-8b3d-61a0c7e2f845"
	ip    = "192.0.2.10"
	ua    = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
)

func setup(t *testing.T) (*audit.Log, *clock.Fake, *db.DB) {
	t.Helper()
	d := apptest.OpenDB(t)
	clk := clock.NewFake(apptest.Start)
	return audit.New(d, clk), clk, d
}

func all(t *testing.T, d *db.DB) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := d.R.Select(&out, `SELECT id, at, scope, subject, event, ip, user_agent, detail FROM app_audit ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRolledBackEventsAreGone(t *testing.T) {
	l, _, d := setup(t)
	ctx := context.Background()
	boom := errors.New("password change failed")
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := l.Credential(ctx, tx, cred, audit.PasswordChanged, ip, ua, ""); err != nil {
			return err
		}
		if err := l.Service(ctx, tx, "ircc", "pw-1", audit.SignIn, ip, ua, ""); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v, want %v", err, boom)
	}
	if got := all(t, d); len(got) != 0 {
		t.Fatalf("%d entries after rollback: %+v", len(got), got)
	}

	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		return l.Credential(ctx, tx, cred, audit.PasswordChanged, ip, ua, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	// The writer pool works too, for events outside any transaction.
	if err := l.Credential(ctx, d.W, cred, audit.SignInFailed, ip, ua, ""); err != nil {
		t.Fatal(err)
	}
	got := all(t, d)
	if len(got) != 2 || got[0].Event != audit.PasswordChanged || got[1].Event != audit.SignInFailed {
		t.Fatalf("entries %+v", got)
	}
	e := got[0]
	if !e.At.Equal(apptest.Start) || e.Scope != audit.ScopeCredential || e.Subject != cred || e.IP != ip || e.UserAgent != ua {
		t.Fatalf("stored %+v", e)
	}
}

func TestRecentIsThisCredentialNewestFirst(t *testing.T) {
	l, clk, d := setup(t)
	ctx := context.Background()
	events := []audit.Event{audit.SignUp, audit.SignIn, audit.SecondFactorChanged, audit.RecoveryCodesIssued, audit.SignInFailed, audit.SignIn}
	for _, ev := range events {
		if err := l.Credential(ctx, d.W, cred, ev, ip, ua, ""); err != nil {
			t.Fatal(err)
		}
		if err := l.Credential(ctx, d.W, other, audit.Locked, ip, ua, ""); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	// Two events in the same instant come back in reverse order of recording.
	if err := l.Credential(ctx, d.W, cred, audit.PasswordChanged, ip, ua, ""); err != nil {
		t.Fatal(err)
	}
	if err := l.Credential(ctx, d.W, cred, audit.SessionsEnded, ip, ua, "3"); err != nil {
		t.Fatal(err)
	}
	// A service event whose pairwise id happens to look like the credential
	// is not the credential's activity.
	if err := l.Service(ctx, d.W, "gckey", strings.TrimPrefix(cred, "gckey:"), audit.SignIn, ip, ua, ""); err != nil {
		t.Fatal(err)
	}

	got, err := l.Recent(ctx, cred, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.Event{audit.SessionsEnded, audit.PasswordChanged, audit.SignIn, audit.SignInFailed}
	if len(got) != len(want) {
		t.Fatalf("Recent returned %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, e := range got {
		if e.Event != want[i] || e.Subject != cred || e.Scope != audit.ScopeCredential {
			t.Errorf("entry %d = %+v, want %s of %s", i, e, want[i], cred)
		}
		if i > 0 && e.At.After(got[i-1].At) {
			t.Errorf("entry %d (%v) is newer than entry %d (%v)", i, e.At, i-1, got[i-1].At)
		}
	}
	if got[0].Detail != "3" || got[0].At.Location() != time.UTC {
		t.Errorf("newest = %+v", got[0])
	}

	everything, err := l.Recent(ctx, cred, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(everything) != len(events)+2 {
		t.Fatalf("Recent(0) returned %d entries, want %d", len(everything), len(events)+2)
	}
	none, err := l.Recent(ctx, "gckey:unknown", 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("Recent of an unknown credential = %v, %v", none, err)
	}
}

func TestServiceEventsNeverCarryTheCredential(t *testing.T) {
	l, _, d := setup(t)
	ctx := context.Background()
	if err := l.Service(ctx, d.W, "ircc", "p7Kq2vX9", audit.SignIn, ip, ua, "application viewed"); err != nil {
		t.Fatal(err)
	}
	got := all(t, d)
	if len(got) != 1 {
		t.Fatalf("%d entries", len(got))
	}
	e := got[0]
	if e.Scope != audit.ScopeService || e.Subject != "ircc:p7Kq2vX9" {
		t.Fatalf("stored scope %q subject %q, want service ircc:p7Kq2vX9", e.Scope, e.Subject)
	}
	for _, field := range []string{e.Subject, e.Detail, e.IP, e.UserAgent} {
		if strings.Contains(field, "gckey:") {
			t.Fatalf("service entry names a credential: %+v", e)
		}
	}

	for _, bad := range [][2]string{{"", "p1"}, {"ircc", ""}, {"ir:cc", "p1"}} {
		if err := l.Service(ctx, d.W, bad[0], bad[1], audit.SignIn, ip, ua, ""); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("Service(%q, %q) = %v, want ErrInvalid", bad[0], bad[1], err)
		}
	}
	if err := l.Credential(ctx, d.W, "", audit.SignIn, ip, ua, ""); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("Credential without a credential = %v, want ErrInvalid", err)
	}
	if err := l.Credential(ctx, d.W, cred, "", ip, ua, ""); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("Credential without an event = %v, want ErrInvalid", err)
	}
	if n := len(all(t, d)); n != 1 {
		t.Fatalf("invalid calls recorded entries: %d", n)
	}
}

func TestLongFieldsAreTruncated(t *testing.T) {
	l, _, d := setup(t)
	ctx := context.Background()
	// "é" is two bytes; 300 of them cannot be cut at 256 or 1000 bytes
	// without care, and a bad byte and a NUL must not reach the database.
	longUA := strings.Repeat("é", 300) + "\xff"
	longDetail := "a\x00b" + strings.Repeat("é", 1000)
	if err := l.Credential(ctx, d.W, cred, audit.SignIn, ip, longUA, longDetail); err != nil {
		t.Fatal(err)
	}
	e := all(t, d)[0]
	if len(e.UserAgent) > audit.MaxUserAgent || len(e.UserAgent) < audit.MaxUserAgent-3 || !utf8.ValidString(e.UserAgent) {
		t.Errorf("user agent: %d bytes, valid %v", len(e.UserAgent), utf8.ValidString(e.UserAgent))
	}
	if len(e.Detail) > audit.MaxDetail || len(e.Detail) < audit.MaxDetail-3 || !utf8.ValidString(e.Detail) || strings.Contains(e.Detail, "\x00") {
		t.Errorf("detail: %d bytes, valid %v", len(e.Detail), utf8.ValidString(e.Detail))
	}
	if !strings.HasPrefix(e.Detail, "a\uFFFDb") {
		t.Errorf("detail starts %q", e.Detail[:8])
	}
}

func TestPurgeBlanksOnlyOldAddresses(t *testing.T) {
	l, clk, d := setup(t)
	ctx := context.Background()
	retention := 90 * 24 * time.Hour
	if err := l.Credential(ctx, d.W, cred, audit.SignIn, ip, ua, "kept"); err != nil {
		t.Fatal(err)
	}
	if err := l.Service(ctx, d.W, "pr", "pw-9", audit.SignIn, "2001:db8::1", ua, ""); err != nil {
		t.Fatal(err)
	}
	clk.Advance(retention)
	// Exactly at the retention limit: not older, so kept.
	if err := l.Credential(ctx, d.W, cred, audit.PasswordChanged, "198.51.100.2", ua, ""); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)

	n, err := l.Purge(ctx, retention)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("Purge blanked %d entries, want 2", n)
	}
	got := all(t, d)
	if len(got) != 3 {
		t.Fatalf("%d entries after Purge, want 3 (events stay)", len(got))
	}
	for _, e := range got[:2] {
		if e.IP != "" || e.UserAgent != "" {
			t.Errorf("old entry not blanked: %+v", e)
		}
	}
	if got[0].Event != audit.SignIn || got[0].Detail != "kept" || got[0].Subject != cred || !got[0].At.Equal(apptest.Start) {
		t.Errorf("Purge changed more than ip and user agent: %+v", got[0])
	}
	if got[2].IP != "198.51.100.2" || got[2].UserAgent != ua {
		t.Errorf("recent entry blanked: %+v", got[2])
	}
	if n, err := l.Purge(ctx, retention); err != nil || n != 0 {
		t.Fatalf("second Purge = %d, %v; want 0", n, err)
	}
	if _, err := l.Purge(ctx, 0); err == nil {
		t.Fatal("Purge with no retention accepted")
	}
}

package session_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/session"
	"guichet/db"
)

// t0 has nanoseconds so the tests also check the expiry keeps them.
var t0 = time.Date(2024, 1, 23, 15, 0, 0, 123456789, time.UTC)

func newStore(t *testing.T) (*session.Store, *db.DB, *clock.Fake) {
	t.Helper()
	d := apptest.OpenDB(t)
	clk := clock.NewFake(t0)
	return session.NewStore(d, clk), d, clk
}

type storedRow struct {
	Data   []byte    `db:"data"`
	Expiry time.Time `db:"expiry"`
	Cred   string    `db:"cred"`
}

// rowOf reads a session row straight from the database, bypassing the
// store's expiry filter.
func rowOf(t *testing.T, d *db.DB, token string) (storedRow, bool) {
	t.Helper()
	h := sha256.Sum256([]byte(token))
	var r storedRow
	err := d.R.Get(&r, d.Rebind(`SELECT data, expiry, cred FROM app_sessions WHERE token_hash = ?`), h[:])
	if err == db.ErrNoRows {
		return r, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

func mustRow(t *testing.T, d *db.DB, token string) storedRow {
	t.Helper()
	r, ok := rowOf(t, d, token)
	if !ok {
		t.Fatalf("no row for token %q", token)
	}
	return r
}

func countRows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.Get(&n, `SELECT COUNT(*) FROM app_sessions`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStoreCommitThenFind(t *testing.T) {
	s, d, _ := newStore(t)
	if _, found, err := s.Find("nobody"); err != nil || found {
		t.Fatalf("Find of an unknown token: found=%v err=%v", found, err)
	}
	if err := s.Commit("tok-1", []byte("data-1"), t0.Add(20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	b, found, err := s.Find("tok-1")
	if err != nil || !found || string(b) != "data-1" {
		t.Fatalf("Find = %q, %v, %v", b, found, err)
	}
	r := mustRow(t, d, "tok-1")
	if !r.Expiry.Equal(t0.Add(20 * time.Minute)) {
		t.Errorf("stored expiry %v, want %v (nanoseconds kept)", r.Expiry, t0.Add(20*time.Minute))
	}
	if r.Cred != "" {
		t.Errorf("cred %q for a commit without a tracker", r.Cred)
	}

	// A second commit replaces the row rather than adding one.
	if err := s.Commit("tok-1", []byte("data-2"), t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := s.Find("tok-1"); string(b) != "data-2" {
		t.Fatalf("after update Find = %q", b)
	}
	if n := countRows(t, d); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}

	// An expiry given in another zone is the same instant.
	est := time.FixedZone("EST", -5*3600)
	if err := s.Commit("tok-2", []byte("x"), t0.Add(time.Hour).In(est)); err != nil {
		t.Fatal(err)
	}
	if r := mustRow(t, d, "tok-2"); !r.Expiry.Equal(t0.Add(time.Hour)) {
		t.Fatalf("expiry given in EST stored as %v", r.Expiry)
	}
	if _, found, _ := s.Find("tok-2"); !found {
		t.Fatal("session with an EST expiry not found")
	}
}

func TestStoreKeepsOnlyTheTokenHash(t *testing.T) {
	s, d, _ := newStore(t)
	const token = "RAW-TOKEN-vS3cr3t-9f8e7d6c5b4a3928171615141312111"
	if err := s.Commit(token, []byte("some data"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rows, err := d.R.Queryx(`SELECT token_hash, data, expiry, cred FROM app_sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := sha256.Sum256([]byte(token))
	n := 0
	for rows.Next() {
		n++
		var hash, data []byte
		var expiry time.Time
		var cred string
		if err := rows.Scan(&hash, &data, &expiry, &cred); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(hash, want[:]) {
			t.Errorf("token_hash = %x, want sha256(token) = %x", hash, want)
		}
		for name, col := range map[string][]byte{"token_hash": hash, "data": data, "cred": []byte(cred)} {
			if bytes.Contains(col, []byte(token)) {
				t.Errorf("raw token found in column %s", name)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	// Nor anywhere in the database files.
	for _, p := range []string{d.Path, d.Path + "-wal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("raw token found in %s", p)
		}
	}
}

func TestStoreFindIgnoresExpiredRows(t *testing.T) {
	s, d, clk := newStore(t)
	expiry := t0.Add(10 * time.Minute)
	if err := s.Commit("tok", []byte("d"), expiry); err != nil {
		t.Fatal(err)
	}
	clk.Set(expiry.Add(-time.Nanosecond))
	if _, found, _ := s.Find("tok"); !found {
		t.Fatal("not found a nanosecond before expiry")
	}
	clk.Set(expiry)
	if _, found, _ := s.Find("tok"); found {
		t.Fatal("found at its expiry")
	}
	clk.Advance(time.Hour)
	tr := &session.Tracker{}
	b, found, err := s.FindCtx(session.WithTracker(context.Background(), tr), "tok")
	if err != nil || found || b != nil {
		t.Fatalf("expired: %q, %v, %v", b, found, err)
	}
	if tr.Found() || !tr.Expiry().IsZero() {
		t.Fatal("tracker filled from an expired row")
	}
	if _, ok := rowOf(t, d, "tok"); !ok {
		t.Fatal("Find deleted the expired row (Cleanup's job)")
	}
}

// load finds token with a fresh tracker, as the middleware does at the
// start of each request.
func load(t *testing.T, s *session.Store, token string) (context.Context, *session.Tracker) {
	t.Helper()
	tr := &session.Tracker{}
	ctx := session.WithTracker(context.Background(), tr)
	if _, found, err := s.FindCtx(ctx, token); err != nil || !found {
		t.Fatalf("FindCtx(%q): found=%v err=%v", token, found, err)
	}
	return ctx, tr
}

func TestStoreSkipsUnchangedCommits(t *testing.T) {
	s, d, clk := newStore(t)
	data := []byte("unchanged")
	base := t0.Add(20 * time.Minute)
	reset := func() {
		t.Helper()
		if err := s.Commit("tok", data, base); err != nil {
			t.Fatal(err)
		}
	}
	reset()

	_, tr := load(t, s, "tok")
	if !tr.Found() || !tr.Expiry().Equal(base) {
		t.Fatalf("tracker: found=%v expiry=%v, want %v", tr.Found(), tr.Expiry(), base)
	}

	cases := []struct {
		name      string
		data      []byte
		expiry    time.Time
		force     bool
		wantWrite bool
	}{
		{"same data, same expiry", data, base, false, false},
		{"same data, expiry +1s", data, base.Add(time.Second), false, false},
		{"same data, expiry +59.999s", data, base.Add(time.Minute - time.Millisecond), false, false},
		{"same data, expiry +1min", data, base.Add(time.Minute), false, true},
		{"same data, expiry +61s", data, base.Add(61 * time.Second), false, true},
		{"changed data, same expiry", []byte("changed"), base, false, true},
		{"same data, same length, one byte changed", []byte("unchangeD"), base, false, true},
		{"forced, same data, expiry +1s", data, base.Add(time.Second), true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reset()
			clk.Set(t0)
			ctx, tr := load(t, s, "tok")
			tr.Force = c.force
			if err := s.CommitCtx(ctx, "tok", c.data, c.expiry); err != nil {
				t.Fatal(err)
			}
			r := mustRow(t, d, "tok")
			wrote := !r.Expiry.Equal(base) || !bytes.Equal(r.Data, data)
			if wrote != c.wantWrite {
				t.Fatalf("wrote=%v, want %v (row: %q, %v)", wrote, c.wantWrite, r.Data, r.Expiry)
			}
			if c.wantWrite && (!r.Expiry.Equal(c.expiry) || !bytes.Equal(r.Data, c.data)) {
				t.Fatalf("row %q, %v; want %q, %v", r.Data, r.Expiry, c.data, c.expiry)
			}
		})
	}

	// The skip needs a tracker that loaded this very token.
	t.Run("no tracker", func(t *testing.T) {
		reset()
		if err := s.Commit("tok", data, base.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if r := mustRow(t, d, "tok"); !r.Expiry.Equal(base.Add(time.Second)) {
			t.Fatal("a commit without a tracker was skipped")
		}
	})
	t.Run("tracker that found nothing", func(t *testing.T) {
		tr := &session.Tracker{}
		ctx := session.WithTracker(context.Background(), tr)
		if _, found, _ := s.FindCtx(ctx, "new"); found {
			t.Fatal("found")
		}
		if err := s.CommitCtx(ctx, "new", data, base); err != nil {
			t.Fatal(err)
		}
		if _, ok := rowOf(t, d, "new"); !ok {
			t.Fatal("a new session was not written")
		}
	})
	t.Run("renewed token", func(t *testing.T) {
		reset()
		ctx, _ := load(t, s, "tok")
		if err := s.CommitCtx(ctx, "tok-renewed", data, base); err != nil {
			t.Fatal(err)
		}
		if _, ok := rowOf(t, d, "tok-renewed"); !ok {
			t.Fatal("the session under its new token was not written")
		}
	})
	t.Run("second commit in the same request", func(t *testing.T) {
		// After a real write the tracker holds what was written, so an
		// identical commit straight after is skipped.
		reset()
		ctx, _ := load(t, s, "tok")
		if err := s.CommitCtx(ctx, "tok", []byte("v2"), base); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(d.Rebind(`UPDATE app_sessions SET data = ? WHERE token_hash = ?`), []byte("marker"), hashOf("tok")); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "tok", []byte("v2"), base.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if r := mustRow(t, d, "tok"); string(r.Data) != "marker" {
			t.Fatalf("identical second commit wrote %q", r.Data)
		}
	})
}

func hashOf(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func TestStoreRecordsTheTrackersCredential(t *testing.T) {
	s, d, _ := newStore(t)
	tr := &session.Tracker{Cred: "cred-a"}
	ctx := session.WithTracker(context.Background(), tr)
	if err := s.CommitCtx(ctx, "tok", []byte("d"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := mustRow(t, d, "tok"); r.Cred != "cred-a" {
		t.Fatalf("cred %q", r.Cred)
	}
}

// commitAs writes a session row for cred, as a request signed in as cred
// would.
func commitAs(t *testing.T, s *session.Store, token, cred string, expiry time.Time) {
	t.Helper()
	ctx := session.WithTracker(context.Background(), &session.Tracker{Cred: cred})
	if err := s.CommitCtx(ctx, token, []byte("data of "+token), expiry); err != nil {
		t.Fatal(err)
	}
}

func TestStoreEndCredential(t *testing.T) {
	s, d, _ := newStore(t)
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	for _, tok := range []string{"a1", "a2", "a3"} {
		commitAs(t, s, tok, "cred-a", exp)
	}
	commitAs(t, s, "b1", "cred-b", exp)
	commitAs(t, s, "anon", "", exp)

	if n, err := s.CountCredential(ctx, "cred-a"); err != nil || n != 3 {
		t.Fatalf("CountCredential(a) = %d, %v", n, err)
	}
	n, err := s.EndCredential(ctx, "cred-a", "a2")
	if err != nil || n != 2 {
		t.Fatalf("EndCredential kept a2: ended %d, %v; want 2", n, err)
	}
	for tok, want := range map[string]bool{"a1": false, "a2": true, "a3": false, "b1": true, "anon": true} {
		if _, found, _ := s.Find(tok); found != want {
			t.Errorf("after EndCredential(a, keep a2): %s found=%v, want %v", tok, found, want)
		}
	}
	if n, _ := s.CountCredential(ctx, "cred-a"); n != 1 {
		t.Errorf("CountCredential(a) = %d after ending, want 1", n)
	}

	// Keeping a token of another credential protects nothing of this one.
	n, err = s.EndCredential(ctx, "cred-a", "b1")
	if err != nil || n != 1 {
		t.Fatalf("EndCredential(a, keep b1) ended %d, %v; want 1", n, err)
	}
	if _, found, _ := s.Find("b1"); !found {
		t.Fatal("cred-b's session ended")
	}
	if n, _ := s.EndCredential(ctx, "cred-b", ""); n != 1 {
		t.Fatalf("EndCredential(b, keep none) ended %d, want 1", n)
	}
	if _, found, _ := s.Find("anon"); !found {
		t.Fatal("the anonymous session ended")
	}
	if _, err := s.EndCredential(ctx, "", ""); err == nil {
		t.Fatal("EndCredential with no credential would end every anonymous session; want an error")
	}
	if c := countRows(t, d); c != 1 {
		t.Fatalf("%d rows left, want 1 (anon)", c)
	}
}

func TestStoreCountCredentialCountsLiveSessions(t *testing.T) {
	s, _, clk := newStore(t)
	ctx := context.Background()
	commitAs(t, s, "short", "cred-a", t0.Add(5*time.Minute))
	commitAs(t, s, "long", "cred-a", t0.Add(time.Hour))
	commitAs(t, s, "other", "cred-b", t0.Add(time.Hour))
	if n, err := s.CountCredential(ctx, "cred-a"); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
	clk.Advance(5 * time.Minute)
	if n, _ := s.CountCredential(ctx, "cred-a"); n != 1 {
		t.Fatalf("count after one expired = %d, want 1", n)
	}
	if n, _ := s.CountCredential(ctx, "nobody"); n != 0 {
		t.Fatalf("count for an unknown credential = %d", n)
	}
}

func TestStoreCleanupDeletesOnlyExpiredRows(t *testing.T) {
	s, d, clk := newStore(t)
	ctx := context.Background()
	for tok, after := range map[string]time.Duration{"1m": time.Minute, "5m": 5 * time.Minute, "10m": 10 * time.Minute} {
		if err := s.Commit(tok, []byte(tok), t0.Add(after)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("Cleanup before anything expired: %d, %v", n, err)
	}
	clk.Set(t0.Add(5 * time.Minute))
	if n, err := s.Cleanup(ctx); err != nil || n != 2 {
		t.Fatalf("Cleanup at +5m deleted %d, %v; want 2", n, err)
	}
	for tok, want := range map[string]bool{"1m": false, "5m": false, "10m": true} {
		if _, ok := rowOf(t, d, tok); ok != want {
			t.Errorf("row %s present=%v, want %v", tok, ok, want)
		}
	}
	clk.Advance(time.Hour)
	if n, _ := s.Cleanup(ctx); n != 1 {
		t.Fatalf("final Cleanup deleted %d, want 1", n)
	}
	if c := countRows(t, d); c != 0 {
		t.Fatalf("%d rows left", c)
	}
}

func TestStoreDelete(t *testing.T) {
	s, d, _ := newStore(t)
	for _, tok := range []string{"gone", "stays"} {
		if err := s.Commit(tok, []byte(tok), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Find("gone"); found {
		t.Fatal("deleted session still found")
	}
	if _, ok := rowOf(t, d, "gone"); ok {
		t.Fatal("deleted row still there")
	}
	if _, found, _ := s.Find("stays"); !found {
		t.Fatal("Delete removed another session")
	}
	if err := s.Delete("never-existed"); err != nil {
		t.Fatalf("Delete of an unknown token: %v", err)
	}
}

// SQLite compares the stored timestamps as text; whole seconds (no
// fraction) and fractions must still order as instants.
func TestStoreExpiryAtWholeSeconds(t *testing.T) {
	s, _, clk := newStore(t)
	whole := time.Date(2024, 1, 23, 15, 10, 0, 0, time.UTC)
	if err := s.Commit("whole", []byte("d"), whole); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("half", []byte("d"), whole.Add(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now         time.Time
		whole, half bool
	}{
		{whole.Add(-500 * time.Millisecond), true, true},
		{whole.Add(-time.Nanosecond), true, true},
		{whole, false, true},
		{whole.Add(time.Nanosecond), false, true},
		{whole.Add(499 * time.Millisecond), false, true},
		{whole.Add(500 * time.Millisecond), false, false},
		{whole.Add(time.Second), false, false},
	} {
		clk.Set(c.now)
		_, w, _ := s.Find("whole")
		_, h, _ := s.Find("half")
		if w != c.whole || h != c.half {
			t.Errorf("at %v: whole found=%v (want %v), half found=%v (want %v)", c.now.Format(time.RFC3339Nano), w, c.whole, h, c.half)
		}
	}
}

// A request that loaded a session must not bring it back if the session
// was ended while the request ran (EndCredential after a password change,
// Delete at sign-out elsewhere). BUG: CommitCtx always upserts, so any
// in-flight request whose data changed or whose expiry moved by a minute
// or more re-inserts the ended row and that browser stays signed in.
func TestStoreCommitDoesNotResurrectAnEndedSession(t *testing.T) {
	for name, end := range map[string]func(s *session.Store) error{
		"EndCredential": func(s *session.Store) error {
			_, err := s.EndCredential(context.Background(), "cred-a", "")
			return err
		},
		"Delete": func(s *session.Store) error { return s.Delete("tok") },
	} {
		t.Run(name, func(t *testing.T) {
			s, d, _ := newStore(t)
			commitAs(t, s, "tok", "cred-a", t0.Add(20*time.Minute))
			ctx, tr := load(t, s, "tok") // the request starts
			tr.Cred = "cred-a"
			if err := end(s); err != nil { // the session is ended meanwhile
				t.Fatal(err)
			}
			// The request finishes having changed something.
			if err := s.CommitCtx(ctx, "tok", []byte("changed"), t0.Add(25*time.Minute)); err != nil {
				t.Logf("CommitCtx: %v (an error is an acceptable answer)", err)
			}
			if _, ok := rowOf(t, d, "tok"); ok {
				t.Fatal("the ended session was written back")
			}
		})
	}
}

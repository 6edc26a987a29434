package throttle_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/throttle"
	"guichet/db"
)

var signin = throttle.Rule{Limit: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}

func setup(t *testing.T) (*throttle.Store, *clock.Fake, *db.DB) {
	t.Helper()
	d := apptest.OpenDB(t)
	clk := clock.NewFake(apptest.Start)
	return throttle.New(d, clk), clk, d
}

func fail(t *testing.T, s *throttle.Store, key string, r throttle.Rule) (time.Time, bool) {
	t.Helper()
	until, locked, err := s.Fail(context.Background(), key, r)
	if err != nil {
		t.Fatal(err)
	}
	return until, locked
}

func locked(t *testing.T, s *throttle.Store, key string) (time.Time, bool) {
	t.Helper()
	until, ok, err := s.Locked(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return until, ok
}

func allow(t *testing.T, s *throttle.Store, key string, r throttle.Rule) bool {
	t.Helper()
	ok, err := s.Allow(context.Background(), key, r)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func count(t *testing.T, d *db.DB, key string) int {
	t.Helper()
	var n int
	if err := d.R.Get(&n, d.Rebind(`SELECT count FROM app_throttle WHERE key = ?`), key); err != nil {
		t.Fatal(err)
	}
	return n
}

func rows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.Get(&n, `SELECT COUNT(*) FROM app_throttle`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLocksAtTheLimitNotBefore(t *testing.T) {
	s, clk, _ := setup(t)
	key := "signin:user:emilie.tremblay"
	for i := 1; i < signin.Limit; i++ {
		if _, l := fail(t, s, key, signin); l {
			t.Fatalf("locked after %d failures, limit %d", i, signin.Limit)
		}
		if _, l := locked(t, s, key); l {
			t.Fatalf("Locked after %d failures", i)
		}
		clk.Advance(time.Minute)
	}
	until, l := fail(t, s, key, signin)
	want := clk.Now().Add(signin.Lock)
	if !l || !until.Equal(want) {
		t.Fatalf("Fail #%d = %v, %v; want locked until %v", signin.Limit, until, l, want)
	}
	if u, l := locked(t, s, key); !l || !u.Equal(want) {
		t.Fatalf("Locked = %v, %v; want until %v", u, l, want)
	}
	// Other keys are untouched.
	if _, l := locked(t, s, "signin:user:someone.else"); l {
		t.Fatal("another key is locked")
	}
	// A failure during the lock neither extends it nor counts.
	clk.Advance(5 * time.Minute)
	if u, l := fail(t, s, key, signin); !l || !u.Equal(want) {
		t.Fatalf("Fail during lock = %v, %v; want the same lock until %v", u, l, want)
	}
}

func TestWindowExpiryResetsTheCount(t *testing.T) {
	s, clk, d := setup(t)
	key := "signin:user:window"
	for range signin.Limit - 1 {
		fail(t, s, key, signin)
	}
	clk.Advance(signin.Window)
	// The window began with the first failure and has run out: this
	// failure starts a new count instead of reaching the limit.
	if _, l := fail(t, s, key, signin); l {
		t.Fatal("locked by failures from an expired window")
	}
	if n := count(t, d, key); n != 1 {
		t.Fatalf("count = %d after the window ended, want 1", n)
	}
	for range signin.Limit - 2 {
		fail(t, s, key, signin)
	}
	if _, l := fail(t, s, key, signin); !l {
		t.Fatal("not locked after Limit failures in the new window")
	}
}

func TestLockExpires(t *testing.T) {
	s, clk, d := setup(t)
	key := "2fa:gckey:0b8a"
	r := throttle.Rule{Limit: 10, Window: 15 * time.Minute, Lock: 10 * time.Minute}
	for range r.Limit {
		fail(t, s, key, r)
	}
	if _, l := locked(t, s, key); !l {
		t.Fatal("not locked")
	}
	clk.Advance(r.Lock - time.Second)
	if _, l := locked(t, s, key); !l {
		t.Fatal("lock ended early")
	}
	clk.Advance(time.Second)
	if u, l := locked(t, s, key); l {
		t.Fatalf("still locked until %v at %v", u, clk.Now())
	}
	// A served lock wipes the slate: the next failure is the first of a
	// new window, even though the old window has not run out.
	if _, l := fail(t, s, key, r); l {
		t.Fatal("relocked by the first failure after the lock")
	}
	if n := count(t, d, key); n != 1 {
		t.Fatalf("count = %d after the lock, want 1", n)
	}
}

func TestLockedIsReadOnly(t *testing.T) {
	s, _, d := setup(t)
	if u, l := locked(t, s, "signin:user:nobody-here"); l || !u.IsZero() {
		t.Fatalf("unknown key: %v, %v", u, l)
	}
	if n := rows(t, d); n != 0 {
		t.Fatalf("Locked created %d rows", n)
	}
}

func TestAllowRateLimit(t *testing.T) {
	s, clk, d := setup(t)
	key := "email-code:emilie@example.ca"
	r := throttle.Rule{Limit: 5, Window: 15 * time.Minute}
	for i := 1; i <= r.Limit; i++ {
		if !allow(t, s, key, r) {
			t.Fatalf("send %d refused", i)
		}
		clk.Advance(time.Minute)
	}
	for range 3 {
		if allow(t, s, key, r) {
			t.Fatal("send beyond the limit allowed")
		}
	}
	if n := count(t, d, key); n != r.Limit {
		t.Fatalf("count = %d, want %d (refusals are not counted)", n, r.Limit)
	}
	// Lock 0: no lock, it simply waits for the window (which began with
	// the first send, 5 minutes ago) to end.
	if _, l := locked(t, s, key); l {
		t.Fatal("a rule without Lock locked the key")
	}
	clk.Advance(r.Window - 5*time.Minute - time.Second)
	if allow(t, s, key, r) {
		t.Fatal("allowed before the window ended")
	}
	clk.Advance(time.Second)
	if !allow(t, s, key, r) {
		t.Fatal("refused after the window ended")
	}
	if n := count(t, d, key); n != 1 {
		t.Fatalf("count = %d in the new window, want 1", n)
	}
}

func TestAllowWithLock(t *testing.T) {
	s, clk, _ := setup(t)
	key := "signin:ip:192.0.2.7"
	r := throttle.Rule{Limit: 3, Window: time.Minute, Lock: time.Hour}
	for range r.Limit {
		if !allow(t, s, key, r) {
			t.Fatal("refused within the limit")
		}
	}
	clk.Advance(r.Window)
	// The window is over but the lock is not.
	if allow(t, s, key, r) {
		t.Fatal("allowed during the lock")
	}
	clk.Advance(r.Lock - r.Window)
	if !allow(t, s, key, r) {
		t.Fatal("refused after the lock")
	}
}

func TestReset(t *testing.T) {
	s, _, d := setup(t)
	ctx := context.Background()
	key := "signin:user:reset.me"
	for range signin.Limit {
		fail(t, s, key, signin)
	}
	if ok, err := s.NotifyOnce(ctx, key, 24*time.Hour); err != nil || !ok {
		t.Fatalf("NotifyOnce = %v, %v", ok, err)
	}
	if err := s.Reset(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, l := locked(t, s, key); l {
		t.Fatal("locked after Reset")
	}
	if n := count(t, d, key); n != 0 {
		t.Fatalf("count = %d after Reset", n)
	}
	// A full new budget of failures before the next lock.
	for range signin.Limit - 1 {
		if _, l := fail(t, s, key, signin); l {
			t.Fatal("locked before the limit after Reset")
		}
	}
	// Reset keeps the notice memory: no second lockout email today.
	if ok, err := s.NotifyOnce(ctx, key, 24*time.Hour); err != nil || ok {
		t.Fatalf("NotifyOnce after Reset = %v, %v; want false", ok, err)
	}
	if err := s.Reset(ctx, "never-seen"); err != nil {
		t.Fatalf("Reset of an unknown key: %v", err)
	}
}

func TestNotifyOnceADay(t *testing.T) {
	s, clk, _ := setup(t)
	ctx := context.Background()
	key := "signin:user:notified"
	day := 24 * time.Hour
	notify := func() bool {
		t.Helper()
		ok, err := s.NotifyOnce(ctx, key, day)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !notify() {
		t.Fatal("first notice refused")
	}
	if notify() {
		t.Fatal("second notice at once")
	}
	clk.Advance(day - time.Second)
	if notify() {
		t.Fatal("second notice within the day")
	}
	clk.Advance(time.Second)
	if !notify() {
		t.Fatal("no notice a day later")
	}
	if notify() {
		t.Fatal("two notices on the second day")
	}
	if ok, err := s.NotifyOnce(ctx, "signin:user:other", day); err != nil || !ok {
		t.Fatalf("another key: %v, %v", ok, err)
	}
}

func TestNotifyOnceRacesHaveOneWinner(t *testing.T) {
	s, _, _ := setup(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 20 {
		wg.Go(func() {
			ok, err := s.NotifyOnce(ctx, "signin:user:raced", 24*time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d notices, want 1", wins)
	}
}

func TestLockSurvivesRestart(t *testing.T) {
	s, clk, d := setup(t)
	key := "signin:user:restart"
	until, _ := func() (time.Time, bool) {
		for range signin.Limit - 1 {
			fail(t, s, key, signin)
		}
		return fail(t, s, key, signin)
	}()

	// A second process: its own connections to the same file, its own store.
	d2, err := db.Open(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	s2 := throttle.New(d2, clk)
	if u, l := locked(t, s2, key); !l || !u.Equal(until) {
		t.Fatalf("after restart Locked = %v, %v; want until %v", u, l, until)
	}
}

func TestCleanup(t *testing.T) {
	s, clk, d := setup(t)
	ctx := context.Background()
	long := throttle.Rule{Limit: 1, Window: time.Minute, Lock: 30 * time.Hour}
	fail(t, s, "old-count", signin)
	fail(t, s, "old-lock", long)
	if _, err := s.NotifyOnce(ctx, "old-notice", 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	clk.Advance(throttle.Horizon)
	fail(t, s, "fresh-count", signin)

	clk.Advance(time.Second)
	// old-count's window and old-notice's notice are now just over Horizon
	// old; old-lock's lock ended only Horizon-30h ago, so it stays.
	n, err := s.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("Cleanup deleted %d rows, want 2 (old-count, old-notice)", n)
	}
	var keys []string
	if err := d.R.Select(&keys, `SELECT key FROM app_throttle ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "fresh-count" || keys[1] != "old-lock" {
		t.Fatalf("kept %v, want [fresh-count old-lock]", keys)
	}
	clk.Advance(30 * time.Hour)
	if n, err := s.Cleanup(ctx); err != nil || n != 1 {
		t.Fatalf("second Cleanup = %d, %v; want 1 (old-lock)", n, err)
	}
}

// Every concurrent failure must be counted: a lost update would hand an
// attacker free guesses.
func TestConcurrentFailuresAreAllCounted(t *testing.T) {
	s, _, d := setup(t)
	ctx := context.Background()
	key := "signin:ip:198.51.100.4"
	r := throttle.Rule{Limit: 1000, Window: time.Hour, Lock: time.Hour}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, _, err := s.Fail(ctx, key, r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := count(t, d, key); n != 50 {
		t.Fatalf("count = %d, want 50", n)
	}
}

func TestInvalidRule(t *testing.T) {
	s, _, d := setup(t)
	ctx := context.Background()
	for _, r := range []throttle.Rule{{}, {Limit: 1}, {Limit: 0, Window: time.Minute}, {Limit: 1, Window: time.Minute, Lock: -1}} {
		if _, _, err := s.Fail(ctx, "k", r); !errors.Is(err, throttle.ErrRule) {
			t.Errorf("Fail(%+v) = %v, want ErrRule", r, err)
		}
		if _, err := s.Allow(ctx, "k", r); !errors.Is(err, throttle.ErrRule) {
			t.Errorf("Allow(%+v) = %v, want ErrRule", r, err)
		}
		if _, err := s.Take(ctx, "k", r); !errors.Is(err, throttle.ErrRule) {
			t.Errorf("Take(%+v) = %v, want ErrRule", r, err)
		}
	}
	if _, err := s.NotifyOnce(ctx, "k", 0); !errors.Is(err, throttle.ErrRule) {
		t.Errorf("NotifyOnce(0) = %v, want ErrRule", err)
	}
	if n := rows(t, d); n != 0 {
		t.Fatalf("invalid calls created %d rows", n)
	}
}

func take(t *testing.T, s *throttle.Store, key string, r throttle.Rule) throttle.Try {
	t.Helper()
	try, err := s.Take(context.Background(), key, r)
	if err != nil {
		t.Fatal(err)
	}
	return try
}

// Take counts a guess before it is checked: the guess that reaches the
// limit is allowed, says it was the last and locks; later ones are refused
// without being counted and say when the lock ends.
func TestTakeCountsGuessesBeforeTheyAreChecked(t *testing.T) {
	s, clk, d := setup(t)
	key := "2fa:gckey:abc"
	for i := 1; i < signin.Limit; i++ {
		if try := take(t, s, key, signin); !try.Allowed || try.Last || !try.Until.IsZero() {
			t.Fatalf("guess %d: %+v", i, try)
		}
	}
	want := apptest.Start.Add(signin.Lock)
	if try := take(t, s, key, signin); !try.Allowed || !try.Last || !try.Until.Equal(want) {
		t.Fatalf("last guess: %+v, want allowed, last, until %v", try, want)
	}
	if until, l := locked(t, s, key); !l || !until.Equal(want) {
		t.Fatalf("after the last guess: locked %v until %v", l, until)
	}
	clk.Advance(time.Minute)
	if try := take(t, s, key, signin); try.Allowed || try.Last || !try.Until.Equal(want) {
		t.Fatalf("guess during the lock: %+v", try)
	}
	if n := count(t, d, key); n != signin.Limit {
		t.Fatalf("count = %d, want %d (refused guesses are not counted)", n, signin.Limit)
	}
	// A right last guess: Reset opens the key at once.
	if err := s.Reset(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if try := take(t, s, key, signin); !try.Allowed || try.Last {
		t.Fatalf("guess after Reset: %+v", try)
	}
	// After a lock runs out, the count starts again.
	for range signin.Limit - 1 {
		take(t, s, key, signin)
	}
	clk.Advance(signin.Lock)
	if try := take(t, s, key, signin); !try.Allowed || try.Last {
		t.Fatalf("guess after the lock: %+v", try)
	}
	if n := count(t, d, key); n != 1 {
		t.Fatalf("count = %d after the lock, want 1", n)
	}
}

// A rule without a lock: the last guess is allowed, the next ones wait
// for the window, which Until gives.
func TestTakeWithoutLock(t *testing.T) {
	s, clk, _ := setup(t)
	key := "k"
	r := throttle.Rule{Limit: 2, Window: 10 * time.Minute}
	take(t, s, key, r)
	clk.Advance(time.Minute)
	end := apptest.Start.Add(r.Window)
	if try := take(t, s, key, r); !try.Allowed || !try.Last || !try.Until.Equal(end) {
		t.Fatalf("last guess: %+v, want until %v", try, end)
	}
	if try := take(t, s, key, r); try.Allowed || !try.Until.Equal(end) {
		t.Fatalf("guess beyond the limit: %+v", try)
	}
	if _, l := locked(t, s, key); l {
		t.Fatal("a rule without Lock locked the key")
	}
}

// The point of Take: of a burst of guesses sent at once, exactly Limit are
// allowed, exactly one of them is the last, and every refusal says when
// the lock ends.
func TestTakeBurstAllowsOnlyTheLimit(t *testing.T) {
	s, _, d := setup(t)
	ctx := context.Background()
	key := "signin:user:someone"
	var (
		wg                    sync.WaitGroup
		mu                    sync.Mutex
		allowed, last, refuse int
	)
	for range 3 * signin.Limit {
		wg.Go(func() {
			try, err := s.Take(ctx, key, signin)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case try.Last:
				last++
				allowed++
			case try.Allowed:
				allowed++
			default:
				refuse++
				if !try.Until.Equal(apptest.Start.Add(signin.Lock)) {
					t.Errorf("refusal until %v", try.Until)
				}
			}
		})
	}
	wg.Wait()
	if allowed != signin.Limit || last != 1 || refuse != 2*signin.Limit {
		t.Fatalf("allowed %d, last %d, refused %d; want %d, 1, %d", allowed, last, refuse, signin.Limit, 2*signin.Limit)
	}
	if n := count(t, d, key); n != signin.Limit {
		t.Fatalf("count = %d, want %d", n, signin.Limit)
	}
}

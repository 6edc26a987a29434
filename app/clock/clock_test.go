package clock_test

import (
	"sync"
	"testing"
	"time"

	"guichet/app/clock"
)

var est = time.FixedZone("EST", -5*3600)

func TestFakeStartsWhereToldInUTC(t *testing.T) {
	start := time.Date(2024, 1, 23, 10, 0, 0, 42, est)
	f := clock.NewFake(start)
	now := f.Now()
	if !now.Equal(start) || now.Location() != time.UTC {
		t.Fatalf("Now() = %v, want %v in UTC", now, start)
	}
	if f.Now() != now {
		t.Fatal("a fake clock moved by itself")
	}
}

func TestFakeAdvance(t *testing.T) {
	start := time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	f.Advance(90 * time.Second)
	if want := start.Add(90 * time.Second); !f.Now().Equal(want) {
		t.Fatalf("after Advance(90s): %v, want %v", f.Now(), want)
	}
	f.Advance(time.Nanosecond)
	if want := start.Add(90*time.Second + time.Nanosecond); !f.Now().Equal(want) {
		t.Fatalf("after Advance(1ns): %v, want %v", f.Now(), want)
	}
	f.Advance(-time.Hour)
	if want := start.Add(90*time.Second + time.Nanosecond - time.Hour); !f.Now().Equal(want) {
		t.Fatalf("after Advance(-1h): %v, want %v", f.Now(), want)
	}
	if f.Now().Location() != time.UTC {
		t.Fatal("Advance left UTC")
	}
}

func TestFakeSet(t *testing.T) {
	f := clock.NewFake(time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC))
	later := time.Date(2024, 7, 1, 9, 30, 0, 0, est)
	f.Set(later)
	if !f.Now().Equal(later) || f.Now().Location() != time.UTC {
		t.Fatalf("after Set: %v, want %v in UTC", f.Now(), later)
	}
	earlier := time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)
	f.Set(earlier)
	if !f.Now().Equal(earlier) {
		t.Fatalf("Set cannot go back: %v", f.Now())
	}
	f.Advance(time.Minute)
	if !f.Now().Equal(earlier.Add(time.Minute)) {
		t.Fatalf("Advance after Set: %v", f.Now())
	}
}

func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	start := time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				f.Advance(time.Millisecond)
				_ = f.Now()
			}
		}()
	}
	wg.Wait()
	if want := start.Add(8 * 1000 * time.Millisecond); !f.Now().Equal(want) {
		t.Fatalf("after concurrent advances: %v, want %v", f.Now(), want)
	}
}

func TestRealIsUTCAndCurrent(t *testing.T) {
	var c clock.Clock = clock.Real{}
	before := time.Now()
	now := c.Now()
	after := time.Now()
	if now.Location() != time.UTC {
		t.Fatalf("Real.Now() in %v", now.Location())
	}
	if now.Before(before.Add(-time.Second)) || now.After(after.Add(time.Second)) {
		t.Fatalf("Real.Now() = %v, not between %v and %v", now, before, after)
	}
}

var _ clock.Clock = (*clock.Fake)(nil)

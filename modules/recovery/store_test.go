package recovery

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/keys"
	"guichet/db"
)

func newModule(t *testing.T) (*Module, *db.DB, *clock.Fake) {
	t.Helper()
	d := apptest.OpenDB(t)
	ring, err := keys.New([]byte(apptest.TestSecret))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(apptest.Start)
	m := New(Deps{DB: d, Clock: clk, Keys: ring, Codes: codes.New(d, clk, ring)})
	return m, d, clk
}

func issue(t *testing.T, m *Module, d *db.DB, cred string) {
	t.Helper()
	if err := d.Tx(context.Background(), func(tx *sqlx.Tx) error { return m.IssueNew(context.Background(), tx, "gckey", cred) }); err != nil {
		t.Fatal(err)
	}
}

func TestIssueNewKeepsOnlyASealedCopy(t *testing.T) {
	m, d, clk := newModule(t)
	s := m.store
	issue(t, m, d, "gckey:a")
	sh, ok, err := s.GetShown(context.Background(), "gckey", "gckey:a", clk.Now().Add(-ShowFor))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if strings.Count(string(sh.Sealed), "-") >= 20 {
		t.Fatal("the copy looks stored in clear")
	}
	if n, _ := m.Remaining(context.Background(), "gckey", "gckey:a"); n != SetSize {
		t.Fatalf("remaining %d", n)
	}
	// First view wins once.
	now := clk.Now()
	first, _ := s.MarkViewed(context.Background(), "gckey", "gckey:a", now, now.Add(-ShowFor))
	second, _ := s.MarkViewed(context.Background(), "gckey", "gckey:a", now, now.Add(-ShowFor))
	if !first || second {
		t.Fatalf("views: %v %v", first, second)
	}
	// A new set replaces the copy and can be viewed again.
	issue(t, m, d, "gckey:a")
	if again, _ := s.MarkViewed(context.Background(), "gckey", "gckey:a", now, now.Add(-ShowFor)); !again {
		t.Fatal("a new set could not be shown")
	}
	clk.Advance(ShowFor + time.Second)
	if n, err := m.Cleanup(context.Background()); err != nil || n != 1 {
		t.Fatalf("cleanup %d %v", n, err)
	}
}

// Two requests racing with the same recovery code: exactly one wins.
func TestConsumeRace(t *testing.T) {
	m, d, clk := newModule(t)
	issue(t, m, d, "gckey:a")
	// Read the set back from the sealed copy, as the codes page does.
	sh, ok, err := m.store.GetShown(context.Background(), "gckey", "gckey:a", clk.Now().Add(-ShowFor))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	set, err := m.open(subject{"gckey", "gckey:a"}, sh)
	if err != nil || len(set) != SetSize {
		t.Fatal(set, err)
	}
	for round := 0; round < 3; round++ {
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := d.Tx(context.Background(), func(tx *sqlx.Tx) error {
					ok, err := m.Consume(context.Background(), tx, "gckey", "gckey:a", set[round])
					if ok {
						wins.Add(1)
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d winners", round, wins.Load())
		}
	}
	if n, _ := m.Remaining(context.Background(), "gckey", "gckey:a"); n != SetSize-3 {
		t.Fatalf("remaining %d", n)
	}
	// Another subject's code is not this subject's.
	issue(t, m, d, "gckey:b")
	err = d.Tx(context.Background(), func(tx *sqlx.Tx) error {
		ok, err := m.Consume(context.Background(), tx, "gckey", "gckey:b", set[5])
		if ok {
			t.Error("a's code worked for b")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A new set makes the old one useless.
	issue(t, m, d, "gckey:a")
	err = d.Tx(context.Background(), func(tx *sqlx.Tx) error {
		ok, err := m.Consume(context.Background(), tx, "gckey", "gckey:a", set[6])
		if ok {
			t.Error("an old code worked after a new set")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

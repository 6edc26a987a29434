package codes_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/keys"
	"guichet/db"
)

func setup(t *testing.T) (*codes.Store, *db.DB, *clock.Fake) {
	t.Helper()
	d := apptest.OpenDB(t)
	ring, err := keys.New([]byte(apptest.TestSecret))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(apptest.Start)
	return codes.New(d, clk, ring), d, clk
}

func TestShapes(t *testing.T) {
	for k, re := range map[codes.Kind]*regexp.Regexp{
		codes.Digits:  regexp.MustCompile(`^[0-9]{6}$`),
		codes.Grouped: regexp.MustCompile(`^[` + codes.Alphabet + `]{4}-[` + codes.Alphabet + `]{4}-[` + codes.Alphabet + `]{4}$`),
		codes.Token:   regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`),
	} {
		for i := 0; i < 50; i++ {
			c, err := codes.Generate(k)
			if err != nil || !re.MatchString(c) {
				t.Fatalf("kind %d made %q (%v)", k, c, err)
			}
		}
	}
	if strings.ContainsAny(codes.Alphabet, "01OIL") {
		t.Fatal("alphabet has confusable characters")
	}
}

func TestConsumeOnceAndOnlyTheNewest(t *testing.T) {
	s, d, clk := setup(t)
	ctx := context.Background()
	first, err := s.Issue(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := s.Issue(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, 10*time.Minute)
	if first != second {
		if ok, _ := s.Consume(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, first); ok {
			t.Fatal("an older code still works after a new one was sent")
		}
	}
	if ok, _ := s.Consume(ctx, d.W, "email-2fa", "gckey:b", codes.Digits, second); ok {
		t.Fatal("a code worked for another subject")
	}
	if ok, _ := s.Consume(ctx, d.W, "other-purpose", "gckey:a", codes.Digits, second); ok {
		t.Fatal("a code worked for another purpose")
	}
	if ok, err := s.Consume(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, " "+second[:3]+" "+second[3:]); !ok || err != nil {
		t.Fatalf("valid code refused: %v", err)
	}
	if ok, _ := s.Consume(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, second); ok {
		t.Fatal("a code worked twice")
	}

	third, _ := s.Issue(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, 10*time.Minute)
	clk.Advance(10*time.Minute + time.Second)
	if ok, _ := s.Consume(ctx, d.W, "email-2fa", "gckey:a", codes.Digits, third); ok {
		t.Fatal("an expired code worked")
	}
}

func TestStoredAsHMACOnly(t *testing.T) {
	s, d, _ := setup(t)
	ctx := context.Background()
	set, err := s.IssueSet(ctx, d.W, "recovery", "gckey:a", codes.Grouped, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hashes [][]byte
	if err := d.R.Select(&hashes, `SELECT code_hash FROM app_codes`); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		for _, c := range set {
			if bytes.Contains(h, []byte(c)) || bytes.Contains(h, []byte(codes.Normalize(codes.Grouped, c))) {
				t.Fatal("a code is stored in clear")
			}
		}
	}
}

func TestRecoverySetReplacesTheOld(t *testing.T) {
	s, d, _ := setup(t)
	ctx := context.Background()
	old, _ := s.IssueSet(ctx, d.W, "recovery", "gckey:a", codes.Grouped, 10, 0)
	if n, _ := s.Remaining(ctx, "recovery", "gckey:a"); n != 10 {
		t.Fatalf("remaining %d", n)
	}
	// Typed in lower case with spaces: still accepted.
	typed := strings.ToLower(strings.ReplaceAll(old[0], "-", " "))
	if ok, _ := s.Consume(ctx, d.W, "recovery", "gckey:a", codes.Grouped, typed); !ok {
		t.Fatal("recovery code typed loosely was refused")
	}
	if n, _ := s.Remaining(ctx, "recovery", "gckey:a"); n != 9 {
		t.Fatalf("remaining %d after one use", n)
	}
	fresh, _ := s.IssueSet(ctx, d.W, "recovery", "gckey:a", codes.Grouped, 10, 0)
	if ok, _ := s.Consume(ctx, d.W, "recovery", "gckey:a", codes.Grouped, old[1]); ok {
		t.Fatal("an old set's code worked after a new set")
	}
	if ok, _ := s.Consume(ctx, d.W, "recovery", "gckey:a", codes.Grouped, fresh[1]); !ok {
		t.Fatal("new set's code refused")
	}
}

// Two requests racing with the same code: exactly one wins.
func TestConsumeRace(t *testing.T) {
	s, d, _ := setup(t)
	ctx := context.Background()
	set, _ := s.IssueSet(ctx, d.W, "recovery", "gckey:a", codes.Grouped, 10, 0)
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		wins := make(chan bool, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := d.Tx(ctx, func(tx *sqlx.Tx) error {
					ok, err := s.Consume(ctx, tx, "recovery", "gckey:a", codes.Grouped, set[round])
					wins <- ok
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		n := 0
		for w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d requests won", round, n)
		}
	}
}

func TestTokens(t *testing.T) {
	s, d, clk := setup(t)
	ctx := context.Background()
	tok, err := s.Issue(ctx, d.W, "reset", "gckey:a", codes.Token, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if sub, err := s.Lookup(ctx, "reset", tok); err != nil || sub != "gckey:a" {
		t.Fatalf("lookup: %q %v", sub, err)
	}
	if _, err := s.Lookup(ctx, "reset", tok+"x"); err != codes.ErrInvalid {
		t.Fatalf("lookup of a wrong token: %v", err)
	}
	if sub, err := s.ConsumeToken(ctx, d.W, "reset", tok); err != nil || sub != "gckey:a" {
		t.Fatalf("consume: %q %v", sub, err)
	}
	if _, err := s.ConsumeToken(ctx, d.W, "reset", tok); err != codes.ErrInvalid {
		t.Fatalf("second use: %v", err)
	}
	late, _ := s.Issue(ctx, d.W, "reset", "gckey:b", codes.Token, 30*time.Minute)
	clk.Advance(31 * time.Minute)
	if _, err := s.Lookup(ctx, "reset", late); err != codes.ErrInvalid {
		t.Fatalf("expired token: %v", err)
	}
	if n, err := s.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("cleanup too early: %d %v", n, err)
	}
	clk.Advance(25 * time.Hour)
	if n, err := s.Cleanup(ctx); err != nil || n != 2 {
		t.Fatalf("cleanup: %d %v", n, err)
	}
}

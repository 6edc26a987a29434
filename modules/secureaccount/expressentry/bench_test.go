package expressentry_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/modules/secureaccount/account"
)

// BenchmarkRound100k runs the largest round (10,000 invitations, each
// with its letter) over a pool of 100,000 profiles. Target: under 2 s.
func BenchmarkRound100k(b *testing.B) {
	const pool, size = 100_000, 10_000
	e := start(b)
	e.accounts.mu.Lock()
	for range pool {
		e.accounts.add(account.Account{GivenName: "Seed", FamilyName: "Person", Lang: "en"})
	}
	e.accounts.mu.Unlock()
	past := apptest.Start.Add(-24 * time.Hour)
	err := e.DB.Tx(b.Context(), func(tx *sqlx.Tx) error {
		st, err := tx.Preparex(`INSERT INTO ircc_profiles (account_id, status, answers, number, jsvc, score, interests,
			created_at, updated_at, submitted_at, expires_at) VALUES (?, 'submitted', '{}', ?, 'ABCDEFGHJKMN', ?, ',ON,', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range pool {
			at := past.Add(time.Duration(i%5000) * time.Second)
			if _, err := st.Exec(i+1, fmt.Sprintf("E%010d", i+1), 300+(i*7919)%500, at, at, at, at.AddDate(1, 0, 0)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		r, err := e.mod.RunRound(b.Context(), 1, size, 0, apptest.Start)
		if err != nil || r.Invited != size {
			b.Fatalf("round %+v, %v", r, err)
		}
		b.StopTimer()
		if _, err := e.DB.W.Exec(`UPDATE ircc_profiles SET status = 'submitted' WHERE status = 'invited'`); err != nil {
			b.Fatal(err)
		}
		if _, err := e.DB.W.Exec(`DELETE FROM ircc_invitations`); err != nil {
			b.Fatal(err)
		}
		e.mailbox.mu.Lock()
		e.mailbox.letters = nil
		e.mailbox.mu.Unlock()
		b.StartTimer()
	}
}

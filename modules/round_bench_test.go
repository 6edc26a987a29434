package modules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/modules"
)

// BenchmarkRoundOver100kProfiles runs a round of invitations over a pool
// of 100,000 submitted profiles with the whole application wired: the
// real mailbox writes each invitation letter (its checklist is text; the
// documents are requested when the person applies) and the email telling
// the person, in the round's transaction.
// The target is under 2 s a round.
func BenchmarkRoundOver100kProfiles(b *testing.B) {
	for _, size := range []int{3_500, 10_000} {
		b.Run(fmt.Sprintf("invite-%d", size), func(b *testing.B) { benchRound(b, 100_000, size) })
	}
}

func benchRound(b *testing.B, pool, size int) {
	var set *modules.Set
	a := apptest.New(b, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		var err error
		if set, err = modules.Setup(k, s); err != nil {
			b.Fatal(err)
		}
	}})
	past := apptest.Start.Add(-24 * time.Hour)
	err := a.DB.Tx(b.Context(), func(tx *sqlx.Tx) error {
		acc, err := tx.Preparex(`INSERT INTO ircc_accounts (id, pairwise_id, given_name, family_name, birth_date, email, lang, created_at, updated_at)
			VALUES (?, ?, 'Seed', 'Person', '1990-01-01', ?, 'en', ?, ?)`)
		if err != nil {
			return err
		}
		defer acc.Close()
		prof, err := tx.Preparex(`INSERT INTO ircc_profiles (account_id, status, answers, number, jsvc, score, interests,
			created_at, updated_at, submitted_at, expires_at) VALUES (?, 'submitted', '{}', ?, 'ABCDEFGHJKMN', ?, ',ON,', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer prof.Close()
		for i := 1; i <= pool; i++ {
			at := past.Add(time.Duration(i%5000) * time.Second)
			if _, err := acc.Exec(i, fmt.Sprintf("pw%030d", i), fmt.Sprintf("p%d@example.com", i), at, at); err != nil {
				return err
			}
			if _, err := prof.Exec(i, fmt.Sprintf("E%010d", i), 300+(i*7919)%500, at, at, at, at.AddDate(1, 0, 0)); err != nil {
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
		r, err := set.ExpressEntry.RunRound(b.Context(), 1, size, 0, apptest.Start)
		if err != nil || r.Invited != size {
			b.Fatalf("round %+v, %v", r, err)
		}
		b.StopTimer()
		for _, q := range []string{
			`UPDATE ircc_profiles SET status = 'submitted' WHERE status = 'invited'`,
			`DELETE FROM ircc_invitations`, `DELETE FROM ircc_messages`, `DELETE FROM app_outbox`,
		} {
			if _, err := a.DB.W.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
}

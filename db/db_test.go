package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

func openTemp(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestMigrateIsIdempotent(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	ran, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := db.Migrations()
	if len(ran) != len(all) || len(all) == 0 {
		t.Fatalf("first run applied %d of %d migrations", len(ran), len(all))
	}
	again, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second run applied %v, want nothing", again)
	}
	var n int
	if err := d.R.Get(&n, `SELECT COUNT(*) FROM app_migrations`); err != nil || n != len(all) {
		t.Fatalf("recorded %d migrations (err %v), want %d", n, err, len(all))
	}
}

func TestPragmas(t *testing.T) {
	d := openTemp(t)
	var mode string
	if err := d.R.Get(&mode, `PRAGMA journal_mode`); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (err %v), want wal", mode, err)
	}
	var fk int
	if err := d.W.Get(&fk, `PRAGMA foreign_keys`); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d (err %v), want 1", fk, err)
	}
	if _, err := d.R.Exec(`CREATE TABLE nope (x INTEGER)`); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}

// Many goroutines writing at once must all succeed: the single writer
// connection queues them instead of surfacing "database is locked".
func TestConcurrentWritersNeverLock(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	if _, err := d.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 800)
	for g := 0; g < 40; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				errs <- d.Tx(ctx, func(tx *sqlx.Tx) error {
					var n int
					if err := tx.Get(&n, `SELECT COUNT(*) FROM t`); err != nil {
						return err
					}
					_, err := tx.Exec(d.Rebind(`INSERT INTO t (v) VALUES (?)`), fmt.Sprintf("%d-%d-%d", g, i, n))
					return err
				})
				var n int
				errs <- d.R.Get(&n, `SELECT COUNT(*) FROM t`)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.R.Get(&n, `SELECT COUNT(*) FROM t`); err != nil || n != 400 {
		t.Fatalf("rows = %d (err %v), want 400", n, err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	if _, err := d.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`INSERT INTO t (id) VALUES (1)`); err != nil {
			return err
		}
		return fmt.Errorf("boom")
	})
	if err == nil {
		t.Fatal("want error")
	}
	var n int
	_ = d.R.Get(&n, `SELECT COUNT(*) FROM t`)
	if n != 0 {
		t.Fatalf("rows = %d after rollback", n)
	}
}

package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded SQL file.
type Migration struct {
	Name string
	SQL  string
}

// Migrations lists the embedded migrations in the order they apply.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Migrate applies every embedded migration not yet recorded, each in its own
// transaction together with its record, and returns the names it applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS app_migrations (
		name TEXT PRIMARY KEY,
		applied_at TIMESTAMP NOT NULL
	)`); err != nil {
		return nil, fmt.Errorf("create migrations table: %w", err)
	}
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	var done []string
	if err := d.W.SelectContext(ctx, &done, `SELECT name FROM app_migrations`); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	applied := make(map[string]bool, len(done))
	for _, n := range done {
		applied[n] = true
	}
	var ran []string
	for _, m := range all {
		if applied[m.Name] {
			continue
		}
		err := d.Tx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO app_migrations (name, applied_at) VALUES (?, ?)`), m.Name, time.Now().UTC())
			return err
		})
		if err != nil {
			return ran, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		ran = append(ran, m.Name)
	}
	return ran, nil
}

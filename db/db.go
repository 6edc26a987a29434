// Package db opens Guichet's SQL store and applies its embedded migrations.
//
// SQLite is arranged as one writer connection and a pool of read-only
// connections. SQLite allows a single writer at a time; funnelling every write
// through one connection (with BEGIN IMMEDIATE) means concurrent writers wait
// in Go instead of failing with "database is locked", while readers in WAL
// mode never block and are never blocked.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with a hook that memory-maps the database file
// on every connection: reads then copy pages from the page cache of the
// kernel without a read system call each, which was a large part of the
// secure account dashboard's cost. The DSN has no setting for it.
const driverName = "sqlite3_guichet"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA mmap_size = 268435456", nil)
		return err
	}})
}

// DB holds the writer and the reader pools. Code that only reads uses R;
// every statement that changes data goes through W (usually via Tx).
type DB struct {
	W *sqlx.DB
	R *sqlx.DB
	// Path is the SQLite file, kept for backups and the development secret.
	Path string
}

// Open opens (creating if needed) the SQLite database at path.
func Open(path string) (*DB, error) {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return nil, errors.New("PostgreSQL is not supported yet in this build; use a SQLite file path")
	}
	if path == "" || path == ":memory:" {
		return nil, errors.New("a database file path is required (in-memory databases cannot be shared between the writer and readers)")
	}
	common := url.Values{}
	common.Set("_busy_timeout", "10000")
	common.Set("_foreign_keys", "on")
	common.Set("_journal_mode", "WAL")
	common.Set("_synchronous", "NORMAL")
	// Keep prepared statements per connection: preparing the session query
	// on every request cost about a tenth of a signed-in page's CPU.
	common.Set("_stmt_cache_size", "64")

	wv := cloneValues(common)
	wv.Set("_txlock", "immediate")
	w, err := sqlx.Open(driverName, "file:"+path+"?"+wv.Encode())
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any reader
	// opens it, so readers never see a rollback-journal database.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}

	rv := cloneValues(common)
	rv.Set("_query_only", "true")
	r, err := sqlx.Open(driverName, "file:"+path+"?"+rv.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open readers: %w", err)
	}
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	if err := r.Ping(); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open readers for %s: %w", path, err)
	}
	return &DB{W: w, R: r, Path: path}, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Close closes both pools.
func (d *DB) Close() error {
	return errors.Join(d.R.Close(), d.W.Close())
}

// Ping checks that both pools answer; it backs /readyz.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.R.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return d.R.GetContext(ctx, &one, `SELECT 1`)
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so a failure half-way leaves nothing behind.
func (d *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := d.W.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rebind turns '?' placeholders into the writer driver's form, so SQL text
// stays constant and portable.
func (d *DB) Rebind(q string) string { return d.W.Rebind(q) }

// ErrNoRows is re-exported so stores can test for it without importing sql.
var ErrNoRows = sql.ErrNoRows

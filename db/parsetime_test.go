package db_test

import (
	"context"
	"testing"
	"time"

	"guichet/db"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC)
	for s, w := range map[string]time.Time{
		"2024-01-23 15:00:00+00:00":           want,
		"2024-01-23 15:00:00":                 want,
		"2024-01-23T15:00:00Z":                want,
		"2024-01-23 15:00:00+00":              want, // PostgreSQL's text form
		"2024-01-23 10:00:00-05:00":           want,
		"2024-01-23 10:00:00-0500":            want,
		"2024-01-23 20:30:00+05:30":           want,
		"2024-01-23 15:00:00.5+00:00":         want.Add(500 * time.Millisecond),
		"2024-01-23 15:00:00.123456789+00:00": want.Add(123456789),
		"2024-01-23 15:00:00.1234567891":      want.Add(123456789), // beyond nanoseconds is dropped
	} {
		got, err := db.ParseTime(s)
		if err != nil || !got.Equal(w) || got.Location() != time.UTC {
			t.Errorf("%q: %v, %v; want %v", s, got, err, w)
		}
	}
	for _, s := range []string{"", "2024-01-23", "2024-13-01 00:00:00", "2024-02-30 00:00:00", "2024-01-23 24:00:00",
		"2024-01-23 15:00:00.", "2024-01-23 15:00:00 UTC", "2024-01-23 15:00:00+5", "2024-01-23 15:00:00+25:00", "2O24-01-23 15:00:00"} {
		if got, err := db.ParseTime(s); err == nil {
			t.Errorf("%q read as %v", s, got)
		}
	}
}

// What the driver stores for a time.Time reads back through ParseTime as
// the same instant.
func TestParseTimeReadsWhatTheDriverWrote(t *testing.T) {
	d := openTemp(t)
	ctx := context.Background()
	at := time.Date(2024, 7, 1, 12, 34, 56, 789_000_000, time.FixedZone("EDT", -4*3600))
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `INSERT INTO t (at) VALUES (?)`, at); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := d.R.QueryRowContext(ctx, `SELECT CAST(at AS TEXT) FROM t`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ParseTime(text); err != nil || !got.Equal(at) {
		t.Fatalf("%q: %v, %v; want %v", text, got, err, at)
	}
}

func BenchmarkParseTime(b *testing.B) {
	for range b.N {
		if _, err := db.ParseTime("2024-01-23 15:00:00.123456+00:00"); err != nil {
			b.Fatal(err)
		}
	}
}

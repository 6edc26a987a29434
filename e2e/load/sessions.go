package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"guichet/app/clock"
	"guichet/app/session"
	"guichet/db"
)

// benchSession is a signed-in session written straight into the store.
type benchSession struct {
	Token string
	Cred  string
	// CSRF is the CSRF cookie the server gave this session on its first
	// page, sent back like a browser would.
	CSRF string
}

// seedSessions inserts n signed-in sessions with random tokens into the
// database at path, which no server may have open for writing. The session
// deadline and the stored expiry are both lifetime ahead.
func seedSessions(ctx context.Context, path string, n int, lifetime time.Duration) ([]benchSession, error) {
	d, err := db.Open(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	store := session.NewStore(d, clock.Real{})
	deadline := time.Now().Add(lifetime).UTC()
	out := make([]benchSession, 0, n)
	for i := range n {
		token, err := newToken()
		if err != nil {
			return nil, err
		}
		s := benchSession{Token: token, Cred: fmt.Sprintf("gckey:bench-%d", i)}
		if err := insertSession(ctx, store, s.Token, s.Cred, map[string]any{"cred": s.Cred}, deadline); err != nil {
			return nil, fmt.Errorf("insert session %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// insertSession writes one session row holding values, with deadline as
// both the session's deadline and the stored expiry, the way the server's
// store writes it.
func insertSession(ctx context.Context, store *session.Store, token, cred string, values map[string]any, deadline time.Time) error {
	data, err := session.Codec{}.Encode(deadline, values)
	if err != nil {
		return err
	}
	tctx := session.WithTracker(ctx, &session.Tracker{Cred: cred})
	return store.CommitCtx(tctx, token, data, deadline)
}

// newToken is a random session token like the ones scs makes.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// sessionsDigest counts the rows of app_sessions and hashes their content,
// so a change made by a GET (a write that should have been skipped) shows.
func sessionsDigest(ctx context.Context, path string) (int, string, error) {
	d, err := db.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer d.Close()
	rows, err := d.R.QueryContext(ctx, `SELECT token_hash, data, CAST(expiry AS TEXT), cred FROM app_sessions ORDER BY token_hash`)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var tok, data []byte
		var expiry, cred string
		if err := rows.Scan(&tok, &data, &expiry, &cred); err != nil {
			return 0, "", err
		}
		fmt.Fprintf(h, "%x|%x|%s|%s\n", tok, data, expiry, cred)
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil))[:16], nil
}

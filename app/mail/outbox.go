// Package mail is Guichet's outbound mail: an outbox written in the caller's
// transaction and a delivery job that sends from it over SMTP.
//
// Writing the message in the same transaction as the business change means a
// code or notice is mailed exactly when the change it describes committed: a
// rolled-back sign-up sends nothing, and a committed one is never forgotten
// because the SMTP server was down at that moment.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// Languages a message can be written in; bilingual messages carry both.
const (
	LangEN        = "en"
	LangFR        = "fr"
	LangBilingual = "bilingual"
)

// Statuses of an outbox row.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Errors callers can test for with errors.Is.
var (
	ErrInvalid   = errors.New("invalid mail message")
	ErrNotFound  = errors.New("outbox message not found")
	ErrNotFailed = errors.New("outbox message is not failed")
)

// Message is what a module asks to send.
type Message struct {
	To      string // one address; a display name is accepted but not kept
	Subject string
	Text    string // the plain-text body
	Lang    string // LangEN, LangFR or LangBilingual
}

// Record is one outbox row.
type Record struct {
	ID            int64      `db:"id"`
	MessageID     string     `db:"message_id"`
	ToAddr        string     `db:"to_addr"`
	Subject       string     `db:"subject"`
	BodyText      string     `db:"body_text"`
	Lang          string     `db:"lang"`
	Status        string     `db:"status"`
	Attempts      int        `db:"attempts"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	LastError     string     `db:"last_error"`
	CreatedAt     time.Time  `db:"created_at"`
	SentAt        *time.Time `db:"sent_at"`
}

const (
	insertOutbox = `INSERT INTO app_outbox
	(message_id, to_addr, subject, body_text, lang, status, attempts, next_attempt_at, last_error, created_at)
	VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, '', ?)
	RETURNING id`

	// The column lists are spelled out in each statement so every query
	// stays one constant string a reader can paste into a SQL shell.
	selectFailed = `SELECT id, message_id, to_addr, subject, body_text, lang, status, attempts,
	next_attempt_at, last_error, created_at, sent_at
	FROM app_outbox WHERE status = 'failed' ORDER BY id`

	selectRecent = `SELECT id, message_id, to_addr, subject, body_text, lang, status, attempts,
	next_attempt_at, last_error, created_at, sent_at
	FROM app_outbox ORDER BY id DESC LIMIT ?`

	selectOne = `SELECT id, message_id, to_addr, subject, body_text, lang, status, attempts,
	next_attempt_at, last_error, created_at, sent_at
	FROM app_outbox WHERE id = ?`

	requeueFailed = `UPDATE app_outbox
	SET status = 'pending', attempts = 0, last_error = '', next_attempt_at = ?
	WHERE id = ? AND status = 'failed'`

	countByID = `SELECT COUNT(*) FROM app_outbox WHERE id = ?`
)

// Enqueue validates m and writes it to the outbox inside tx, the caller's
// transaction, returning the row id. domain is the right-hand side of the
// generated Message-ID (for example the host of GUICHET_BASE_URL).
func Enqueue(ctx context.Context, tx *sqlx.Tx, now time.Time, domain string, m Message) (int64, error) {
	to, err := validate(m)
	if err != nil {
		return 0, err
	}
	msgID, err := newMessageID(domain)
	if err != nil {
		return 0, err
	}
	now = now.UTC()
	var id int64
	err = tx.QueryRowxContext(ctx, tx.Rebind(insertOutbox),
		msgID, to, m.Subject, m.Text, m.Lang, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("enqueue mail: %w", err)
	}
	return id, nil
}

// validate returns the bare recipient address. Only the address is stored:
// the envelope needs nothing else, and a display name typed by a user would
// be one more thing to encode and to show.
func validate(m Message) (string, error) {
	if strings.ContainsAny(m.To, "\r\n") {
		return "", fmt.Errorf("%w: recipient contains a line break", ErrInvalid)
	}
	addr, err := netmail.ParseAddress(m.To)
	if err != nil {
		return "", fmt.Errorf("%w: recipient must be one email address: %v", ErrInvalid, err)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return "", fmt.Errorf("%w: empty subject", ErrInvalid)
	}
	// A line break in the subject would let its text start new headers.
	if strings.ContainsAny(m.Subject, "\r\n") {
		return "", fmt.Errorf("%w: subject contains a line break", ErrInvalid)
	}
	if strings.TrimSpace(m.Text) == "" {
		return "", fmt.Errorf("%w: empty body", ErrInvalid)
	}
	switch m.Lang {
	case LangEN, LangFR, LangBilingual:
	default:
		return "", fmt.Errorf("%w: language %q is not en, fr or bilingual", ErrInvalid, m.Lang)
	}
	return addr.Address, nil
}

// newMessageID returns "<128 random bits in hex@domain>". It is fixed here,
// not at send time, so every retry carries the same Message-ID.
func newMessageID(domain string) (string, error) {
	if domain == "" || strings.ContainsAny(domain, "<>@ \t\r\n\"()[],;:\\") {
		return "", fmt.Errorf("%w: Message-ID domain %q", ErrInvalid, domain)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">", nil
}

// ListFailed returns the parked messages, oldest first, for an operator to
// inspect and requeue.
func ListFailed(ctx context.Context, d *db.DB) ([]Record, error) {
	var out []Record
	if err := d.R.SelectContext(ctx, &out, d.Rebind(selectFailed)); err != nil {
		return nil, fmt.Errorf("list failed mail: %w", err)
	}
	return out, nil
}

// Requeue makes a failed message deliverable again from now, with a fresh
// attempt budget. It refuses any message that is not failed, so it cannot
// resend one that was already delivered.
func Requeue(ctx context.Context, d *db.DB, now time.Time, id int64) error {
	res, err := d.W.ExecContext(ctx, d.Rebind(requeueFailed), now.UTC(), id)
	if err != nil {
		return fmt.Errorf("requeue mail %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("requeue mail %d: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	var exists int
	if err := d.R.GetContext(ctx, &exists, d.Rebind(countByID), id); err != nil {
		return fmt.Errorf("requeue mail %d: %w", id, err)
	}
	if exists == 0 {
		return fmt.Errorf("requeue mail %d: %w", id, ErrNotFound)
	}
	return fmt.Errorf("requeue mail %d: %w", id, ErrNotFailed)
}

// List returns the newest messages first, at most limit (100 when limit is
// not positive); the dev outbox page shows them.
func List(ctx context.Context, d *db.DB, limit int) ([]Record, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []Record
	if err := d.R.SelectContext(ctx, &out, d.Rebind(selectRecent), limit); err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	return out, nil
}

// Get returns one message; ErrNotFound when there is no such row.
func Get(ctx context.Context, d *db.DB, id int64) (Record, error) {
	var r Record
	err := d.R.GetContext(ctx, &r, d.Rebind(selectOne), id)
	if errors.Is(err, db.ErrNoRows) {
		return Record{}, fmt.Errorf("mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("mail %d: %w", id, err)
	}
	return r, nil
}

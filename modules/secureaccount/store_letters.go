package secureaccount

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// Letter is a stored letter as the person's pages show it.
type Letter struct {
	ID            int64      `db:"id"`
	AccountID     int64      `db:"account_id"`
	ApplicationID int64      `db:"application_id"`
	Kind          string     `db:"kind"`
	Subject       string     `db:"subject"`
	Body          string     `db:"body"`
	NeedsReply    bool       `db:"needs_reply"`
	StaffID       int64      `db:"staff_id"`
	Sent          time.Time  `db:"sent_at"`
	ReadAt        *time.Time `db:"read_at"`
}

// Read tells whether the person opened the letter.
func (l Letter) Read() bool { return l.ReadAt != nil }

// Request is a document IRCC asked for.
type Request struct {
	ID            int64      `db:"id"`
	AccountID     int64      `db:"account_id"`
	MessageID     int64      `db:"message_id"`
	ApplicationID int64      `db:"application_id"`
	Label         string     `db:"label"`
	Created       time.Time  `db:"created_at"`
	FulfilledAt   *time.Time `db:"fulfilled_at"`
}

// Open tells whether the request still waits for a document.
func (r Request) Open() bool { return r.FulfilledAt == nil }

// ReplyRow is a stored reply.
type ReplyRow struct {
	ID        int64     `db:"id"`
	MessageID int64     `db:"message_id"`
	Body      string    `db:"body"`
	Sent      time.Time `db:"sent_at"`
}

// Limits of what a letter may hold, so a bug in a caller cannot fill the
// table.
const (
	maxSubject = 300
	maxBody    = 20000
	maxLabel   = 300
)

const (
	insertLetter = `INSERT INTO ircc_messages
	(account_id, application_id, kind, subject, body, needs_reply, staff_id, sent_at, read_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) RETURNING id`
	insertRequest = `INSERT INTO ircc_doc_requests
	(account_id, message_id, application_id, label, created_at, fulfilled_at)
	VALUES (?, ?, ?, ?, ?, NULL)`

	// id breaks ties between letters of the same instant: the later one
	// first.
	selectLetters = `SELECT id, account_id, application_id, kind, subject, '' AS body, needs_reply, staff_id, sent_at, read_at
	FROM ircc_messages WHERE account_id = ? ORDER BY sent_at DESC, id DESC`
	selectLettersFull = `SELECT id, account_id, application_id, kind, subject, body, needs_reply, staff_id, sent_at, read_at
	FROM ircc_messages WHERE account_id = ? ORDER BY sent_at DESC, id DESC`
	selectLetter = `SELECT id, account_id, application_id, kind, subject, body, needs_reply, staff_id, sent_at, read_at
	FROM ircc_messages WHERE id = ? AND account_id = ?`
	countUnread = `SELECT COUNT(*) FROM ircc_messages WHERE account_id = ? AND read_at IS NULL`
	markRead    = `UPDATE ircc_messages SET read_at = ? WHERE id = ? AND account_id = ? AND read_at IS NULL`

	insertReply = `INSERT INTO ircc_replies (message_id, body, sent_at) VALUES (?, ?, ?) RETURNING id`
	// Replies are the letter's account's: the join keeps them so.
	selectReplies = `SELECT r.id, r.message_id, r.body, r.sent_at
	FROM ircc_replies r JOIN ircc_messages m ON m.id = r.message_id
	WHERE r.message_id = ? AND m.account_id = ? ORDER BY r.sent_at, r.id`
	selectAccountReplies = `SELECT r.id, r.message_id, r.body, r.sent_at
	FROM ircc_replies r JOIN ircc_messages m ON m.id = r.message_id
	WHERE m.account_id = ? ORDER BY r.sent_at, r.id`

	selectOpenRequests = `SELECT id, account_id, message_id, application_id, label, created_at, fulfilled_at
	FROM ircc_doc_requests WHERE account_id = ? AND fulfilled_at IS NULL ORDER BY created_at, id`
	selectMessageRequests = `SELECT id, account_id, message_id, application_id, label, created_at, fulfilled_at
	FROM ircc_doc_requests WHERE message_id = ? AND account_id = ? ORDER BY id`
	selectRequest = `SELECT id, account_id, message_id, application_id, label, created_at, fulfilled_at
	FROM ircc_doc_requests WHERE id = ? AND account_id = ?`
)

// InsertLetter inserts a letter and one document request per label, inside
// tx. Mailbox.Post adds the email.
func (s *Store) InsertLetter(ctx context.Context, tx *sqlx.Tx, accountID int64, l account.Letter) (int64, error) {
	if err := checkLetter(l); err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertLetter),
		accountID, l.ApplicationID, l.Kind, l.Subject, l.Body, l.NeedsReply, l.StaffID, now)
	if err != nil {
		return 0, fmt.Errorf("secureaccount: post letter to %d: %w", accountID, err)
	}
	for _, label := range l.DocumentLabels {
		if _, err := tx.ExecContext(ctx, tx.Rebind(insertRequest), accountID, id, l.ApplicationID, strings.TrimSpace(label), now); err != nil {
			return 0, fmt.Errorf("secureaccount: request %q: %w", label, err)
		}
	}
	return id, nil
}

// ErrInvalidLetter is a letter Post refuses.
var ErrInvalidLetter = errors.New("secureaccount: invalid letter")

func checkLetter(l account.Letter) error {
	switch {
	case strings.TrimSpace(l.Kind) == "":
		return fmt.Errorf("%w: no kind", ErrInvalidLetter)
	case strings.TrimSpace(l.Subject) == "" || len(l.Subject) > maxSubject:
		return fmt.Errorf("%w: subject empty or longer than %d bytes", ErrInvalidLetter, maxSubject)
	case len(l.Body) > maxBody:
		return fmt.Errorf("%w: body longer than %d bytes", ErrInvalidLetter, maxBody)
	}
	for _, label := range l.DocumentLabels {
		if strings.TrimSpace(label) == "" || len(label) > maxLabel {
			return fmt.Errorf("%w: document label empty or longer than %d bytes", ErrInvalidLetter, maxLabel)
		}
	}
	return nil
}

// Letters lists an account's letters, newest first, without their bodies.
func (s *Store) Letters(ctx context.Context, accountID int64) ([]Letter, error) {
	var out []Letter
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectLetters), accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: letters of %d: %w", accountID, err)
	}
	return out, nil
}

// Letter returns one of the account's letters.
func (s *Store) Letter(ctx context.Context, accountID, id int64) (Letter, error) {
	var l Letter
	err := s.db.R.GetContext(ctx, &l, s.db.Rebind(selectLetter), id, accountID)
	if errors.Is(err, db.ErrNoRows) {
		return Letter{}, ErrNotFound
	}
	if err != nil {
		return Letter{}, fmt.Errorf("secureaccount: letter %d: %w", id, err)
	}
	return l, nil
}

// MarkRead records that the person opened the letter (the first time).
func (s *Store) MarkRead(ctx context.Context, accountID, id int64) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(markRead), s.now(), id, accountID)
		return err
	})
}

// Unread counts the account's unopened letters.
func (s *Store) Unread(ctx context.Context, accountID int64) (int, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, s.db.Rebind(countUnread), accountID); err != nil {
		return 0, fmt.Errorf("secureaccount: unread of %d: %w", accountID, err)
	}
	return n, nil
}

// Replies lists the person's replies to one of their letters, oldest
// first.
func (s *Store) Replies(ctx context.Context, accountID, messageID int64) ([]ReplyRow, error) {
	var out []ReplyRow
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectReplies), messageID, accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: replies to %d: %w", messageID, err)
	}
	return out, nil
}

// AddReply records a reply to one of the account's letters that asks for
// one, inside tx.
func (s *Store) AddReply(ctx context.Context, tx *sqlx.Tx, accountID, messageID int64, body string) (int64, error) {
	var l Letter
	err := tx.GetContext(ctx, &l, tx.Rebind(selectLetter), messageID, accountID)
	if errors.Is(err, db.ErrNoRows) || (err == nil && !l.NeedsReply) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("secureaccount: letter %d: %w", messageID, err)
	}
	var id int64
	if err := tx.GetContext(ctx, &id, tx.Rebind(insertReply), messageID, body, s.now()); err != nil {
		return 0, fmt.Errorf("secureaccount: reply to %d: %w", messageID, err)
	}
	return id, nil
}

// OpenRequests lists the documents IRCC still waits for from the account.
func (s *Store) OpenRequests(ctx context.Context, accountID int64) ([]Request, error) {
	var out []Request
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectOpenRequests), accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: open requests of %d: %w", accountID, err)
	}
	return out, nil
}

// MessageRequests lists the documents one of the account's letters asked
// for, open or not.
func (s *Store) MessageRequests(ctx context.Context, accountID, messageID int64) ([]Request, error) {
	var out []Request
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectMessageRequests), messageID, accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: requests of letter %d: %w", messageID, err)
	}
	return out, nil
}

// RequestOf returns one of the account's document requests.
func (s *Store) RequestOf(ctx context.Context, accountID, id int64) (Request, error) {
	var r Request
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(selectRequest), id, accountID)
	if errors.Is(err, db.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("secureaccount: request %d: %w", id, err)
	}
	return r, nil
}

// MessageViews returns the account's letters, newest first, each with its
// replies and the documents that came with them (the staff console's
// view).
func (s *Store) MessageViews(ctx context.Context, accountID int64) ([]account.MessageView, error) {
	var letters []Letter
	if err := s.db.R.SelectContext(ctx, &letters, s.db.Rebind(selectLettersFull), accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: letters of %d: %w", accountID, err)
	}
	var replies []ReplyRow
	if err := s.db.R.SelectContext(ctx, &replies, s.db.Rebind(selectAccountReplies), accountID); err != nil {
		return nil, fmt.Errorf("secureaccount: replies of %d: %w", accountID, err)
	}
	docs, err := s.Documents(ctx, accountID)
	if err != nil {
		return nil, err
	}
	byReply := map[int64][]account.Document{}
	for _, d := range docs {
		if d.ReplyID != 0 {
			byReply[d.ReplyID] = append(byReply[d.ReplyID], d.Document)
		}
	}
	byLetter := map[int64][]account.Reply{}
	for _, r := range replies {
		byLetter[r.MessageID] = append(byLetter[r.MessageID], account.Reply{ID: r.ID, Body: r.Body, Sent: r.Sent, Documents: byReply[r.ID]})
	}
	out := make([]account.MessageView, 0, len(letters))
	for _, l := range letters {
		out = append(out, account.MessageView{ID: l.ID, Kind: l.Kind, Subject: l.Subject, Body: l.Body,
			ApplicationID: l.ApplicationID, Sent: l.Sent, Read: l.Read(), Replies: byLetter[l.ID]})
	}
	return out, nil
}

// MoveApplication moves an application's letters (with their replies,
// which follow their letter), document requests and documents from one
// account to another, inside tx.
func (s *Store) MoveApplication(ctx context.Context, tx *sqlx.Tx, applicationID, from, to int64) error {
	if applicationID == 0 {
		return fmt.Errorf("secureaccount: move: no application")
	}
	for _, q := range []string{
		`UPDATE ircc_messages SET account_id = ? WHERE application_id = ? AND account_id = ?`,
		`UPDATE ircc_doc_requests SET account_id = ? WHERE application_id = ? AND account_id = ?`,
		`UPDATE ircc_documents SET account_id = ? WHERE application_id = ? AND account_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), to, applicationID, from); err != nil {
			return fmt.Errorf("secureaccount: move application %d: %w", applicationID, err)
		}
	}
	return nil
}

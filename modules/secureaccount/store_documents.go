package secureaccount

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// DocumentRow is an uploaded file's description and where it belongs.
type DocumentRow struct {
	account.Document
	RequestID int64
	// ReplyID is the reply it came with, 0 for an upload on its own.
	ReplyID int64
}

// Upload is a checked file ready to store.
type Upload struct {
	Filename    string
	ContentType string
	Content     []byte
}

type documentScan struct {
	ID            int64     `db:"id"`
	AccountID     int64     `db:"account_id"`
	RequestID     int64     `db:"request_id"`
	ReplyID       *int64    `db:"reply_id"`
	ApplicationID int64     `db:"application_id"`
	Label         string    `db:"label"`
	Filename      string    `db:"filename"`
	ContentType   string    `db:"content_type"`
	Size          int64     `db:"size"`
	Uploaded      time.Time `db:"uploaded_at"`
}

func (d documentScan) row() DocumentRow {
	r := DocumentRow{Document: account.Document{ID: d.ID, AccountID: d.AccountID, ApplicationID: d.ApplicationID,
		RequestLabel: d.Label, Filename: d.Filename, ContentType: d.ContentType, Size: d.Size, Uploaded: d.Uploaded}, RequestID: d.RequestID}
	if d.ReplyID != nil {
		r.ReplyID = *d.ReplyID
	}
	return r
}

const (
	documentColumns = `d.id, d.account_id, d.request_id, d.reply_id, d.application_id, q.label,
	d.filename, d.content_type, d.size, d.uploaded_at`

	selectAccountDocuments = `SELECT ` + documentColumns + `
	FROM ircc_documents d JOIN ircc_doc_requests q ON q.id = d.request_id
	WHERE d.account_id = ? ORDER BY d.uploaded_at DESC, d.id DESC`
	selectApplicationDocuments = `SELECT ` + documentColumns + `
	FROM ircc_documents d JOIN ircc_doc_requests q ON q.id = d.request_id
	WHERE d.application_id = ? ORDER BY d.uploaded_at DESC, d.id DESC`
	selectDocument = `SELECT ` + documentColumns + `
	FROM ircc_documents d JOIN ircc_doc_requests q ON q.id = d.request_id
	WHERE d.id = ?`
	selectContent = `SELECT content FROM ircc_documents WHERE id = ?`

	selectOpenRequestTx = `SELECT id, account_id, message_id, application_id, label, created_at, fulfilled_at
	FROM ircc_doc_requests WHERE id = ? AND account_id = ? AND fulfilled_at IS NULL`
	insertDocument = `INSERT INTO ircc_documents
	(account_id, request_id, reply_id, application_id, filename, content_type, size, content, uploaded_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	fulfilRequest = `UPDATE ircc_doc_requests SET fulfilled_at = ? WHERE id = ? AND fulfilled_at IS NULL`
)

// AddDocument stores a checked file against one of the account's open
// requests and marks the request done, inside tx. replyID is the reply the
// file came with (0: none); a reply's files must answer that reply's
// letter. A request that is not the account's, or no longer open, is
// ErrNotFound.
func (s *Store) AddDocument(ctx context.Context, tx *sqlx.Tx, accountID, requestID, replyID int64, u Upload) (int64, error) {
	var r Request
	err := tx.GetContext(ctx, &r, tx.Rebind(selectOpenRequestTx), requestID, accountID)
	if errors.Is(err, db.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("secureaccount: request %d: %w", requestID, err)
	}
	var reply any
	if replyID != 0 {
		var msg int64
		err := tx.GetContext(ctx, &msg, tx.Rebind(`SELECT message_id FROM ircc_replies WHERE id = ?`), replyID)
		if err != nil || msg != r.MessageID {
			return 0, ErrNotFound
		}
		reply = replyID
	}
	now := s.now()
	var id int64
	err = tx.GetContext(ctx, &id, tx.Rebind(insertDocument), accountID, requestID, reply, r.ApplicationID,
		u.Filename, u.ContentType, len(u.Content), u.Content, now)
	if err != nil {
		return 0, fmt.Errorf("secureaccount: store document for request %d: %w", requestID, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(fulfilRequest), now, requestID); err != nil {
		return 0, fmt.Errorf("secureaccount: fulfil request %d: %w", requestID, err)
	}
	return id, nil
}

// Documents lists what the account uploaded, newest first.
func (s *Store) Documents(ctx context.Context, accountID int64) ([]DocumentRow, error) {
	return s.documents(ctx, selectAccountDocuments, accountID)
}

func (s *Store) documents(ctx context.Context, q string, arg int64) ([]DocumentRow, error) {
	var scans []documentScan
	if err := s.db.R.SelectContext(ctx, &scans, s.db.Rebind(q), arg); err != nil {
		return nil, fmt.Errorf("secureaccount: documents: %w", err)
	}
	out := make([]DocumentRow, 0, len(scans))
	for _, d := range scans {
		out = append(out, d.row())
	}
	return out, nil
}

// Open returns a document and its bytes, whoever owns it (the staff
// console's downloads).
func (s *Store) Open(ctx context.Context, id int64) (account.Document, []byte, error) {
	return s.open(ctx, id, 0)
}

// OpenOwn returns one of the account's documents and its bytes; anyone
// else's is ErrNotFound, found out before its content is read.
func (s *Store) OpenOwn(ctx context.Context, accountID, id int64) (account.Document, []byte, error) {
	return s.open(ctx, id, accountID)
}

// open reads a document, checking its owner first when owner is not 0.
func (s *Store) open(ctx context.Context, id, owner int64) (account.Document, []byte, error) {
	var d documentScan
	err := s.db.R.GetContext(ctx, &d, s.db.Rebind(selectDocument), id)
	if errors.Is(err, db.ErrNoRows) || (err == nil && owner != 0 && d.AccountID != owner) {
		return account.Document{}, nil, ErrNotFound
	}
	if err != nil {
		return account.Document{}, nil, fmt.Errorf("secureaccount: document %d: %w", id, err)
	}
	var content []byte
	if err := s.db.R.GetContext(ctx, &content, s.db.Rebind(selectContent), id); err != nil {
		return account.Document{}, nil, fmt.Errorf("secureaccount: content of document %d: %w", id, err)
	}
	return d.row().Document, content, nil
}

// documentStore is the Documents interface over the store.
type documentStore struct{ s *Store }

func (d documentStore) ForApplication(ctx context.Context, applicationID int64) ([]account.Document, error) {
	rows, err := d.s.documents(ctx, selectApplicationDocuments, applicationID)
	return plain(rows), err
}

func (d documentStore) ForAccount(ctx context.Context, accountID int64) ([]account.Document, error) {
	rows, err := d.s.Documents(ctx, accountID)
	return plain(rows), err
}

func (d documentStore) Open(ctx context.Context, id int64) (account.Document, []byte, error) {
	return d.s.Open(ctx, id)
}

func plain(rows []DocumentRow) []account.Document {
	out := make([]account.Document, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Document)
	}
	return out
}

package secureaccount

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/clock"
	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// ErrNotFound is a row that does not exist, or not for this account.
var ErrNotFound = errors.New("secureaccount: not found")

// Store keeps accounts, letters, replies, document requests and
// documents. Every method that reads or changes a person's things takes
// their account id and filters by it.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// NewStore returns the store over d.
func NewStore(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

type accountRow struct {
	ID         int64   `db:"id"`
	PairwiseID string  `db:"pairwise_id"`
	GivenName  string  `db:"given_name"`
	FamilyName string  `db:"family_name"`
	BirthDate  string  `db:"birth_date"`
	Email      string  `db:"email"`
	Lang       string  `db:"lang"`
	UCI        *string `db:"uci"`
}

func (r accountRow) account() account.Account {
	a := account.Account{ID: r.ID, PairwiseID: r.PairwiseID, GivenName: r.GivenName, FamilyName: r.FamilyName,
		BirthDate: r.BirthDate, Email: r.Email, Lang: r.Lang}
	if r.UCI != nil {
		a.UCI = *r.UCI
	}
	return a
}

const (
	selectAccountByPairwise = `SELECT id, pairwise_id, given_name, family_name, birth_date, email, lang, uci
	FROM ircc_accounts WHERE pairwise_id = ?`
	selectAccountByID = `SELECT id, pairwise_id, given_name, family_name, birth_date, email, lang, uci
	FROM ircc_accounts WHERE id = ?`
	insertAccount = `INSERT INTO ircc_accounts
	(pairwise_id, given_name, family_name, birth_date, email, lang, uci, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) RETURNING id`
	updateContact = `UPDATE ircc_accounts SET email = ?, lang = ?, updated_at = ? WHERE id = ?`
	selectUCI     = `SELECT uci FROM ircc_accounts WHERE id = ?`
	uciTaken      = `SELECT COUNT(*) FROM ircc_accounts WHERE uci = ?`
	setUCI        = `UPDATE ircc_accounts SET uci = ?, updated_at = ? WHERE id = ? AND uci IS NULL`
)

// DashboardAccount reads the account of a pairwise id with the dashboard's
// two counts (unread letters, documents still awaited) in one round trip:
// the dashboard is the secure account's busiest page.
func (s *Store) DashboardAccount(ctx context.Context, pairwiseID string) (a account.Account, unread, open int, err error) {
	var r accountRow
	var uci sql.NullString
	err = s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT a.id, a.pairwise_id, a.given_name, a.family_name, a.birth_date, a.email, a.lang, a.uci,
		(SELECT COUNT(*) FROM ircc_messages m WHERE m.account_id = a.id AND m.read_at IS NULL),
		(SELECT COUNT(*) FROM ircc_doc_requests d WHERE d.account_id = a.id AND d.fulfilled_at IS NULL)
		FROM ircc_accounts a WHERE a.pairwise_id = ?`), pairwiseID).
		Scan(&r.ID, &r.PairwiseID, &r.GivenName, &r.FamilyName, &r.BirthDate, &r.Email, &r.Lang, &uci, &unread, &open)
	if errors.Is(err, db.ErrNoRows) {
		return account.Account{}, 0, 0, ErrNotFound
	}
	if err != nil {
		return account.Account{}, 0, 0, fmt.Errorf("secureaccount: dashboard account: %w", err)
	}
	if uci.Valid {
		r.UCI = &uci.String
	}
	return r.account(), unread, open, nil
}

// AccountByPairwise returns the account a pairwise id created.
func (s *Store) AccountByPairwise(ctx context.Context, pairwiseID string) (account.Account, error) {
	var r accountRow
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(selectAccountByPairwise), pairwiseID)
	if errors.Is(err, db.ErrNoRows) {
		return account.Account{}, ErrNotFound
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("secureaccount: account by pairwise id: %w", err)
	}
	return r.account(), nil
}

// Get returns an account by id.
func (s *Store) Get(ctx context.Context, id int64) (account.Account, error) {
	var r accountRow
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(selectAccountByID), id)
	if errors.Is(err, db.ErrNoRows) {
		return account.Account{}, ErrNotFound
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("secureaccount: account %d: %w", id, err)
	}
	return r.account(), nil
}

// accountTx reads an account inside tx (the writer is busy with tx).
func accountTx(ctx context.Context, tx *sqlx.Tx, id int64) (account.Account, error) {
	var r accountRow
	err := tx.GetContext(ctx, &r, tx.Rebind(selectAccountByID), id)
	if errors.Is(err, db.ErrNoRows) {
		return account.Account{}, ErrNotFound
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("secureaccount: account %d: %w", id, err)
	}
	return r.account(), nil
}

// Create inserts a new account inside tx and returns its id.
func (s *Store) Create(ctx context.Context, tx *sqlx.Tx, a account.Account) (int64, error) {
	now := s.now()
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertAccount),
		a.PairwiseID, a.GivenName, a.FamilyName, a.BirthDate, a.Email, a.Lang, now, now)
	if err != nil {
		return 0, fmt.Errorf("secureaccount: create account: %w", err)
	}
	return id, nil
}

// UpdateContact changes where and in which language IRCC writes.
func (s *Store) UpdateContact(ctx context.Context, tx *sqlx.Tx, id int64, email, lang string) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(updateContact), email, lang, s.now(), id); err != nil {
		return fmt.Errorf("secureaccount: update contact of %d: %w", id, err)
	}
	return nil
}

// uciAttempts bounds the search for a free UCI: with ten-digit numbers a
// collision is already rare, so running out means something else is wrong.
const uciAttempts = 20

// EnsureUCI gives the account a random 10-digit UCI if it has none.
func (s *Store) EnsureUCI(ctx context.Context, tx *sqlx.Tx, accountID int64) (string, error) {
	var cur *string
	err := tx.GetContext(ctx, &cur, tx.Rebind(selectUCI), accountID)
	if errors.Is(err, db.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("secureaccount: uci of %d: %w", accountID, err)
	}
	if cur != nil && *cur != "" {
		return *cur, nil
	}
	for i := 0; i < uciAttempts; i++ {
		uci, err := newUCI()
		if err != nil {
			return "", err
		}
		// Writes are serialised (one writer, BEGIN IMMEDIATE), so a
		// number free now is still free at the update.
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(uciTaken), uci); err != nil {
			return "", fmt.Errorf("secureaccount: check uci: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(setUCI), uci, s.now(), accountID); err != nil {
			return "", fmt.Errorf("secureaccount: set uci of %d: %w", accountID, err)
		}
		return uci, nil
	}
	return "", fmt.Errorf("secureaccount: no free UCI after %d tries", uciAttempts)
}

// newUCIHook replaces the generator in tests that force a collision.
var newUCIHook func() (string, error)

// newUCI draws a 10-digit number that does not start with 0, so it reads
// the same whether or not someone drops leading zeros.
func newUCI() (string, error) {
	if newUCIHook != nil {
		return newUCIHook()
	}
	n, err := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%010d", n.Int64()+1_000_000_000), nil
}

// now is the store's clock in UTC, the form instants are stored in.
func (s *Store) now() time.Time { return s.clock.Now().UTC() }

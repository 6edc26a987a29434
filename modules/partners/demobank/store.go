package demobank

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// errEnded means a request is unknown, expired, finished or cancelled:
// the bank shows its "request ended" page and sends nobody anywhere.
var errEnded = errors.New("demo bank: authorization request ended")

// Customer is a made-up bank customer.
type Customer struct {
	// ID is the stable subject the bank reports: random 128-bit hex.
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
}

// request is an authorization request being worked through.
type request struct {
	ID            string         `db:"id"`
	ClientID      string         `db:"client_id"`
	RedirectURI   string         `db:"redirect_uri"`
	State         string         `db:"state"`
	Nonce         string         `db:"nonce"`
	CodeChallenge string         `db:"code_challenge"`
	Lang          string         `db:"lang"`
	Issuer        string         `db:"issuer"`
	CustomerID    sql.NullString `db:"customer_id"`
	OTP           string         `db:"otp"`
	WrongTries    int            `db:"wrong_tries"`
	Done          bool           `db:"done"`
	ExpiresAt     time.Time      `db:"expires_at"`
	CreatedAt     time.Time      `db:"created_at"`
}

// live tells whether the request can still be worked on.
func (r request) live(now time.Time) bool { return !r.Done && now.Before(r.ExpiresAt) }

// codeRow is an issued authorization code, by hash.
type codeRow struct {
	ClientID      string       `db:"client_id"`
	RedirectURI   string       `db:"redirect_uri"`
	CodeChallenge string       `db:"code_challenge"`
	Nonce         string       `db:"nonce"`
	Issuer        string       `db:"issuer"`
	Subject       string       `db:"subject"`
	MFA           bool         `db:"mfa"`
	AuthTime      time.Time    `db:"auth_time"`
	ExpiresAt     time.Time    `db:"expires_at"`
	UsedAt        sql.NullTime `db:"used_at"`
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+).
		panic(err)
	}
	return b
}

// randomToken is a URL-safe random string of n bytes.
func randomToken(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }

// randomOTP is a uniformly random 6-digit code.
func randomOTP() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func hashCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// CreateCustomer adds a test bank customer.
func (b *Bank) CreateCustomer(ctx context.Context, name string) (Customer, error) {
	name = strings.TrimSpace(name)
	if p := nameProblem(name); p != "" {
		return Customer{}, fmt.Errorf("demo bank customer name: %s", p)
	}
	c := Customer{ID: hex.EncodeToString(randomBytes(16)), Name: name, CreatedAt: b.clock.Now().UTC()}
	if _, err := b.db.W.ExecContext(ctx, b.db.Rebind(insertCustomer), c.ID, c.Name, c.CreatedAt); err != nil {
		return Customer{}, fmt.Errorf("create demo bank customer: %w", err)
	}
	return c, nil
}

const insertCustomer = `INSERT INTO partners_demo_customers (id, name, created_at) VALUES (?, ?, ?)`

// recentCustomers lists the newest customers, sorted by name for the page.
func (b *Bank) recentCustomers(ctx context.Context) ([]Customer, error) {
	var out []Customer
	err := b.db.R.SelectContext(ctx, &out, b.db.Rebind(`SELECT id, name, created_at FROM partners_demo_customers
		ORDER BY created_at DESC, id LIMIT ?`), listedPeople)
	if err != nil {
		return nil, fmt.Errorf("list demo bank customers: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out, nil
}

func (b *Bank) customer(ctx context.Context, id string) (Customer, error) {
	var c Customer
	err := b.db.R.GetContext(ctx, &c, b.db.Rebind(`SELECT id, name, created_at FROM partners_demo_customers WHERE id = ?`), id)
	return c, err
}

// saveRequest stores a validated authorization request.
func (b *Bank) saveRequest(ctx context.Context, r request) error {
	_, err := b.db.W.ExecContext(ctx, b.db.Rebind(`INSERT INTO partners_demo_requests
		(id, client_id, redirect_uri, state, nonce, code_challenge, lang, issuer, otp, wrong_tries, done, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`),
		r.ID, r.ClientID, r.RedirectURI, r.State, r.Nonce, r.CodeChallenge, r.Lang, r.Issuer, r.OTP, r.ExpiresAt.UTC(), r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store demo bank request: %w", err)
	}
	return nil
}

const selectRequest = `SELECT id, client_id, redirect_uri, state, nonce, code_challenge, lang, issuer,
	customer_id, otp, wrong_tries, done, expires_at, created_at FROM partners_demo_requests WHERE id = ?`

// loadRequest reads a request whatever its state; db.ErrNoRows when unknown.
func (b *Bank) loadRequest(ctx context.Context, id string) (request, error) {
	var r request
	err := b.db.R.GetContext(ctx, &r, b.db.Rebind(selectRequest), id)
	return r, err
}

// setRequestLang records the language picked with the toggle.
func (b *Bank) setRequestLang(ctx context.Context, id, lang string) error {
	_, err := b.db.W.ExecContext(ctx, b.db.Rebind(`UPDATE partners_demo_requests SET lang = ? WHERE id = ?`), lang, id)
	return err
}

// chooseCustomer records who signs in, creating the customer first when
// name is given. It changes nothing when the request has ended.
func (b *Bank) chooseCustomer(ctx context.Context, id, customerID, name string) error {
	now := b.clock.Now().UTC()
	return b.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if name != "" {
			customerID = hex.EncodeToString(randomBytes(16))
			if _, err := tx.ExecContext(ctx, tx.Rebind(insertCustomer), customerID, name, now); err != nil {
				return fmt.Errorf("create demo bank customer: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE partners_demo_requests SET customer_id = ?
			WHERE id = ? AND done = 0 AND expires_at > ?`), customerID, id, now)
		if err != nil {
			return fmt.Errorf("choose demo bank customer: %w", err)
		}
		return exactlyOne(res)
	})
}

// wrongOTP counts a wrong second-step code and returns the count. The
// request is cancelled (done) when the count reaches the limit.
func (b *Bank) wrongOTP(ctx context.Context, id string) (int, error) {
	var n int
	err := b.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE partners_demo_requests
			SET wrong_tries = wrong_tries + 1,
			    done = CASE WHEN wrong_tries + 1 >= ? THEN 1 ELSE 0 END
			WHERE id = ? AND done = 0`), maxWrongOTP, id)
		if err != nil {
			return fmt.Errorf("count wrong demo bank code: %w", err)
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		return tx.GetContext(ctx, &n, tx.Rebind(`SELECT wrong_tries FROM partners_demo_requests WHERE id = ?`), id)
	})
	return n, err
}

// endRequest marks a live request done (cancelled); errEnded when it
// already was.
func (b *Bank) endRequest(ctx context.Context, id string) error {
	res, err := b.db.W.ExecContext(ctx, b.db.Rebind(`UPDATE partners_demo_requests SET done = 1
		WHERE id = ? AND done = 0 AND expires_at > ?`), id, b.clock.Now().UTC())
	if err != nil {
		return fmt.Errorf("cancel demo bank request: %w", err)
	}
	return exactlyOne(res)
}

// issueCode ends the request and stores its one authorization code,
// returning the request as it was and the code to hand to the browser.
func (b *Bank) issueCode(ctx context.Context, id string, mfa bool) (request, string, error) {
	now := b.clock.Now().UTC()
	code := randomToken(32)
	var r request
	err := b.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE partners_demo_requests SET done = 1
			WHERE id = ? AND done = 0 AND customer_id IS NOT NULL AND expires_at > ?`), id, now)
		if err != nil {
			return fmt.Errorf("end demo bank request: %w", err)
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r, tx.Rebind(selectRequest), id); err != nil {
			return fmt.Errorf("read demo bank request: %w", err)
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO partners_demo_codes
			(code_hash, client_id, redirect_uri, code_challenge, nonce, issuer, subject, mfa, auth_time, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			hashCode(code), r.ClientID, r.RedirectURI, r.CodeChallenge, r.Nonce, r.Issuer, r.CustomerID.String,
			mfa, now, now.Add(codeTTL))
		if err != nil {
			return fmt.Errorf("store demo bank code: %w", err)
		}
		return nil
	})
	return r, code, err
}

// redeemCode marks a code used and returns it. The conditional UPDATE
// makes redemption single-use even when two requests race: the loser, like
// an unknown code, gets db.ErrNoRows. Expiry and the exchange's other
// checks are the caller's; a code is spent by any attempt.
func (b *Bank) redeemCode(ctx context.Context, code string) (codeRow, error) {
	h := hashCode(code)
	var c codeRow
	err := b.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE partners_demo_codes SET used_at = ?
			WHERE code_hash = ? AND used_at IS NULL`), b.clock.Now().UTC(), h)
		if err != nil {
			return fmt.Errorf("redeem demo bank code: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return db.ErrNoRows
		}
		return tx.GetContext(ctx, &c, tx.Rebind(`SELECT client_id, redirect_uri, code_challenge, nonce, issuer,
			subject, mfa, auth_time, expires_at, used_at FROM partners_demo_codes WHERE code_hash = ?`), h)
	})
	return c, err
}

// cleanup deletes requests and codes past their expiry.
func cleanup(ctx context.Context, d *db.DB, now time.Time) (int64, error) {
	var total int64
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			`DELETE FROM partners_demo_requests WHERE expires_at <= ?`,
			`DELETE FROM partners_demo_codes WHERE expires_at <= ?`,
		} {
			res, err := tx.ExecContext(ctx, tx.Rebind(q), now.UTC())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo bank cleanup: %w", err)
	}
	return total, nil
}

// exactlyOne turns "no row changed" into errEnded.
func exactlyOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return errEnded
	}
	return nil
}

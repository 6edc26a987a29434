package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/db"
)

// ErrNotFound is an application, report or link request that does not
// exist (or, seen from an applicant, is not theirs).
var ErrNotFound = errors.New("cases: not found")

// Application is one row of ircc_applications.
type Application struct {
	ID           int64      `db:"id"`
	Number       string     `db:"number"`
	AccountID    *int64     `db:"account_id"`
	Kind         string     `db:"kind"`
	Program      string     `db:"program"`
	GivenName    string     `db:"given_name"`
	FamilyName   string     `db:"family_name"`
	BirthDate    string     `db:"birth_date"`
	Email        string     `db:"email"`
	UCI          string     `db:"uci"`
	Data         string     `db:"data"`
	InvitationID *int64     `db:"invitation_id"`
	StaffID      *int64     `db:"staff_id"`
	Status       string     `db:"status"`
	SubmittedAt  time.Time  `db:"submitted_at"`
	UpdatedAt    time.Time  `db:"updated_at"`
	DecidedAt    *time.Time `db:"decided_at"`
}

// Account is the holding account's id, 0 for none.
func (a Application) Account() int64 {
	if a.AccountID == nil {
		return 0
	}
	return *a.AccountID
}

// Event is one line of an application's history.
type Event struct {
	ID            int64     `db:"id"`
	ApplicationID int64     `db:"application_id"`
	At            time.Time `db:"at"`
	Kind          string    `db:"kind"`
	Status        string    `db:"status"`
	StaffID       int64     `db:"staff_id"`
	StaffName     string    `db:"staff_name"`
	Note          string    `db:"note"`
}

// History event kinds.
const (
	EventSubmitted          = "submitted"
	EventRecorded           = "recorded" // a paper application entered by staff
	EventStatus             = "status"
	EventMessage            = "message"
	EventDocumentsRequested = "documents_requested"
	EventLinked             = "linked"
)

// OutboxEvent is an event another module consumes.
type OutboxEvent struct {
	ID            int64      `db:"id"`
	Kind          string     `db:"kind"`
	ApplicationID int64      `db:"application_id"`
	Payload       string     `db:"payload"`
	CreatedAt     time.Time  `db:"created_at"`
	ConsumedAt    *time.Time `db:"consumed_at"`
}

// Outbox kinds.
const (
	// OutboxApproved announces an approved application; its payload is an
	// ApprovedPayload.
	OutboxApproved = "application_approved"
)

// ApprovedPayload is the JSON of an application_approved event: the
// snapshot the PR portal's invitation carries. It holds nothing that
// leads back to the secure account (no account id), as the PR portal
// shares no data with it (DOMAIN.md "Permanent Residence portal").
type ApprovedPayload struct {
	ApplicationNumber string `json:"application_number"`
	UCI               string `json:"uci"`
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	BirthDate         string `json:"birth_date"`
	Email             string `json:"email"`
	Program           string `json:"program"`
}

// Report is a technical-problem report.
type Report struct {
	ID                int64      `db:"id"`
	AccountID         int64      `db:"account_id"`
	ApplicationNumber string     `db:"application_number"`
	Description       string     `db:"description"`
	SubmittedOn       string     `db:"submitted_on"`
	Details           string     `db:"details"`
	CreatedAt         time.Time  `db:"created_at"`
	HandledAt         *time.Time `db:"handled_at"`
	HandledBy         *int64     `db:"handled_by"`
}

// Link request statuses.
const (
	LinkCodeSent      = "code_sent"
	LinkAwaitingStaff = "awaiting_staff"
	LinkDone          = "done"
	LinkRefused       = "refused"
	LinkCancelled     = "cancelled"
)

// LinkRequest is a request to move an application to an account.
type LinkRequest struct {
	ID            int64      `db:"id"`
	ApplicationID int64      `db:"application_id"`
	AccountID     int64      `db:"account_id"`
	FromAccountID *int64     `db:"from_account_id"`
	Status        string     `db:"status"`
	CreatedAt     time.Time  `db:"created_at"`
	DecidedAt     *time.Time `db:"decided_at"`
	StaffID       *int64     `db:"staff_id"`
}

// Store holds every SQL statement of the module; it touches only the
// ircc_ tables this module owns.
type Store struct {
	db *db.DB
}

// NewStore returns the store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

const appColumns = `id, number, account_id, kind, program, given_name, family_name, birth_date, email, uci, data,
	invitation_id, staff_id, status, submitted_at, updated_at, decided_at`

const (
	insertApplication = `INSERT INTO ircc_applications
	(number, account_id, kind, program, given_name, family_name, family_norm, birth_date, email, uci, data,
	 invitation_id, staff_id, status, submitted_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?)
	ON CONFLICT (number) DO NOTHING
	RETURNING id`

	selectApplication = `SELECT ` + appColumns + ` FROM ircc_applications WHERE id = ?`

	selectApplicationByNumber = `SELECT ` + appColumns + ` FROM ircc_applications WHERE number = ?`

	selectForAccount = `SELECT ` + appColumns + ` FROM ircc_applications WHERE account_id = ?
	ORDER BY submitted_at DESC, id DESC`

	searchAll = `SELECT ` + appColumns + ` FROM ircc_applications
	ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?`

	searchNumber = `SELECT ` + appColumns + ` FROM ircc_applications WHERE number = ?
	ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?`

	searchUCI = `SELECT ` + appColumns + ` FROM ircc_applications WHERE uci = ?
	ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?`

	searchFamily = `SELECT ` + appColumns + ` FROM ircc_applications WHERE family_norm LIKE ? ESCAPE '\'
	ORDER BY family_norm, submitted_at DESC, id DESC LIMIT ? OFFSET ?`

	// The status moves only from the status it was read with, so two
	// officers acting at once cannot both decide.
	updateStatus = `UPDATE ircc_applications SET status = ?, updated_at = ?, decided_at = ?
	WHERE id = ? AND status = ?`

	touchApplication = `UPDATE ircc_applications SET updated_at = ? WHERE id = ?`

	moveFromNobody = `UPDATE ircc_applications SET account_id = ?, uci = ?, updated_at = ?
	WHERE id = ? AND account_id IS NULL`

	moveFromAccount = `UPDATE ircc_applications SET account_id = ?, uci = ?, updated_at = ?
	WHERE id = ? AND account_id = ?`

	insertEvent = `INSERT INTO ircc_application_events (application_id, at, kind, status, staff_id, staff_name, note)
	VALUES (?, ?, ?, ?, ?, ?, ?)`

	selectEvents = `SELECT id, application_id, at, kind, status, staff_id, staff_name, note
	FROM ircc_application_events WHERE application_id = ? ORDER BY id`

	insertOutbox = `INSERT INTO ircc_outbox (kind, application_id, payload, created_at) VALUES (?, ?, ?, ?)`

	selectOutbox = `SELECT id, kind, application_id, payload, created_at, consumed_at FROM ircc_outbox
	WHERE kind = ? AND id > ? AND consumed_at IS NULL ORDER BY id LIMIT ?`

	consumeOutbox = `UPDATE ircc_outbox SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL`

	insertReport = `INSERT INTO ircc_reports (account_id, application_number, description, submitted_on, details, created_at)
	VALUES (?, ?, ?, ?, ?, ?) RETURNING id`

	reportColumns = `id, account_id, application_number, description, submitted_on, details, created_at, handled_at, handled_by`

	selectReport = `SELECT ` + reportColumns + ` FROM ircc_reports WHERE id = ?`

	selectOpenReports = `SELECT ` + reportColumns + ` FROM ircc_reports WHERE handled_at IS NULL ORDER BY id`

	selectHandledReports = `SELECT ` + reportColumns + ` FROM ircc_reports WHERE handled_at IS NOT NULL
	ORDER BY handled_at DESC, id DESC LIMIT ?`

	handleReport = `UPDATE ircc_reports SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL`

	insertLink = `INSERT INTO ircc_link_requests (application_id, account_id, from_account_id, status, created_at)
	VALUES (?, ?, ?, ?, ?) RETURNING id`

	linkColumns = `id, application_id, account_id, from_account_id, status, created_at, decided_at, staff_id`

	selectLink = `SELECT ` + linkColumns + ` FROM ircc_link_requests WHERE id = ?`

	selectLinksByStatus = `SELECT ` + linkColumns + ` FROM ircc_link_requests WHERE status = ? ORDER BY id`

	// A request changes only from the status it was read with, so a code
	// typed twice or an approval clicked twice moves nothing twice.
	updateLink = `UPDATE ircc_link_requests SET status = ?, decided_at = ?, staff_id = ? WHERE id = ? AND status = ?`

	// A new request for the same application by the same account replaces
	// the earlier one still waiting.
	cancelLinks = `UPDATE ircc_link_requests SET status = 'cancelled', decided_at = ?
	WHERE application_id = ? AND account_id = ? AND status IN ('code_sent', 'awaiting_staff')`
)

// errNumberTaken reports an application number already used (the caller
// draws another).
var errNumberTaken = errors.New("cases: number taken")

// addApplication inserts an application with status submitted.
func (s *Store) addApplication(ctx context.Context, tx *sqlx.Tx, a Application, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertApplication),
		a.Number, a.AccountID, a.Kind, a.Program, a.GivenName, a.FamilyName, normName(a.FamilyName), a.BirthDate,
		a.Email, a.UCI, a.Data, a.InvitationID, a.StaffID, now, now)
	if errors.Is(err, db.ErrNoRows) {
		return 0, errNumberTaken
	}
	if err != nil {
		return 0, fmt.Errorf("cases: add application: %w", err)
	}
	return id, nil
}

func getApplication(ctx context.Context, q sqlx.QueryerContext, query string, arg any) (Application, error) {
	var a Application
	err := sqlx.GetContext(ctx, q, &a, query, arg)
	if errors.Is(err, db.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("cases: read application: %w", err)
	}
	return a, nil
}

// Application reads one application by id, through q (the reader, or a
// transaction that must see its own writes).
func (s *Store) Application(ctx context.Context, q sqlx.QueryerContext, id int64) (Application, error) {
	return getApplication(ctx, q, s.db.Rebind(selectApplication), id)
}

// ApplicationByNumber reads one application by its number.
func (s *Store) ApplicationByNumber(ctx context.Context, q sqlx.QueryerContext, number string) (Application, error) {
	return getApplication(ctx, q, s.db.Rebind(selectApplicationByNumber), number)
}

// Summary is an application as the dashboard lists it.
type Summary struct {
	ID                     int64
	Number, Program        string
	Status                 string
	SubmittedAt, UpdatedAt time.Time
}

// selectSummaries reads only what the dashboard shows: it is the secure
// account's busiest query, and each column of each row costs a conversion
// in the driver. The times come as text for db.ParseTime, which is
// several times cheaper than the driver's parsing.
const selectSummaries = `SELECT id, number, program, status, CAST(submitted_at AS TEXT), CAST(updated_at AS TEXT)
	FROM ircc_applications WHERE account_id = ? ORDER BY submitted_at DESC, id DESC`

// Summaries lists an account's applications for its dashboard, newest
// first. The rows are scanned by hand (no reflection) for the same reason.
func (s *Store) Summaries(ctx context.Context, accountID int64) ([]Summary, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(selectSummaries), accountID)
	if err != nil {
		return nil, fmt.Errorf("cases: list applications: %w", err)
	}
	defer rows.Close()
	out := make([]Summary, 0, 16)
	for rows.Next() {
		var r Summary
		var submitted, updated string
		if err := rows.Scan(&r.ID, &r.Number, &r.Program, &r.Status, &submitted, &updated); err != nil {
			return nil, fmt.Errorf("cases: list applications: %w", err)
		}
		if r.SubmittedAt, err = db.ParseTime(submitted); err != nil {
			return nil, fmt.Errorf("cases: list applications: %w", err)
		}
		if r.UpdatedAt, err = db.ParseTime(updated); err != nil {
			return nil, fmt.Errorf("cases: list applications: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// setEmail changes the email on an account's applications still waiting
// for a decision, inside tx.
const setEmail = `UPDATE ircc_applications SET email = ?
	WHERE account_id = ? AND status NOT IN ('approved', 'refused') AND email <> ?`

// SetEmail makes email the address on the account's open applications.
func (s *Store) SetEmail(ctx context.Context, tx *sqlx.Tx, accountID int64, email string) (int64, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(setEmail), email, accountID, email)
	if err != nil {
		return 0, fmt.Errorf("cases: email of account %d's applications: %w", accountID, err)
	}
	return res.RowsAffected()
}

// ForAccount lists an account's applications, newest first.
func (s *Store) ForAccount(ctx context.Context, accountID int64) ([]Application, error) {
	var out []Application
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectForAccount), accountID); err != nil {
		return nil, fmt.Errorf("cases: list applications: %w", err)
	}
	return out, nil
}

// Search fields.
const (
	ByNumber = "number"
	ByUCI    = "uci"
	ByFamily = "family"
)

// Search finds applications by number, UCI or the start of the family
// name (an empty term lists all, newest first).
func (s *Store) Search(ctx context.Context, by, term string, offset, limit int) ([]Application, error) {
	var out []Application
	var err error
	switch {
	case term == "":
		err = s.db.R.SelectContext(ctx, &out, s.db.Rebind(searchAll), limit, offset)
	case by == ByNumber:
		err = s.db.R.SelectContext(ctx, &out, s.db.Rebind(searchNumber), NormalizeNumber(term), limit, offset)
	case by == ByUCI:
		err = s.db.R.SelectContext(ctx, &out, s.db.Rebind(searchUCI), strings.TrimSpace(term), limit, offset)
	default:
		err = s.db.R.SelectContext(ctx, &out, s.db.Rebind(searchFamily), likePrefix(normName(term)), limit, offset)
	}
	if err != nil {
		return nil, fmt.Errorf("cases: search applications: %w", err)
	}
	return out, nil
}

// likePrefix escapes LIKE's wildcards and matches the start.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// setStatus moves an application from one status to another; false when
// it was no longer in from.
func (s *Store) setStatus(ctx context.Context, tx *sqlx.Tx, id int64, from, to string, now time.Time, decided *time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(updateStatus), to, now, decided, id, from)
	if err != nil {
		return false, fmt.Errorf("cases: set status: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) touch(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(touchApplication), now, id)
	return err
}

// move gives the application to account to, if from (0: nobody) still
// holds it.
func (s *Store) move(ctx context.Context, tx *sqlx.Tx, id, from, to int64, uci string, now time.Time) (bool, error) {
	var res interface{ RowsAffected() (int64, error) }
	var err error
	if from == 0 {
		res, err = tx.ExecContext(ctx, tx.Rebind(moveFromNobody), to, uci, now, id)
	} else {
		res, err = tx.ExecContext(ctx, tx.Rebind(moveFromAccount), to, uci, now, id, from)
	}
	if err != nil {
		return false, fmt.Errorf("cases: move application: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) addEvent(ctx context.Context, tx *sqlx.Tx, e Event) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(insertEvent), e.ApplicationID, e.At, e.Kind, e.Status, e.StaffID, e.StaffName, e.Note)
	if err != nil {
		return fmt.Errorf("cases: add event: %w", err)
	}
	return nil
}

// Events is an application's history, oldest first.
func (s *Store) Events(ctx context.Context, applicationID int64) ([]Event, error) {
	var out []Event
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectEvents), applicationID); err != nil {
		return nil, fmt.Errorf("cases: read history: %w", err)
	}
	return out, nil
}

func (s *Store) addOutbox(ctx context.Context, tx *sqlx.Tx, kind string, applicationID int64, payload string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(insertOutbox), kind, applicationID, payload, now); err != nil {
		return fmt.Errorf("cases: add outbox event: %w", err)
	}
	return nil
}

func (s *Store) outbox(ctx context.Context, kind string, after int64, limit int) ([]OutboxEvent, error) {
	var out []OutboxEvent
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectOutbox), kind, after, limit); err != nil {
		return nil, fmt.Errorf("cases: read outbox: %w", err)
	}
	return out, nil
}

func (s *Store) consume(ctx context.Context, q sqlx.ExecerContext, id int64, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, s.db.Rebind(consumeOutbox), now, id)
	if err != nil {
		return false, fmt.Errorf("cases: consume outbox event: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) addReport(ctx context.Context, tx *sqlx.Tx, r Report) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.Rebind(insertReport), r.AccountID, r.ApplicationNumber, r.Description, r.SubmittedOn, r.Details, r.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("cases: add report: %w", err)
	}
	return id, nil
}

// Report reads one report.
func (s *Store) Report(ctx context.Context, id int64) (Report, error) {
	var r Report
	err := s.db.R.GetContext(ctx, &r, s.db.Rebind(selectReport), id)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// Reports lists the open reports, oldest first, and the last handled ones.
func (s *Store) Reports(ctx context.Context, handledLimit int) (open, handled []Report, err error) {
	if err := s.db.R.SelectContext(ctx, &open, s.db.Rebind(selectOpenReports)); err != nil {
		return nil, nil, fmt.Errorf("cases: list reports: %w", err)
	}
	if err := s.db.R.SelectContext(ctx, &handled, s.db.Rebind(selectHandledReports), handledLimit); err != nil {
		return nil, nil, fmt.Errorf("cases: list reports: %w", err)
	}
	return open, handled, nil
}

func (s *Store) handleReport(ctx context.Context, tx *sqlx.Tx, id, staffID int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(handleReport), now, staffID, id)
	if err != nil {
		return false, fmt.Errorf("cases: handle report: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) addLink(ctx context.Context, tx *sqlx.Tx, l LinkRequest) (int64, error) {
	if _, err := tx.ExecContext(ctx, tx.Rebind(cancelLinks), l.CreatedAt, l.ApplicationID, l.AccountID); err != nil {
		return 0, fmt.Errorf("cases: cancel earlier link requests: %w", err)
	}
	var id int64
	if err := tx.GetContext(ctx, &id, tx.Rebind(insertLink), l.ApplicationID, l.AccountID, l.FromAccountID, l.Status, l.CreatedAt); err != nil {
		return 0, fmt.Errorf("cases: add link request: %w", err)
	}
	return id, nil
}

// Link reads one link request through q.
func (s *Store) Link(ctx context.Context, q sqlx.QueryerContext, id int64) (LinkRequest, error) {
	var l LinkRequest
	err := sqlx.GetContext(ctx, q, &l, s.db.Rebind(selectLink), id)
	if errors.Is(err, db.ErrNoRows) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, fmt.Errorf("cases: read link request: %w", err)
	}
	return l, nil
}

// LinksWaiting lists the requests waiting for staff, oldest first.
func (s *Store) LinksWaiting(ctx context.Context) ([]LinkRequest, error) {
	var out []LinkRequest
	if err := s.db.R.SelectContext(ctx, &out, s.db.Rebind(selectLinksByStatus), LinkAwaitingStaff); err != nil {
		return nil, fmt.Errorf("cases: list link requests: %w", err)
	}
	return out, nil
}

func (s *Store) setLink(ctx context.Context, tx *sqlx.Tx, id int64, from, to string, staffID *int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(updateLink), to, now, staffID, id, from)
	if err != nil {
		return false, fmt.Errorf("cases: update link request: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// normName is the form family names are searched and compared by: lower
// case, spaces collapsed.
func normName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// NormalizeNumber is the form application numbers are looked up and
// throttled by: upper case, without spaces or dashes.
func NormalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(s))
}

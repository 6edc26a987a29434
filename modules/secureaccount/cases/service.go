package cases

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/modules/secureaccount/account"
)

// Errors the services return.
var (
	// ErrTransition is a status change the workflow does not allow.
	ErrTransition = errors.New("cases: status change not allowed")
	// ErrNoAccount is a letter for an application no account holds.
	ErrNoAccount = errors.New("cases: application not linked to an account")
	// ErrStale is a change that lost a race with another one.
	ErrStale = errors.New("cases: changed meanwhile")
	// ErrInvalid is an application the caller did not fill in.
	ErrInvalid = errors.New("cases: invalid application")
)

// transitions are the statuses each status may move to. A decision is
// final.
var transitions = map[string][]string{
	account.StatusSubmitted:          {account.StatusInProgress, account.StatusDocumentsRequested, account.StatusApproved, account.StatusRefused},
	account.StatusInProgress:         {account.StatusDocumentsRequested, account.StatusApproved, account.StatusRefused},
	account.StatusDocumentsRequested: {account.StatusInProgress, account.StatusApproved, account.StatusRefused},
}

// CanMove tells whether an application may go from one status to another.
func CanMove(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses are the statuses an application in status may move to.
func NextStatuses(status string) []string { return transitions[status] }

// StatusChoices are the statuses the status form offers: the next ones
// but "additional documents requested", which only a document request
// sets, so an applicant told IRCC asked for documents always has a letter
// to upload them against.
func StatusChoices(status string) []string {
	var out []string
	for _, s := range transitions[status] {
		if s != account.StatusDocumentsRequested {
			out = append(out, s)
		}
	}
	return out
}

// canChoose tells whether the status form may move an application from
// one status to another.
func canChoose(from, to string) bool {
	return to != account.StatusDocumentsRequested && CanMove(from, to)
}

// Decided tells whether a decision was made.
func Decided(status string) bool {
	return status == account.StatusApproved || status == account.StatusRefused
}

// newNumber draws an application number: prefix and 9 random digits.
func newNumber(prefix string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%09d", prefix, n.Int64()), nil
}

// numberPrefix is W for online applications, P for paper ones.
func numberPrefix(kind string) string {
	if kind == account.KindPaper {
		return "P"
	}
	return "W"
}

// validBirthDate accepts YYYY-MM-DD.
func validBirthDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// submit records an application with status submitted, its first history
// line and, for an account, its UCI and the checklist's document requests.
func (m *Module) submit(ctx context.Context, tx *sqlx.Tx, a account.NewApplication, staffName string) (int64, string, error) {
	if (a.Kind != account.KindPRExpressEntry && a.Kind != account.KindPaper) ||
		(a.Kind == account.KindPRExpressEntry && a.AccountID == 0) ||
		strings.TrimSpace(a.FamilyName) == "" || strings.TrimSpace(a.Program) == "" || !validBirthDate(a.BirthDate) {
		return 0, "", fmt.Errorf("%w: %s", ErrInvalid, a.Kind)
	}
	now := m.clock.Now().UTC()
	row := Application{
		Kind: a.Kind, Program: strings.TrimSpace(a.Program), GivenName: strings.TrimSpace(a.GivenName),
		FamilyName: strings.TrimSpace(a.FamilyName), BirthDate: a.BirthDate, Email: strings.TrimSpace(a.Email), Data: a.Data,
	}
	if a.AccountID != 0 {
		uci, err := m.accounts.EnsureUCI(ctx, tx, a.AccountID)
		if err != nil {
			return 0, "", fmt.Errorf("cases: UCI: %w", err)
		}
		row.UCI = uci
		acc := a.AccountID
		row.AccountID = &acc
	}
	if a.InvitationID != 0 {
		inv := a.InvitationID
		row.InvitationID = &inv
	}
	if a.StaffID != 0 {
		st := a.StaffID
		row.StaffID = &st
	}
	var id int64
	for try := 0; ; try++ {
		n, err := newNumber(numberPrefix(a.Kind))
		if err != nil {
			return 0, "", err
		}
		row.Number = n
		id, err = m.store.addApplication(ctx, tx, row, now)
		if errors.Is(err, errNumberTaken) && try < 20 {
			continue
		}
		if err != nil {
			return 0, "", err
		}
		break
	}
	first := Event{ApplicationID: id, At: now, Kind: EventSubmitted, Status: account.StatusSubmitted}
	if a.StaffID != 0 {
		first.Kind, first.StaffID, first.StaffName = EventRecorded, a.StaffID, staffName
	}
	if err := m.store.addEvent(ctx, tx, first); err != nil {
		return 0, "", err
	}
	if len(a.DocumentLabels) > 0 && a.AccountID != 0 {
		lang, err := m.langOf(ctx, a.AccountID)
		if err != nil {
			return 0, "", err
		}
		if _, err := m.mailbox.Post(ctx, tx, a.AccountID, account.Letter{
			Kind:       account.LetterDocumentRequest,
			Subject:    i18n.In(lang, "cases.letter.documents_subject", row.Number),
			Body:       i18n.In(lang, "cases.letter.documents_body", row.Number),
			NeedsReply: true, ApplicationID: id, DocumentLabels: a.DocumentLabels, StaffID: a.StaffID,
		}); err != nil {
			return 0, "", fmt.Errorf("cases: post checklist: %w", err)
		}
		if err := m.store.addEvent(ctx, tx, Event{ApplicationID: id, At: now, Kind: EventDocumentsRequested,
			StaffID: a.StaffID, StaffName: staffName, Note: strings.Join(a.DocumentLabels, "; ")}); err != nil {
			return 0, "", err
		}
	}
	return id, row.Number, nil
}

// langOf is the language an account's letters are written in.
func (m *Module) langOf(ctx context.Context, accountID int64) (string, error) {
	acc, err := m.accounts.Get(ctx, accountID)
	if err != nil {
		return "", fmt.Errorf("cases: account %d: %w", accountID, err)
	}
	if !i18n.Valid(acc.Lang) {
		return i18n.EN, nil
	}
	return acc.Lang, nil
}

// Actor is who changes an application from the console, for the history
// and the audit trail.
type Actor struct {
	Staff identity.Staff
	IP    string
	UA    string
}

func (m *Module) staffAudit(ctx context.Context, tx *sqlx.Tx, who Actor, detail string) error {
	return m.audit.Service(ctx, tx, "staff", strconv.FormatInt(who.Staff.ID, 10), audit.StaffAction, who.IP, who.UA, detail)
}

// ChangeStatus moves an application to a new status with a note. An
// approval writes its application_approved event in the same transaction,
// and a decision posts a decision letter to the account holding it.
// "Additional documents requested" is not a status to choose: only
// RequestDocuments sets it, with the letter asking for them.
func (m *Module) ChangeStatus(ctx context.Context, id int64, to, note string, who Actor) error {
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := m.store.Application(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canChoose(a.Status, to) {
			return ErrTransition
		}
		now := m.clock.Now().UTC()
		var decided *time.Time
		if Decided(to) {
			decided = &now
		}
		ok, err := m.store.setStatus(ctx, tx, id, a.Status, to, now, decided)
		if err != nil {
			return err
		}
		if !ok {
			return ErrStale
		}
		if err := m.store.addEvent(ctx, tx, Event{ApplicationID: id, At: now, Kind: EventStatus, Status: to,
			StaffID: who.Staff.ID, StaffName: who.Staff.Name, Note: note}); err != nil {
			return err
		}
		if to == account.StatusApproved {
			p, err := json.Marshal(ApprovedPayload{
				ApplicationNumber: a.Number, UCI: a.UCI, GivenName: a.GivenName, FamilyName: a.FamilyName,
				BirthDate: a.BirthDate, Email: a.Email, Program: a.Program,
			})
			if err != nil {
				return err
			}
			if err := m.store.addOutbox(ctx, tx, OutboxApproved, id, string(p), now); err != nil {
				return err
			}
		}
		if Decided(to) && a.Account() != 0 {
			lang, err := m.langOf(ctx, a.Account())
			if err != nil {
				return err
			}
			body := "cases.letter.refused_body"
			if to == account.StatusApproved {
				body = "cases.letter.approved_body"
			}
			if _, err := m.mailbox.Post(ctx, tx, a.Account(), account.Letter{
				Kind: account.LetterDecision, ApplicationID: id, StaffID: who.Staff.ID,
				Subject: i18n.In(lang, "cases.letter.decision_subject", a.Number),
				Body:    i18n.In(lang, body, a.Number),
			}); err != nil {
				return fmt.Errorf("cases: post decision: %w", err)
			}
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.status", a.Number, "@cases.status."+a.Status, "@cases.status."+to))
	})
	if err == nil {
		m.mailQueued()
	}
	return err
}

// SendMessage posts a letter staff wrote about an application to the
// account holding it.
func (m *Module) SendMessage(ctx context.Context, id int64, kind, subject, body string, needsReply bool, who Actor) error {
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := m.store.Application(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Account() == 0 {
			return ErrNoAccount
		}
		if _, err := m.mailbox.Post(ctx, tx, a.Account(), account.Letter{
			Kind: kind, Subject: subject, Body: body, NeedsReply: needsReply, ApplicationID: id, StaffID: who.Staff.ID,
		}); err != nil {
			return fmt.Errorf("cases: post message: %w", err)
		}
		now := m.clock.Now().UTC()
		if err := m.store.addEvent(ctx, tx, Event{ApplicationID: id, At: now, Kind: EventMessage,
			StaffID: who.Staff.ID, StaffName: who.Staff.Name, Note: subject}); err != nil {
			return err
		}
		if err := m.store.touch(ctx, tx, id, now); err != nil {
			return err
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.message", a.Number, "@cases.letter_kind."+kind))
	})
	if err == nil {
		m.mailQueued()
	}
	return err
}

// RequestDocuments asks the account holding the application for
// documents, and puts the application in documents_requested.
func (m *Module) RequestDocuments(ctx context.Context, id int64, labels []string, note string, who Actor) error {
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := m.store.Application(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Account() == 0 {
			return ErrNoAccount
		}
		if a.Status != account.StatusDocumentsRequested && !CanMove(a.Status, account.StatusDocumentsRequested) {
			return ErrTransition
		}
		lang, err := m.langOf(ctx, a.Account())
		if err != nil {
			return err
		}
		body := note
		if body == "" {
			body = i18n.In(lang, "cases.letter.documents_body", a.Number)
		}
		if _, err := m.mailbox.Post(ctx, tx, a.Account(), account.Letter{
			Kind: account.LetterDocumentRequest, Subject: i18n.In(lang, "cases.letter.documents_subject", a.Number),
			Body: body, NeedsReply: true, ApplicationID: id, DocumentLabels: labels, StaffID: who.Staff.ID,
		}); err != nil {
			return fmt.Errorf("cases: post document request: %w", err)
		}
		now := m.clock.Now().UTC()
		if a.Status != account.StatusDocumentsRequested {
			ok, err := m.store.setStatus(ctx, tx, id, a.Status, account.StatusDocumentsRequested, now, nil)
			if err != nil {
				return err
			}
			if !ok {
				return ErrStale
			}
		} else if err := m.store.touch(ctx, tx, id, now); err != nil {
			return err
		}
		if err := m.store.addEvent(ctx, tx, Event{ApplicationID: id, At: now, Kind: EventDocumentsRequested,
			Status: account.StatusDocumentsRequested, StaffID: who.Staff.ID, StaffName: who.Staff.Name,
			Note: strings.Join(labels, "; ")}); err != nil {
			return err
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.documents", a.Number, strconv.Itoa(len(labels))))
	})
	if err == nil {
		m.mailQueued()
	}
	return err
}

// RecordPaper enters an application received on paper.
func (m *Module) RecordPaper(ctx context.Context, a account.NewApplication, who Actor) (int64, string, error) {
	a.Kind, a.StaffID, a.AccountID, a.DocumentLabels = account.KindPaper, who.Staff.ID, 0, nil
	var id int64
	var number string
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if id, number, err = m.submit(ctx, tx, a, who.Staff.Name); err != nil {
			return err
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.paper", number))
	})
	return id, number, err
}

// HandleReport marks a technical-problem report handled.
func (m *Module) HandleReport(ctx context.Context, id int64, who Actor) error {
	return m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.store.handleReport(ctx, tx, id, who.Staff.ID, m.clock.Now().UTC())
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.report", ReportReference(id)))
	})
}

// Outbox returns up to limit unconsumed events of a kind after id after,
// oldest first.
func (m *Module) Outbox(ctx context.Context, kind string, after int64, limit int) ([]OutboxEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	return m.store.outbox(ctx, kind, after, limit)
}

// MarkConsumed records that an event was acted on, in the consumer's
// transaction; of two consumers racing, exactly one gets true.
func (m *Module) MarkConsumed(ctx context.Context, tx *sqlx.Tx, id int64) (bool, error) {
	return m.store.consume(ctx, tx, id, m.clock.Now().UTC())
}

// applications is account.Applications.
type applications struct{ m *Module }

func (a applications) Submit(ctx context.Context, tx *sqlx.Tx, app account.NewApplication) (int64, string, error) {
	return a.m.submit(ctx, tx, app, "")
}

// applicationList is account.ApplicationList.
type applicationList struct{ m *Module }

func (l applicationList) SetEmail(ctx context.Context, tx *sqlx.Tx, accountID int64, email string) (int64, error) {
	return l.m.store.SetEmail(ctx, tx, accountID, email)
}

func (l applicationList) ForAccount(ctx context.Context, accountID int64) ([]account.ApplicationSummary, error) {
	apps, err := l.m.store.Summaries(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]account.ApplicationSummary, 0, len(apps))
	for _, a := range apps {
		out = append(out, account.ApplicationSummary{
			ID: a.ID, Number: a.Number, Program: a.Program, Status: a.Status,
			Submitted: a.SubmittedAt, Updated: a.UpdatedAt, Href: appsBase + strconv.FormatInt(a.ID, 10),
		})
	}
	return out, nil
}

package cases

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/app/throttle"
	"guichet/modules/secureaccount/account"
)

// Linking an application (DOMAIN.md "Linking an application"): the number,
// family name and date of birth; 5 tries per number, then a 24-hour lock;
// a code to the email on the application before anything moves, or staff
// approval when it has none.
const (
	linkPurpose = "ircc-link"
	// LinkCodeTTL is how long the emailed code works.
	LinkCodeTTL = 30 * time.Minute
)

// LinkRule counts tries per application number, whichever account makes
// them: every set of details and every code typed, right or wrong. A try
// is counted before it is checked, so tries sent all at once cannot slip
// past the limit while the first ones are still being checked; the fifth
// locks the number. A confirmed link clears the count.
var LinkRule = throttle.Rule{Limit: 5, Window: 24 * time.Hour, Lock: 24 * time.Hour}

// linkSendRule limits codes mailed for one number, so knowing an
// application's details is not a way to flood its owner's inbox.
var linkSendRule = throttle.Rule{Limit: 5, Window: 24 * time.Hour}

// LinkKey is the throttle key of an application number.
func LinkKey(number string) string { return "ircc-link:" + NormalizeNumber(number) }

func linkSendKey(number string) string { return "ircc-link-send:" + NormalizeNumber(number) }

func linkSubject(id int64) string { return "link:" + strconv.FormatInt(id, 10) }

// Applicant is the signed-in person acting on their own account.
type Applicant struct {
	AccountID  int64
	PairwiseID string
	Lang       string
	IP, UA     string
}

func (m *Module) applicantAudit(ctx context.Context, tx *sqlx.Tx, who Applicant, ev audit.Event, detail string) error {
	return m.audit.Service(ctx, tx, "ircc", who.PairwiseID, ev, who.IP, who.UA, detail)
}

// Applicant events in the audit trail.
const (
	EventLinkRequested audit.Event = "application_link_requested"
	EventLinkConfirmed audit.Event = "application_linked"
	EventReportSent    audit.Event = "technical_problem_reported"
)

// LinkOutcome is what became of a linking attempt.
type LinkOutcome int

// The outcomes.
const (
	// LinkWrong: the details match no application (never saying whether
	// the number exists), or the code was wrong.
	LinkWrong LinkOutcome = iota
	// LinkLocked: too many tries for this number.
	LinkLocked
	// LinkAlreadyYours: the application is already in this account.
	LinkAlreadyYours
	// LinkSent: a code went to the email on the application.
	LinkSent
	// LinkWaiting: no email on the application; staff decide.
	LinkWaiting
	// LinkTooManyCodes: enough codes went to that address today.
	LinkTooManyCodes
	// LinkMoved: the application moved.
	LinkMoved
)

// LinkResult is an attempt's outcome.
type LinkResult struct {
	Outcome LinkOutcome
	// Until is when a lock ends.
	Until time.Time
	// RequestID is the link request made.
	RequestID int64
	// ApplicationID is the application linked (LinkMoved, LinkAlreadyYours).
	ApplicationID int64
}

// takeTry counts one try on an application number's key before the try is
// checked. false means none is left: the number is locked until until.
func (m *Module) takeTry(ctx context.Context, key string) (ok bool, until time.Time, err error) {
	ok, err = m.throttle.Allow(ctx, key, LinkRule)
	if err != nil || ok {
		return ok, time.Time{}, err
	}
	until, _, err = m.throttle.Locked(ctx, key)
	return false, until, err
}

// lockedResult is LinkLocked when the number is locked now (a try just
// used the last one), and otherwise the given result.
func (m *Module) lockedResult(ctx context.Context, key string, otherwise LinkResult) (LinkResult, error) {
	until, locked, err := m.throttle.Locked(ctx, key)
	if err != nil {
		return LinkResult{}, err
	}
	if locked {
		return LinkResult{Outcome: LinkLocked, Until: until, RequestID: otherwise.RequestID}, nil
	}
	return otherwise, nil
}

// RequestLink checks an application's number, family name and birth date
// and, on a match, starts moving it to who's account.
func (m *Module) RequestLink(ctx context.Context, who Applicant, number, family, birth string) (LinkResult, error) {
	key := LinkKey(number)
	ok, until, err := m.takeTry(ctx, key)
	if err != nil {
		return LinkResult{}, err
	}
	if !ok {
		return LinkResult{Outcome: LinkLocked, Until: until}, nil
	}
	a, err := m.store.ApplicationByNumber(ctx, m.db.R, NormalizeNumber(number))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return LinkResult{}, err
	}
	if err != nil || normName(family) != normName(a.FamilyName) || strings.TrimSpace(birth) != a.BirthDate {
		return m.lockedResult(ctx, key, LinkResult{Outcome: LinkWrong})
	}
	if a.Account() == who.AccountID {
		return LinkResult{Outcome: LinkAlreadyYours, ApplicationID: a.ID}, nil
	}
	// Right details on the last try: no code could be typed after it, so
	// nothing is sent and the person waits like after a wrong one.
	if res, err := m.lockedResult(ctx, key, LinkResult{}); err != nil || res.Outcome == LinkLocked {
		return res, err
	}
	now := m.clock.Now().UTC()
	req := LinkRequest{ApplicationID: a.ID, AccountID: who.AccountID, FromAccountID: a.AccountID, CreatedAt: now}
	res := LinkResult{Outcome: LinkWaiting}
	if a.Email != "" {
		ok, err := m.throttle.Allow(ctx, linkSendKey(a.Number), linkSendRule)
		if err != nil {
			return LinkResult{}, err
		}
		if !ok {
			return LinkResult{Outcome: LinkTooManyCodes}, nil
		}
		req.Status, res.Outcome = LinkCodeSent, LinkSent
	} else {
		req.Status = LinkAwaitingStaff
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := m.store.addLink(ctx, tx, req)
		if err != nil {
			return err
		}
		res.RequestID = id
		if req.Status == LinkCodeSent {
			code, err := m.codes.Issue(ctx, tx, linkPurpose, linkSubject(id), codes.Digits, LinkCodeTTL)
			if err != nil {
				return err
			}
			lang := who.Lang
			if !i18n.Valid(lang) {
				lang = i18n.EN
			}
			if _, err := mail.Enqueue(ctx, tx, now, m.mailDomain, mail.Message{
				To: a.Email, Lang: lang,
				Subject: i18n.In(lang, "cases.mail.link_subject", a.Number),
				Text:    i18n.In(lang, "cases.mail.link_body", a.Number, code, int(LinkCodeTTL.Minutes())),
			}); err != nil {
				return err
			}
		}
		return m.applicantAudit(ctx, tx, who, EventLinkRequested, fmt.Sprintf("application %s, request %d (%s)", a.Number, id, req.Status))
	})
	if err != nil {
		return LinkResult{}, err
	}
	if req.Status == LinkCodeSent {
		m.mailQueued()
	}
	return res, nil
}

// OwnLink returns who's link request, ErrNotFound for anyone else's.
func (m *Module) OwnLink(ctx context.Context, accountID, id int64) (LinkRequest, Application, error) {
	l, err := m.store.Link(ctx, m.db.R, id)
	if err != nil {
		return l, Application{}, err
	}
	if l.AccountID != accountID {
		return LinkRequest{}, Application{}, ErrNotFound
	}
	a, err := m.store.Application(ctx, m.db.R, l.ApplicationID)
	return l, a, err
}

var errWrongCode = errors.New("cases: wrong code")

// ConfirmLink takes the emailed code and moves the application.
func (m *Module) ConfirmLink(ctx context.Context, who Applicant, id int64, code string) (LinkResult, error) {
	l, a, err := m.OwnLink(ctx, who.AccountID, id)
	if err != nil {
		return LinkResult{}, err
	}
	if l.Status != LinkCodeSent {
		return LinkResult{}, ErrNotFound
	}
	key := LinkKey(a.Number)
	ok, until, err := m.takeTry(ctx, key)
	if err != nil {
		return LinkResult{}, err
	}
	if !ok {
		return LinkResult{Outcome: LinkLocked, Until: until, RequestID: id}, nil
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.codes.Consume(ctx, tx, linkPurpose, linkSubject(id), codes.Digits, code)
		if err != nil {
			return err
		}
		if !ok {
			return errWrongCode
		}
		if err := m.moveLinked(ctx, tx, l, nil); err != nil {
			return err
		}
		return m.applicantAudit(ctx, tx, who, EventLinkConfirmed, fmt.Sprintf("application %s, request %d", a.Number, id))
	})
	if errors.Is(err, errWrongCode) {
		return m.lockedResult(ctx, key, LinkResult{Outcome: LinkWrong, RequestID: id})
	}
	if err != nil {
		return LinkResult{}, err
	}
	m.mailQueued()
	if err := m.throttle.Reset(ctx, key); err != nil {
		return LinkResult{}, err
	}
	return LinkResult{Outcome: LinkMoved, RequestID: id, ApplicationID: a.ID}, nil
}

// moveLinked moves the application of a link request, with its letters,
// document requests and documents, to the requesting account; the account
// that held it is told. by is the approving staff member, nil when the
// person confirmed with the emailed code.
func (m *Module) moveLinked(ctx context.Context, tx *sqlx.Tx, l LinkRequest, by *Actor) error {
	a, err := m.store.Application(ctx, tx, l.ApplicationID)
	if err != nil {
		return err
	}
	now := m.clock.Now().UTC()
	from, to := a.Account(), l.AccountID
	var staffID *int64
	ev := Event{ApplicationID: a.ID, At: now, Kind: EventLinked,
		Note: fmt.Sprintf("account %d -> account %d (link request %d)", from, to, l.ID)}
	if by != nil {
		id := by.Staff.ID
		staffID = &id
		ev.StaffID, ev.StaffName = by.Staff.ID, by.Staff.Name
	}
	if ok, err := m.store.setLink(ctx, tx, l.ID, l.Status, LinkDone, staffID, now); err != nil || !ok {
		if err == nil {
			err = ErrStale
		}
		return err
	}
	if from == to {
		return nil
	}
	uci := a.UCI
	if uci == "" {
		if uci, err = m.accounts.EnsureUCI(ctx, tx, to); err != nil {
			return fmt.Errorf("cases: UCI: %w", err)
		}
	}
	if ok, err := m.store.move(ctx, tx, a.ID, from, to, uci, now); err != nil || !ok {
		if err == nil {
			err = ErrStale
		}
		return err
	}
	if from != 0 {
		if err := m.correspondence.MoveApplication(ctx, tx, a.ID, from, to); err != nil {
			return fmt.Errorf("cases: move letters: %w", err)
		}
	}
	if err := m.store.addEvent(ctx, tx, ev); err != nil {
		return err
	}
	if from == 0 {
		return nil
	}
	lang, err := m.langOf(ctx, from)
	if err != nil {
		return err
	}
	_, err = m.mailbox.Post(ctx, tx, from, account.Letter{
		Kind:    account.LetterProcedural,
		Subject: i18n.In(lang, "cases.letter.moved_subject", a.Number),
		Body:    i18n.In(lang, "cases.letter.moved_body", i18n.FormatDate(lang, now), a.Number),
	})
	if err != nil {
		return fmt.Errorf("cases: tell the previous holder: %w", err)
	}
	return nil
}

// ApproveLink moves the application of a request waiting for staff.
func (m *Module) ApproveLink(ctx context.Context, id int64, who Actor) error {
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		l, err := m.store.Link(ctx, tx, id)
		if err != nil {
			return err
		}
		if l.Status != LinkAwaitingStaff {
			return ErrNotFound
		}
		if err := m.moveLinked(ctx, tx, l, &who); err != nil {
			return err
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.link_approved", strconv.FormatInt(id, 10),
			strconv.FormatInt(l.ApplicationID, 10), strconv.FormatInt(l.AccountID, 10)))
	})
	if err == nil {
		m.mailQueued()
	}
	return err
}

// RefuseLink closes a request waiting for staff without moving anything.
func (m *Module) RefuseLink(ctx context.Context, id int64, who Actor) error {
	return m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		id64 := who.Staff.ID
		ok, err := m.store.setLink(ctx, tx, id, LinkAwaitingStaff, LinkRefused, &id64, m.clock.Now().UTC())
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.link_refused", strconv.FormatInt(id, 10)))
	})
}

// reportRule limits the technical-problem reports one account sends.
var reportRule = throttle.Rule{Limit: 5, Window: 24 * time.Hour}

func reportKey(accountID int64) string { return "ircc-report:" + strconv.FormatInt(accountID, 10) }

// AddReport files a technical-problem report in the staff queue.
func (m *Module) AddReport(ctx context.Context, who Applicant, r Report) (int64, error) {
	r.AccountID = who.AccountID
	r.CreatedAt = m.clock.Now().UTC()
	var id int64
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if id, err = m.store.addReport(ctx, tx, r); err != nil {
			return err
		}
		return m.applicantAudit(ctx, tx, who, EventReportSent, fmt.Sprintf("report %d", id))
	})
	return id, err
}

package expressentry

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/crs"
)

// Pool is what the provinces and territories portal may do with the
// Express Entry pool: search it without ever learning who a candidate
// is, verify a profile number with its validation code, record or clear
// a nomination, and write to a candidate.
type Pool struct{ m *Module }

// Pool returns the provinces' API.
func (m *Module) Pool() *Pool { return &Pool{m: m} }

// Errors of the Pool API.
var (
	// ErrJurisdiction is an unknown province or territory code.
	ErrJurisdiction = errors.New("expressentry: unknown province or territory")
	// ErrNoPNP is Quebec or Nunavut, which have no nominee program.
	ErrNoPNP = errors.New("expressentry: this jurisdiction has no provincial nominee program")
	// ErrNotVerified is an unknown profile number or a wrong validation
	// code: the caller cannot tell which.
	ErrNotVerified = errors.New("expressentry: profile number or validation code not recognised")
	// ErrNotInPool is a profile that is not in the pool (invited,
	// expired, withdrawn).
	ErrNotInPool = errors.New("expressentry: the profile is not in the pool")
	// ErrAlreadyNominated is a profile some jurisdiction nominated.
	ErrAlreadyNominated = errors.New("expressentry: the profile is already nominated")
	// ErrNotNominated is clearing a nomination the jurisdiction did not
	// make.
	ErrNotNominated = errors.New("expressentry: the profile has no nomination from this jurisdiction")
	// ErrChanged is a profile that changed (invited, nominated) while a
	// nomination was being recorded or cleared: nothing was written, and
	// trying again sees the change.
	ErrChanged = errors.New("expressentry: the profile changed meanwhile; try again")
	// ErrLetter is a letter the provinces may not post: only a
	// notification of interest or a nomination, with a subject and a body,
	// about no application, asking for no documents and no reply (replies
	// go to IRCC's staff, not to the province).
	ErrLetter = errors.New("expressentry: the provinces may only post a notification of interest or a nomination")
)

// Query filters a search of the pool. Zero values filter nothing, except
// Jurisdiction, which is required.
type Query struct {
	// Jurisdiction is the searching province or territory (AB, BC, ...):
	// only profiles that list it are found.
	Jurisdiction       string
	MinScore, MaxScore int
	// NOC is an exact 5-digit occupation code.
	NOC  string
	TEER *int
	// MinLanguage is the lowest CLB/NCLC level of the first official
	// language, on all four abilities.
	MinLanguage int
	// Education is the lowest education level.
	Education                       *crs.Education
	MinCanadianWork, MinForeignWork int
	// Limit defaults to 50, at most 500.
	Limit, Offset int
}

// Candidate is a profile as the provinces see it: its number, score and
// factors; never a name, contact details or an account.
type Candidate struct {
	Number           string
	Score            int
	FirstLanguageMin int
	Education        crs.Education
	CanadianWork     int
	ForeignWork      int
	NOC              string
	TEER             int
	// NominatedBy is the jurisdiction that nominated, "" for none.
	NominatedBy string
}

// ProfileRef is a verified profile.
type ProfileRef struct {
	Number      string
	Score       int
	Status      string
	InPool      bool
	Expires     time.Time
	NominatedBy string
}

const (
	defaultLimit = 50
	maxLimit     = 500
)

// The search's conditions, written once so the count and the page agree.
// An unset filter is passed as a value that lets every row through.
const searchWhere = ` FROM ircc_profiles
	WHERE status = 'submitted' AND expires_at > ? AND interests LIKE ?
	AND score >= ? AND score <= ?
	AND (? = '' OR noc = ?)
	AND (? < 0 OR teer = ?)
	AND first_language_min >= ?
	AND education >= ?
	AND canadian_work >= ? AND foreign_work >= ?`

const (
	searchCount = `SELECT COUNT(*)` + searchWhere
	searchPage  = `SELECT number, score, first_language_min, education, canadian_work, foreign_work, noc, teer, nominated_by` +
		searchWhere + ` ORDER BY score DESC, submitted_at ASC, id ASC LIMIT ? OFFSET ?`
)

// Search finds valid profiles in the pool that list q.Jurisdiction,
// highest score first, and the number of all matches.
func (p *Pool) Search(ctx context.Context, q Query) ([]Candidate, int, error) {
	if !validJurisdiction(q.Jurisdiction) {
		return nil, 0, ErrJurisdiction
	}
	maxS := q.MaxScore
	if maxS <= 0 {
		maxS = maxScore
	}
	teer := -1
	if q.TEER != nil {
		teer = *q.TEER
	}
	edu := 0
	if q.Education != nil {
		edu = int(*q.Education)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	args := []any{p.m.clock.Now(), "%," + q.Jurisdiction + ",%", q.MinScore, maxS, q.NOC, q.NOC, teer, teer,
		q.MinLanguage, edu, q.MinCanadianWork, q.MinForeignWork}
	d := p.m.db
	var total int
	if err := d.R.GetContext(ctx, &total, d.Rebind(searchCount), args...); err != nil {
		return nil, 0, fmt.Errorf("count pool: %w", err)
	}
	var rows []struct {
		Number      string `db:"number"`
		Score       int    `db:"score"`
		Language    int    `db:"first_language_min"`
		Education   int    `db:"education"`
		Canadian    int    `db:"canadian_work"`
		Foreign     int    `db:"foreign_work"`
		NOC         string `db:"noc"`
		TEER        int    `db:"teer"`
		NominatedBy string `db:"nominated_by"`
	}
	if err := d.R.SelectContext(ctx, &rows, d.Rebind(searchPage), append(args, limit, max(q.Offset, 0))...); err != nil {
		return nil, 0, fmt.Errorf("search pool: %w", err)
	}
	out := make([]Candidate, len(rows))
	for i, r := range rows {
		out[i] = Candidate{Number: r.Number, Score: r.Score, FirstLanguageMin: r.Language, Education: crs.Education(r.Education),
			CanadianWork: r.Canadian, ForeignWork: r.Foreign, NOC: r.NOC, TEER: r.TEER, NominatedBy: r.NominatedBy}
	}
	return out, total, nil
}

// dummyJSVC is compared against when the number is unknown, so both
// failures take the same time.
const dummyJSVC = "ZZZZZZZZZZZZ"

// jsvcMatches compares a code as typed (spaces around it and lower case
// forgiven) with the profile's, in constant time. An unknown profile
// (want "") is compared with dummyJSVC and never matches.
func jsvcMatches(want, typed string) bool {
	known := want != ""
	if !known {
		want = dummyJSVC
	}
	same := subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToUpper(strings.TrimSpace(typed)))) == 1
	return known && same
}

// typedNumber is a profile number as an officer may type it ("e0123456789 ").
func typedNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Verify checks a profile number with its Job Seeker Validation Code.
func (p *Pool) Verify(ctx context.Context, number, jsvc string) (ProfileRef, error) {
	r, err := p.m.store.profileByNumber(ctx, p.m.db.R, typedNumber(number))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return ProfileRef{}, err
	}
	if !jsvcMatches(r.JSVC, jsvc) {
		return ProfileRef{}, ErrNotVerified
	}
	now := p.m.clock.Now()
	ref := ProfileRef{Number: r.Number.String, Score: r.Score, Status: r.Status, NominatedBy: r.NominatedBy}
	if r.ExpiresAt.Valid {
		ref.Expires = r.ExpiresAt.Time
		ref.InPool = r.Status == StatusSubmitted && r.ExpiresAt.Time.After(now)
	}
	return ref, nil
}

// Nominate records a jurisdiction's nomination of the profile with this
// number and Job Seeker Validation Code (a province nominates only a
// candidate who gave it both): the score is computed again with the
// nomination's 600 points, in one transaction. A profile has at most one
// nomination, and only while it is in the pool.
func (p *Pool) Nominate(ctx context.Context, number, jsvc, jurisdiction string) error {
	if !validJurisdiction(jurisdiction) {
		return ErrJurisdiction
	}
	if !HasPNP(jurisdiction) {
		return ErrNoPNP
	}
	return p.rescore(ctx, number, func(r profileRow, now time.Time) (string, error) {
		switch {
		case !jsvcMatches(r.JSVC, jsvc):
			return "", ErrNotVerified
		case r.Status != StatusSubmitted || !r.ExpiresAt.Valid || !r.ExpiresAt.Time.After(now):
			return "", ErrNotInPool
		case r.NominatedBy != "":
			return "", ErrAlreadyNominated
		}
		return jurisdiction, nil
	})
}

// ClearNomination removes a jurisdiction's nomination and its points.
func (p *Pool) ClearNomination(ctx context.Context, number, jurisdiction string) error {
	if !validJurisdiction(jurisdiction) {
		return ErrJurisdiction
	}
	return p.rescore(ctx, number, func(r profileRow, _ time.Time) (string, error) {
		if r.NominatedBy != jurisdiction {
			return "", ErrNotNominated
		}
		return "", nil
	})
}

// rescore loads a profile in a write transaction, asks decide who
// nominates it afterwards ("" for nobody), and stores the score computed
// again from the profile exactly as submitted.
func (p *Pool) rescore(ctx context.Context, number string, decide func(profileRow, time.Time) (string, error)) error {
	m := p.m
	now := m.clock.Now()
	return m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := m.store.profileByNumber(ctx, tx, typedNumber(number))
		if errors.Is(err, ErrNotFound) {
			return ErrNotVerified
		}
		if err != nil {
			return err
		}
		by, err := decide(r, now)
		if err != nil {
			return err
		}
		cp, err := r.crsProfile()
		if err != nil {
			return err
		}
		cp.Nominated = by != ""
		b, err := crs.Score(cp)
		if err != nil {
			return err
		}
		ok, err := m.store.rescore(ctx, tx, r, cp, b, by, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrChanged
		}
		return nil
	})
}

// PostMessage writes to a candidate's account, by profile number: a
// notification of interest or a nomination (ErrLetter for anything else).
func (p *Pool) PostMessage(ctx context.Context, number string, l account.Letter) error {
	switch {
	case l.Kind != account.LetterInterest && l.Kind != account.LetterNomination,
		strings.TrimSpace(l.Subject) == "", strings.TrimSpace(l.Body) == "",
		l.ApplicationID != 0, len(l.DocumentLabels) > 0, l.NeedsReply, l.StaffID != 0:
		return ErrLetter
	}
	m := p.m
	r, err := m.store.profileByNumber(ctx, m.db.R, typedNumber(number))
	if errors.Is(err, ErrNotFound) {
		return ErrNotVerified
	}
	if err != nil {
		return err
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := m.mailbox.Post(ctx, tx, r.AccountID, l)
		return err
	})
	if err != nil {
		return err
	}
	m.kickMail()
	return nil
}

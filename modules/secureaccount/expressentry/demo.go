package expressentry

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry/views"
)

// demoAnswers are complete answers valid at now: a person of 29 who has
// never married, IELTS results of six months ago (CLB 10, 9, 10, 10), a
// foreign master's degree assessed a year ago, a year of skilled work in
// Canada and three abroad, interested in Ontario and British Columbia.
func demoAnswers(now time.Time) Answers {
	today := day(now)
	date := func(years, months int) string { return today.AddDate(-years, -months, 0).Format(time.DateOnly) }
	a := Answers{
		Personal: views.PersonalForm{BirthDate: date(29, 3), Marital: "never_married"},
		Language: views.LanguageForm{
			First: views.TestForm{Test: string(crs.IELTS), Reading: "8", Writing: "7", Listening: "8.5", Speaking: "7.5",
				Date: date(0, 6)},
			HasSecond: "no",
		},
		Education:  views.EducationForm{Level: "master", Canadian: "none", Foreign: "yes", ECAOrg: "wes", ECADate: date(1, 0)},
		Work:       views.WorkForm{CanadianYears: "1", ForeignYears: "3", NOC: "21232", TEER: "1"},
		Additional: views.AdditionalForm{Sibling: "no", Certificate: "no"},
		Provinces:  views.ProvincesForm{Provinces: []string{"ON", "BC"}},
	}
	for n := 1; n <= stepCount; n++ {
		if a.applies(n) {
			a.markSaved(n)
		}
	}
	return a
}

// CreateDemoProfile gives the account an Express Entry profile in the
// pool, for `guichet demo`: it starts a draft, saves complete answers and
// submits them as the profile pages do (UCI, profile number, job seeker
// validation code, 12 months in the pool, CRS score), and returns the
// number, the code and the score. An account whose profile is already in
// the pool or invited gets that one back; a draft of its own is completed
// and submitted. It is never reachable from a page.
func (m *Module) CreateDemoProfile(ctx context.Context, accountID int64) (number, jsvc string, score int, err error) {
	// Start: the person's profile in progress, or a new draft
	// (startSubmit).
	var id int64
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		existing, err := m.store.active(ctx, tx, accountID)
		if err != nil || existing != 0 {
			id = existing
			return err
		}
		id, err = m.store.createDraft(ctx, tx, accountID, m.clock.Now())
		return err
	})
	if err != nil {
		return "", "", 0, fmt.Errorf("expressentry: demo profile: %w", err)
	}
	r, err := m.store.profile(ctx, m.db.R, accountID, id)
	if err != nil {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w", id, err)
	}
	if r.Status != StatusDraft {
		return r.Number.String, r.JSVC, r.Score, nil
	}

	// Every step saved (stepSubmit).
	now := m.clock.Now()
	a := demoAnswers(now)
	for n := 1; n <= stepCount; n++ {
		if !a.applies(n) {
			continue
		}
		if errs := a.Check(n, now); len(errs) > 0 {
			return "", "", 0, fmt.Errorf("expressentry: demo answers, step %d: %s", n, errs[0].Key)
		}
	}
	ok, err := m.store.saveDraft(ctx, accountID, id, r.Answers, a, now)
	if err != nil {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w", id, err)
	}
	if !ok {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w", id, errAlreadySubmitted)
	}
	if r, err = m.store.profile(ctx, m.db.W, accountID, id); err != nil {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w", id, err)
	}

	// Submission (submitProfile).
	if missing := a.Incomplete(now); len(missing) > 0 {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w (step %d)", id, errIncomplete, missing[0])
	}
	p, err := a.CRSProfile(now)
	if err != nil {
		return "", "", 0, err
	}
	b, err := crs.Score(p)
	if err != nil {
		return "", "", 0, err
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		uci, err := m.accounts.EnsureUCI(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if number, err = m.newNumber(ctx, tx); err != nil {
			return err
		}
		if jsvc, err = newJSVC(); err != nil {
			return err
		}
		ok, err := m.store.submit(ctx, tx, accountID, id, submission{Number: number, JSVC: jsvc, UCI: uci, Profile: p,
			Breakdown: b, Answers: a, AnswersJSON: r.Answers, At: now, Expires: expiry(now)})
		if err != nil {
			return err
		}
		if !ok {
			return errAlreadySubmitted
		}
		return nil
	})
	if err != nil {
		return "", "", 0, fmt.Errorf("expressentry: demo profile %d: %w", id, err)
	}
	return number, jsvc, b.Total, nil
}

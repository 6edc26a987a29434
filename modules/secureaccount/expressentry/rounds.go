package expressentry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/expressentry/views"
)

// ErrRoundSize is a round asking for fewer than 1 or more than 10,000
// invitations, or a minimum score outside the grid.
var ErrRoundSize = errors.New("expressentry: a round invites 1 to 10,000 people, with a minimum score of 0 to 1,200")

// candidate is a profile a round may invite.
type candidate struct {
	ID          int64     `db:"id"`
	AccountID   int64     `db:"account_id"`
	Number      string    `db:"number"`
	Score       int       `db:"score"`
	SubmittedAt time.Time `db:"submitted_at"`
	// Lang is the account's language of letters, read with the ranking
	// (empty when the account row is missing, then looked up).
	Lang string `db:"lang"`
}

// The round's statements. The selection reads the pool index
// (status, score DESC, submitted_at) in rank order and stops at size;
// the update repeats status = 'submitted', so a profile some other
// round invited in the meantime is never invited twice.
const (
	insertRound = `INSERT INTO ircc_rounds (round_date, size, min_score, invited, staff_id, run_at)
		VALUES (?, ?, ?, 0, ?, ?) RETURNING id`
	selectRanked = `SELECT p.id, p.account_id, p.number, p.score, p.submitted_at, COALESCE(a.lang, '') AS lang
		FROM ircc_profiles p LEFT JOIN ircc_accounts a ON a.id = p.account_id
		WHERE p.status = 'submitted' AND p.score >= ? AND p.expires_at > ?
		ORDER BY p.score DESC, p.submitted_at ASC, p.id ASC LIMIT ?`
	// markRanked marks the same ranking invited in one statement; inside
	// the round's write transaction nothing can change the pool between
	// the two, and the status condition keeps a profile from being
	// invited twice.
	markRanked = `UPDATE ircc_profiles SET status = 'invited', updated_at = ? WHERE id IN (
		SELECT id FROM ircc_profiles WHERE status = 'submitted' AND score >= ? AND expires_at > ?
		ORDER BY score DESC, submitted_at ASC, id ASC LIMIT ?) AND status = 'submitted'`
	insertInvitation = `INSERT INTO ircc_invitations (round_id, profile_id, account_id, status, score, invited_at, respond_by)
		VALUES (?, ?, ?, 'open', ?, ?, ?)`
	finishRound = `UPDATE ircc_rounds SET invited = ?, cutoff_score = ?, tiebreak_at = ? WHERE id = ?`
)

// RunRound invites the size highest-ranked profiles in the pool (in it,
// not expired, scoring at least minScore), breaking ties by submission
// time, earlier first. Everything happens in one write transaction:
// selecting, marking, the invitations, the letters and the round's
// record with its cut-off score and tie-break time. staffID is who ran
// it; on is the round's date.
func (m *Module) RunRound(ctx context.Context, staffID int64, size, minScore int, on time.Time) (Round, error) {
	return m.runRound(ctx, staffID, size, minScore, on, "", "")
}

func (m *Module) runRound(ctx context.Context, staffID int64, size, minScore int, on time.Time, ip, ua string) (Round, error) {
	if size < 1 || size > maxRoundSize || minScore < 0 || minScore > maxScore {
		return Round{}, ErrRoundSize
	}
	now := m.clock.Now()
	round := Round{Date: on.Format("2006-01-02"), Size: size, MinScore: minScore, StaffID: staffID, RunAt: now}
	respondBy := now.AddDate(0, 0, invitationDays)
	langs := map[int64]string{}
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &round.ID, m.db.Rebind(insertRound), round.Date, size, minScore, staffID, now); err != nil {
			return fmt.Errorf("record round: %w", err)
		}
		var ranked []candidate
		if err := tx.SelectContext(ctx, &ranked, m.db.Rebind(selectRanked), minScore, now, size); err != nil {
			return fmt.Errorf("select profiles: %w", err)
		}
		res, err := tx.ExecContext(ctx, m.db.Rebind(markRanked), now, minScore, now, size)
		if err != nil {
			return fmt.Errorf("invite profiles: %w", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(ranked)) {
			return fmt.Errorf("invite profiles: marked %d of %d", n, len(ranked))
		}
		invite, err := tx.PreparexContext(ctx, m.db.Rebind(insertInvitation))
		if err != nil {
			return err
		}
		defer invite.Close()
		var last *candidate
		for i := range ranked {
			p := &ranked[i]
			if _, err := invite.ExecContext(ctx, round.ID, p.ID, p.AccountID, p.Score, now, respondBy); err != nil {
				return fmt.Errorf("invitation for profile %d: %w", p.ID, err)
			}
			lang := p.Lang
			if lang == "" {
				if lang, err = m.letterLang(ctx, langs, p.AccountID); err != nil {
					return err
				}
			}
			if _, err := m.mailbox.Post(ctx, tx, p.AccountID, invitationLetter(lang, p, on, respondBy)); err != nil {
				return fmt.Errorf("letter for profile %d: %w", p.ID, err)
			}
			round.Invited++
			last = p
		}
		var cutoff, tiebreak any
		if last != nil {
			round.Cutoff.Int64, round.Cutoff.Valid = int64(last.Score), true
			round.Tiebreak.Time, round.Tiebreak.Valid = last.SubmittedAt, true
			cutoff, tiebreak = last.Score, last.SubmittedAt
		}
		if _, err := tx.ExecContext(ctx, m.db.Rebind(finishRound), round.Invited, cutoff, tiebreak, round.ID); err != nil {
			return err
		}
		return m.audit.Service(ctx, tx, "staff", strconv.FormatInt(staffID, 10), audit.StaffAction, ip, ua,
			audit.Described("ee.audit.round", strconv.FormatInt(round.ID, 10), round.Date, strconv.Itoa(size), strconv.Itoa(minScore), strconv.Itoa(round.Invited)))
	})
	if err != nil {
		return Round{}, err
	}
	if round.Invited > 0 {
		m.kickMail()
	}
	return round, nil
}

// letterLang is the language of an account's letters, looked up once
// per account.
func (m *Module) letterLang(ctx context.Context, cache map[int64]string, accountID int64) (string, error) {
	if l, ok := cache[accountID]; ok {
		return l, nil
	}
	a, err := m.accounts.Get(ctx, accountID)
	if err != nil {
		return "", fmt.Errorf("account %d: %w", accountID, err)
	}
	l := a.Lang
	if !i18n.Valid(l) {
		l = i18n.EN
	}
	cache[accountID] = l
	return l, nil
}

// invitationLetter lists the checklist in its text; the documents are
// requested (and can be uploaded) with the application, so a round writes
// one letter per person rather than a request per document.
func invitationLetter(lang string, p *candidate, on, respondBy time.Time) account.Letter {
	return account.Letter{
		Kind:    account.LetterInvitation,
		Subject: i18n.In(lang, "ee.letter.invitation_subject"),
		Body: i18n.In(lang, "ee.letter.invitation_body", p.Number, formatDay(lang, on), p.Score,
			i18n.FormatDateTime(lang, respondBy)) + "\n\n- " + strings.Join(checklist(lang), "\n- "),
	}
}

// roundDaysBack is how far back a round may be dated: it invites at once,
// so its date is the day it runs, or a few days earlier when a round
// decided then is recorded late. Never a later day.
const roundDaysBack = 7

// today is the calendar date in Eastern time, the date staff see, at
// midnight UTC like the dates parseDate reads.
func today(now time.Time) time.Time {
	y, mo, d := now.In(i18n.Eastern).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// roundsShow is the staff's rounds page.
func (m *Module) roundsShow(c echo.Context) error {
	v := views.RoundsView{Form: views.RoundForm{Date: today(m.clock.Now()).Format(time.DateOnly)}}
	if id, err := strconv.ParseInt(c.QueryParam("done"), 10, 64); err == nil {
		if r, err := m.store.round(c.Request().Context(), id); err == nil {
			row := roundRow(web.Lang(c), r)
			v.Done = &row
		}
	}
	return m.renderRounds(c, http.StatusOK, v)
}

func (m *Module) renderRounds(c echo.Context, status int, v views.RoundsView) error {
	rs, err := m.store.rounds(c.Request().Context(), roundsListed)
	if err != nil {
		return err
	}
	for _, r := range rs {
		v.Rows = append(v.Rows, roundRow(web.Lang(c), r))
	}
	v.Action = web.URL(c, "/staff/ircc/rounds")
	return web.Render(c, status, views.Rounds(v))
}

func roundRow(lang string, r Round) views.RoundRow {
	row := views.RoundRow{ID: r.ID, Size: r.Size, Invited: r.Invited, RunAt: i18n.FormatDateTime(lang, r.RunAt),
		MinScore: strconv.Itoa(r.MinScore), Cutoff: "-", Tiebreak: "-"}
	if d, ok := parseDate(r.Date); ok {
		row.Date = formatDay(lang, d)
	}
	if r.Cutoff.Valid {
		row.Cutoff = strconv.FormatInt(r.Cutoff.Int64, 10)
	}
	if r.Tiebreak.Valid {
		// The tie-break is to the second, in UTC, as IRCC publishes it.
		row.Tiebreak = r.Tiebreak.Time.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	return row
}

// roundsSubmit runs a round.
func (m *Module) roundsSubmit(c echo.Context) error {
	f := views.RoundForm{Size: field(c, "size"), MinScore: field(c, "min_score"), Date: field(c, "date")}
	var errs views.Problems
	size, err := strconv.Atoi(f.Size)
	switch {
	case f.Size == "":
		errs = append(errs, views.Problem{Field: "size", Key: "ee.err.size_required"})
	case err != nil || size < 1 || size > maxRoundSize:
		errs = append(errs, views.Problem{Field: "size", Key: "ee.err.size_range"})
	}
	minScore := 0
	if f.MinScore != "" {
		minScore, err = strconv.Atoi(f.MinScore)
		if err != nil || minScore < 0 || minScore > maxScore {
			errs = append(errs, views.Problem{Field: "min_score", Key: "ee.err.min_score_range"})
		}
	}
	on, ok := parseDate(f.Date)
	day := today(m.clock.Now())
	switch {
	case f.Date == "":
		errs = append(errs, views.Problem{Field: "date", Key: "ee.err.round_date_required"})
	case !ok:
		errs = append(errs, views.Problem{Field: "date", Key: "ee.err.date_format"})
	case on.After(day):
		errs = append(errs, views.Problem{Field: "date", Key: "ee.err.date_future"})
	case on.Before(day.AddDate(0, 0, -roundDaysBack)):
		errs = append(errs, views.Problem{Field: "date", Key: "ee.err.round_date_past", Args: []any{roundDaysBack}})
	}
	if len(errs) > 0 {
		return m.renderRounds(c, http.StatusUnprocessableEntity, views.RoundsView{Form: f, Errs: errs})
	}
	staff, ok := identity.StaffOf(c)
	if !ok {
		return echo.NewHTTPError(http.StatusForbidden)
	}
	ip, ua := web.Client(c)
	r, err := m.runRound(c.Request().Context(), staff.ID, size, minScore, on, ip, ua)
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/staff/ircc/rounds?done="+strconv.FormatInt(r.ID, 10)))
}

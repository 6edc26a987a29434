package expressentry

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry/views"
)

// reviewShow shows every answer with a link to change it, and the score
// once every step is done.
func (m *Module) reviewShow(c echo.Context) error {
	r, _, err := m.draft(c)
	if r == nil {
		return err
	}
	a, err := r.answers()
	if err != nil {
		return err
	}
	v, err := m.reviewView(c, r.ID, &a)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Review(v))
}

func (m *Module) reviewView(c echo.Context, id int64, a *Answers) (views.ReviewView, error) {
	ctx := c.Request().Context()
	now := m.clock.Now()
	base := web.URL(c, profileHref(id))
	v := views.ReviewView{ID: id, Action: base + "/submit"}
	missing := a.Incomplete(now)
	for n := 1; n <= stepCount; n++ {
		s := views.ReviewSection{N: n, TitleKey: stepTitles[n], Change: base + "/step/" + strconv.Itoa(n) + "?return=review",
			Skipped: !a.applies(n)}
		for _, k := range missing {
			if k == n {
				s.Missing = true
			}
		}
		if !s.Skipped && !s.Missing {
			s.Rows = reviewRows(ctx, web.Lang(c), n, a, now)
		}
		v.Sections = append(v.Sections, s)
	}
	if len(missing) == 0 {
		p, err := a.CRSProfile(now)
		if err != nil {
			return v, err
		}
		b, err := crs.Score(p)
		if err != nil {
			return v, err
		}
		v.Score = breakdownView(b)
	}
	return v, nil
}

func yesNoKey(s string) string {
	if s == "yes" {
		return "ee.yes"
	}
	return "ee.no"
}

// testRows are a test's answers: its name, each score with the level it
// converts to, and its date.
func testRows(ctx context.Context, lang, labelKey string, t views.TestForm, now time.Time) []views.ReviewRow {
	test := crs.Test(t.Test)
	_, lv, _ := checkTest("t", t, now)
	unit := "ee.review.clb"
	if test.Language() == crs.French {
		unit = "ee.review.nclc"
	}
	levels := [4]int{lv.Reading, lv.Writing, lv.Listening, lv.Speaking}
	scores := [4]string{t.Reading, t.Writing, t.Listening, t.Speaking}
	labels := [4]string{"ee.ability.reading_label", "ee.ability.writing_label", "ee.ability.listening_label", "ee.ability.speaking_label"}
	rows := []views.ReviewRow{{LabelKey: labelKey, ValueKey: optionKey(testOptions, t.Test)}}
	for i := range 4 {
		rows = append(rows, views.ReviewRow{LabelKey: labels[i], Value: scores[i] + " (" + i18n.T(ctx, unit, levels[i]) + ")"})
	}
	d, _ := parseDate(t.Date)
	return append(rows, views.ReviewRow{LabelKey: "ee.lang.date", Value: formatDay(lang, d)})
}

func reviewRows(ctx context.Context, lang string, n int, a *Answers, now time.Time) []views.ReviewRow {
	switch n {
	case stepPersonal:
		p := a.Personal
		b, _ := parseDate(p.BirthDate)
		rows := []views.ReviewRow{
			{LabelKey: "ee.personal.birth_date", Value: formatDay(lang, b)},
			{LabelKey: "ee.review.age", Value: strconv.Itoa(ageAt(b, now))},
			{LabelKey: "ee.personal.marital", ValueKey: optionKey(maritalOptions, p.Marital)},
		}
		if p.SpouseCitizen != "" {
			rows = append(rows, views.ReviewRow{LabelKey: "ee.personal.spouse_citizen", ValueKey: yesNoKey(p.SpouseCitizen)})
		}
		if p.SpouseComing != "" {
			rows = append(rows, views.ReviewRow{LabelKey: "ee.personal.spouse_coming", ValueKey: yesNoKey(p.SpouseComing)})
		}
		return rows
	case stepLanguage:
		rows := testRows(ctx, lang, "ee.lang.first", a.Language.First, now)
		rows = append(rows, views.ReviewRow{LabelKey: "ee.lang.has_second", ValueKey: yesNoKey(a.Language.HasSecond)})
		if a.Language.HasSecond == "yes" {
			rows = append(rows, testRows(ctx, lang, "ee.lang.second", a.Language.Second, now)...)
		}
		french := "ee.review.french_none"
		if crs.Test(a.Language.First.Test).Language() == crs.French || (a.Language.HasSecond == "yes" && crs.Test(a.Language.Second.Test).Language() == crs.French) {
			french = "ee.review.french_tested"
		}
		return append(rows, views.ReviewRow{LabelKey: "ee.review.french", ValueKey: french})
	case stepEducation:
		e := a.Education
		rows := []views.ReviewRow{
			{LabelKey: "ee.edu.level", ValueKey: optionKey(levelOptions, e.Level)},
			{LabelKey: "ee.edu.canadian", ValueKey: optionKey(canadianOptions, e.Canadian)},
			{LabelKey: "ee.edu.foreign", ValueKey: yesNoKey(e.Foreign)},
		}
		if e.ECAOrg != "" {
			d, _ := parseDate(e.ECADate)
			rows = append(rows, views.ReviewRow{LabelKey: "ee.edu.eca_org", ValueKey: optionKey(ecaOptions, e.ECAOrg)},
				views.ReviewRow{LabelKey: "ee.edu.eca_date", Value: formatDay(lang, d)})
		}
		return rows
	case stepWork:
		w := a.Work
		return []views.ReviewRow{
			{LabelKey: "ee.work.canadian_years", ValueKey: optionKey(canadianYearOptions, w.CanadianYears)},
			{LabelKey: "ee.work.foreign_years", ValueKey: optionKey(foreignYearOptions, w.ForeignYears)},
			{LabelKey: "ee.work.noc", Value: w.NOC},
			{LabelKey: "ee.work.teer", ValueKey: optionKey(teerOptions, w.TEER)},
		}
	case stepSpouse:
		s := a.Spouse
		rows := []views.ReviewRow{
			{LabelKey: "ee.spouse.education", ValueKey: optionKey(levelOptions, s.Education)},
			{LabelKey: "ee.spouse.has_test", ValueKey: yesNoKey(s.HasTest)},
		}
		if s.HasTest == "yes" {
			rows = append(rows, testRows(ctx, lang, "ee.lang.test", s.Test, now)...)
		}
		return append(rows, views.ReviewRow{LabelKey: "ee.spouse.canadian_years", ValueKey: optionKey(canadianYearOptions, s.CanadianYears)})
	case stepAdditional:
		return []views.ReviewRow{
			{LabelKey: "ee.add.sibling", ValueKey: yesNoKey(a.Additional.Sibling)},
			{LabelKey: "ee.add.certificate", ValueKey: yesNoKey(a.Additional.Certificate)},
		}
	case stepProvinces:
		var names []string
		for _, o := range jurisdictionOptions {
			if a.Provinces.Checked(o.Value) {
				names = append(names, i18n.T(ctx, o.Key))
			}
		}
		return []views.ReviewRow{{LabelKey: "ee.prov.legend", Value: strings.Join(names, ", ")}}
	}
	return nil
}

// breakdownView lays a score out as IRCC's calculator does.
func breakdownView(b crs.Breakdown) *views.Breakdown {
	return &views.Breakdown{Total: b.Total, Sections: []views.BreakdownSection{
		{TitleKey: "ee.crs.core", Rows: []views.BreakdownRow{
			{Key: "ee.crs.age", Points: b.Core.Age},
			{Key: "ee.crs.education", Points: b.Core.Education},
			{Key: "ee.crs.first_language", Points: b.Core.FirstLanguage},
			{Key: "ee.crs.second_language", Points: b.Core.SecondLanguage},
			{Key: "ee.crs.canadian_work", Points: b.Core.CanadianWork},
			{Key: "ee.crs.subtotal", Points: b.Core.Total, Total: true},
		}},
		{TitleKey: "ee.crs.spouse", Rows: []views.BreakdownRow{
			{Key: "ee.crs.education", Points: b.Spouse.Education},
			{Key: "ee.crs.first_language", Points: b.Spouse.FirstLanguage},
			{Key: "ee.crs.canadian_work", Points: b.Spouse.CanadianWork},
			{Key: "ee.crs.subtotal", Points: b.Spouse.Total, Total: true},
		}},
		{TitleKey: "ee.crs.transferability", Rows: []views.BreakdownRow{
			{Key: "ee.crs.edu_language", Points: b.Transferability.EducationLanguage},
			{Key: "ee.crs.edu_canadian_work", Points: b.Transferability.EducationCanadianWork},
			{Key: "ee.crs.edu_total", Points: b.Transferability.EducationTotal},
			{Key: "ee.crs.foreign_language", Points: b.Transferability.ForeignLanguage},
			{Key: "ee.crs.foreign_canadian_work", Points: b.Transferability.ForeignCanadianWork},
			{Key: "ee.crs.foreign_total", Points: b.Transferability.ForeignTotal},
			{Key: "ee.crs.certificate", Points: b.Transferability.Certificate},
			{Key: "ee.crs.subtotal", Points: b.Transferability.Total, Total: true},
		}},
		{TitleKey: "ee.crs.additional", Rows: []views.BreakdownRow{
			{Key: "ee.crs.sibling", Points: b.Additional.Sibling},
			{Key: "ee.crs.french", Points: b.Additional.French},
			{Key: "ee.crs.canadian_education", Points: b.Additional.CanadianEducation},
			{Key: "ee.crs.arranged_employment", Points: b.Additional.ArrangedEmployment},
			{Key: "ee.crs.nomination", Points: b.Additional.Nomination},
			{Key: "ee.crs.subtotal", Points: b.Additional.Total, Total: true},
		}},
	}}
}

// submitProfile puts a complete draft in the pool: UCI, profile number,
// validation code, 12 months of validity and the score, in one
// transaction.
func (m *Module) submitProfile(c echo.Context) error {
	ctx := c.Request().Context()
	r, _, err := m.draft(c)
	if r == nil {
		return err
	}
	a, err := r.answers()
	if err != nil {
		return err
	}
	now := m.clock.Now()
	if missing := a.Incomplete(now); len(missing) > 0 {
		v, err := m.reviewView(c, r.ID, &a)
		if err != nil {
			return err
		}
		for _, n := range missing {
			v.Errs = append(v.Errs, views.Problem{Field: "step-" + strconv.Itoa(n), Key: "ee.err.step_incomplete", Args: []any{views.Named(stepTitles[n])}})
		}
		return web.Render(c, http.StatusUnprocessableEntity, views.Review(v))
	}
	p, err := a.CRSProfile(now)
	if err != nil {
		return err
	}
	b, err := crs.Score(p)
	if err != nil {
		return err
	}
	acc := accountOf(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		uci, err := m.accounts.EnsureUCI(ctx, tx, acc.ID)
		if err != nil {
			return err
		}
		number, err := m.newNumber(ctx, tx)
		if err != nil {
			return err
		}
		jsvc, err := newJSVC()
		if err != nil {
			return err
		}
		ok, err := m.store.submit(ctx, tx, acc.ID, r.ID, submission{Number: number, JSVC: jsvc, UCI: uci, Profile: p,
			Breakdown: b, Answers: a, AnswersJSON: r.Answers, At: now, Expires: expiry(now)})
		if err != nil {
			return err
		}
		if !ok {
			return errAlreadySubmitted
		}
		return nil
	})
	if errors.Is(err, errAlreadySubmitted) {
		// Submitted in another tab, or a step changed there after this
		// score was computed: the review shows the profile as it is now
		// (and sends a submitted profile to its page).
		return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/review"))
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/confirmation"))
}

// errAlreadySubmitted is a draft that was submitted, or whose answers
// changed, between reading and submitting it.
var errAlreadySubmitted = errors.New("expressentry: the draft changed or was submitted meanwhile")

// JSVCAlphabet leaves out characters people confuse (0/O, 1/I/L).
const JSVCAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newJSVC makes a Job Seeker Validation Code: 12 characters of
// JSVCAlphabet.
func newJSVC() (string, error) {
	var b strings.Builder
	for range 12 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(JSVCAlphabet))))
		if err != nil {
			return "", err
		}
		b.WriteByte(JSVCAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// numberAttempts is how many random profile numbers are drawn before
// giving up; with 10^10 numbers, even a full pool makes a second draw rare.
const numberAttempts = 20

// profileDigits draws the 10 digits of a profile number. A variable so a
// test can make draws collide.
var profileDigits = func() (int64, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(10_000_000_000))
	if err != nil {
		return 0, err
	}
	return n.Int64(), nil
}

// newNumber makes a profile number no profile has: E and 10 random
// digits. It runs in the submission's write transaction, so no other
// submission can take the number between the check and the write.
func (m *Module) newNumber(ctx context.Context, tx *sqlx.Tx) (string, error) {
	for range numberAttempts {
		n, err := profileDigits()
		if err != nil {
			return "", err
		}
		number := fmt.Sprintf("E%010d", n)
		taken, err := m.store.numberTaken(ctx, tx, number)
		if err != nil {
			return "", err
		}
		if !taken {
			return number, nil
		}
	}
	return "", errors.New("expressentry: no free profile number")
}

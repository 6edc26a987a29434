package expressentry

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/web"
	"guichet/modules/secureaccount/expressentry/views"
)

// draft loads the account's draft named in the URL and the step number.
// A profile already submitted goes to its page (redirect, nil row).
func (m *Module) draft(c echo.Context) (*profileRow, int, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, 0, err
	}
	r, err := m.store.profile(c.Request().Context(), m.db.R, accountOf(c).ID, id)
	if err != nil {
		return nil, 0, notFound(err)
	}
	n := 0
	if p := c.Param("n"); p != "" {
		n, err = strconv.Atoi(p)
		if err != nil || n < 1 || n > stepCount {
			return nil, 0, echo.NewHTTPError(http.StatusNotFound)
		}
	}
	if r.Status != StatusDraft {
		return nil, 0, web.Redirect(c, web.URL(c, profileHref(id)))
	}
	return &r, n, nil
}

// nextStep is the step after n that applies, or 0 for the review.
func (a *Answers) nextStep(n int) int {
	for k := n + 1; k <= stepCount; k++ {
		if a.applies(k) {
			return k
		}
	}
	return 0
}

func (m *Module) stepView(c echo.Context, id int64, n int, a *Answers) views.StepView {
	base := web.URL(c, profileHref(id))
	v := views.StepView{ID: id, N: n, Total: stepCount, TitleKey: stepTitles[n], Action: base + "/step/" + strconv.Itoa(n),
		Personal: a.Personal, Language: a.Language, Education: a.Education, Work: a.Work, Spouse: a.Spouse,
		Additional: a.Additional, Provinces: a.Provinces,
		Marital: maritalOptions, Tests: testOptions, Levels: levelOptions, Canadian: canadianOptions, ECAOrgs: ecaOptions,
		CanadianYears: canadianYearOptions, ForeignYears: foreignYearOptions, TEERs: teerOptions, SpouseYears: canadianYearOptions,
		Jurisdictions: jurisdictionOptions}
	for k := 1; k <= stepCount; k++ {
		v.Steps = append(v.Steps, views.StepLink{N: k, TitleKey: stepTitles[k], Href: base + "/step/" + strconv.Itoa(k),
			Current: k == n, Done: a.saved(k), Skipped: !a.applies(k)})
	}
	return v
}

// stepShow is one step of the form, with the draft's answers.
func (m *Module) stepShow(c echo.Context) error {
	r, n, err := m.draft(c)
	if r == nil {
		return err
	}
	a, err := r.answers()
	if err != nil {
		return err
	}
	if !a.applies(n) {
		next := a.nextStep(n)
		if next == 0 {
			return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/review"))
		}
		return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/step/"+strconv.Itoa(next)))
	}
	v := m.stepView(c, r.ID, n, &a)
	v.Saved = c.QueryParam("saved") == "1"
	v.Return = c.QueryParam("return") == "review"
	return web.Render(c, http.StatusOK, views.Step(v))
}

// saveAttempts bounds how often a step is saved again on top of answers
// another tab saved meanwhile.
const saveAttempts = 3

// stepSubmit checks one step and, when it is right, saves it in the
// draft. Wrong answers save nothing. The answers are written back whole,
// and only over the answers they were read from: a step saved meanwhile
// in another tab is read again rather than lost.
func (m *Module) stepSubmit(c echo.Context) error {
	r, n, err := m.draft(c)
	if r == nil {
		return err
	}
	ctx := c.Request().Context()
	acc := accountOf(c)
	now := m.clock.Now()
	for range saveAttempts {
		a, err := r.answers()
		if err != nil {
			return err
		}
		if !a.applies(n) {
			return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/review"))
		}
		readStep(c, n, &a)
		if errs := a.Check(n, now); len(errs) > 0 {
			v := m.stepView(c, r.ID, n, &a)
			v.Errs = errs
			v.Return = c.FormValue("return") == "review"
			return web.Render(c, http.StatusUnprocessableEntity, views.Step(v))
		}
		a.markSaved(n)
		ok, err := m.store.saveDraft(ctx, acc.ID, r.ID, r.Answers, a, now)
		if err != nil {
			return err
		}
		if ok {
			next := a.nextStep(n)
			if next == 0 || c.FormValue("return") == "review" {
				return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/review"))
			}
			return web.Redirect(c, web.URL(c, profileHref(r.ID)+"/step/"+strconv.Itoa(next)+"?saved=1"))
		}
		fresh, err := m.store.profile(ctx, m.db.W, acc.ID, r.ID)
		if err != nil {
			return notFound(err)
		}
		if fresh.Status != StatusDraft {
			return web.Redirect(c, web.URL(c, profileHref(r.ID)))
		}
		r = &fresh
	}
	return fmt.Errorf("expressentry: draft %d kept changing while step %d was saved", r.ID, n)
}

func field(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }

func readTest(c echo.Context, prefix string) views.TestForm {
	return views.TestForm{
		Test: field(c, prefix+"_test"), Reading: field(c, prefix+"_reading"), Writing: field(c, prefix+"_writing"),
		Listening: field(c, prefix+"_listening"), Speaking: field(c, prefix+"_speaking"), Date: field(c, prefix+"_date"),
	}
}

// readStep copies step n's fields from the form into a, dropping answers
// to questions the other answers make moot.
func readStep(c echo.Context, n int, a *Answers) {
	switch n {
	case stepPersonal:
		p := views.PersonalForm{BirthDate: field(c, "birth_date"), Marital: field(c, "marital"),
			SpouseCitizen: field(c, "spouse_citizen"), SpouseComing: field(c, "spouse_coming")}
		if p.Marital != "married" && p.Marital != "common_law" {
			p.SpouseCitizen, p.SpouseComing = "", ""
		}
		if p.SpouseCitizen == "yes" {
			p.SpouseComing = ""
		}
		a.Personal = p
	case stepLanguage:
		l := views.LanguageForm{First: readTest(c, "first"), HasSecond: field(c, "has_second")}
		if l.HasSecond == "yes" {
			l.Second = readTest(c, "second")
		}
		a.Language = l
	case stepEducation:
		e := views.EducationForm{Level: field(c, "level"), Canadian: field(c, "canadian"), Foreign: field(c, "foreign"),
			ECAOrg: field(c, "eca_org"), ECADate: field(c, "eca_date")}
		if e.Foreign != "yes" || e.Level == "less_than_secondary" {
			e.ECAOrg, e.ECADate = "", ""
		}
		a.Education = e
	case stepWork:
		a.Work = views.WorkForm{CanadianYears: field(c, "canadian_years"), ForeignYears: field(c, "foreign_years"),
			NOC: field(c, "noc"), TEER: field(c, "teer")}
	case stepSpouse:
		s := views.SpouseForm{Education: field(c, "spouse_education"), HasTest: field(c, "spouse_has_test"),
			CanadianYears: field(c, "spouse_canadian_years")}
		if s.HasTest == "yes" {
			s.Test = readTest(c, "spouse")
		}
		a.Spouse = s
	case stepAdditional:
		a.Additional = views.AdditionalForm{Sibling: field(c, "sibling"), Certificate: field(c, "certificate")}
	case stepProvinces:
		var ps []string
		if form, err := c.FormParams(); err == nil {
			for _, p := range form["provinces"] {
				if !slices.Contains(ps, p) {
					ps = append(ps, p)
				}
			}
		}
		a.Provinces = views.ProvincesForm{Provinces: ps}
	}
}

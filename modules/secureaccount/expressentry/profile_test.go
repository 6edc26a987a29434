package expressentry_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/app/i18n"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry"
)

// badCase is a step's answers that must be refused, and the fields the
// error summary must point at.
type badCase struct {
	name   string
	step   int
	change map[string][]string
	fields []string
}

var badCases = []badCase{
	{"empty personal", 1, map[string][]string{"birth_date": {""}, "marital": {""}}, []string{"birth_date", "marital"}},
	{"birth date shape", 1, map[string][]string{"birth_date": {"10/03/1994"}}, []string{"birth_date"}},
	{"birth date future", 1, map[string][]string{"birth_date": {"2030-01-01"}}, []string{"birth_date"}},
	{"married without answers", 1, map[string][]string{"marital": {"married"}}, []string{"spouse_citizen"}},
	{"partner not citizen, coming unsaid", 1, map[string][]string{"marital": {"common_law"}, "spouse_citizen": {"no"}}, []string{"spouse_coming"}},
	{"no test", 2, map[string][]string{"first_test": {""}}, []string{"first_test"}},
	{"score missing", 2, map[string][]string{"first_reading": {""}}, []string{"first_reading"}},
	{"score not a number", 2, map[string][]string{"first_writing": {"six"}}, []string{"first_writing"}},
	{"IELTS off its half bands", 2, map[string][]string{"first_listening": {"7.3"}}, []string{"first_listening"}},
	{"IELTS above 9", 2, map[string][]string{"first_speaking": {"10"}}, []string{"first_speaking"}},
	{"scores ParseFloat would take", 2, map[string][]string{"first_reading": {"8e0"}, "first_writing": {"0x7p0"},
		"first_listening": {"Inf"}, "first_speaking": {"+7.5"}}, []string{"first_reading", "first_writing", "first_listening", "first_speaking"}},
	{"test too old", 2, map[string][]string{"first_date": {"2021-12-31"}}, []string{"first_date"}},
	{"test in the future", 2, map[string][]string{"first_date": {"2024-02-01"}}, []string{"first_date"}},
	{"second test unsaid", 2, map[string][]string{"has_second": {""}}, []string{"has_second"}},
	{"second test in the same language", 2, map[string][]string{"has_second": {"yes"}, "second_test": {"celpip"}, "second_reading": {"9"},
		"second_writing": {"9"}, "second_listening": {"9"}, "second_speaking": {"9"}, "second_date": {"2023-01-01"}}, []string{"second_test"}},
	{"TCF writing above 20", 2, map[string][]string{"has_second": {"yes"}, "second_test": {"tcf"}, "second_reading": {"500"},
		"second_writing": {"21"}, "second_listening": {"500"}, "second_speaking": {"12"}, "second_date": {"2023-01-01"}}, []string{"second_writing"}},
	{"no level", 3, map[string][]string{"level": {"phd"}}, []string{"level"}},
	{"Canadian credential above the level", 3, map[string][]string{"level": {"secondary"}, "canadian": {"one_two"}}, []string{"canadian"}},
	{"Canadian highest without length", 3, map[string][]string{"foreign": {"no"}}, []string{"canadian"}},
	{"foreign without assessment", 3, map[string][]string{"eca_org": {""}, "eca_date": {""}}, []string{"eca_org", "eca_date"}},
	{"assessment too old", 3, map[string][]string{"eca_date": {"2018-01-01"}}, []string{"eca_date"}},
	{"years missing", 4, map[string][]string{"canadian_years": {""}, "foreign_years": {"9"}}, []string{"canadian_years", "foreign_years"}},
	{"NOC shape", 4, map[string][]string{"noc": {"2123"}}, []string{"noc"}},
	{"TEER not the NOC's", 4, map[string][]string{"teer": {"3"}}, []string{"teer"}},
	{"additional unsaid", 6, map[string][]string{"sibling": {""}, "certificate": {"maybe"}}, []string{"sibling", "certificate"}},
	{"no province", 7, map[string][]string{"provinces": nil}, []string{"provinces"}},
	{"unknown province", 7, map[string][]string{"provinces": {"XX"}}, []string{"provinces"}},
}

func TestEveryStepRefusesBadInputAndSavesNothing(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := startProfile(t, c)
	id := idOf(t, base)
	for _, bc := range badCases {
		t.Run(bc.name, func(t *testing.T) {
			before := e.profileRow(t, id).Answers
			v := clone(goodSteps[bc.step])
			for k, vals := range bc.change {
				v[k] = vals
			}
			c.Get(base + "/step/" + strconv.Itoa(bc.step))
			p := c.Post(base+"/step/"+strconv.Itoa(bc.step), v)
			expect(t, p, http.StatusUnprocessableEntity, "")
			for _, f := range bc.fields {
				if p.Doc.Find(`.error-summary a[href="#`+f+`"]`).Length() == 0 {
					t.Errorf("no summary link to %s:\n%s", f, p.Text(".error-summary"))
				}
				if p.Doc.Find("#"+f).Length() == 0 {
					t.Errorf("no field with id %s", f)
				}
			}
			if after := e.profileRow(t, id).Answers; after != before {
				t.Errorf("bad input changed the draft:\n%s\n%s", before, after)
			}
		})
	}
}

func TestStepFieldsAreDescribedByTheirErrors(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := startProfile(t, c)
	one := c.Get(base + "/step/1")
	if v, _ := one.Doc.Find("#birth_date").Attr("autocomplete"); v != "bday" {
		t.Errorf("date of birth autocomplete %q", v)
	}
	p := c.Post(base+"/step/4", url.Values{"noc": {"21232"}, "teer": {"1"}})
	expect(t, p, http.StatusUnprocessableEntity, "")
	for _, id := range []string{"canadian_years", "foreign_years"} {
		described, _ := p.Doc.Find("#" + id).Attr("aria-describedby")
		if !strings.Contains(described, id+"-error") || p.Doc.Find("#"+id+"-error").Length() != 1 {
			t.Errorf("%s is described by %q", id, described)
		}
	}
	// A decimal comma is how French result sheets print a half band.
	v := clone(goodSteps[2])
	v.Set("first_listening", "8,5")
	expect(t, c.Post(base+"/step/2", v), http.StatusSeeOther, base+"/step/3?saved=1")
}

func TestEveryStepAcceptsGoodInputAndTheDraftResumes(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := startProfile(t, c)
	p := c.Get(base + "/step/1")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`form[data-testid="step-1"] input[name="csrf_token"]`).Length() != 1 || p.Doc.Find("h1").Length() != 1 {
		t.Fatal("step 1 has no CSRF field or not one h1")
	}
	// Step 1 saved, then the person leaves and comes back.
	expect(t, c.Post(base+"/step/1", clone(goodSteps[1])), http.StatusSeeOther, base+"/step/2?saved=1")
	if !strings.Contains(c.Get(base+"/step/2?saved=1").Body, `data-testid="draft-saved"`) {
		t.Error("no saved notice")
	}
	again := c.Get(base + "/step/1")
	if v, _ := again.Doc.Find("#birth_date").Attr("value"); v != "1994-03-10" {
		t.Errorf("birth date not resumed: %q", v)
	}
	if _, ok := again.Doc.Find(`input[name="marital"][value="never_married"]`).Attr("checked"); !ok {
		t.Error("marital status not resumed")
	}
	// The profile page continues where the person stopped.
	page := c.Get(base)
	if href, _ := page.Doc.Find(`[data-testid="continue-profile"]`).Attr("href"); href != base+"/step/2" {
		t.Errorf("continue goes to %q", href)
	}
	// The rest, in order; the spouse step is skipped without a spouse.
	expect(t, c.Post(base+"/step/2", clone(goodSteps[2])), http.StatusSeeOther, base+"/step/3?saved=1")
	expect(t, c.Post(base+"/step/3", clone(goodSteps[3])), http.StatusSeeOther, base+"/step/4?saved=1")
	expect(t, c.Post(base+"/step/4", clone(goodSteps[4])), http.StatusSeeOther, base+"/step/6?saved=1")
	expect(t, c.Get(base+"/step/5"), http.StatusSeeOther, base+"/step/6")
	expect(t, c.Post(base+"/step/6", clone(goodSteps[6])), http.StatusSeeOther, base+"/step/7?saved=1")
	expect(t, c.Post(base+"/step/7", clone(goodSteps[7])), http.StatusSeeOther, base+"/review")
	var a expressentry.Answers
	if err := json.Unmarshal([]byte(e.profileRow(t, idOf(t, base)).Answers), &a); err != nil {
		t.Fatal(err)
	}
	if a.Work.NOC != "21232" || len(a.Provinces.Provinces) != 2 || a.Language.First.Listening != "8.5" {
		t.Errorf("draft: %+v", a)
	}
	// A step reached from the review goes back to it.
	c.Get(base + "/step/4?return=review")
	v := clone(goodSteps[4])
	v.Set("return", "review")
	expect(t, c.Post(base+"/step/4", v), http.StatusSeeOther, base+"/review")
}

func TestSpouseStepOnlyWhenTheSpouseCounts(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := startProfile(t, c)
	fill(t, c, base)
	// Married to a permanent resident: the spouse does not count.
	v := clone(goodSteps[1])
	v.Set("marital", "married")
	v.Set("spouse_citizen", "yes")
	v.Set("spouse_coming", "yes")
	expect(t, c.Post(base+"/step/1", v), http.StatusSeeOther, base+"/step/2?saved=1")
	expect(t, c.Get(base+"/step/5"), http.StatusSeeOther, base+"/step/6")
	// Coming and not a citizen: the spouse step is asked and the review
	// wants it.
	v.Set("spouse_citizen", "no")
	expect(t, c.Post(base+"/step/1", v), http.StatusSeeOther, base+"/step/2?saved=1")
	expect(t, c.Get(base+"/step/5"), http.StatusOK, "")
	review := c.Get(base + "/review")
	if review.Doc.Find(`[data-testid="review-step-5"] [data-testid="step-missing"]`).Length() != 1 {
		t.Fatal("the spouse step is not asked for")
	}
	bad := c.Post(base+"/step/5", map[string][]string{"spouse_has_test": {"yes"}, "spouse_test": {"tef"}, "spouse_reading": {"800"}})
	expect(t, bad, http.StatusUnprocessableEntity, "")
	for _, f := range []string{"spouse_education", "spouse_reading", "spouse_writing", "spouse_date", "spouse_canadian_years"} {
		if bad.Doc.Find(`.error-summary a[href="#`+f+`"]`).Length() == 0 {
			t.Errorf("no summary link to %s", f)
		}
	}
	good := map[string][]string{"spouse_education": {"bachelor"}, "spouse_has_test": {"yes"}, "spouse_test": {"celpip"},
		"spouse_reading": {"9"}, "spouse_writing": {"8"}, "spouse_listening": {"9"}, "spouse_speaking": {"7"},
		"spouse_date": {"2023-09-01"}, "spouse_canadian_years": {"2"}}
	expect(t, c.Post(base+"/step/5", good), http.StatusSeeOther, base+"/step/6?saved=1")
	c.Get(base + "/review")
	expect(t, c.Post(base+"/submit", nil), http.StatusSeeOther, base+"/confirmation")
	want := goodProfile()
	want.Spouse = &crs.Spouse{Education: crs.Bachelor, FirstLanguage: &crs.Levels{Reading: 9, Writing: 8, Listening: 9, Speaking: 7}, CanadianWorkYears: 2}
	b, err := crs.Score(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.profileRow(t, idOf(t, base)).Score; got != b.Total || b.Spouse.Total == 0 {
		t.Errorf("score %d, want %d (spouse %d)", got, b.Total, b.Spouse.Total)
	}
}

var (
	numberShape = regexp.MustCompile(`^E[0-9]{10}$`)
	jsvcShape   = regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$`)
)

func TestReviewAndSubmission(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := startProfile(t, c)
	id := idOf(t, base)

	// Incomplete: the review says which steps, and submitting is refused.
	expect(t, c.Post(base+"/step/1", clone(goodSteps[1])), http.StatusSeeOther, "")
	review := c.Get(base + "/review")
	expect(t, review, http.StatusOK, "")
	if review.Doc.Find(`[data-testid="step-missing"]`).Length() != 5 || review.Doc.Find(`[data-testid="crs-pending"]`).Length() != 1 {
		t.Fatalf("review of an incomplete profile:\n%s", review.Body)
	}
	refused := c.Post(base+"/submit", nil)
	expect(t, refused, http.StatusUnprocessableEntity, "")
	if refused.Doc.Find(`.error-summary a[href="#step-2"]`).Length() != 1 || e.profileRow(t, id).Status != "draft" {
		t.Fatal("an incomplete profile was submitted, or the summary does not link to the step")
	}

	fill(t, c, base)
	review = c.Get(base + "/review")
	want, err := crs.Score(goodProfile())
	if err != nil {
		t.Fatal(err)
	}
	if got := review.Text(`[data-testid="crs-score"]`); got != "Total: "+strconv.Itoa(want.Total)+" points" {
		t.Errorf("review score %q, want %d", got, want.Total)
	}
	if !strings.Contains(review.Text(`[data-testid="review-step-1"]`), "March 10, 1994") {
		t.Errorf("date of birth shown as %q", review.Text(`[data-testid="review-step-1"]`))
	}
	if href, _ := review.Doc.Find(`[data-testid="change-3"]`).Attr("href"); href != base+"/step/3?return=review" {
		t.Errorf("change link %q", href)
	}
	if review.Doc.Find(`[data-testid="review-step-5"] [data-testid="change-5"]`).Length() != 0 {
		t.Error("the skipped spouse step offers a change link")
	}

	expect(t, c.Post(base+"/submit", nil), http.StatusSeeOther, base+"/confirmation")
	r := e.profileRow(t, id)
	if r.Status != "submitted" || r.Number == nil || !numberShape.MatchString(*r.Number) || !jsvcShape.MatchString(r.JSVC) {
		t.Fatalf("submitted row: %+v", r)
	}
	if r.Score != want.Total || r.Interests != ",BC,ON," || r.NOC != "21232" || r.TEER != 1 || r.Language != 9 ||
		r.Education != int(crs.Master) || r.Canadian != 1 || r.Foreign != 3 {
		t.Errorf("pool columns: %+v", r)
	}
	if !r.Submitted.Equal(apptest.Start) || !r.Expires.Equal(apptest.Start.AddDate(1, 0, 0)) {
		t.Errorf("submitted %v, expires %v", r.Submitted, r.Expires)
	}
	var stored crs.Breakdown
	if err := json.Unmarshal([]byte(r.Breakdown), &stored); err != nil || stored != want {
		t.Errorf("breakdown %+v, want %+v", stored, want)
	}
	if r.UCI != "1000000001" || e.accounts.ucis != 1 {
		t.Errorf("UCI %q, issued %d", r.UCI, e.accounts.ucis)
	}

	for _, lang := range []string{"en", "fr"} {
		conf := c.Get("/" + lang + base[3:] + "/confirmation")
		expect(t, conf, http.StatusOK, "")
		if conf.Text(`[data-testid="profile-number"]`) != *r.Number || conf.Text(`[data-testid="profile-jsvc"]`) != r.JSVC ||
			conf.Text(`[data-testid="profile-expires"]`) != i18n.FormatDate(lang, apptest.Start.AddDate(1, 0, 0)) ||
			conf.Doc.Find(`[data-testid="crs-breakdown"] table`).Length() != 4 {
			t.Errorf("%s confirmation:\n%s", lang, conf.Body)
		}
		if !strings.Contains(conf.Text(`[data-testid="crs-score"]`), strconv.Itoa(want.Total)) {
			t.Errorf("%s confirmation score %q", lang, conf.Text(`[data-testid="crs-score"]`))
		}
	}

	// Submitting again, or changing a step, does nothing to the profile.
	expect(t, c.Post(base+"/submit", nil), http.StatusSeeOther, base)
	expect(t, c.Post(base+"/step/1", clone(goodSteps[1])), http.StatusSeeOther, base)
	if again := e.profileRow(t, id); *again.Number != *r.Number || again.JSVC != r.JSVC || !again.Submitted.Equal(*r.Submitted) {
		t.Error("a second submission changed the profile")
	}
	// One profile at a time: starting another goes to this one.
	expect(t, c.Post("/en/ircc/express-entry/", nil), http.StatusSeeOther, base+"/step/1")
	if e.Count(t, "ircc_profiles") != 1 {
		t.Error("a second profile was started")
	}
	list := c.Get("/en/ircc/express-entry/")
	if list.Text(`[data-testid="profile-link"]`) != *r.Number || list.Doc.Find(`[data-testid="start-profile"]`).Length() != 0 {
		t.Errorf("list:\n%s", list.Body)
	}

	// The dashboard's view.
	sums, err := e.mod.Profiles().ForAccount(t.Context(), 1)
	if err != nil || len(sums) != 1 || sums[0].Number != *r.Number || sums[0].Score != want.Total || sums[0].Href != base[3:] {
		t.Errorf("profiles for the dashboard: %+v, %v", sums, err)
	}
}

func TestProfileExpiresAfterTwelveMonthsWithALetter(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	id := idOf(t, base)
	if n, err := e.mod.ExpireProfiles(t.Context()); err != nil || n != 0 {
		t.Fatalf("expired %d too early (%v)", n, err)
	}
	e.Fake.Advance(366 * 24 * time.Hour)
	if n, err := e.mod.ExpireProfiles(t.Context()); err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if s := e.profileRow(t, id).Status; s != "expired" {
		t.Errorf("status %s", s)
	}
	ls := e.mailbox.all()
	if len(ls) != 1 || ls[0].Letter.Kind != "procedural" || ls[0].AccountID != 1 || !strings.Contains(ls[0].Letter.Body, *e.profileRow(t, id).Number) {
		t.Errorf("letters: %+v", ls)
	}
	// A new profile may start now, and the UCI is not issued again.
	base2 := submitted(t, c)
	if e.profileRow(t, idOf(t, base2)).UCI != "1000000001" || e.accounts.ucis != 1 {
		t.Error("the UCI was issued twice")
	}
}

func TestProfileNumberCollisionsAreDrawnAgain(t *testing.T) {
	e := start(t)
	e.seedRaw(t, e.person("en"), "E0000000007", 400, `{}`, `{}`, apptest.Start.Add(-time.Hour), ",ON,")
	var draws []int64
	restore := expressentry.SetProfileDigits(func() (int64, error) {
		n := int64(7)
		if len(draws) >= 2 {
			n = 8
		}
		draws = append(draws, n)
		return n, nil
	})
	defer restore()
	c := e.applicant(t)
	base := submitted(t, c)
	if r := e.profileRow(t, idOf(t, base)); r.Number == nil || *r.Number != "E0000000008" || len(draws) != 3 {
		t.Fatalf("number %v after draws %v", r.Number, draws)
	}

	// Every draw taken: the submission fails whole, and the draft stays a
	// draft that can be submitted later.
	expressentry.SetProfileDigits(func() (int64, error) { return 7, nil })
	other := e.applicant(t)
	draft := startProfile(t, other)
	fill(t, other, draft)
	other.Get(draft + "/review")
	expect(t, other.Post(draft+"/submit", nil), http.StatusInternalServerError, "")
	if r := e.profileRow(t, idOf(t, draft)); r.Status != "draft" || r.Number != nil || r.Score != 0 {
		t.Fatalf("a failed submission left %+v", r)
	}
	restore()
	other.Get(draft + "/review")
	expect(t, other.Post(draft+"/submit", nil), http.StatusSeeOther, draft+"/confirmation")
}

package expressentry

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"guichet/app/i18n"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry/views"
)

// The steps of the profile form, in order.
const (
	stepPersonal = iota + 1
	stepLanguage
	stepEducation
	stepWork
	stepSpouse
	stepAdditional
	stepProvinces
	stepCount = stepProvinces
)

// stepTitles are the steps' titles, by number.
var stepTitles = [stepCount + 1]string{
	"",
	"ee.step.personal",
	"ee.step.language",
	"ee.step.education",
	"ee.step.work",
	"ee.step.spouse",
	"ee.step.additional",
	"ee.step.provinces",
}

// Answers are a profile's answers as typed, saved as JSON in the profile
// row at every step. Saved lists the steps saved at least once; a saved
// step may still become invalid (a test result that grew too old, a
// spouse step that now applies), so Incomplete checks them all again.
type Answers struct {
	Personal   views.PersonalForm   `json:"personal"`
	Language   views.LanguageForm   `json:"language"`
	Education  views.EducationForm  `json:"education"`
	Work       views.WorkForm       `json:"work"`
	Spouse     views.SpouseForm     `json:"spouse"`
	Additional views.AdditionalForm `json:"additional"`
	Provinces  views.ProvincesForm  `json:"provinces"`
	Saved      []int                `json:"saved"`
}

// Validity periods (DOMAIN.md and IRCC's rules).
const (
	// A language test result is valid 2 years from the test date.
	testValidYears = 2
	// An educational credential assessment is valid 5 years.
	ecaValidYears = 5
	// The oldest date of birth accepted.
	maxAgeYears = 120
)

// The marital statuses on the form.
var maritalOptions = []views.Option{
	{Value: "never_married", Key: "ee.marital.never_married"},
	{Value: "married", Key: "ee.marital.married"},
	{Value: "common_law", Key: "ee.marital.common_law"},
	{Value: "separated", Key: "ee.marital.separated"},
	{Value: "divorced", Key: "ee.marital.divorced"},
	{Value: "widowed", Key: "ee.marital.widowed"},
	{Value: "annulled", Key: "ee.marital.annulled"},
}

var testOptions = []views.Option{
	{Value: string(crs.IELTS), Key: "ee.test.ielts"},
	{Value: string(crs.CELPIP), Key: "ee.test.celpip"},
	{Value: string(crs.TEF), Key: "ee.test.tef"},
	{Value: string(crs.TCF), Key: "ee.test.tcf"},
}

// levelOptions are the education levels, in the order of crs.Education.
var levelOptions = []views.Option{
	{Value: "less_than_secondary", Key: "ee.edu.less_than_secondary"},
	{Value: "secondary", Key: "ee.edu.secondary"},
	{Value: "one_year", Key: "ee.edu.one_year"},
	{Value: "two_year", Key: "ee.edu.two_year"},
	{Value: "bachelor", Key: "ee.edu.bachelor"},
	{Value: "two_or_more", Key: "ee.edu.two_or_more"},
	{Value: "master", Key: "ee.edu.master"},
	{Value: "doctoral", Key: "ee.edu.doctoral"},
}

var canadianOptions = []views.Option{
	{Value: "none", Key: "ee.edu.canadian_none"},
	{Value: "one_two", Key: "ee.edu.canadian_one_two"},
	{Value: "three_plus", Key: "ee.edu.canadian_three_plus"},
}

// The organisations designated to assess foreign credentials.
var ecaOptions = []views.Option{
	{Value: "wes", Key: "ee.eca.wes"},
	{Value: "ices", Key: "ee.eca.ices"},
	{Value: "iqas", Key: "ee.eca.iqas"},
	{Value: "icas", Key: "ee.eca.icas"},
	{Value: "ces", Key: "ee.eca.ces"},
	{Value: "mcc", Key: "ee.eca.mcc"},
	{Value: "pebc", Key: "ee.eca.pebc"},
}

// Years of work: the last choice means "that many or more", where the
// grid stops paying more.
var canadianYearOptions = yearOptions(5)
var foreignYearOptions = yearOptions(3)

func yearOptions(top int) []views.Option {
	keys := []string{"ee.years.0", "ee.years.1", "ee.years.2", "ee.years.3", "ee.years.4"}
	out := make([]views.Option, 0, top+1)
	for i := 0; i < top; i++ {
		out = append(out, views.Option{Value: strconv.Itoa(i), Key: keys[i]})
	}
	more := map[int]string{3: "ee.years.3_plus", 5: "ee.years.5_plus"}[top]
	return append(out, views.Option{Value: strconv.Itoa(top), Key: more})
}

var teerOptions = []views.Option{
	{Value: "0", Key: "ee.teer.0"},
	{Value: "1", Key: "ee.teer.1"},
	{Value: "2", Key: "ee.teer.2"},
	{Value: "3", Key: "ee.teer.3"},
	{Value: "4", Key: "ee.teer.4"},
	{Value: "5", Key: "ee.teer.5"},
}

// The provinces and territories, in the order IRCC lists them. Quebec
// selects its own immigrants and, like Nunavut, has no Provincial Nominee
// Program: it may be chosen but never nominates.
var jurisdictionOptions = []views.Option{
	{Value: "AB", Key: "ee.pt.AB"},
	{Value: "BC", Key: "ee.pt.BC"},
	{Value: "MB", Key: "ee.pt.MB"},
	{Value: "NB", Key: "ee.pt.NB"},
	{Value: "NL", Key: "ee.pt.NL"},
	{Value: "NS", Key: "ee.pt.NS"},
	{Value: "ON", Key: "ee.pt.ON"},
	{Value: "PE", Key: "ee.pt.PE"},
	{Value: "SK", Key: "ee.pt.SK"},
	{Value: "NT", Key: "ee.pt.NT"},
	{Value: "YT", Key: "ee.pt.YT"},
	{Value: "NU", Key: "ee.pt.NU"},
	{Value: "QC", Key: "ee.pt.QC"},
}

// Jurisdictions are the codes of the provinces and territories.
func Jurisdictions() []string {
	out := make([]string, len(jurisdictionOptions))
	for i, o := range jurisdictionOptions {
		out[i] = o.Value
	}
	return out
}

// HasPNP tells whether a jurisdiction nominates (all but Quebec and
// Nunavut).
func HasPNP(code string) bool {
	return validJurisdiction(code) && code != "QC" && code != "NU"
}

func validJurisdiction(code string) bool {
	return hasOption(jurisdictionOptions, code)
}

func hasOption(opts []views.Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func optionKey(opts []views.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Key
		}
	}
	return ""
}

func optionIndex(opts []views.Option, v string) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return -1
}

// parseDate reads a YYYY-MM-DD date.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) != len("2006-01-02") {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// day is t's calendar date, at midnight UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ageAt is the age in whole years on the day of at.
func ageAt(birth, at time.Time) int {
	at = day(at)
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	return age
}

// scorePattern is a result as printed on a result sheet: up to 3 digits
// (TEF and TCF go to 699), and for IELTS a half band, with a decimal
// point or comma. ParseFloat alone would also take "1e2", "0x1p3" or
// "Inf", and keep them as typed in the draft.
var scorePattern = regexp.MustCompile(`^[0-9]{1,3}([.,][0-9]{1,2})?$`)

// parseScore reads a score as printed, accepting a decimal comma.
func parseScore(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !scorePattern.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

var nocPattern = regexp.MustCompile(`^[0-9]{5}$`)

// spouseCounts tells whether a spouse or partner counts for the grid: one
// who is coming to Canada and is not a citizen or permanent resident.
func (a *Answers) spouseCounts() bool {
	p := a.Personal
	return (p.Marital == "married" || p.Marital == "common_law") && p.SpouseCitizen == "no" && p.SpouseComing == "yes"
}

// applies tells whether a step is asked at all.
func (a *Answers) applies(step int) bool {
	return step != stepSpouse || a.spouseCounts()
}

func (a *Answers) saved(step int) bool { return slices.Contains(a.Saved, step) }

func (a *Answers) markSaved(step int) {
	if !a.saved(step) {
		a.Saved = append(a.Saved, step)
		slices.Sort(a.Saved)
	}
}

// Incomplete lists the steps that apply and are not saved, or no longer
// pass their checks at now.
func (a *Answers) Incomplete(now time.Time) []int {
	var out []int
	for n := 1; n <= stepCount; n++ {
		if !a.applies(n) {
			continue
		}
		if !a.saved(n) || len(a.Check(n, now)) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// Check validates one step's answers at now.
func (a *Answers) Check(step int, now time.Time) views.Problems {
	switch step {
	case stepPersonal:
		return a.checkPersonal(now)
	case stepLanguage:
		return a.checkLanguage(now)
	case stepEducation:
		return a.checkEducation(now)
	case stepWork:
		return a.checkWork()
	case stepSpouse:
		return a.checkSpouse(now)
	case stepAdditional:
		return a.checkAdditional()
	case stepProvinces:
		return a.checkProvinces()
	}
	return nil
}

func (a *Answers) checkPersonal(now time.Time) views.Problems {
	var out views.Problems
	p := a.Personal
	switch b, ok := parseDate(p.BirthDate); {
	case strings.TrimSpace(p.BirthDate) == "":
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_required"})
	case !ok:
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.date_format"})
	case !b.Before(day(now)):
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_future"})
	case ageAt(b, now) > maxAgeYears:
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_old"})
	}
	if !hasOption(maritalOptions, p.Marital) {
		out = append(out, views.Problem{Field: "marital", Key: "ee.err.marital_required"})
	}
	if p.Marital == "married" || p.Marital == "common_law" {
		if p.SpouseCitizen != "yes" && p.SpouseCitizen != "no" {
			out = append(out, views.Problem{Field: "spouse_citizen", Key: "ee.err.spouse_citizen_required"})
		}
		if p.SpouseCitizen == "no" && p.SpouseComing != "yes" && p.SpouseComing != "no" {
			out = append(out, views.Problem{Field: "spouse_coming", Key: "ee.err.spouse_coming_required"})
		}
	}
	return out
}

// abilities name the four abilities, in the order of crs.Scores.
var abilities = []views.Option{
	{Value: "reading", Key: "ee.ability.reading"},
	{Value: "writing", Key: "ee.ability.writing"},
	{Value: "listening", Key: "ee.ability.listening"},
	{Value: "speaking", Key: "ee.ability.speaking"},
}

// checkTest validates one test's fields, named prefix_test and so on,
// and returns its levels when it is valid.
func checkTest(prefix string, t views.TestForm, now time.Time) (views.Problems, crs.Levels, crs.Test) {
	var out views.Problems
	test := crs.Test(t.Test)
	if !test.Valid() {
		out = append(out, views.Problem{Field: prefix + "_test", Key: "ee.err.test_required"})
	}
	values := [4]string{t.Reading, t.Writing, t.Listening, t.Speaking}
	var scores [4]float64
	for i, ab := range abilities {
		field := prefix + "_" + ab.Value
		f, ok := parseScore(values[i])
		switch {
		case strings.TrimSpace(values[i]) == "":
			out = append(out, views.Problem{Field: field, Key: "ee.err.score_required", Args: []any{views.Named(ab.Key)}})
			continue
		case !ok:
			out = append(out, views.Problem{Field: field, Key: "ee.err.score_number", Args: []any{views.Named(ab.Key)}})
			continue
		}
		scores[i] = f
		if test.Valid() {
			// One ability at a time, the others at 0 (on every scale),
			// so the error lands on the right field.
			var one [4]float64
			one[i] = f
			if _, err := crs.Convert(test, crs.Scores{Reading: one[0], Writing: one[1], Listening: one[2], Speaking: one[3]}); err != nil {
				out = append(out, views.Problem{Field: field, Key: "ee.err.score_scale", Args: []any{views.Named(ab.Key)}})
			}
		}
	}
	switch d, ok := parseDate(t.Date); {
	case strings.TrimSpace(t.Date) == "":
		out = append(out, views.Problem{Field: prefix + "_date", Key: "ee.err.test_date_required"})
	case !ok:
		out = append(out, views.Problem{Field: prefix + "_date", Key: "ee.err.date_format"})
	case d.After(day(now)):
		out = append(out, views.Problem{Field: prefix + "_date", Key: "ee.err.date_future"})
	case d.Before(day(now).AddDate(-testValidYears, 0, 0)):
		out = append(out, views.Problem{Field: prefix + "_date", Key: "ee.err.test_expired"})
	}
	if len(out) > 0 {
		return out, crs.Levels{}, test
	}
	lv, err := crs.Convert(test, crs.Scores{Reading: scores[0], Writing: scores[1], Listening: scores[2], Speaking: scores[3]})
	if err != nil {
		return views.Problems{{Field: prefix + "_test", Key: "ee.err.score_scale", Args: []any{views.Named("ee.ability.all")}}}, crs.Levels{}, test
	}
	return nil, lv, test
}

func (a *Answers) checkLanguage(now time.Time) views.Problems {
	l := a.Language
	out, _, first := checkTest("first", l.First, now)
	switch l.HasSecond {
	case "yes":
		more, _, second := checkTest("second", l.Second, now)
		out = append(out, more...)
		if first.Valid() && second.Valid() && first.Language() == second.Language() {
			out = append(out, views.Problem{Field: "second_test", Key: "ee.err.second_same_language"})
		}
	case "no":
	default:
		out = append(out, views.Problem{Field: "has_second", Key: "ee.err.has_second_required"})
	}
	return out
}

func (a *Answers) checkEducation(now time.Time) views.Problems {
	var out views.Problems
	e := a.Education
	level := optionIndex(levelOptions, e.Level)
	if level < 0 {
		out = append(out, views.Problem{Field: "level", Key: "ee.err.level_required"})
	}
	canadian := optionIndex(canadianOptions, e.Canadian)
	switch {
	case canadian < 0:
		out = append(out, views.Problem{Field: "canadian", Key: "ee.err.canadian_required"})
	case level < 0:
	case canadian > 0 && crs.Education(level) < crs.OneYear:
		out = append(out, views.Problem{Field: "canadian", Key: "ee.err.canadian_above_level"})
	case canadian == int(crs.CanadianThreeOrMore) && crs.Education(level) < crs.Bachelor:
		out = append(out, views.Problem{Field: "canadian", Key: "ee.err.canadian_above_level"})
	case canadian == 0 && e.Foreign == "no" && crs.Education(level) >= crs.OneYear:
		out = append(out, views.Problem{Field: "canadian", Key: "ee.err.canadian_needed"})
	}
	switch e.Foreign {
	case "yes":
		if level > int(crs.LessThanSecondary) {
			if !hasOption(ecaOptions, e.ECAOrg) {
				out = append(out, views.Problem{Field: "eca_org", Key: "ee.err.eca_org_required"})
			}
			switch d, ok := parseDate(e.ECADate); {
			case strings.TrimSpace(e.ECADate) == "":
				out = append(out, views.Problem{Field: "eca_date", Key: "ee.err.eca_date_required"})
			case !ok:
				out = append(out, views.Problem{Field: "eca_date", Key: "ee.err.date_format"})
			case d.After(day(now)):
				out = append(out, views.Problem{Field: "eca_date", Key: "ee.err.date_future"})
			case d.Before(day(now).AddDate(-ecaValidYears, 0, 0)):
				out = append(out, views.Problem{Field: "eca_date", Key: "ee.err.eca_expired"})
			}
		}
	case "no":
	default:
		out = append(out, views.Problem{Field: "foreign", Key: "ee.err.foreign_required"})
	}
	return out
}

func (a *Answers) checkWork() views.Problems {
	var out views.Problems
	w := a.Work
	if !hasOption(canadianYearOptions, w.CanadianYears) {
		out = append(out, views.Problem{Field: "canadian_years", Key: "ee.err.years_required"})
	}
	if !hasOption(foreignYearOptions, w.ForeignYears) {
		out = append(out, views.Problem{Field: "foreign_years", Key: "ee.err.years_required"})
	}
	noc := strings.TrimSpace(w.NOC)
	switch {
	case noc == "":
		out = append(out, views.Problem{Field: "noc", Key: "ee.err.noc_required"})
	case !nocPattern.MatchString(noc):
		out = append(out, views.Problem{Field: "noc", Key: "ee.err.noc_format"})
	}
	switch {
	case !hasOption(teerOptions, w.TEER):
		out = append(out, views.Problem{Field: "teer", Key: "ee.err.teer_required"})
	case nocPattern.MatchString(noc) && noc[1:2] != w.TEER:
		// In NOC 2021 the second digit of a code is its TEER category.
		out = append(out, views.Problem{Field: "teer", Key: "ee.err.teer_mismatch"})
	}
	return out
}

func (a *Answers) checkSpouse(now time.Time) views.Problems {
	var out views.Problems
	s := a.Spouse
	if !hasOption(levelOptions, s.Education) {
		out = append(out, views.Problem{Field: "spouse_education", Key: "ee.err.level_required"})
	}
	switch s.HasTest {
	case "yes":
		more, _, _ := checkTest("spouse", s.Test, now)
		out = append(out, more...)
	case "no":
	default:
		out = append(out, views.Problem{Field: "spouse_has_test", Key: "ee.err.spouse_has_test_required"})
	}
	if !hasOption(canadianYearOptions, s.CanadianYears) {
		out = append(out, views.Problem{Field: "spouse_canadian_years", Key: "ee.err.years_required"})
	}
	return out
}

func (a *Answers) checkAdditional() views.Problems {
	var out views.Problems
	if a.Additional.Sibling != "yes" && a.Additional.Sibling != "no" {
		out = append(out, views.Problem{Field: "sibling", Key: "ee.err.sibling_required"})
	}
	if a.Additional.Certificate != "yes" && a.Additional.Certificate != "no" {
		out = append(out, views.Problem{Field: "certificate", Key: "ee.err.certificate_required"})
	}
	return out
}

func (a *Answers) checkProvinces() views.Problems {
	ps := a.Provinces.Provinces
	if len(ps) == 0 {
		return views.Problems{{Field: "provinces", Key: "ee.err.provinces_required"}}
	}
	for _, p := range ps {
		if !validJurisdiction(p) {
			return views.Problems{{Field: "provinces", Key: "ee.err.provinces_required"}}
		}
	}
	return nil
}

// CRSProfile builds the calculator's input from complete answers, with
// the age on the day of at.
func (a *Answers) CRSProfile(at time.Time) (crs.Profile, error) {
	var p crs.Profile
	birth, ok := parseDate(a.Personal.BirthDate)
	if !ok {
		return p, errIncomplete
	}
	p.Age = ageAt(birth, at)
	p.Education = crs.Education(max(optionIndex(levelOptions, a.Education.Level), 0))
	p.CanadianEducation = crs.CanadianEducation(max(optionIndex(canadianOptions, a.Education.Canadian), 0))

	_, first, firstTest := checkTest("first", a.Language.First, at)
	p.First = firstTest.Language()
	setLevels(&p, p.First, first)
	if a.Language.HasSecond == "yes" {
		_, second, secondTest := checkTest("second", a.Language.Second, at)
		setLevels(&p, secondTest.Language(), second)
	}
	p.CanadianWorkYears, _ = strconv.Atoi(a.Work.CanadianYears)
	p.ForeignWorkYears, _ = strconv.Atoi(a.Work.ForeignYears)
	p.CertificateOfQualification = a.Additional.Certificate == "yes"
	p.SiblingInCanada = a.Additional.Sibling == "yes"
	if a.spouseCounts() {
		s := &crs.Spouse{Education: crs.Education(max(optionIndex(levelOptions, a.Spouse.Education), 0))}
		s.CanadianWorkYears, _ = strconv.Atoi(a.Spouse.CanadianYears)
		if a.Spouse.HasTest == "yes" {
			_, lv, _ := checkTest("spouse", a.Spouse.Test, at)
			s.FirstLanguage = &lv
		}
		p.Spouse = s
	}
	return p, nil
}

func setLevels(p *crs.Profile, l crs.Language, lv crs.Levels) {
	switch l {
	case crs.English:
		p.English = &lv
	case crs.French:
		p.French = &lv
	}
}

// interests is the provinces as the pool search stores them: ",AB,ON,".
func (a *Answers) interests() string {
	if len(a.Provinces.Provinces) == 0 {
		return ""
	}
	var ordered []string
	for _, code := range Jurisdictions() {
		if a.Provinces.Checked(code) {
			ordered = append(ordered, code)
		}
	}
	return "," + strings.Join(ordered, ",") + ","
}

// formatDay writes a calendar date (a date of birth, a test date), which
// is the same day everywhere: formatting its midnight UTC in Eastern time
// would show the day before.
func formatDay(lang string, t time.Time) string {
	y, m, d := t.Date()
	return i18n.FormatDate(lang, time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

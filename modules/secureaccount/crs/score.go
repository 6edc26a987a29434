package crs

// Breakdown is a score factor by factor, as IRCC's own calculator shows it,
// so a person can see where each point comes from.
type Breakdown struct {
	Core struct {
		Age, Education, FirstLanguage, SecondLanguage, CanadianWork, Total int
	}
	// Spouse is all zero without an accompanying spouse.
	Spouse struct {
		Education, FirstLanguage, CanadianWork, Total int
	}
	// Transferability's totals are after the caps: EducationTotal and
	// ForeignTotal at most 50 each, Total at most 100.
	Transferability struct {
		EducationLanguage, EducationCanadianWork, EducationTotal int
		ForeignLanguage, ForeignCanadianWork, ForeignTotal       int
		Certificate, Total                                       int
	}
	// Additional.ArrangedEmployment is always 0: a job offer stopped earning
	// points on March 25, 2025. The field stays so a breakdown still shows
	// the line, and people who remember the 50 or 200 points see it is 0.
	// Additional.Total is capped at 600.
	Additional struct {
		Sibling, French, CanadianEducation, ArrangedEmployment, Nomination, Total int
	}
	Total int
}

// Score computes the CRS score of a profile, or an error wrapping
// ErrImpossibleProfile when the profile cannot describe a real person.
func Score(p Profile) (Breakdown, error) {
	if err := p.validate(); err != nil {
		return Breakdown{}, err
	}
	var b Breakdown
	withSpouse := p.Spouse != nil
	first := *p.languageLevels(p.First)
	second := p.languageLevels(p.secondLanguage())

	c := &b.Core
	c.Age = cell(agePoints[:], p.Age).in(withSpouse)
	c.Education = educationPoints[p.Education].in(withSpouse)
	for _, level := range first.abilities() {
		c.FirstLanguage += firstLanguagePoints[level].in(withSpouse)
	}
	if second != nil {
		for _, level := range second.abilities() {
			c.SecondLanguage += secondLanguagePoints[level]
		}
		c.SecondLanguage = min(c.SecondLanguage, secondLanguageCap.in(withSpouse))
	}
	c.CanadianWork = cell(canadianWorkPoints[:], p.CanadianWorkYears).in(withSpouse)
	c.Total = c.Age + c.Education + c.FirstLanguage + c.SecondLanguage + c.CanadianWork

	if s := p.Spouse; s != nil {
		sp := &b.Spouse
		sp.Education = spouseEducationPoints[s.Education]
		if s.FirstLanguage != nil {
			for _, level := range s.FirstLanguage.abilities() {
				sp.FirstLanguage += spouseLanguagePoints[level]
			}
		}
		sp.CanadianWork = spouseCanadianWorkPoints[min(s.CanadianWorkYears, len(spouseCanadianWorkPoints)-1)]
		sp.Total = sp.Education + sp.FirstLanguage + sp.CanadianWork
	}

	t := &b.Transferability
	language := languageColumn(first)
	canadianWork := canadianWorkColumn(p.CanadianWorkYears)
	education := educationRow(p.Education)
	foreign := foreignWorkRow(p.ForeignWorkYears)
	t.EducationLanguage = transferabilityPoints[education][language]
	t.EducationCanadianWork = transferabilityPoints[education][canadianWork]
	t.EducationTotal = min(t.EducationLanguage+t.EducationCanadianWork, 50)
	t.ForeignLanguage = transferabilityPoints[foreign][language]
	t.ForeignCanadianWork = transferabilityPoints[foreign][canadianWork]
	t.ForeignTotal = min(t.ForeignLanguage+t.ForeignCanadianWork, 50)
	if p.CertificateOfQualification {
		t.Certificate = certificatePoints(first)
	}
	t.Total = min(t.EducationTotal+t.ForeignTotal+t.Certificate, 100)

	a := &b.Additional
	if p.SiblingInCanada {
		a.Sibling = 15
	}
	a.French = frenchBonus(p.French, p.English)
	a.CanadianEducation = canadianEducationPoints[p.CanadianEducation]
	if p.Nominated {
		a.Nomination = 600
	}
	a.Total = min(a.Sibling+a.French+a.CanadianEducation+a.ArrangedEmployment+a.Nomination, 600)

	// The section maximums add up to exactly 1,200 (460+40+100+600 with a
	// spouse, 500+0+100+600 without), so the total needs no cap of its own.
	b.Total = c.Total + b.Spouse.Total + t.Total + a.Total
	return b, nil
}

func (l Levels) abilities() [4]int { return [4]int{l.Reading, l.Writing, l.Listening, l.Speaking} }

// pair is a grid cell printed as "with / without" an accompanying spouse,
// kept in CRS.md's order so the tables below can be checked against it by eye.
type pair struct{ with, without int }

func (p pair) in(withSpouse bool) int {
	if withSpouse {
		return p.with
	}
	return p.without
}

// cell reads a table indexed by a count (age, years) whose last row stands
// for every larger count, and whose missing rows are zero.
func cell(table []pair, n int) pair {
	if n >= len(table) {
		return table[len(table)-1]
	}
	return table[n]
}

// agePoints ends with 45, which earns nothing, like every age after it.
var agePoints = [...]pair{
	18: {90, 99}, 19: {95, 105},
	20: {100, 110}, 21: {100, 110}, 22: {100, 110}, 23: {100, 110}, 24: {100, 110},
	25: {100, 110}, 26: {100, 110}, 27: {100, 110}, 28: {100, 110}, 29: {100, 110},
	30: {95, 105}, 31: {90, 99}, 32: {85, 94}, 33: {80, 88}, 34: {75, 83},
	35: {70, 77}, 36: {65, 72}, 37: {60, 66}, 38: {55, 61}, 39: {50, 55},
	40: {45, 50}, 41: {35, 39}, 42: {25, 28}, 43: {15, 17}, 44: {5, 6},
	45: {0, 0},
}

var educationPoints = [...]pair{
	LessThanSecondary: {0, 0},
	Secondary:         {28, 30},
	OneYear:           {84, 90},
	TwoYear:           {91, 98},
	Bachelor:          {112, 120},
	TwoOrMore:         {119, 128},
	Master:            {126, 135},
	Doctoral:          {140, 150},
}

// The level tables run to highestLevel so that any valid level indexes them.

var firstLanguagePoints = [highestLevel + 1]pair{
	4: {6, 6}, 5: {6, 6}, 6: {8, 9}, 7: {16, 17}, 8: {22, 23}, 9: {29, 31},
	10: {32, 34}, 11: {32, 34}, 12: {32, 34},
}

var secondLanguagePoints = [highestLevel + 1]int{
	5: 1, 6: 1, 7: 3, 8: 3, 9: 6, 10: 6, 11: 6, 12: 6,
}

// secondLanguageCap only bites with a spouse: four abilities at 6 make 24.
var secondLanguageCap = pair{22, 24}

var canadianWorkPoints = [...]pair{
	0: {0, 0}, 1: {35, 40}, 2: {46, 53}, 3: {56, 64}, 4: {63, 72}, 5: {70, 80},
}

var spouseEducationPoints = [...]int{
	LessThanSecondary: 0, Secondary: 2, OneYear: 6, TwoYear: 7,
	Bachelor: 8, TwoOrMore: 9, Master: 10, Doctoral: 10,
}

var spouseLanguagePoints = [highestLevel + 1]int{
	5: 1, 6: 1, 7: 3, 8: 3, 9: 5, 10: 5, 11: 5, 12: 5,
}

var spouseCanadianWorkPoints = [...]int{0, 5, 7, 8, 9, 10}

// The four skill-transferability tables of CRS.md share one set of cells:
// each crosses a row (education, or foreign work) with a column (first
// language, or Canadian work) and pays 13/25 or 25/50.
type transferabilityRow int

const (
	noRow     transferabilityRow = iota // secondary or less; no foreign work
	middleRow                           // 1-year+ post-secondary; 1 or 2 years abroad
	topRow                              // two or more / master's / doctoral; 3+ years abroad
)

type transferabilityColumn int

const (
	noColumn     transferabilityColumn = iota // below CLB 7 on some ability; under 1 year in Canada
	middleColumn                              // CLB 7+ on all, some below 9; 1 year in Canada
	topColumn                                 // CLB 9+ on all; 2+ years in Canada
)

var transferabilityPoints = [3][3]int{
	noRow:     {0, 0, 0},
	middleRow: {0, 13, 25},
	topRow:    {0, 25, 50},
}

func educationRow(e Education) transferabilityRow {
	switch e {
	case OneYear, TwoYear, Bachelor:
		return middleRow
	case TwoOrMore, Master, Doctoral:
		return topRow
	}
	return noRow
}

func foreignWorkRow(years int) transferabilityRow {
	switch {
	case years >= 3:
		return topRow
	case years >= 1:
		return middleRow
	}
	return noRow
}

func languageColumn(first Levels) transferabilityColumn {
	switch m := first.Min(); {
	case m >= 9:
		return topColumn
	case m >= 7:
		return middleColumn
	}
	return noColumn
}

func canadianWorkColumn(years int) transferabilityColumn {
	switch {
	case years >= 2:
		return topColumn
	case years >= 1:
		return middleColumn
	}
	return noColumn
}

func certificatePoints(first Levels) int {
	switch m := first.Min(); {
	case m >= 7:
		return 50
	case m >= 5:
		return 25
	}
	return 0
}

// frenchBonus looks at French and English whichever one the applicant put
// first: the bonus rewards French ability, not the choice of order.
func frenchBonus(french, english *Levels) int {
	if french == nil || french.Min() < 7 {
		return 0
	}
	if english != nil && english.Min() >= 5 {
		return 50
	}
	return 25
}

var canadianEducationPoints = [...]int{
	NoCanadianEducation:   0,
	CanadianOneOrTwoYears: 15,
	CanadianThreeOrMore:   30,
}

package crs_test

import (
	"errors"
	"fmt"
	"testing"

	"guichet/modules/secureaccount/crs"
)

func levels(r, w, l, s int) *crs.Levels {
	return &crs.Levels{Reading: r, Writing: w, Listening: l, Speaking: s}
}

func all(level int) *crs.Levels { return levels(level, level, level, level) }

// plain is a profile that scores 0 on every factor but the first language
// (English, below CLB 4 everywhere, so 0 too); each table test changes the
// one thing it looks at.
func plain() crs.Profile {
	return crs.Profile{Age: 50, English: all(0), First: crs.English}
}

// spouseCases runs a check once without a spouse and once with one who
// brings no points, returning the column name for messages.
var spouseCases = []struct {
	column string
	spouse *crs.Spouse
}{
	{"without spouse", nil},
	{"with spouse", &crs.Spouse{}},
}

func mustScore(t *testing.T, p crs.Profile) crs.Breakdown {
	t.Helper()
	b, err := crs.Score(p)
	if err != nil {
		t.Fatalf("Score(%+v): %v", p, err)
	}
	return b
}

// cell is a grid row's points with and without a spouse, in CRS.md's order.
type cell struct{ with, without int }

func (c cell) in(column string) int {
	if column == "with spouse" {
		return c.with
	}
	return c.without
}

func TestAge(t *testing.T) {
	want := map[int]cell{
		17: {0, 0}, 18: {90, 99}, 19: {95, 105},
		20: {100, 110}, 21: {100, 110}, 22: {100, 110}, 23: {100, 110}, 24: {100, 110},
		25: {100, 110}, 26: {100, 110}, 27: {100, 110}, 28: {100, 110}, 29: {100, 110},
		30: {95, 105}, 31: {90, 99}, 32: {85, 94}, 33: {80, 88}, 34: {75, 83},
		35: {70, 77}, 36: {65, 72}, 37: {60, 66}, 38: {55, 61}, 39: {50, 55},
		40: {45, 50}, 41: {35, 39}, 42: {25, 28}, 43: {15, 17}, 44: {5, 6},
		45: {0, 0}, 46: {0, 0},
		0: {0, 0}, 16: {0, 0}, 60: {0, 0}, 120: {0, 0},
	}
	for _, sc := range spouseCases {
		for age, w := range want {
			p := plain()
			p.Age, p.Spouse = age, sc.spouse
			b := mustScore(t, p)
			if b.Core.Age != w.in(sc.column) {
				t.Errorf("age %d %s: %d, want %d", age, sc.column, b.Core.Age, w.in(sc.column))
			}
		}
	}
}

func TestEducation(t *testing.T) {
	want := map[crs.Education]cell{
		crs.LessThanSecondary: {0, 0},
		crs.Secondary:         {28, 30},
		crs.OneYear:           {84, 90},
		crs.TwoYear:           {91, 98},
		crs.Bachelor:          {112, 120},
		crs.TwoOrMore:         {119, 128},
		crs.Master:            {126, 135},
		crs.Doctoral:          {140, 150},
	}
	for _, sc := range spouseCases {
		for e, w := range want {
			p := plain()
			p.Education, p.Spouse = e, sc.spouse
			b := mustScore(t, p)
			if b.Core.Education != w.in(sc.column) {
				t.Errorf("education %d %s: %d, want %d", e, sc.column, b.Core.Education, w.in(sc.column))
			}
		}
	}
}

// setAbility returns levels with one ability at level and the others at 0.
func setAbility(ability, level int) *crs.Levels {
	var l [4]int
	l[ability] = level
	return levels(l[0], l[1], l[2], l[3])
}

func TestFirstLanguagePerAbility(t *testing.T) {
	want := map[int]cell{
		0: {0, 0}, 1: {0, 0}, 3: {0, 0}, 4: {6, 6}, 5: {6, 6}, 6: {8, 9}, 7: {16, 17},
		8: {22, 23}, 9: {29, 31}, 10: {32, 34}, 11: {32, 34}, 12: {32, 34},
	}
	for _, first := range []crs.Language{crs.English, crs.French} {
		for _, sc := range spouseCases {
			for ability := range 4 {
				for level, w := range want {
					p := plain()
					p.Spouse, p.First, p.English = sc.spouse, first, nil
					if first == crs.English {
						p.English = setAbility(ability, level)
					} else {
						p.French = setAbility(ability, level)
					}
					b := mustScore(t, p)
					if b.Core.FirstLanguage != w.in(sc.column) {
						t.Errorf("%v %s CLB %d %s: %d, want %d", first, abilityNames[ability], level, sc.column, b.Core.FirstLanguage, w.in(sc.column))
					}
				}
			}
		}
	}
	// Four abilities add up: CLB 10, 8, 6, 4 without a spouse is 34+23+9+6.
	p := plain()
	p.English = levels(10, 8, 6, 4)
	if got := mustScore(t, p).Core.FirstLanguage; got != 72 {
		t.Errorf("CLB 10/8/6/4 without spouse: %d, want 72", got)
	}
	p.Spouse = &crs.Spouse{}
	if got := mustScore(t, p).Core.FirstLanguage; got != 32+22+8+6 {
		t.Errorf("CLB 10/8/6/4 with spouse: %d, want 68", got)
	}
}

func TestSecondLanguage(t *testing.T) {
	perAbility := map[int]int{0: 0, 3: 0, 4: 0, 5: 1, 6: 1, 7: 3, 8: 3, 9: 6, 10: 6, 12: 6}
	for _, sc := range spouseCases {
		for ability := range 4 {
			for level, w := range perAbility {
				// English first, French second.
				p := plain()
				p.Spouse, p.French = sc.spouse, setAbility(ability, level)
				if got := mustScore(t, p).Core.SecondLanguage; got != w {
					t.Errorf("French second %s NCLC %d %s: %d, want %d", abilityNames[ability], level, sc.column, got, w)
				}
				// French first, English second.
				p = plain()
				p.Spouse, p.First, p.French, p.English = sc.spouse, crs.French, all(0), setAbility(ability, level)
				if got := mustScore(t, p).Core.SecondLanguage; got != w {
					t.Errorf("English second %s CLB %d %s: %d, want %d", abilityNames[ability], level, sc.column, got, w)
				}
			}
		}
	}

	sums := []struct {
		name   string
		second *crs.Levels
		want   cell
	}{
		{"no test", nil, cell{0, 0}},
		{"all below 5", all(4), cell{0, 0}},
		{"5/6/7/8 = 1+1+3+3", levels(5, 6, 7, 8), cell{8, 8}},
		{"9/9/9/7 = 21, under the spouse cap", levels(9, 9, 9, 7), cell{21, 21}},
		{"9/9/8/9 = 21", levels(9, 9, 8, 9), cell{21, 21}},
		{"all 9 = 24, capped at 22 with spouse", all(9), cell{22, 24}},
		{"all 10 = 24, capped at 22 with spouse", all(10), cell{22, 24}},
	}
	for _, sc := range spouseCases {
		for _, c := range sums {
			p := plain()
			p.Spouse, p.French = sc.spouse, c.second
			if got := mustScore(t, p).Core.SecondLanguage; got != c.want.in(sc.column) {
				t.Errorf("%s %s: %d, want %d", c.name, sc.column, got, c.want.in(sc.column))
			}
		}
	}
}

func TestCanadianWork(t *testing.T) {
	want := map[int]cell{0: {0, 0}, 1: {35, 40}, 2: {46, 53}, 3: {56, 64}, 4: {63, 72}, 5: {70, 80}, 6: {70, 80}, 30: {70, 80}}
	for _, sc := range spouseCases {
		for years, w := range want {
			p := plain()
			p.Spouse, p.CanadianWorkYears = sc.spouse, years
			if got := mustScore(t, p).Core.CanadianWork; got != w.in(sc.column) {
				t.Errorf("%d years %s: %d, want %d", years, sc.column, got, w.in(sc.column))
			}
		}
	}
}

func TestCoreTotalIsTheSumOfItsFactors(t *testing.T) {
	// 33 years old with a spouse: 80; two-year program: 91; CLB 8 on all
	// four: 4*22 = 88; French NCLC 7 on all four: 4*3 = 12; 4 years in
	// Canada: 63. 80+91+88+12+63 = 334.
	p := crs.Profile{
		Age: 33, Education: crs.TwoYear, English: all(8), French: all(7), First: crs.English,
		CanadianWorkYears: 4, Spouse: &crs.Spouse{},
	}
	if got := mustScore(t, p).Core.Total; got != 334 {
		t.Errorf("core total %d, want 334", got)
	}
}

func TestSpouseFactors(t *testing.T) {
	education := map[crs.Education]int{
		crs.LessThanSecondary: 0, crs.Secondary: 2, crs.OneYear: 6, crs.TwoYear: 7,
		crs.Bachelor: 8, crs.TwoOrMore: 9, crs.Master: 10, crs.Doctoral: 10,
	}
	for e, w := range education {
		p := plain()
		p.Spouse = &crs.Spouse{Education: e}
		b := mustScore(t, p)
		if b.Spouse.Education != w || b.Spouse.Total != w {
			t.Errorf("spouse education %d: %d (total %d), want %d", e, b.Spouse.Education, b.Spouse.Total, w)
		}
	}

	perAbility := map[int]int{0: 0, 3: 0, 4: 0, 5: 1, 6: 1, 7: 3, 8: 3, 9: 5, 10: 5, 12: 5}
	for ability := range 4 {
		for level, w := range perAbility {
			p := plain()
			p.Spouse = &crs.Spouse{FirstLanguage: setAbility(ability, level)}
			if got := mustScore(t, p).Spouse.FirstLanguage; got != w {
				t.Errorf("spouse %s CLB %d: %d, want %d", abilityNames[ability], level, got, w)
			}
		}
	}
	for _, c := range []struct {
		l    *crs.Levels
		want int
	}{{nil, 0}, {all(9), 20}, {all(10), 20}, {levels(5, 7, 9, 4), 1 + 3 + 5 + 0}} {
		p := plain()
		p.Spouse = &crs.Spouse{FirstLanguage: c.l}
		if got := mustScore(t, p).Spouse.FirstLanguage; got != c.want {
			t.Errorf("spouse levels %+v: %d, want %d", c.l, got, c.want)
		}
	}

	work := map[int]int{0: 0, 1: 5, 2: 7, 3: 8, 4: 9, 5: 10, 6: 10, 25: 10}
	for years, w := range work {
		p := plain()
		p.Spouse = &crs.Spouse{CanadianWorkYears: years}
		if got := mustScore(t, p).Spouse.CanadianWork; got != w {
			t.Errorf("spouse %d years in Canada: %d, want %d", years, got, w)
		}
	}

	// The best spouse: 10 + 20 + 10 = 40, the section's maximum.
	p := plain()
	p.Spouse = &crs.Spouse{Education: crs.Doctoral, FirstLanguage: all(12), CanadianWorkYears: 9}
	if got := mustScore(t, p).Spouse.Total; got != 40 {
		t.Errorf("best spouse: %d, want 40", got)
	}
}

func TestNoSpouseMeansNoSpousePoints(t *testing.T) {
	p := crs.Profile{Age: 30, Education: crs.Master, English: all(9), First: crs.English, CanadianWorkYears: 3}
	b := mustScore(t, p)
	if b.Spouse.Education != 0 || b.Spouse.FirstLanguage != 0 || b.Spouse.CanadianWork != 0 || b.Spouse.Total != 0 {
		t.Errorf("spouse section without a spouse: %+v", b.Spouse)
	}
}

// Transferability rows and columns, named as in CRS.md.
var (
	educationRows = []struct {
		name string
		e    crs.Education
		row  int // 0 secondary or less, 1 one year or longer, 2 two or more / master's / doctoral
	}{
		{"less than secondary", crs.LessThanSecondary, 0},
		{"secondary", crs.Secondary, 0},
		{"one-year", crs.OneYear, 1},
		{"two-year", crs.TwoYear, 1},
		{"bachelor's", crs.Bachelor, 1},
		{"two or more", crs.TwoOrMore, 2},
		{"master's", crs.Master, 2},
		{"doctoral", crs.Doctoral, 2},
	}
	foreignRows = []struct {
		years, row int
	}{{0, 0}, {1, 1}, {2, 1}, {3, 2}, {4, 2}, {10, 2}}
	languageColumns = []struct {
		name   string
		first  *crs.Levels
		column int // 0 some below 7, 1 all 7+ with some below 9, 2 all 9+
	}{
		{"all below 4", all(0), 0},
		{"all 6", all(6), 0},
		{"one 6, rest 10", levels(10, 10, 6, 10), 0},
		{"all 7", all(7), 1},
		{"7/8/8/8", levels(7, 8, 8, 8), 1},
		{"one 8, rest 10", levels(10, 10, 10, 8), 1},
		{"all 9", all(9), 2},
		{"9/10/9/12", levels(9, 10, 9, 12), 2},
	}
	canadianWorkColumns = []struct {
		years, column int
	}{{0, 0}, {1, 1}, {2, 2}, {3, 2}, {5, 2}, {8, 2}}
	// transferability is the shared CRS.md cell values by [row][column].
	transferability = [3][3]int{{0, 0, 0}, {0, 13, 25}, {0, 25, 50}}
)

func TestTransferabilityEducation(t *testing.T) {
	for _, sc := range spouseCases {
		for _, r := range educationRows {
			for _, c := range languageColumns {
				p := plain()
				p.Spouse, p.Education, p.English = sc.spouse, r.e, c.first
				got := mustScore(t, p).Transferability.EducationLanguage
				if want := transferability[r.row][c.column]; got != want {
					t.Errorf("%s with language %s %s: %d, want %d", r.name, c.name, sc.column, got, want)
				}
			}
			for _, c := range canadianWorkColumns {
				p := plain()
				p.Spouse, p.Education, p.CanadianWorkYears = sc.spouse, r.e, c.years
				got := mustScore(t, p).Transferability.EducationCanadianWork
				if want := transferability[r.row][c.column]; got != want {
					t.Errorf("%s with %d years in Canada %s: %d, want %d", r.name, c.years, sc.column, got, want)
				}
			}
		}
	}
}

func TestTransferabilityForeignWork(t *testing.T) {
	for _, sc := range spouseCases {
		for _, r := range foreignRows {
			for _, c := range languageColumns {
				p := plain()
				p.Spouse, p.ForeignWorkYears, p.English = sc.spouse, r.years, c.first
				got := mustScore(t, p).Transferability.ForeignLanguage
				if want := transferability[r.row][c.column]; got != want {
					t.Errorf("%d years abroad with language %s %s: %d, want %d", r.years, c.name, sc.column, got, want)
				}
			}
			for _, c := range canadianWorkColumns {
				p := plain()
				p.Spouse, p.ForeignWorkYears, p.CanadianWorkYears = sc.spouse, r.years, c.years
				got := mustScore(t, p).Transferability.ForeignCanadianWork
				if want := transferability[r.row][c.column]; got != want {
					t.Errorf("%d years abroad with %d in Canada %s: %d, want %d", r.years, c.years, sc.column, got, want)
				}
			}
		}
	}
}

func TestTransferabilityUsesTheFirstLanguageOnly(t *testing.T) {
	// French first at NCLC 6 and English second at CLB 10: the language
	// column is "below 7", whatever the English results.
	p := crs.Profile{Age: 30, Education: crs.Master, First: crs.French, French: all(6), English: all(10), ForeignWorkYears: 3}
	tr := mustScore(t, p).Transferability
	if tr.EducationLanguage != 0 || tr.ForeignLanguage != 0 {
		t.Errorf("second language counted: %+v", tr)
	}
	p.First = crs.English
	tr = mustScore(t, p).Transferability
	if tr.EducationLanguage != 50 || tr.ForeignLanguage != 50 {
		t.Errorf("English first at CLB 10: %+v, want 50 and 50", tr)
	}
}

func TestCertificate(t *testing.T) {
	cases := []struct {
		name  string
		first *crs.Levels
		want  int
	}{
		{"all below 4", all(0), 0},
		{"all 4", all(4), 0},
		{"one 4, rest 10", levels(4, 10, 10, 10), 0},
		{"all 5", all(5), 25},
		{"5/6/6/6", levels(5, 6, 6, 6), 25},
		{"one 6, rest 9", levels(9, 9, 9, 6), 25},
		{"all 7", all(7), 50},
		{"7/10/8/9", levels(7, 10, 8, 9), 50},
		{"all 10", all(10), 50},
	}
	for _, sc := range spouseCases {
		for _, c := range cases {
			p := plain()
			p.Spouse, p.English, p.CertificateOfQualification = sc.spouse, c.first, true
			if got := mustScore(t, p).Transferability.Certificate; got != c.want {
				t.Errorf("certificate with %s %s: %d, want %d", c.name, sc.column, got, c.want)
			}
			p.CertificateOfQualification = false
			if got := mustScore(t, p).Transferability.Certificate; got != 0 {
				t.Errorf("no certificate with %s %s: %d, want 0", c.name, sc.column, got)
			}
		}
	}
}

func TestTransferabilityCaps(t *testing.T) {
	cases := []struct {
		name string
		p    crs.Profile
		// education pair, foreign pair, certificate, section
		edu, foreign, cert, total int
	}{
		{
			// Master's + CLB 9 = 50, master's + 2 years in Canada = 50: 100 -> 50.
			name: "education pair capped",
			p:    crs.Profile{Education: crs.Master, English: all(9), First: crs.English, CanadianWorkYears: 2},
			edu:  50, total: 50,
		},
		{
			// Bachelor's + CLB 9 = 25, bachelor's + 2 years = 25: exactly 50.
			name: "education pair at the cap",
			p:    crs.Profile{Education: crs.Bachelor, English: all(9), First: crs.English, CanadianWorkYears: 2},
			edu:  50, total: 50,
		},
		{
			// Bachelor's + CLB 7 = 13, bachelor's + 1 year = 13: 26, uncapped.
			name: "education pair under the cap",
			p:    crs.Profile{Education: crs.Bachelor, English: all(7), First: crs.English, CanadianWorkYears: 1},
			edu:  26, total: 26,
		},
		{
			// Doctoral + CLB 8 = 25, doctoral + 2 years = 50: 75 -> 50.
			name: "education pair, 25 + 50",
			p:    crs.Profile{Education: crs.Doctoral, English: all(8), First: crs.English, CanadianWorkYears: 2},
			edu:  50, total: 50,
		},
		{
			// 3 years abroad + CLB 9 = 50, + 2 years in Canada = 50: 100 -> 50.
			name:    "foreign pair capped",
			p:       crs.Profile{ForeignWorkYears: 3, English: all(9), First: crs.English, CanadianWorkYears: 2},
			foreign: 50, total: 50,
		},
		{
			// 2 years abroad + CLB 7 = 13, + 1 year in Canada = 13: 26.
			name:    "foreign pair under the cap",
			p:       crs.Profile{ForeignWorkYears: 2, English: all(7), First: crs.English, CanadianWorkYears: 1},
			foreign: 26, total: 26,
		},
		{
			// Education 50 + foreign 50 + certificate 50 = 150 -> 100.
			name: "section capped",
			p: crs.Profile{Education: crs.Master, ForeignWorkYears: 3, English: all(9), First: crs.English,
				CanadianWorkYears: 2, CertificateOfQualification: true},
			edu: 50, foreign: 50, cert: 50, total: 100,
		},
		{
			// Education 25 + foreign 25 + certificate 50 = 100, the cap itself.
			name: "section at the cap",
			p: crs.Profile{Education: crs.Master, ForeignWorkYears: 3, English: all(8), First: crs.English,
				CertificateOfQualification: true},
			edu: 25, foreign: 25, cert: 50, total: 100,
		},
		{
			// Education 13 + foreign 13 + certificate 50 = 76.
			name: "section under the cap",
			p: crs.Profile{Education: crs.OneYear, ForeignWorkYears: 1, English: all(7), First: crs.English,
				CertificateOfQualification: true},
			edu: 13, foreign: 13, cert: 50, total: 76,
		},
	}
	for _, sc := range spouseCases {
		for _, c := range cases {
			c.p.Age, c.p.Spouse = 50, sc.spouse
			tr := mustScore(t, c.p).Transferability
			if tr.EducationTotal != c.edu || tr.ForeignTotal != c.foreign || tr.Certificate != c.cert || tr.Total != c.total {
				t.Errorf("%s %s: education %d, foreign %d, certificate %d, total %d; want %d, %d, %d, %d",
					c.name, sc.column, tr.EducationTotal, tr.ForeignTotal, tr.Certificate, tr.Total,
					c.edu, c.foreign, c.cert, c.total)
			}
		}
	}
}

func TestFrenchBonus(t *testing.T) {
	cases := []struct {
		name            string
		first           crs.Language
		french, english *crs.Levels
		want            int
	}{
		{"French 7 all, no English", crs.French, all(7), nil, 25},
		{"French 7 all, English 4 all", crs.French, all(7), all(4), 25},
		{"French 7 all, English one below 5", crs.French, all(7), levels(10, 10, 4, 10), 25},
		{"French 7 all, English 0 all", crs.French, all(7), all(0), 25},
		{"French 7 all, English 5 all", crs.French, all(7), all(5), 50},
		{"French 10 all, English 9 all", crs.French, all(10), all(9), 50},
		{"French first below 7 on one ability", crs.French, levels(7, 7, 6, 7), all(9), 0},
		{"French first 6 all, no English", crs.French, all(6), nil, 0},
		{"English first, French 7 all, English 5 all", crs.English, all(7), all(5), 50},
		{"English first, French 9 all, English 4 on one", crs.English, all(9), levels(4, 5, 5, 5), 25},
		{"English first, no French", crs.English, nil, all(10), 0},
		{"English first, French one below 7", crs.English, levels(10, 10, 10, 6), all(10), 0},
	}
	for _, sc := range spouseCases {
		for _, c := range cases {
			p := crs.Profile{Age: 50, First: c.first, French: c.french, English: c.english, Spouse: sc.spouse}
			if got := mustScore(t, p).Additional.French; got != c.want {
				t.Errorf("%s %s: %d, want %d", c.name, sc.column, got, c.want)
			}
		}
	}
}

func TestAdditional(t *testing.T) {
	cases := []struct {
		name string
		p    crs.Profile
		// sibling, french, Canadian education, nomination, total
		want [5]int
	}{
		{"nothing", plain(), [5]int{0, 0, 0, 0, 0}},
		{"sibling", crs.Profile{SiblingInCanada: true}, [5]int{15, 0, 0, 0, 15}},
		{"Canadian 1-2 years", crs.Profile{CanadianEducation: crs.CanadianOneOrTwoYears}, [5]int{0, 0, 15, 0, 15}},
		{"Canadian 3+ years", crs.Profile{CanadianEducation: crs.CanadianThreeOrMore}, [5]int{0, 0, 30, 0, 30}},
		{"nomination", crs.Profile{Nominated: true}, [5]int{0, 0, 0, 600, 600}},
		{
			// 15 + 50 + 30 = 95 without a nomination.
			"all but nomination",
			crs.Profile{SiblingInCanada: true, French: all(7), CanadianEducation: crs.CanadianThreeOrMore},
			[5]int{15, 50, 30, 0, 95},
		},
		{
			// 600 + 15 = 615 -> 600.
			"nomination and sibling",
			crs.Profile{Nominated: true, SiblingInCanada: true},
			[5]int{15, 0, 0, 600, 600},
		},
		{
			// 600 + 15 + 50 + 30 = 695 -> 600.
			"everything",
			crs.Profile{Nominated: true, SiblingInCanada: true, French: all(8), CanadianEducation: crs.CanadianThreeOrMore},
			[5]int{15, 50, 30, 600, 600},
		},
	}
	for _, sc := range spouseCases {
		for _, c := range cases {
			p := c.p
			p.Age, p.Spouse, p.First = 50, sc.spouse, crs.English
			if p.English == nil {
				p.English = all(9)
			}
			a := mustScore(t, p).Additional
			got := [5]int{a.Sibling, a.French, a.CanadianEducation, a.Nomination, a.Total}
			if got != c.want {
				t.Errorf("%s %s: %v, want %v", c.name, sc.column, got, c.want)
			}
			if a.ArrangedEmployment != 0 {
				t.Errorf("%s %s: arranged employment %d, want 0 since March 25, 2025", c.name, sc.column, a.ArrangedEmployment)
			}
		}
	}
}

func TestImpossibleProfiles(t *testing.T) {
	good := func() crs.Profile {
		return crs.Profile{Age: 30, Education: crs.Bachelor, English: all(8), First: crs.English}
	}
	cases := []struct {
		name   string
		change func(*crs.Profile)
	}{
		{"negative age", func(p *crs.Profile) { p.Age = -1 }},
		{"education below range", func(p *crs.Profile) { p.Education = -1 }},
		{"education above range", func(p *crs.Profile) { p.Education = crs.Doctoral + 1 }},
		{"first language unset", func(p *crs.Profile) { p.First = 0 }},
		{"first language unknown", func(p *crs.Profile) { p.First = 3 }},
		{"English first without an English test", func(p *crs.Profile) { p.English, p.French = nil, all(8) }},
		{"French first without a French test", func(p *crs.Profile) { p.First = crs.French }},
		{"no test at all", func(p *crs.Profile) { p.English = nil }},
		{"English level negative", func(p *crs.Profile) { p.English = levels(8, -1, 8, 8) }},
		{"English level above 12", func(p *crs.Profile) { p.English = levels(8, 8, 13, 8) }},
		{"French level above 12", func(p *crs.Profile) { p.French = levels(8, 8, 8, 13) }},
		{"French level negative", func(p *crs.Profile) { p.French = levels(-4, 8, 8, 8) }},
		{"negative Canadian work", func(p *crs.Profile) { p.CanadianWorkYears = -1 }},
		{"negative foreign work", func(p *crs.Profile) { p.ForeignWorkYears = -2 }},
		{"Canadian education unknown", func(p *crs.Profile) { p.CanadianEducation = crs.CanadianThreeOrMore + 1 }},
		{"Canadian education negative", func(p *crs.Profile) { p.CanadianEducation = -1 }},
		{"spouse education unknown", func(p *crs.Profile) { p.Spouse = &crs.Spouse{Education: 8} }},
		{"spouse level out of range", func(p *crs.Profile) { p.Spouse = &crs.Spouse{FirstLanguage: levels(5, 5, 5, 99)} }},
		{"spouse negative Canadian work", func(p *crs.Profile) { p.Spouse = &crs.Spouse{CanadianWorkYears: -1} }},
	}
	if _, err := crs.Score(good()); err != nil {
		t.Fatalf("the base profile is refused: %v", err)
	}
	for _, c := range cases {
		p := good()
		c.change(&p)
		b, err := crs.Score(p)
		if !errors.Is(err, crs.ErrImpossibleProfile) {
			t.Errorf("%s: error %v, want ErrImpossibleProfile", c.name, err)
		}
		if b != (crs.Breakdown{}) {
			t.Errorf("%s: breakdown %+v alongside an error", c.name, b)
		}
	}
}

func TestScoreIsAllocationFree(t *testing.T) {
	p := workedProfiles[1].p
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := crs.Score(p); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Score allocates %v times per call", allocs)
	}
}

func BenchmarkScore(b *testing.B) {
	profiles := make([]crs.Profile, len(workedProfiles))
	for i, w := range workedProfiles {
		profiles[i] = w.p
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := crs.Score(profiles[i%len(profiles)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func ExampleScore() {
	english, err := crs.Convert(crs.IELTS, crs.Scores{Reading: 7, Writing: 7, Listening: 8, Speaking: 7})
	if err != nil {
		panic(err)
	}
	b, err := crs.Score(crs.Profile{
		Age: 29, Education: crs.Master, English: &english, First: crs.English,
		ForeignWorkYears: 3, CanadianWorkYears: 1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(english, b.Core.Total, b.Transferability.Total, b.Total)
	// Output: {9 9 9 9} 409 100 509
}

package crs_test

import (
	"testing"

	"guichet/modules/secureaccount/crs"
)

// sections is a breakdown's four section totals and the grand total.
type sections struct{ core, spouse, transferability, additional, total int }

// workedProfiles are complete profiles scored by hand from CRS.md, every
// factor written out so a reviewer can redo the sum with the grid open.
var workedProfiles = []struct {
	name string
	p    crs.Profile
	want sections
}{
	{
		// Core (without spouse): age 29 = 110; master's = 135; CLB 9 on
		// all four = 4 * 31 = 124; no French = 0; 1 year in Canada = 40.
		// 110 + 135 + 124 + 0 + 40 = 409.
		// Transferability: master's + CLB 9 = 50, master's + 1 year in
		// Canada = 25, 75 capped at 50; 3 years abroad + CLB 9 = 50,
		// + 1 year in Canada = 25, 75 capped at 50; 50 + 50 = 100.
		// Additional: 0. Total 409 + 0 + 100 + 0 = 509.
		name: "single master's holder, 29, CLB 9",
		p: crs.Profile{
			Age: 29, Education: crs.Master, English: all(9), First: crs.English,
			CanadianWorkYears: 1, ForeignWorkYears: 3,
		},
		want: sections{409, 0, 100, 0, 509},
	},
	{
		// Core (with spouse): age 34 = 75; bachelor's = 112; English
		// 8/7/9/8 = 22 + 16 + 29 + 22 = 89; French 5/6/7/4 = 1 + 1 + 3 + 0
		// = 5; 2 years in Canada = 46. 75 + 112 + 89 + 5 + 46 = 327.
		// Spouse: two-year = 7; CLB 7/5/9/4 = 3 + 1 + 5 + 0 = 9; 1 year in
		// Canada = 5. 7 + 9 + 5 = 21.
		// Transferability (lowest English 7, so the CLB 7-8 column):
		// bachelor's + language = 13, + 2 years in Canada = 25, 38;
		// 2 years abroad + language = 13, + 2 years in Canada = 25, 38;
		// 38 + 38 = 76.
		// Additional: French below NCLC 7 on one ability = 0.
		// Total 327 + 21 + 76 + 0 = 424.
		name: "married, spouse coming",
		p: crs.Profile{
			Age: 34, Education: crs.Bachelor, English: levels(8, 7, 9, 8), French: levels(5, 6, 7, 4),
			First: crs.English, CanadianWorkYears: 2, ForeignWorkYears: 2,
			Spouse: &crs.Spouse{Education: crs.TwoYear, FirstLanguage: levels(7, 5, 9, 4), CanadianWorkYears: 1},
		},
		want: sections{327, 21, 76, 0, 424},
	},
	{
		// Core (without spouse): age 31 = 99; two or more credentials =
		// 128; French first 10/9/10/9 = 34 + 31 + 34 + 31 = 130; English
		// second 6/5/7/5 = 1 + 1 + 3 + 1 = 6; no Canadian work = 0.
		// 99 + 128 + 130 + 6 + 0 = 363.
		// Transferability (lowest French 9): two or more + language = 50,
		// + Canadian work 0; 4 years abroad + language = 50, + 0; 100.
		// Additional: sibling 15; NCLC 7+ on all and CLB 5+ on all = 50;
		// Canadian 1-2 year credential = 15. 80.
		// Total 363 + 0 + 100 + 80 = 543.
		name: "French first, 50-point French bonus",
		p: crs.Profile{
			Age: 31, Education: crs.TwoOrMore, French: levels(10, 9, 10, 9), English: levels(6, 5, 7, 5),
			First: crs.French, ForeignWorkYears: 4, SiblingInCanada: true,
			CanadianEducation: crs.CanadianOneOrTwoYears,
		},
		want: sections{363, 0, 100, 80, 543},
	},
	{
		// Core (without spouse): age 40 = 50; secondary = 30; English
		// 5/6/6/5 = 6 + 9 + 9 + 6 = 30; 3 years in Canada = 64.
		// 50 + 30 + 30 + 0 + 64 = 174.
		// Transferability (lowest English 5, below the CLB 7 column):
		// secondary earns nothing; 1 year abroad + language = 0, + 3 years
		// in Canada = 25; certificate with CLB 5+ and some below 7 = 25.
		// 0 + 25 + 25 = 50.
		// Total 174 + 0 + 50 + 0 = 224.
		name: "trades, certificate of qualification",
		p: crs.Profile{
			Age: 40, Education: crs.Secondary, English: levels(5, 6, 6, 5), First: crs.English,
			CanadianWorkYears: 3, ForeignWorkYears: 1, CertificateOfQualification: true,
		},
		want: sections{174, 0, 50, 0, 224},
	},
	{
		// Core (without spouse): age 27 = 110; doctoral = 150; CLB 10 on
		// all = 4 * 34 = 136; NCLC 9 on all = 4 * 6 = 24 (the cap without
		// spouse); 5 years in Canada = 80. 500, the maximum.
		// Transferability: education 50 + 50 -> 50; foreign 50 + 50 -> 50;
		// certificate 50. 150 -> 100.
		// Additional: sibling 15 + French 50 + Canadian 3+ years 30 +
		// nomination 600 = 695 -> 600.
		// Total 500 + 0 + 100 + 600 = 1,200.
		name: "nominated, everything at its maximum, single",
		p: crs.Profile{
			Age: 27, Education: crs.Doctoral, English: all(10), French: all(9), First: crs.English,
			CanadianWorkYears: 5, ForeignWorkYears: 3, CertificateOfQualification: true,
			SiblingInCanada: true, CanadianEducation: crs.CanadianThreeOrMore, Nominated: true,
		},
		want: sections{500, 0, 100, 600, 1200},
	},
	{
		// Core (with spouse): age 25 = 100; doctoral = 140; CLB 10 on all
		// = 4 * 32 = 128; NCLC 9 on all = 24 capped at 22; 7 years in
		// Canada counts as 5+ = 70. 460, the maximum.
		// Spouse: doctoral 10; CLB 9 on all 4 * 5 = 20; 6 years = 10. 40.
		// Transferability 100 and additional 600 as above.
		// Total 460 + 40 + 100 + 600 = 1,200.
		name: "nominated, everything at its maximum, with spouse",
		p: crs.Profile{
			Age: 25, Education: crs.Doctoral, English: all(10), French: all(9), First: crs.English,
			CanadianWorkYears: 7, ForeignWorkYears: 3, CertificateOfQualification: true,
			SiblingInCanada: true, CanadianEducation: crs.CanadianThreeOrMore, Nominated: true,
			Spouse: &crs.Spouse{Education: crs.Doctoral, FirstLanguage: all(9), CanadianWorkYears: 6},
		},
		want: sections{460, 40, 100, 600, 1200},
	},
	{
		// Core (with spouse): age 36 = 65; bachelor's = 112; English
		// 7/7/8/7 = 16 + 16 + 22 + 16 = 70; 1 year in Canada = 35.
		// 65 + 112 + 70 + 0 + 35 = 282.
		// Spouse: secondary 2; no test 0; no Canadian work 0. 2.
		// Transferability (lowest 7): bachelor's + language 13, + 1 year in
		// Canada 13, 26; no foreign work 0. 26.
		// Additional: nomination 600.
		// Total 282 + 2 + 26 + 600 = 910.
		name: "nominated, spouse without a test",
		p: crs.Profile{
			Age: 36, Education: crs.Bachelor, English: levels(7, 7, 8, 7), First: crs.English,
			CanadianWorkYears: 1, Nominated: true,
			Spouse: &crs.Spouse{Education: crs.Secondary},
		},
		want: sections{282, 2, 26, 600, 910},
	},
	{
		// Core (without spouse): age 45 = 0; less than secondary = 0;
		// English 4/0/5/4 = 6 + 0 + 6 + 6 = 18. 18.
		// Transferability: lowest English 0, so 10 years abroad earn
		// nothing with language, and nothing without Canadian work. 0.
		// Total 18.
		name: "45, no diploma, weak English",
		p: crs.Profile{
			Age: 45, English: levels(4, 0, 5, 4), First: crs.English, ForeignWorkYears: 10,
		},
		want: sections{18, 0, 0, 0, 18},
	},
	{
		// Core (without spouse): age 22 = 110; one-year = 90; English
		// 4/4/5/4 = 4 * 6 = 24; French NCLC 7 on all = 4 * 3 = 12.
		// 110 + 90 + 24 + 12 + 0 = 236.
		// Transferability: lowest English 4, no Canadian work: 0.
		// Additional: NCLC 7+ on all with English CLB 4 on one = 25.
		// Total 236 + 0 + 0 + 25 = 261.
		name: "English first but weak, 25-point French bonus",
		p: crs.Profile{
			Age: 22, Education: crs.OneYear, English: levels(4, 4, 5, 4), French: all(7),
			First: crs.English, ForeignWorkYears: 2,
		},
		want: sections{236, 0, 0, 25, 261},
	},
	{
		// Core (with spouse): age 30 = 95; master's = 126; French NCLC 8 on
		// all = 4 * 22 = 88; no English = 0; 2 years in Canada = 46.
		// 95 + 126 + 88 + 0 + 46 = 355.
		// Spouse: bachelor's 8; CLB 9 on all 4 * 5 = 20; 0. 28.
		// Transferability (lowest 8): master's + language 25, + 2 years in
		// Canada 50, 75 -> 50; no foreign work. 50.
		// Additional: NCLC 7+ with no English test = 25; Canadian master's
		// = 30. 55.
		// Total 355 + 28 + 50 + 55 = 488.
		name: "French only, Canadian master's, spouse coming",
		p: crs.Profile{
			Age: 30, Education: crs.Master, French: all(8), First: crs.French,
			CanadianWorkYears: 2, CanadianEducation: crs.CanadianThreeOrMore,
			Spouse: &crs.Spouse{Education: crs.Bachelor, FirstLanguage: all(9)},
		},
		want: sections{355, 28, 50, 55, 488},
	},
}

func TestWorkedExamples(t *testing.T) {
	for _, w := range workedProfiles {
		t.Run(w.name, func(t *testing.T) {
			b := mustScore(t, w.p)
			got := sections{b.Core.Total, b.Spouse.Total, b.Transferability.Total, b.Additional.Total, b.Total}
			if got != w.want {
				t.Errorf("got %+v, want %+v", got, w.want)
			}
		})
	}
}

// TestWorkedExamplesFromTestResults starts from the scores printed on the
// test results, so the conversion tables and the grid are checked together.
// Every level and every point is derived by hand from CRS.md.
func TestWorkedExamplesFromTestResults(t *testing.T) {
	// result is one test's printed scores and the levels CRS.md gives them.
	type result struct {
		test   crs.Test
		scores crs.Scores
		want   crs.Levels
	}
	cases := []struct {
		name                string
		first, second, mate *result // mate: the spouse's test
		profile             crs.Profile
		want                sections
	}{
		{
			// CELPIP 9/8/10/7 is CLB 9/8/10/7.
			// TEF reading 434 = NCLC 7 (434 is the NCLC 7 minimum), writing
			// 427 = NCLC 6 (one under 428), listening 545 = NCLC 9 (one under
			// 546), speaking 387 = NCLC 5 (the NCLC 5 minimum).
			// Core (without spouse): age 32 = 94; bachelor's = 120; CLB
			// 9/8/10/7 = 31 + 23 + 34 + 17 = 105; NCLC 7/6/9/5 = 3 + 1 + 6 + 1
			// = 11; 2 years in Canada = 53. 94 + 120 + 105 + 11 + 53 = 383.
			// Transferability (lowest CLB 7): bachelor's + language 13, + 2
			// years in Canada 25, 38; 1 year abroad + language 13, + 2 years
			// in Canada 25, 38. 76.
			// Additional: French below NCLC 7 on two abilities = 0; Canadian
			// 1-2 year credential = 15.
			// Total 383 + 0 + 76 + 15 = 474.
			name:    "CELPIP first, TEF second, single",
			first:   &result{crs.CELPIP, crs.Scores{Reading: 9, Writing: 8, Listening: 10, Speaking: 7}, crs.Levels{9, 8, 10, 7}},
			second:  &result{crs.TEF, crs.Scores{Reading: 434, Writing: 427, Listening: 545, Speaking: 387}, crs.Levels{7, 6, 9, 5}},
			profile: crs.Profile{Age: 32, Education: crs.Bachelor, CanadianWorkYears: 2, ForeignWorkYears: 1, CanadianEducation: crs.CanadianOneOrTwoYears},
			want:    sections{383, 0, 76, 15, 474},
		},
		{
			// TCF reading 524 = NCLC 9 (the minimum), writing 13 = NCLC 8,
			// listening 522 = NCLC 8 (one under 523), speaking 16 = NCLC 10.
			// IELTS reading 5.5 = CLB 6, writing 4.5 = CLB 4, listening 8.5 =
			// CLB 10, speaking 6.0 = CLB 7.
			// Spouse CELPIP 4/12/3/5 = CLB 4/10/0/5 (3 is below the scale).
			// Core (with spouse): age 38 = 55; master's = 126; NCLC 9/8/8/10 =
			// 29 + 22 + 22 + 32 = 105; CLB 6/4/10/7 = 1 + 0 + 6 + 3 = 10; no
			// Canadian work = 0. 55 + 126 + 105 + 10 + 0 = 296.
			// Spouse: one-year 6; CLB 4/10/0/5 = 0 + 5 + 0 + 1 = 6; 3 years in
			// Canada 8. 20.
			// Transferability (lowest NCLC 8): master's + language 25, + no
			// Canadian work 0, 25; 3 years abroad + language 25, + 0, 25;
			// certificate with NCLC 7+ on all 50. 25 + 25 + 50 = 100, the cap.
			// Additional: sibling 15; NCLC 7+ on all with English CLB 4 on
			// writing = 25. 40.
			// Total 296 + 20 + 100 + 40 = 456.
			name:   "TCF first, IELTS second, spouse with CELPIP",
			first:  &result{crs.TCF, crs.Scores{Reading: 524, Writing: 13, Listening: 522, Speaking: 16}, crs.Levels{9, 8, 8, 10}},
			second: &result{crs.IELTS, crs.Scores{Reading: 5.5, Writing: 4.5, Listening: 8.5, Speaking: 6.0}, crs.Levels{6, 4, 10, 7}},
			mate:   &result{crs.CELPIP, crs.Scores{Reading: 4, Writing: 12, Listening: 3, Speaking: 5}, crs.Levels{4, 10, 0, 5}},
			profile: crs.Profile{
				Age: 38, Education: crs.Master, ForeignWorkYears: 3, CertificateOfQualification: true, SiblingInCanada: true,
				Spouse: &crs.Spouse{Education: crs.OneYear, CanadianWorkYears: 3},
			},
			want: sections{296, 20, 100, 40, 456},
		},
		{
			// IELTS 7.0/7.0/7.5/7.0: listening 7.5 is CLB 8, half a band under
			// the CLB 9 minimum of 8.0, so the applicant is not "CLB 9+ on
			// all". Compare ExampleScore, the same person with listening 8.0.
			// Core (without spouse): age 29 = 110; master's = 135; CLB
			// 9/9/8/9 = 31 + 31 + 23 + 31 = 116; 1 year in Canada = 40. 401.
			// Transferability (lowest CLB 8): master's + language 25, + 1
			// year in Canada 25, 50; 3 years abroad + language 25, + 1 year in
			// Canada 25, 50. 100.
			// Total 401 + 0 + 100 + 0 = 501.
			name:    "IELTS listening half a band under CLB 9",
			first:   &result{crs.IELTS, crs.Scores{Reading: 7.0, Writing: 7.0, Listening: 7.5, Speaking: 7.0}, crs.Levels{9, 9, 8, 9}},
			profile: crs.Profile{Age: 29, Education: crs.Master, CanadianWorkYears: 1, ForeignWorkYears: 3},
			want:    sections{401, 0, 100, 0, 501},
		},
		{
			// TEF 546/558/546/556, every ability exactly at its NCLC 10
			// minimum.
			// Core (without spouse): age 18 = 99; secondary = 30; 4 * 34 =
			// 136; no Canadian work. 265.
			// Transferability: secondary and no foreign work earn nothing. 0.
			// Additional: NCLC 7+ on all and no English test = 25.
			// Total 265 + 0 + 0 + 25 = 290.
			name:    "TEF only, at the NCLC 10 minimums, 18 years old",
			first:   &result{crs.TEF, crs.Scores{Reading: 546, Writing: 558, Listening: 546, Speaking: 556}, crs.Levels{10, 10, 10, 10}},
			profile: crs.Profile{Age: 18, Education: crs.Secondary},
			want:    sections{265, 0, 0, 25, 290},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convert := func(r *result) (*crs.Levels, crs.Language) {
				t.Helper()
				l, err := crs.Convert(r.test, r.scores)
				if err != nil {
					t.Fatalf("%s %+v: %v", r.test, r.scores, err)
				}
				if l != r.want {
					t.Fatalf("%s %+v = %+v, want %+v", r.test, r.scores, l, r.want)
				}
				return &l, r.test.Language()
			}
			p := c.profile
			if p.Spouse != nil {
				s := *p.Spouse
				p.Spouse = &s
			}
			set := func(l *crs.Levels, lang crs.Language) {
				if lang == crs.English {
					p.English = l
				} else {
					p.French = l
				}
			}
			l, lang := convert(c.first)
			p.First = lang
			set(l, lang)
			if c.second != nil {
				set(convert(c.second))
			}
			if c.mate != nil {
				p.Spouse.FirstLanguage, _ = convert(c.mate)
			}
			b := mustScore(t, p)
			got := sections{b.Core.Total, b.Spouse.Total, b.Transferability.Total, b.Additional.Total, b.Total}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

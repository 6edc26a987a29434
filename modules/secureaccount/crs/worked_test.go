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

package crs_test

import (
	"errors"
	"math"
	"testing"

	"guichet/modules/secureaccount/crs"
)

func TestTestLanguage(t *testing.T) {
	cases := []struct {
		test  crs.Test
		lang  crs.Language
		valid bool
	}{
		{crs.IELTS, crs.English, true},
		{crs.CELPIP, crs.English, true},
		{crs.TEF, crs.French, true},
		{crs.TCF, crs.French, true},
		{"ielts", crs.English, true},
		{"IELTS", 0, false},
		{"toefl", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		if got := c.test.Language(); got != c.lang {
			t.Errorf("%q.Language() = %v, want %v", c.test, got, c.lang)
		}
		if got := c.test.Valid(); got != c.valid {
			t.Errorf("%q.Valid() = %v, want %v", c.test, got, c.valid)
		}
	}
}

func TestLevelsMin(t *testing.T) {
	cases := []struct {
		l    crs.Levels
		want int
	}{
		{crs.Levels{9, 9, 9, 9}, 9},
		{crs.Levels{4, 9, 9, 9}, 4},
		{crs.Levels{9, 5, 9, 9}, 5},
		{crs.Levels{9, 9, 6, 9}, 6},
		{crs.Levels{9, 9, 9, 0}, 0},
	}
	for _, c := range cases {
		if got := c.l.Min(); got != c.want {
			t.Errorf("%+v.Min() = %d, want %d", c.l, got, c.want)
		}
	}
}

// minimums are the CRS.md conversion tables, transcribed a second time
// here (level -> reading, writing, listening, speaking) so that a typo in
// the package's copy shows up as a failure.
var minimums = map[crs.Test]map[int][4]float64{
	crs.IELTS: {
		10: {8.0, 7.5, 8.5, 7.5},
		9:  {7.0, 7.0, 8.0, 7.0},
		8:  {6.5, 6.5, 7.5, 6.5},
		7:  {6.0, 6.0, 6.0, 6.0},
		6:  {5.0, 5.5, 5.5, 5.5},
		5:  {4.0, 5.0, 5.0, 5.0},
		4:  {3.5, 4.0, 4.5, 4.0},
	},
	crs.CELPIP: {
		10: {10, 10, 10, 10}, 9: {9, 9, 9, 9}, 8: {8, 8, 8, 8}, 7: {7, 7, 7, 7},
		6: {6, 6, 6, 6}, 5: {5, 5, 5, 5}, 4: {4, 4, 4, 4},
	},
	crs.TEF: {
		10: {546, 558, 546, 556},
		9:  {503, 512, 503, 518},
		8:  {462, 472, 462, 494},
		7:  {434, 428, 434, 456},
		6:  {393, 379, 393, 422},
		5:  {352, 330, 352, 387},
		4:  {306, 268, 306, 328},
	},
	crs.TCF: {
		10: {549, 16, 549, 16},
		9:  {524, 14, 523, 14},
		8:  {499, 12, 503, 12},
		7:  {453, 10, 458, 10},
		6:  {406, 7, 398, 7},
		5:  {375, 6, 369, 6},
		4:  {342, 4, 331, 4},
	},
}

var abilityNames = [4]string{"reading", "writing", "listening", "speaking"}

// only puts score on one ability and 0 on the others, so a test checks one
// ability's table at a time.
func only(ability int, score float64) crs.Scores {
	var s [4]float64
	s[ability] = score
	return crs.Scores{Reading: s[0], Writing: s[1], Listening: s[2], Speaking: s[3]}
}

func levelOf(l crs.Levels, ability int) int {
	return [4]int{l.Reading, l.Writing, l.Listening, l.Speaking}[ability]
}

// TestConvertBoundaries checks every level's minimum and the score just
// below it, for every ability of every test.
func TestConvertBoundaries(t *testing.T) {
	step := map[crs.Test]float64{crs.IELTS: 0.5, crs.CELPIP: 1, crs.TEF: 1, crs.TCF: 1}
	for test, table := range minimums {
		for level, mins := range table {
			below := level - 1
			if below < 4 {
				below = 0
			}
			for ability, m := range mins {
				for _, c := range []struct {
					score float64
					want  int
				}{{m, level}, {m - step[test], below}} {
					got, err := crs.Convert(test, only(ability, c.score))
					if err != nil {
						t.Errorf("%s %s %v: %v", test, abilityNames[ability], c.score, err)
						continue
					}
					if g := levelOf(got, ability); g != c.want {
						t.Errorf("%s %s %v = level %d, want %d", test, abilityNames[ability], c.score, g, c.want)
					}
				}
			}
		}
	}
}

func TestConvertExamples(t *testing.T) {
	cases := []struct {
		name string
		test crs.Test
		s    crs.Scores
		want crs.Levels
	}{
		{"IELTS mixed", crs.IELTS, crs.Scores{6.5, 6.0, 7.5, 6.0}, crs.Levels{8, 7, 8, 7}},
		{"IELTS listening 8.0 is CLB 9, reading 8.0 is CLB 10", crs.IELTS, crs.Scores{8.0, 8.0, 8.0, 8.0}, crs.Levels{10, 10, 9, 10}},
		{"IELTS top", crs.IELTS, crs.Scores{9, 9, 9, 9}, crs.Levels{10, 10, 10, 10}},
		{"IELTS zero", crs.IELTS, crs.Scores{0, 0, 0, 0}, crs.Levels{0, 0, 0, 0}},
		{"IELTS below CLB 4", crs.IELTS, crs.Scores{3.0, 3.5, 4.0, 3.5}, crs.Levels{0, 0, 0, 0}},
		{"CELPIP 3 4 9 10", crs.CELPIP, crs.Scores{3, 4, 9, 10}, crs.Levels{0, 4, 9, 10}},
		{"CELPIP 11 and 12 are CLB 10", crs.CELPIP, crs.Scores{11, 12, 12, 11}, crs.Levels{10, 10, 10, 10}},
		{"CELPIP 0 1 2 3", crs.CELPIP, crs.Scores{0, 1, 2, 3}, crs.Levels{0, 0, 0, 0}},
		{"CELPIP 5 6 7 8", crs.CELPIP, crs.Scores{5, 6, 7, 8}, crs.Levels{5, 6, 7, 8}},
		{"TEF top", crs.TEF, crs.Scores{699, 699, 699, 699}, crs.Levels{10, 10, 10, 10}},
		{"TEF same score, different abilities", crs.TEF, crs.Scores{500, 500, 500, 500}, crs.Levels{8, 8, 8, 8}},
		{"TEF 434 everywhere", crs.TEF, crs.Scores{434, 434, 434, 434}, crs.Levels{7, 7, 7, 6}},
		{"TCF top", crs.TCF, crs.Scores{699, 20, 699, 20}, crs.Levels{10, 10, 10, 10}},
		{"TCF 500 reads 8, listens 7", crs.TCF, crs.Scores{500, 11, 500, 13}, crs.Levels{8, 7, 7, 8}},
		{"TCF zero", crs.TCF, crs.Scores{0, 0, 0, 0}, crs.Levels{0, 0, 0, 0}},
	}
	for _, c := range cases {
		got, err := crs.Convert(c.test, c.s)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: Convert(%s, %+v) = %+v, want %+v", c.name, c.test, c.s, got, c.want)
		}
	}
}

func TestConvertRefuses(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		test crs.Test
		s    crs.Scores
		err  error
	}{
		{"unknown test", "toefl", crs.Scores{}, crs.ErrUnknownTest},
		{"empty test", "", crs.Scores{}, crs.ErrUnknownTest},
		{"upper-case test", "CELPIP", crs.Scores{5, 5, 5, 5}, crs.ErrUnknownTest},
		{"IELTS above 9", crs.IELTS, crs.Scores{9.5, 6, 6, 6}, crs.ErrOutOfScale},
		{"IELTS negative", crs.IELTS, crs.Scores{6, -0.5, 6, 6}, crs.ErrOutOfScale},
		{"IELTS 6.3", crs.IELTS, crs.Scores{6, 6, 6.3, 6}, crs.ErrOutOfScale},
		{"IELTS quarter band", crs.IELTS, crs.Scores{6, 6, 6, 6.25}, crs.ErrOutOfScale},
		{"IELTS NaN", crs.IELTS, crs.Scores{nan, 6, 6, 6}, crs.ErrOutOfScale},
		{"IELTS infinity", crs.IELTS, crs.Scores{6, inf, 6, 6}, crs.ErrOutOfScale},
		{"CELPIP 13", crs.CELPIP, crs.Scores{13, 5, 5, 5}, crs.ErrOutOfScale},
		{"CELPIP half", crs.CELPIP, crs.Scores{5, 7.5, 5, 5}, crs.ErrOutOfScale},
		{"CELPIP negative", crs.CELPIP, crs.Scores{5, 5, -1, 5}, crs.ErrOutOfScale},
		{"TEF 700", crs.TEF, crs.Scores{700, 500, 500, 500}, crs.ErrOutOfScale},
		{"TEF fraction", crs.TEF, crs.Scores{500, 500, 500, 450.5}, crs.ErrOutOfScale},
		{"TEF negative", crs.TEF, crs.Scores{500, -1, 500, 500}, crs.ErrOutOfScale},
		{"TCF writing 21", crs.TCF, crs.Scores{500, 21, 500, 10}, crs.ErrOutOfScale},
		{"TCF speaking 300", crs.TCF, crs.Scores{500, 10, 500, 300}, crs.ErrOutOfScale},
		{"TCF reading 700", crs.TCF, crs.Scores{700, 10, 500, 10}, crs.ErrOutOfScale},
		{"TCF writing fraction", crs.TCF, crs.Scores{500, 10.5, 500, 10}, crs.ErrOutOfScale},
	}
	for _, c := range cases {
		got, err := crs.Convert(c.test, c.s)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.err)
		}
		if got != (crs.Levels{}) {
			t.Errorf("%s: levels %+v alongside an error", c.name, got)
		}
	}
}

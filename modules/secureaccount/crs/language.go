package crs

import (
	"errors"
	"fmt"
	"math"
)

// Language is one of Canada's two official languages. The zero value names
// neither, so a profile that never said which language comes first is
// rejected rather than silently read as English.
type Language int

const (
	English Language = iota + 1
	French
)

func (l Language) String() string {
	switch l {
	case English:
		return "English"
	case French:
		return "French"
	}
	return fmt.Sprintf("Language(%d)", int(l))
}

// Test is a language test IRCC accepts for Express Entry, named by the
// lower-case string a form posts.
type Test string

const (
	IELTS  Test = "ielts"  // IELTS General Training
	CELPIP Test = "celpip" // CELPIP-General
	TEF    Test = "tef"    // TEF Canada, tests taken from December 2023
	TCF    Test = "tcf"    // TCF Canada
)

// Language reports which official language t measures, or 0 for an unknown test.
func (t Test) Language() Language {
	switch t {
	case IELTS, CELPIP:
		return English
	case TEF, TCF:
		return French
	}
	return 0
}

// Valid reports whether t is one of the tests above, so a form can refuse
// any other value before converting scores.
func (t Test) Valid() bool { return t.Language() != 0 }

// Scores are a test's results by ability, as printed on the result: IELTS
// bands such as 6.5, CELPIP 0 to 12, TEF and TCF points.
type Scores struct{ Reading, Writing, Listening, Speaking float64 }

// Levels are CLB (English) or NCLC (French) levels by ability. Convert
// gives 0 for anything below level 4; levels 1 to 3, if a caller has them,
// score exactly like 0 because the grid starts at level 4.
type Levels struct{ Reading, Writing, Listening, Speaking int }

// Min is the lowest ability: every "level N on all four" rule of the grid
// is Min() >= N.
func (l Levels) Min() int { return min(l.Reading, l.Writing, l.Listening, l.Speaking) }

// highestLevel is CLB 12 / NCLC 12, the top of the benchmarks. The grid
// stops paying more at 10, but a level above 12 is not a level at all.
const highestLevel = 12

func (l Levels) valid() bool {
	for _, v := range [4]int{l.Reading, l.Writing, l.Listening, l.Speaking} {
		if v < 0 || v > highestLevel {
			return false
		}
	}
	return true
}

// Convert's errors, for a form to tell a wrong test from a mistyped score.
var (
	ErrUnknownTest = errors.New("crs: unknown language test")
	ErrOutOfScale  = errors.New("crs: score outside the test's scale")
)

// ability is how one ability of one test is marked and converted.
type ability struct {
	max float64
	// step is the granularity of printed results: half bands for IELTS,
	// whole points elsewhere. A score between steps was mistyped.
	step float64
	// minimums are the lowest scores reaching levels 4, 5, ... 10, copied
	// from the CRS.md tables.
	minimums [7]float64
}

func (a ability) inScale(score float64) bool {
	// Written so that NaN fails every comparison and is refused.
	if !(score >= 0 && score <= a.max) {
		return false
	}
	steps := score / a.step
	return steps == math.Trunc(steps)
}

func (a ability) level(score float64) int {
	for i := len(a.minimums) - 1; i >= 0; i-- {
		if score >= a.minimums[i] {
			return i + 4
		}
	}
	return 0
}

// scale is a test's four abilities in the order CRS.md lists them:
// reading, writing, listening, speaking.
type scale [4]ability

var abilityNames = [4]string{"reading", "writing", "listening", "speaking"}

var scales = map[Test]scale{
	IELTS: {
		{max: 9, step: 0.5, minimums: [7]float64{3.5, 4.0, 5.0, 6.0, 6.5, 7.0, 8.0}},
		{max: 9, step: 0.5, minimums: [7]float64{4.0, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5}},
		{max: 9, step: 0.5, minimums: [7]float64{4.5, 5.0, 5.5, 6.0, 7.5, 8.0, 8.5}},
		{max: 9, step: 0.5, minimums: [7]float64{4.0, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5}},
	},
	// A CELPIP score is its CLB level from 4 to 9; 11 and 12 still count as
	// CLB 10, which the ladder gives for free since 10 is its top rung.
	CELPIP: {
		{max: 12, step: 1, minimums: celpipMinimums},
		{max: 12, step: 1, minimums: celpipMinimums},
		{max: 12, step: 1, minimums: celpipMinimums},
		{max: 12, step: 1, minimums: celpipMinimums},
	},
	TEF: {
		{max: 699, step: 1, minimums: [7]float64{306, 352, 393, 434, 462, 503, 546}},
		{max: 699, step: 1, minimums: [7]float64{268, 330, 379, 428, 472, 512, 558}},
		{max: 699, step: 1, minimums: [7]float64{306, 352, 393, 434, 462, 503, 546}},
		{max: 699, step: 1, minimums: [7]float64{328, 387, 422, 456, 494, 518, 556}},
	},
	// TCF marks reading and listening on 699 points but writing and
	// speaking on 20.
	TCF: {
		{max: 699, step: 1, minimums: [7]float64{342, 375, 406, 453, 499, 524, 549}},
		{max: 20, step: 1, minimums: [7]float64{4, 6, 7, 10, 12, 14, 16}},
		{max: 699, step: 1, minimums: [7]float64{331, 369, 398, 458, 503, 523, 549}},
		{max: 20, step: 1, minimums: [7]float64{4, 6, 7, 10, 12, 14, 16}},
	},
}

var celpipMinimums = [7]float64{4, 5, 6, 7, 8, 9, 10}

// Convert turns a test's scores into levels, refusing an unknown test or a
// score the test cannot print, because such a score is a typing mistake
// that would otherwise be scored silently.
func Convert(t Test, s Scores) (Levels, error) {
	sc, ok := scales[t]
	if !ok {
		return Levels{}, fmt.Errorf("%w: %q", ErrUnknownTest, string(t))
	}
	scores := [4]float64{s.Reading, s.Writing, s.Listening, s.Speaking}
	var levels [4]int
	for i, a := range sc {
		if !a.inScale(scores[i]) {
			return Levels{}, fmt.Errorf("%w: %s %s %v (0 to %v in steps of %v)",
				ErrOutOfScale, t, abilityNames[i], scores[i], a.max, a.step)
		}
		levels[i] = a.level(scores[i])
	}
	return Levels{Reading: levels[0], Writing: levels[1], Listening: levels[2], Speaking: levels[3]}, nil
}

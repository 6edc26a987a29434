package crs

import (
	"errors"
	"fmt"
)

// Education is the highest credential, Canadian or foreign, in the rows of
// the CRS.md education table.
type Education int

const (
	LessThanSecondary Education = iota
	Secondary
	OneYear  // one-year post-secondary program
	TwoYear  // two-year program
	Bachelor // or any program of three years or more
	// TwoOrMore is two or more credentials, one of them of three years or more.
	TwoOrMore
	Master // or an entry-to-practice professional degree
	Doctoral
)

func (e Education) valid() bool { return e >= LessThanSecondary && e <= Doctoral }

// CanadianEducation is a post-secondary credential earned in Canada, which
// earns additional points on top of the education factor.
type CanadianEducation int

const (
	NoCanadianEducation CanadianEducation = iota
	CanadianOneOrTwoYears
	// CanadianThreeOrMore is a credential of three years or more, or a
	// master's, professional or doctoral degree.
	CanadianThreeOrMore
)

func (c CanadianEducation) valid() bool {
	return c >= NoCanadianEducation && c <= CanadianThreeOrMore
}

// Spouse describes an accompanying spouse or common-law partner: one who
// is coming to Canada and is not a citizen or permanent resident. Any
// other spouse is left out of the profile, as the grid ignores them.
type Spouse struct {
	Education         Education
	FirstLanguage     *Levels // nil: no test
	CanadianWorkYears int
}

// Profile is what the grid asks about the principal applicant (and,
// through Spouse, about an accompanying spouse).
type Profile struct {
	// Age is in completed years on the day the score is for: a birthday
	// not yet reached that year does not count.
	Age       int
	Education Education
	// English and French are the principal applicant's levels; nil means
	// no test in that language.
	English, French *Levels
	// First is the first official language the applicant chose; it must
	// have a test. The other language, if tested, is the second.
	First                               Language
	CanadianWorkYears, ForeignWorkYears int
	CertificateOfQualification          bool
	// Spouse is nil when no spouse counts (see Spouse); the grid's
	// "without spouse" columns then apply.
	Spouse            *Spouse
	SiblingInCanada   bool
	CanadianEducation CanadianEducation
	Nominated         bool
}

// ErrImpossibleProfile is wrapped by every error Score returns; the
// wrapping text says which field is wrong.
var ErrImpossibleProfile = errors.New("crs: impossible profile")

func impossible(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrImpossibleProfile}, args...)...)
}

func (p *Profile) validate() error {
	switch {
	case p.Age < 0:
		return impossible("age %d", p.Age)
	case !p.Education.valid():
		return impossible("education %d", p.Education)
	case p.First != English && p.First != French:
		return impossible("first official language %v", p.First)
	case p.languageLevels(p.First) == nil:
		return impossible("first official language %v has no test", p.First)
	case p.English != nil && !p.English.valid():
		return impossible("English levels %+v", *p.English)
	case p.French != nil && !p.French.valid():
		return impossible("French levels %+v", *p.French)
	case p.CanadianWorkYears < 0:
		return impossible("Canadian work years %d", p.CanadianWorkYears)
	case p.ForeignWorkYears < 0:
		return impossible("foreign work years %d", p.ForeignWorkYears)
	case !p.CanadianEducation.valid():
		return impossible("Canadian education %d", p.CanadianEducation)
	}
	if s := p.Spouse; s != nil {
		switch {
		case !s.Education.valid():
			return impossible("spouse education %d", s.Education)
		case s.FirstLanguage != nil && !s.FirstLanguage.valid():
			return impossible("spouse levels %+v", *s.FirstLanguage)
		case s.CanadianWorkYears < 0:
			return impossible("spouse Canadian work years %d", s.CanadianWorkYears)
		}
	}
	return nil
}

func (p *Profile) languageLevels(l Language) *Levels {
	switch l {
	case English:
		return p.English
	case French:
		return p.French
	}
	return nil
}

func (p *Profile) secondLanguage() Language {
	if p.First == English {
		return French
	}
	return English
}

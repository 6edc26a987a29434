package crs_test

import (
	"math/rand/v2"
	"testing"

	"guichet/modules/secureaccount/crs"
)

func randomLevels(r *rand.Rand) *crs.Levels {
	if r.IntN(4) == 0 {
		return nil
	}
	return levels(r.IntN(13), r.IntN(13), r.IntN(13), r.IntN(13))
}

// randomProfile draws a valid profile, with ranges a little wider than the
// grid's rows so the "or more" ends are exercised.
func randomProfile(r *rand.Rand) crs.Profile {
	p := crs.Profile{
		Age:                        r.IntN(70),
		Education:                  crs.Education(r.IntN(int(crs.Doctoral) + 1)),
		English:                    randomLevels(r),
		French:                     randomLevels(r),
		CanadianWorkYears:          r.IntN(9),
		ForeignWorkYears:           r.IntN(9),
		CertificateOfQualification: r.IntN(2) == 0,
		SiblingInCanada:            r.IntN(2) == 0,
		CanadianEducation:          crs.CanadianEducation(r.IntN(int(crs.CanadianThreeOrMore) + 1)),
		Nominated:                  r.IntN(4) == 0,
	}
	switch {
	case p.English == nil && p.French == nil:
		p.English, p.First = levels(r.IntN(13), r.IntN(13), r.IntN(13), r.IntN(13)), crs.English
	case p.English == nil:
		p.First = crs.French
	case p.French == nil:
		p.First = crs.English
	default:
		p.First = crs.Language(1 + r.IntN(2))
	}
	if r.IntN(2) == 0 {
		p.Spouse = &crs.Spouse{
			Education:         crs.Education(r.IntN(int(crs.Doctoral) + 1)),
			FirstLanguage:     randomLevels(r),
			CanadianWorkYears: r.IntN(9),
		}
	}
	return p
}

func TestRandomProfilesStayWithinTheMaximums(t *testing.T) {
	r := rand.New(rand.NewPCG(2025, 3))
	for range 20000 {
		p := randomProfile(r)
		b, err := crs.Score(p)
		if err != nil {
			t.Fatalf("valid profile %+v refused: %v", p, err)
		}
		coreMax, spouseMax := 500, 0
		if p.Spouse != nil {
			coreMax, spouseMax = 460, 40
		}
		c, s, tr, a := b.Core, b.Spouse, b.Transferability, b.Additional
		checks := []struct {
			what      string
			got, max  int
			sumsItems bool
		}{
			{"core", c.Total, coreMax, c.Total == c.Age+c.Education+c.FirstLanguage+c.SecondLanguage+c.CanadianWork},
			{"spouse", s.Total, spouseMax, s.Total == s.Education+s.FirstLanguage+s.CanadianWork},
			{"education pair", tr.EducationTotal, 50, tr.EducationTotal == min(50, tr.EducationLanguage+tr.EducationCanadianWork)},
			{"foreign pair", tr.ForeignTotal, 50, tr.ForeignTotal == min(50, tr.ForeignLanguage+tr.ForeignCanadianWork)},
			{"certificate", tr.Certificate, 50, true},
			{"transferability", tr.Total, 100, tr.Total == min(100, tr.EducationTotal+tr.ForeignTotal+tr.Certificate)},
			{"additional", a.Total, 600, a.Total == min(600, a.Sibling+a.French+a.CanadianEducation+a.ArrangedEmployment+a.Nomination)},
			{"second language", c.SecondLanguage, 24, true},
			{"total", b.Total, 1200, b.Total == c.Total+s.Total+tr.Total+a.Total},
		}
		for _, ch := range checks {
			if ch.got < 0 || ch.got > ch.max || !ch.sumsItems {
				t.Fatalf("%s = %d (max %d, sums its items: %v) for %+v: %+v", ch.what, ch.got, ch.max, ch.sumsItems, p, b)
			}
		}
		if a.ArrangedEmployment != 0 {
			t.Fatalf("arranged employment %d for %+v", a.ArrangedEmployment, p)
		}
	}
}

// TestMoreNeverScoresLess checks the grid's monotony on random profiles:
// one more year of Canadian work, or one more level on an ability of the
// first language, never lowers the total (age, the one factor that falls,
// is left alone).
func TestMoreNeverScoresLess(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 5000 {
		p := randomProfile(r)
		before := mustScore(t, p).Total

		q := p
		q.CanadianWorkYears++
		if after := mustScore(t, q).Total; after < before {
			t.Fatalf("one more Canadian year lowers %d to %d for %+v", before, after, p)
		}

		q = p
		tested := &q.English
		if p.First == crs.French {
			tested = &q.French
		}
		first := **tested
		first.Reading = min(first.Reading+1, 12)
		*tested = &first
		if after := mustScore(t, q).Total; after < before {
			t.Fatalf("one more reading level lowers %d to %d for %+v", before, after, p)
		}
	}
}

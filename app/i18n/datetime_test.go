package i18n

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// nb stands for U+00A0 in expected French strings, so that a plain space
// typed by mistake in the code makes the test fail.
const nb = "\u00a0"

func et(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, Eastern)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFormatWindow(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Time
		en, fr     string
	}{
		{
			name:  "same day from midnight (DOMAIN.md example)",
			start: et(2024, 1, 30, 0, 0), end: et(2024, 1, 30, 5, 30),
			en: "from 12:00 a.m. to 5:30 a.m. Tuesday, January 30, 2024 Eastern time",
			fr: "de 0" + nb + "h à 5" + nb + "h" + nb + "30 le mardi 30 janvier 2024, heure de l'Est",
		},
		{
			name:  "noon and minutes under ten",
			start: et(2024, 1, 30, 12, 0), end: et(2024, 1, 30, 13, 5),
			en: "from 12:00 p.m. to 1:05 p.m. Tuesday, January 30, 2024 Eastern time",
			fr: "de 12" + nb + "h à 13" + nb + "h" + nb + "05 le mardi 30 janvier 2024, heure de l'Est",
		},
		{
			name:  "across midnight (DOMAIN.md example)",
			start: et(2024, 1, 29, 23, 0), end: et(2024, 1, 30, 5, 30),
			en: "from 11:00 p.m. Monday, January 29, to 5:30 a.m. Tuesday, January 30, 2024 Eastern time",
			fr: "du lundi 29 janvier à 23" + nb + "h au mardi 30 janvier 2024 à 5" + nb + "h" + nb + "30, heure de l'Est",
		},
		{
			name:  "given in UTC, lands across midnight in Eastern",
			start: utc("2024-01-30T04:00:00Z"), end: utc("2024-01-30T10:30:00Z"),
			en: "from 11:00 p.m. Monday, January 29, to 5:30 a.m. Tuesday, January 30, 2024 Eastern time",
			fr: "du lundi 29 janvier à 23" + nb + "h au mardi 30 janvier 2024 à 5" + nb + "h" + nb + "30, heure de l'Est",
		},
		{
			name:  "several days, first of the month",
			start: et(2024, 2, 1, 21, 0), end: et(2024, 2, 4, 6, 0),
			en: "from 9:00 p.m. Thursday, February 1, to 6:00 a.m. Sunday, February 4, 2024 Eastern time",
			fr: "du jeudi 1er février à 21" + nb + "h au dimanche 4 février 2024 à 6" + nb + "h, heure de l'Est",
		},
		{
			name:  "across a year end names both years",
			start: et(2026, 12, 31, 23, 0), end: et(2027, 1, 1, 1, 0),
			en: "from 11:00 p.m. Thursday, December 31, 2026, to 1:00 a.m. Friday, January 1, 2027 Eastern time",
			fr: "du jeudi 31 décembre 2026 à 23" + nb + "h au vendredi 1er janvier 2027 à 1" + nb + "h, heure de l'Est",
		},
		{
			name: "spring forward: 06:30Z is 1:30 EST, 08:00Z is 4:00 EDT",
			// 1 h 30 of real time; the clock jumps from 2:00 to 3:00.
			start: utc("2024-03-10T06:30:00Z"), end: utc("2024-03-10T08:00:00Z"),
			en: "from 1:30 a.m. to 4:00 a.m. Sunday, March 10, 2024 Eastern time",
			fr: "de 1" + nb + "h" + nb + "30 à 4" + nb + "h le dimanche 10 mars 2024, heure de l'Est",
		},
		{
			name: "fall back: 04:30Z is 12:30 EDT, 07:00Z is 2:00 EST",
			// 2 h 30 of real time; the clock repeats 1:00 to 2:00.
			start: utc("2024-11-03T04:30:00Z"), end: utc("2024-11-03T07:00:00Z"),
			en: "from 12:30 a.m. to 2:00 a.m. Sunday, November 3, 2024 Eastern time",
			fr: "de 0" + nb + "h" + nb + "30 à 2" + nb + "h le dimanche 3 novembre 2024, heure de l'Est",
		},
		{
			name:  "evening before a change of month",
			start: et(2024, 3, 31, 22, 0), end: et(2024, 4, 1, 2, 15),
			en: "from 10:00 p.m. Sunday, March 31, to 2:15 a.m. Monday, April 1, 2024 Eastern time",
			fr: "du dimanche 31 mars à 22" + nb + "h au lundi 1er avril 2024 à 2" + nb + "h" + nb + "15, heure de l'Est",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatWindow("en", tt.start, tt.end); got != tt.en {
				t.Errorf("en:\n got %q\nwant %q", got, tt.en)
			}
			if got := FormatWindow("fr", tt.start, tt.end); got != tt.fr {
				t.Errorf("fr:\n got %q\nwant %q", got, tt.fr)
			}
		})
	}
}

func TestFrenchHourUsesNonBreakingSpaces(t *testing.T) {
	got := FormatWindow("fr", et(2024, 1, 30, 0, 0), et(2024, 1, 30, 5, 30))
	// U+00A0 is C2 A0 in UTF-8; check the bytes, not a look-alike.
	for _, want := range []string{"de 0\xc2\xa0h à", "à 5\xc2\xa0h\xc2\xa030 le"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not contain %q", got, want)
		}
	}
	if regexp.MustCompile(`\d h|h \d`).MatchString(got) {
		t.Errorf("%q has a breaking space around h", got)
	}
	if strings.Contains(got, "h"+nb+"00") {
		t.Errorf("%q shows zero minutes", got)
	}
	for _, bad := range []string{"Mardi", "Janvier", "2024,", "a.m."} {
		if strings.Contains(got[:strings.Index(got, ", heure")], bad) {
			t.Errorf("%q contains %q", got, bad)
		}
	}
}

func TestFormatParts(t *testing.T) {
	tests := []struct {
		name   string
		fn     func(lang string, t time.Time) string
		in     time.Time
		en, fr string
	}{
		{"date", FormatDate, et(2024, 1, 30, 5, 30),
			"Tuesday, January 30, 2024", "mardi 30 janvier 2024"},
		{"date, first of month", FormatDate, et(2024, 6, 1, 9, 0),
			"Saturday, June 1, 2024", "samedi 1er juin 2024"},
		{"date from UTC is the Eastern date", FormatDate, utc("2024-01-31T03:00:00Z"),
			"Tuesday, January 30, 2024", "mardi 30 janvier 2024"},
		{"time", FormatTime, et(2024, 1, 30, 5, 30), "5:30 a.m.", "5" + nb + "h" + nb + "30"},
		{"midnight", FormatTime, et(2024, 1, 30, 0, 0), "12:00 a.m.", "0" + nb + "h"},
		{"noon", FormatTime, et(2024, 1, 30, 12, 0), "12:00 p.m.", "12" + nb + "h"},
		{"minutes two digits", FormatTime, et(2024, 1, 30, 9, 5), "9:05 a.m.", "9" + nb + "h" + nb + "05"},
		{"evening", FormatTime, et(2024, 1, 30, 23, 59), "11:59 p.m.", "23" + nb + "h" + nb + "59"},
		{"time from UTC, summer", FormatTime, utc("2024-07-01T16:00:00Z"), "12:00 p.m.", "12" + nb + "h"},
		{"date time", FormatDateTime, et(2024, 1, 30, 5, 30),
			"5:30 a.m. Tuesday, January 30, 2024 Eastern time",
			"le mardi 30 janvier 2024 à 5" + nb + "h" + nb + "30, heure de l'Est"},
		{"date time, first of year", FormatDateTime, et(2027, 1, 1, 0, 0),
			"12:00 a.m. Friday, January 1, 2027 Eastern time",
			"le vendredi 1er janvier 2027 à 0" + nb + "h, heure de l'Est"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn("en", tt.in); got != tt.en {
				t.Errorf("en: got %q, want %q", got, tt.en)
			}
			if got := tt.fn("fr", tt.in); got != tt.fr {
				t.Errorf("fr: got %q, want %q", got, tt.fr)
			}
		})
	}
}

func TestFormatISODate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{et(2024, 1, 30, 5, 30), "2024-01-30"},
		// 02:00Z on the 31st is still the evening of the 30th in Toronto.
		{utc("2024-01-31T02:00:00Z"), "2024-01-30"},
		{utc("2024-01-31T05:00:00Z"), "2024-01-31"},
	}
	for _, tt := range tests {
		if got := FormatISODate(tt.in); got != tt.want {
			t.Errorf("FormatISODate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnknownLanguageFallsBackToEnglish(t *testing.T) {
	in := et(2024, 1, 30, 5, 30)
	if got, want := FormatDateTime("", in), FormatDateTime("en", in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEasternIsToronto(t *testing.T) {
	if Eastern.String() != "America/Toronto" {
		t.Fatalf("Eastern = %v", Eastern)
	}
	_, winter := et(2024, 1, 30, 12, 0).Zone()
	_, summer := et(2024, 7, 30, 12, 0).Zone()
	if winter != -5*3600 || summer != -4*3600 {
		t.Errorf("offsets %d/%d, want -18000/-14400", winter, summer)
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 20 * time.Minute, "20 minutes"},
		{"fr", 3 * time.Minute, "3 minutes"},
		{"en", time.Minute, "1 minute"},
		{"fr", 20 * time.Second, "20 secondes"},
		{"en", time.Second, "1 second"},
		{"en", 90 * time.Second, "90 seconds"},
		{"fr", 12*time.Minute + 20*time.Second, "12 minutes"},
	} {
		if got := FormatDuration(tc.lang, tc.d); got != tc.want {
			t.Errorf("FormatDuration(%s, %v) = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

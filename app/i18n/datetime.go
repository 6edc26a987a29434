package i18n

import (
	"strconv"
	"strings"
	"time"

	// Embedded so that Eastern time is right on machines and containers
	// that ship without a zoneinfo database.
	_ "time/tzdata"
)

// Eastern is the zone every date and time shown to people is written in:
// Government of Canada notices speak "Eastern time", daylight saving included.
var Eastern = mustLoadLocation("America/Toronto")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen with time/tzdata embedded; failing at start-up beats
		// silently showing UTC times labelled "Eastern time".
		panic("i18n: " + err.Error())
	}
	return loc
}

// nbsp keeps "5 h 30" on one line, as French typography requires around "h".
const nbsp = "\u00a0"

var (
	frWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// Any language other than "fr" is written in English, so that a missing or
// unexpected language still yields a readable phrase rather than nothing.
func isFR(lang string) bool { return lang == FR }

// FormatWindow returns the phrase naming a maintenance window, in Eastern
// time, as Canada.ca notices write it: "from 12:00 a.m. to 5:30 a.m. Tuesday,
// January 30, 2024 Eastern time" / "de 0 h à 5 h 30 le mardi 30 janvier 2024,
// heure de l'Est". A window over several days names the date of both ends,
// and the year of both ends when they differ. Seconds are not shown.
func FormatWindow(lang string, start, end time.Time) string {
	s, e := start.In(Eastern), end.In(Eastern)
	sy, sm, sd := s.Date()
	ey, em, ed := e.Date()
	sameDay := sy == ey && sm == em && sd == ed
	sameYear := sy == ey

	var b strings.Builder
	if isFR(lang) {
		switch {
		case sameDay:
			b.WriteString("de ")
			b.WriteString(timeFR(s))
			b.WriteString(" à ")
			b.WriteString(timeFR(e))
			b.WriteString(" le ")
			b.WriteString(dateFR(e, true))
		default:
			b.WriteString("du ")
			b.WriteString(dateFR(s, !sameYear))
			b.WriteString(" à ")
			b.WriteString(timeFR(s))
			b.WriteString(" au ")
			b.WriteString(dateFR(e, true))
			b.WriteString(" à ")
			b.WriteString(timeFR(e))
		}
		b.WriteString(", heure de l'Est")
		return b.String()
	}
	b.WriteString("from ")
	b.WriteString(timeEN(s))
	if !sameDay {
		b.WriteByte(' ')
		b.WriteString(dateEN(s, !sameYear))
		b.WriteByte(',')
	}
	b.WriteString(" to ")
	b.WriteString(timeEN(e))
	b.WriteByte(' ')
	b.WriteString(dateEN(e, true))
	b.WriteString(" Eastern time")
	return b.String()
}

// FormatDate returns the long date in Eastern time: "Tuesday, January 30,
// 2024" / "mardi 30 janvier 2024".
func FormatDate(lang string, t time.Time) string {
	t = t.In(Eastern)
	if isFR(lang) {
		return dateFR(t, true)
	}
	return dateEN(t, true)
}

// FormatTime returns the clock time in Eastern time: "5:30 a.m." / "5 h 30".
func FormatTime(lang string, t time.Time) string {
	t = t.In(Eastern)
	if isFR(lang) {
		return timeFR(t)
	}
	return timeEN(t)
}

// FormatDateTime returns an instant in Eastern time, zone named: "5:30 a.m.
// Tuesday, January 30, 2024 Eastern time" / "le mardi 30 janvier 2024 à
// 5 h 30, heure de l'Est".
func FormatDateTime(lang string, t time.Time) string {
	t = t.In(Eastern)
	if isFR(lang) {
		return "le " + dateFR(t, true) + " à " + timeFR(t) + ", heure de l'Est"
	}
	return timeEN(t) + " " + dateEN(t, true) + " Eastern time"
}

// FormatISODate returns the date as 2024-01-30, the form of "Date modified",
// which is the same in both languages. The date is the Eastern one, so a page
// changed in the evening does not show tomorrow's date.
func FormatISODate(t time.Time) string {
	return t.In(Eastern).Format(time.DateOnly)
}

// timeEN writes the seed's style ("12:00 a.m.", minutes always shown), not
// the newer Canada.ca "12 am": DOMAIN.md asks not to mix the two.
func timeEN(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	suffix := " a.m."
	if h >= 12 {
		suffix = " p.m."
	}
	h %= 12
	if h == 0 {
		h = 12
	}
	return strconv.Itoa(h) + ":" + twoDigits(m) + suffix
}

func timeFR(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	s := strconv.Itoa(h) + nbsp + "h"
	if m != 0 {
		s += nbsp + twoDigits(m)
	}
	return s
}

func dateEN(t time.Time, withYear bool) string {
	if withYear {
		return t.Format("Monday, January 2, 2006")
	}
	return t.Format("Monday, January 2")
}

func dateFR(t time.Time, withYear bool) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	s := frWeekdays[t.Weekday()] + " " + day + " " + frMonths[t.Month()-1]
	if withYear {
		s += " " + strconv.Itoa(t.Year())
	}
	return s
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

package db

import (
	"fmt"
	"time"
)

// ParseTime reads a timestamp selected as text, CAST(col AS TEXT). Read
// as themselves, stored timestamps make the driver try its list of
// layouts with time.Parse on every value; on the busiest list (the secure
// account's applications) that was a measurable share of the page. The
// text form is the same in SQLite ("2024-01-23 15:00:00.5+00:00") and
// PostgreSQL ("2024-01-23 15:00:00.5+00").
//
// It reads "YYYY-MM-DD HH:MM:SS" (or with a T), with optional
// fractional seconds and an optional zone (Z, ±HH, ±HHMM or ±HH:MM); a
// time without a zone is UTC, the zone times are stored in. The result is
// in UTC.
func ParseTime(s string) (time.Time, error) {
	bad := func() (time.Time, error) { return time.Time{}, fmt.Errorf("db: %q is not a timestamp", s) }
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return bad()
	}
	var f [6]int
	for i, at := range [6]int{0, 5, 8, 11, 14, 17} {
		n := 2
		if i == 0 {
			n = 4
		}
		v, ok := digits(s[at : at+n])
		if !ok {
			return bad()
		}
		f[i] = v
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100_000_000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i <= 9 {
				nsec += int(rest[i]-'0') * scale
				scale /= 10
			}
		}
		if i == 1 {
			return bad()
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z":
	case rest[0] == '+' || rest[0] == '-':
		zone := rest[1:]
		var hh, mm int
		var ok bool
		switch len(zone) {
		case 2:
			hh, ok = digits(zone)
		case 4:
			if hh, ok = digits(zone[:2]); ok {
				mm, ok = digits(zone[2:])
			}
		case 5:
			if zone[2] == ':' {
				if hh, ok = digits(zone[:2]); ok {
					mm, ok = digits(zone[3:])
				}
			}
		}
		if !ok || hh > 23 || mm > 59 {
			return bad()
		}
		offset = (hh*60 + mm) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return bad()
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60 {
		return bad()
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nsec, time.UTC)
	if t.Day() != f[2] {
		return bad() // 31 February and the like
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// digits reads a run of decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

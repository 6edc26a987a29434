package secureaccount

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/modules/secureaccount/views"
)

// Limits of what a person types.
const (
	maxName  = 100
	maxReply = 5000
	// earliestBirthYear keeps a mistyped year (1089) from passing.
	earliestBirthYear = 1900
)

func problem(field, key string, args ...any) views.Problem {
	return views.Problem{Field: field, Key: key, Args: args}
}

func emailProblems(e string) views.Problems {
	switch {
	case e == "":
		return views.Problems{problem("email", "ircc.contact.email_required")}
	case !mail.ValidAddress(e):
		return views.Problems{problem("email", "ircc.contact.email_invalid")}
	}
	return nil
}

func langProblems(lang string) views.Problems {
	if !i18n.Valid(lang) {
		return views.Problems{problem("lang", "ircc.contact.lang_required")}
	}
	return nil
}

// nameProblem checks a name as in the passport: letters, spaces, hyphens,
// apostrophes and periods, not too long.
func nameProblem(field, value string, required bool) views.Problems {
	switch {
	case value == "" && required:
		return views.Problems{problem(field, "ircc.enrol.family_required")}
	case value == "":
		return nil
	case utf8.RuneCountInString(value) > maxName:
		return views.Problems{problem(field, "ircc.enrol.name_long", maxName)}
	}
	for _, r := range value {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !strings.ContainsRune(" -'’.", r) {
			return views.Problems{problem(field, "ircc.enrol.name_chars")}
		}
	}
	return nil
}

// enrolForm is the enrolment form as typed.
type enrolForm struct {
	GivenName, FamilyName string
	Day, Month, Year      string
	Email, Lang           string
}

func readEnrol(c echo.Context) enrolForm {
	return enrolForm{
		GivenName:  collapse(c.FormValue("given_name")),
		FamilyName: collapse(c.FormValue("family_name")),
		Day:        strings.TrimSpace(c.FormValue("birth_day")),
		Month:      strings.TrimSpace(c.FormValue("birth_month")),
		Year:       strings.TrimSpace(c.FormValue("birth_year")),
		Email:      strings.TrimSpace(c.FormValue("email")),
		Lang:       c.FormValue("lang"),
	}
}

// collapse trims a name and keeps single spaces inside it.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// validate checks the form against today's date and returns the date of
// birth as YYYY-MM-DD.
func (f enrolForm) validate(now time.Time) (string, views.Problems) {
	var out views.Problems
	out = append(out, nameProblem("given_name", f.GivenName, false)...)
	out = append(out, nameProblem("family_name", f.FamilyName, true)...)
	birth, key := birthDate(f.Day, f.Month, f.Year, now)
	if key != "" {
		out = append(out, problem("birth-day", key))
	}
	out = append(out, emailProblems(f.Email)...)
	out = append(out, langProblems(f.Lang)...)
	return birth, out
}

// birthDate checks day, month and year and returns YYYY-MM-DD, or the
// catalog key of what is wrong.
func birthDate(day, month, year string, now time.Time) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", "ircc.enrol.birth_required"
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 {
		return "", "ircc.enrol.birth_invalid"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 February into March: a real date comes back
	// unchanged.
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", "ircc.enrol.birth_invalid"
	}
	today := now.In(i18n.Eastern)
	if t.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)) {
		return "", "ircc.enrol.birth_future"
	}
	if y < earliestBirthYear {
		return "", "ircc.enrol.birth_invalid"
	}
	return t.Format(time.DateOnly), ""
}

// contactForm is the contact details form.
type contactForm struct {
	Email, Lang string
}

func readContact(c echo.Context) contactForm {
	return contactForm{Email: strings.TrimSpace(c.FormValue("email")), Lang: c.FormValue("lang")}
}

func (f contactForm) validate() views.Problems {
	return append(emailProblems(f.Email), langProblems(f.Lang)...)
}

// replyProblems checks a reply's text.
func replyProblems(text string) views.Problems {
	switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
	case n == 0:
		return views.Problems{problem("reply", "ircc.reply.required")}
	case utf8.RuneCountInString(text) > maxReply:
		return views.Problems{problem("reply", "ircc.reply.too_long", maxReply)}
	}
	return nil
}

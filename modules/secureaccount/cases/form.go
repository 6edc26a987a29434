package cases

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases/views"
)

// Field limits, in characters.
const (
	maxShort   = 200
	maxNote    = 1000
	maxDetails = 2000
	maxBody    = 5000
	maxLabels  = 10
	// ReportWait is how long an online application may take to appear in
	// the account before a missing one is a problem worth reporting.
	ReportWait = 5 * 24 * time.Hour
	// reportYears is how far back the date of a missing application may
	// go: anything older is almost always a typing mistake, and not a
	// problem of the online account.
	reportYears = 2
)

func problem(field, key string, args ...any) views.Problem {
	return views.Problem{Field: field, Key: key, Args: args}
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// oneLine tells whether a one-line field holds only visible characters
// and spaces: control characters, bidi overrides and zero-width spaces in
// a name or a subject would make one text pass for another, and NUL
// bytes are refused by PostgreSQL.
func oneLine(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) < 0
}

// multiLine tells whether a text area holds valid UTF-8 without control
// characters other than line breaks and tabs.
func multiLine(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}) < 0
}

// textProblems checks a field's length and characters.
func textProblems(field, s string, limit int, multi bool) views.Problems {
	switch {
	case tooLong(s, limit):
		return views.Problems{problem(field, "cases.form.too_long", limit)}
	case multi && !multiLine(s), !multi && !oneLine(s):
		return views.Problems{problem(field, "cases.form.characters")}
	}
	return nil
}

// numberShape is an application number as people may type it: one or two
// letters then digits (W123456789, P123456789, older numbers like
// E001234567 or B000123456).
var numberShape = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{6,12}$`)

// today is the Eastern date of now, at midnight UTC, so dates typed as
// YYYY-MM-DD compare with it directly.
func today(now time.Time) time.Time {
	y, mo, d := now.In(i18n.Eastern).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// parseDate reads YYYY-MM-DD.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}

// birthProblems checks a date of birth typed in field.
func birthProblems(field, s string, now time.Time) views.Problems {
	if strings.TrimSpace(s) == "" {
		return views.Problems{problem(field, "cases.form.birth_required")}
	}
	t, ok := parseDate(s)
	if !ok {
		return views.Problems{problem(field, "cases.form.date_format")}
	}
	if !t.Before(today(now)) || t.Year() < 1900 {
		return views.Problems{problem(field, "cases.form.birth_range")}
	}
	return nil
}

// reportForm is a technical-problem report.
type reportForm struct {
	Number, Description, SubmittedOn, Details string
}

func (f reportForm) validate(now time.Time) views.Problems {
	var out views.Problems
	if f.Number != "" && !numberShape.MatchString(NormalizeNumber(f.Number)) {
		out = append(out, problem("number", "cases.form.number_format"))
	}
	if f.Number == "" && f.Description == "" {
		out = append(out, problem("description", "cases.report.description_required"))
	} else {
		out = append(out, textProblems("description", f.Description, maxNote, true)...)
	}
	switch t, ok := parseDate(f.SubmittedOn); {
	case strings.TrimSpace(f.SubmittedOn) == "":
		out = append(out, problem("submitted", "cases.report.date_required"))
	case !ok:
		out = append(out, problem("submitted", "cases.form.date_format"))
	case t.After(today(now)):
		out = append(out, problem("submitted", "cases.report.date_future"))
	case t.Before(today(now).AddDate(-reportYears, 0, 0)):
		out = append(out, problem("submitted", "cases.report.date_old", reportYears))
	case today(now).Sub(t) <= ReportWait:
		// Not a problem yet: say plainly when it would be.
		// Noon Eastern, so the date reads the same once formatted.
		w := t.Add(ReportWait + 24*time.Hour)
		wait := time.Date(w.Year(), w.Month(), w.Day(), 12, 0, 0, 0, i18n.Eastern)
		out = append(out, problem("submitted", "cases.report.too_soon", views.Date{T: wait}))
	}
	if f.Details == "" {
		out = append(out, problem("details", "cases.report.details_required"))
	} else {
		out = append(out, textProblems("details", f.Details, maxDetails, true)...)
	}
	return out
}

// linkForm is the linking form.
type linkForm struct {
	Number, Family, Birth string
}

func (f linkForm) validate(now time.Time) views.Problems {
	var out views.Problems
	switch {
	case f.Number == "":
		out = append(out, problem("number", "cases.link.number_required"))
	case !numberShape.MatchString(NormalizeNumber(f.Number)):
		out = append(out, problem("number", "cases.form.number_format"))
	}
	if f.Family == "" {
		out = append(out, problem("family", "cases.link.family_required"))
	} else {
		out = append(out, textProblems("family", f.Family, maxShort, false)...)
	}
	return append(out, birthProblems("birth", f.Birth, now)...)
}

// codeProblems checks the shape of a typed 6-digit code.
func codeProblems(typed string) views.Problems {
	n := codes.Normalize(codes.Digits, typed)
	switch {
	case n == "":
		return views.Problems{problem("code", "cases.link.code_required")}
	case len(n) != 6 || strings.Trim(n, "0123456789") != "":
		return views.Problems{problem("code", "cases.link.code_shape")}
	}
	return nil
}

// statusForm changes an application's status.
type statusForm struct {
	Status, Note string
}

func (f statusForm) validate(current string) views.Problems {
	var out views.Problems
	if !canChoose(current, f.Status) {
		out = append(out, problem("status", "cases.staff.status_invalid"))
	}
	if f.Note == "" {
		out = append(out, problem("note", "cases.staff.note_required"))
	} else {
		out = append(out, textProblems("note", f.Note, maxNote, true)...)
	}
	return out
}

// messageForm is a letter staff write.
type messageForm struct {
	Kind, Subject, Body string
	NeedsReply          bool
}

func (f messageForm) validate() views.Problems {
	var out views.Problems
	if f.Kind != account.LetterGeneral && f.Kind != account.LetterProcedural {
		out = append(out, problem("msg-kind-general", "cases.staff.kind_required"))
	}
	if f.Subject == "" {
		out = append(out, problem("msg-subject", "cases.staff.subject_required"))
	} else {
		out = append(out, textProblems("msg-subject", f.Subject, maxShort, false)...)
	}
	if f.Body == "" {
		out = append(out, problem("msg-body", "cases.staff.body_required"))
	} else {
		out = append(out, textProblems("msg-body", f.Body, maxBody, true)...)
	}
	return out
}

// requestForm asks for documents, one per line.
type requestForm struct {
	Labels string
	Note   string
}

// labels are the non-empty lines.
func (f requestForm) labels() []string {
	var out []string
	for _, l := range strings.Split(f.Labels, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (f requestForm) validate() views.Problems {
	var out views.Problems
	ls := f.labels()
	switch {
	case len(ls) == 0:
		out = append(out, problem("req-labels", "cases.staff.labels_required"))
	case len(ls) > maxLabels:
		out = append(out, problem("req-labels", "cases.staff.labels_many", maxLabels))
	default:
		for _, l := range ls {
			if ps := textProblems("req-labels", l, maxShort, false); len(ps) > 0 {
				out = append(out, ps...)
				break
			}
		}
	}
	return append(out, textProblems("req-note", f.Note, maxBody, true)...)
}

// paperForm records a paper application.
type paperForm struct {
	Program, GivenName, FamilyName, BirthDate, Email string
}

func (f paperForm) validate(now time.Time) views.Problems {
	var out views.Problems
	if f.Program == "" {
		out = append(out, problem("program", "cases.paper.program_required"))
	} else {
		out = append(out, textProblems("program", f.Program, maxShort, false)...)
	}
	out = append(out, textProblems("given", f.GivenName, maxShort, false)...)
	if f.FamilyName == "" {
		out = append(out, problem("family", "cases.paper.family_required"))
	} else {
		out = append(out, textProblems("family", f.FamilyName, maxShort, false)...)
	}
	out = append(out, birthProblems("birth", f.BirthDate, now)...)
	if f.Email != "" && !mail.ValidAddress(f.Email) {
		out = append(out, problem("email", "cases.paper.email_invalid"))
	}
	return out
}

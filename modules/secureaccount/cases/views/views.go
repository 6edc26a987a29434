// Package views holds the pages of applications, reports, linking and
// the staff console's application pages. View models are shaped like the
// screens; errors carry catalog keys and are translated only when shown.
package views

import (
	"context"
	"strconv"
	"time"

	"guichet/app/i18n"
	"guichet/app/page"
	"guichet/templates"
)

// Problem and Problems are the shared form errors (templates.Problems).
type (
	Problem  = templates.Problem
	Problems = templates.Problems
)

// Date is a message argument written as a date in the page's language.
type Date = templates.Date

// StatusKey is the catalog key of an application status.
func StatusKey(s string) string {
	switch s {
	case "submitted":
		return "cases.status.submitted"
	case "in_progress":
		return "cases.status.in_progress"
	case "documents_requested":
		return "cases.status.documents_requested"
	case "approved":
		return "cases.status.approved"
	case "refused":
		return "cases.status.refused"
	}
	return "cases.status.unknown"
}

// eventKey is the catalog key of a history line.
func eventKey(kind string) string {
	switch kind {
	case "submitted":
		return "cases.event.submitted"
	case "recorded":
		return "cases.event.recorded"
	case "status":
		return "cases.event.status"
	case "message":
		return "cases.event.message"
	case "documents_requested":
		return "cases.event.documents_requested"
	case "linked":
		return "cases.event.linked"
	}
	return "cases.event.other"
}

// kindKey is the catalog key of an application kind.
func kindKey(k string) string {
	if k == "paper" {
		return "cases.kind.paper"
	}
	return "cases.kind.pr_express_entry"
}

// letterKindKey is the catalog key of a letter kind.
func letterKindKey(k string) string {
	switch k {
	case "invitation":
		return "cases.letter_kind.invitation"
	case "document_request":
		return "cases.letter_kind.document_request"
	case "procedural":
		return "cases.letter_kind.procedural"
	case "decision":
		return "cases.letter_kind.decision"
	case "general":
		return "cases.letter_kind.general"
	}
	return "cases.letter_kind.other"
}

// EventText describes a history line in the page's language.
func EventText(ctx context.Context, kind, status string) string {
	if kind == "status" {
		return i18n.T(ctx, "cases.event.status", i18n.T(ctx, StatusKey(status)))
	}
	return i18n.T(ctx, eventKey(kind))
}

// Program is the program's name: a catalog key when it is one, the text
// staff typed otherwise.
func Program(ctx context.Context, p string) string {
	if i18n.Has(i18n.LangOf(ctx), p) {
		return i18n.T(ctx, p)
	}
	return p
}

func date(ctx context.Context, t time.Time) string { return i18n.FormatDate(i18n.LangOf(ctx), t) }

// civilDate writes a YYYY-MM-DD date (a birth date, a date a person
// typed) in the page's language. It is taken at noon Eastern: at midnight
// UTC it would read as the day before once formatted in Eastern time.
// Anything else is shown as it is.
func civilDate(ctx context.Context, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return date(ctx, time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, i18n.Eastern))
}

func dateTime(ctx context.Context, t time.Time) string {
	return i18n.FormatDateTime(i18n.LangOf(ctx), t)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// HistoryRow is one line of an application's history.
type HistoryRow struct {
	At     time.Time
	Kind   string
	Status string
	// Who and Note are shown to staff only.
	Who  string
	Note string
}

// ApplicationView is an applicant's own application.
type ApplicationView struct {
	Number    string
	Kind      string
	Program   string
	Status    string
	Submitted time.Time
	Updated   time.Time
	Decided   *time.Time
	History   []HistoryRow
	// Linked says it was just linked to this account.
	Linked bool
}

// ReportView is the technical-problem report form.
type ReportView struct {
	Number, Description, Submitted, Details string
	Errs                                    Problems
}

// ReportSentView confirms a report.
type ReportSentView struct {
	Reference   string
	Number      string
	Description string
	Submitted   string
	Sent        time.Time
}

// LinkView is the linking form.
type LinkView struct {
	Number, Family, Birth string
	Errs                  Problems
	// LockedUntil, when set, says the number is locked.
	LockedUntil *time.Time
}

// LinkConfirmView asks for the emailed code.
type LinkConfirmView struct {
	ID     int64
	Number string
	Errs   Problems
	// LockedUntil, when set, says the number is locked.
	LockedUntil *time.Time
}

// LinkWaitingView tells the person staff will decide.
type LinkWaitingView struct {
	Number  string
	Refused bool
}

// Crumbs of the secure account pages.
func accountCrumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{{Label: i18n.T(ctx, "cases.crumb.account"), Href: page.URL(ctx, "/ircc/")}}
}

func accountMeta(ctx context.Context, title string) templates.Meta {
	return templates.Meta{Title: title, Crumbs: accountCrumbs(ctx)}
}

// Staff console.

// StaffHomeView is the console's applications home.
type StaffHomeView struct {
	OpenReports  int
	WaitingLinks int
}

// SearchRow is one application found.
type SearchRow struct {
	ID        int64
	Number    string
	UCI       string
	Name      string
	Program   string
	Status    string
	Submitted time.Time
}

// SearchView is the search form and its results.
type SearchView struct {
	By, Q string
	Rows  []SearchRow
	Page  int
	// Prev and Next are links to the neighbouring pages ("" for none).
	Prev, Next string
	Errs       Problems
}

// DocumentRow is an uploaded document.
type DocumentRow struct {
	ID       int64
	Label    string
	Filename string
	Size     int64
	Uploaded time.Time
}

// ReplyRow is a reply to a letter.
type ReplyRow struct {
	Body      string
	Sent      time.Time
	Documents []DocumentRow
}

// LetterRow is a letter IRCC sent about the application.
type LetterRow struct {
	Kind    string
	Subject string
	Body    string
	Sent    time.Time
	Read    bool
	Replies []ReplyRow
}

// StaffAppView is one application in the console.
type StaffAppView struct {
	ID          int64
	Number      string
	Kind        string
	Program     string
	GivenName   string
	FamilyName  string
	BirthDate   string
	Email       string
	UCI         string
	Linked      bool
	Status      string
	Submitted   time.Time
	Updated     time.Time
	Decided     *time.Time
	Data        string
	History     []HistoryRow
	Documents   []DocumentRow
	Letters     []LetterRow
	NextStatus  []string
	CanRequest  bool
	Done        string
	StatusForm  StatusFormView
	MessageForm MessageFormView
	RequestForm RequestFormView
	StatusErrs  Problems
	MessageErrs Problems
	RequestErrs Problems
}

// StatusFormView is what was typed in the status form.
type StatusFormView struct{ Status, Note string }

// MessageFormView is what was typed in the message form.
type MessageFormView struct {
	Kind, Subject, Body string
	NeedsReply          bool
}

// RequestFormView is what was typed in the document request form.
type RequestFormView struct{ Labels, Note string }

// Errs are the page's errors, all forms together, for the summary.
func (v StaffAppView) Errs() Problems {
	out := append(Problems{}, v.StatusErrs...)
	out = append(out, v.MessageErrs...)
	return append(out, v.RequestErrs...)
}

// DoneKey is the catalog key of a confirmation on the application page.
func DoneKey(d string) string {
	switch d {
	case "status":
		return "cases.staff.done_status"
	case "message":
		return "cases.staff.done_message"
	case "request":
		return "cases.staff.done_request"
	case "recorded":
		return "cases.staff.done_recorded"
	}
	return ""
}

// PaperView records a paper application.
type PaperView struct {
	Program, GivenName, FamilyName, BirthDate, Email string
	Errs                                             Problems
}

// ReportRow is a report in the staff queue.
type ReportRow struct {
	ID int64
	// Reference is how the person quotes it: "TP-000042".
	Reference string
	// Name and Email are the reporting account's, so staff know whom to
	// look for and write to.
	Name        string
	Email       string
	Number      string
	Description string
	SubmittedOn string
	Details     string
	Sent        time.Time
	Handled     *time.Time
}

// ReportsView is the technical-problem queue.
type ReportsView struct {
	Open    []ReportRow
	Handled []ReportRow
	Done    bool
}

// LinkRow is a link request waiting for staff.
type LinkRow struct {
	ID            int64
	ApplicationID int64
	Number        string
	Name          string
	BirthDate     string
	ToAccount     int64
	FromAccount   int64
	Requested     time.Time
	// Requester is the account asking for the application, for staff to
	// check against the file.
	Requester Requester
}

// Requester is who asks for an application: the account's details.
type Requester struct {
	Name, BirthDate, Email string
}

// LinksView lists the requests waiting for staff.
type LinksView struct {
	Rows []LinkRow
	Done string
}

func staffCrumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{
		{Label: i18n.T(ctx, "cases.crumb.staff"), Href: page.URL(ctx, "/staff/")},
		{Label: i18n.T(ctx, "cases.staff.section"), Href: page.URL(ctx, "/staff/ircc/")},
	}
}

func staffMeta(ctx context.Context, title string) templates.Meta {
	return templates.Meta{Title: title, Crumbs: staffCrumbs(ctx)}
}

// Package views holds the secure account's pages: enrolment, the
// dashboard, contact details, correspondence and documents. View models
// are shaped like the screens and carry text already formatted for the
// page's language; errors carry catalog keys, translated when shown.
package views

import (
	"context"
	"strings"

	"guichet/app/i18n"
	"guichet/app/page"
	"guichet/modules/secureaccount/account"
	"guichet/templates"
)

// Problem and Problems are the shared form errors (templates.Problems).
type (
	Problem  = templates.Problem
	Problems = templates.Problems
)

// EnrolView is the form that creates the account.
type EnrolView struct {
	GivenName, FamilyName string
	// Day, Month and Year are the date of birth as typed.
	Day, Month, Year string
	Email            string
	// Lang is the language chosen for letters: "en" or "fr".
	Lang string
	Errs Problems
}

// ProfileRow is an Express Entry profile on the dashboard.
type ProfileRow struct {
	Number  string
	Status  string
	Score   string
	Updated string
	Expires string
	Href    string
}

// ApplicationRow is an application on the dashboard.
type ApplicationRow struct {
	Number    string
	Program   string
	Status    string
	Submitted string
	Updated   string
	Href      string
}

// Done names the change the dashboard confirms.
type Done string

// The changes the dashboard can confirm.
const (
	DoneEnrolled Done = "enrolled"
	DoneContact  Done = "contact"
)

// DashboardView is the account's home.
type DashboardView struct {
	Name         string
	UCI          string
	Profiles     []ProfileRow
	Applications []ApplicationRow
	Unread       int
	OpenRequests int
	Email        string
	// LangName is the language of letters, as a word.
	LangName string
	Done     Done
}

// ContactView is the contact details form.
type ContactView struct {
	Email string
	Lang  string
	Errs  Problems
}

// MessageRow is a letter in the list.
type MessageRow struct {
	Href    string
	Subject string
	Kind    string
	Sent    string
	Unread  bool
}

// MessagesView lists the letters.
type MessagesView struct {
	Rows []MessageRow
}

// DocumentLink is an uploaded file offered for download.
type DocumentLink struct {
	Name     string
	Href     string
	Label    string
	Uploaded string
	Size     string
}

// ReplyItem is one of the person's replies under a letter.
type ReplyItem struct {
	Sent       string
	Paragraphs [][]string
	Documents  []DocumentLink
}

// RequestField is a document asked for, with its file input.
type RequestField struct {
	ID int64
	// Field is the input's name and id.
	Field     string
	Label     string
	Requested string
	// Action is where a form for this request alone posts (documents
	// page).
	Action string
}

// LetterView is one letter, its replies and the reply form.
type LetterView struct {
	ID         int64
	Subject    string
	Kind       string
	Sent       string
	Paragraphs [][]string
	// Requested lists every document the letter asked for.
	Requested  []string
	NeedsReply bool
	Replies    []ReplyItem
	// Files are the letter's open requests, offered in the reply form.
	Files  []RequestField
	Action string
	Reply  string
	// Sent reply confirmation.
	Replied bool
	Errs    Problems
}

// DocumentsView lists the open requests with their upload forms and what
// was uploaded.
type DocumentsView struct {
	Open     []RequestField
	Uploaded []DocumentLink
	Done     bool
	Errs     Problems
}

// Paragraphs splits a letter's text into paragraphs of lines, so the view
// keeps its line breaks without trusting any markup.
func Paragraphs(text string) [][]string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out [][]string
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) == "" {
			continue
		}
		out = append(out, strings.Split(p, "\n"))
	}
	return out
}

// KindLabel is a letter kind's name.
func KindLabel(ctx context.Context, kind string) string {
	switch kind {
	case account.LetterInvitation:
		return i18n.T(ctx, "ircc.kind.invitation")
	case account.LetterDocumentRequest:
		return i18n.T(ctx, "ircc.kind.document_request")
	case account.LetterProcedural:
		return i18n.T(ctx, "ircc.kind.procedural")
	case account.LetterDecision:
		return i18n.T(ctx, "ircc.kind.decision")
	case account.LetterInterest:
		return i18n.T(ctx, "ircc.kind.interest")
	case account.LetterNomination:
		return i18n.T(ctx, "ircc.kind.nomination")
	}
	return i18n.T(ctx, "ircc.kind.general")
}

// StatusLabel is an application's or a profile's status in words. A
// status this part does not know is shown as it is stored.
func StatusLabel(lang, status string) string {
	switch status {
	case account.StatusSubmitted:
		return i18n.In(lang, "ircc.status.submitted")
	case account.StatusInProgress:
		return i18n.In(lang, "ircc.status.in_progress")
	case account.StatusDocumentsRequested:
		return i18n.In(lang, "ircc.status.documents_requested")
	case account.StatusApproved:
		return i18n.In(lang, "ircc.status.approved")
	case account.StatusRefused:
		return i18n.In(lang, "ircc.status.refused")
	case "draft":
		return i18n.In(lang, "ircc.status.draft")
	case "expired":
		return i18n.In(lang, "ircc.status.expired")
	case "invited":
		return i18n.In(lang, "ircc.status.invited")
	case "declined":
		return i18n.In(lang, "ircc.status.declined")
	}
	return status
}

// LangName is a language of letters, as a word in the page's language.
func LangName(lang, of string) string {
	if of == i18n.FR {
		return i18n.In(lang, "ircc.lang.fr")
	}
	return i18n.In(lang, "ircc.lang.en")
}

// crumbs lead back to the dashboard.
func crumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{{Label: i18n.T(ctx, "service.ircc.title"), Href: page.URL(ctx, "/ircc/")}}
}

func meta(ctx context.Context, key string) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, key), Crumbs: crumbs(ctx)}
}

// letterMeta is a letter's page, under Messages.
func letterMeta(ctx context.Context, title string) templates.Meta {
	return templates.Meta{Title: title, Crumbs: append(crumbs(ctx),
		templates.Crumb{Label: i18n.T(ctx, "ircc.messages.title"), Href: page.URL(ctx, "/ircc/messages")})}
}

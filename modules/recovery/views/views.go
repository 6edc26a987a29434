// Package views holds the recovery pages. URLs arrive built for the page's
// language; errors arrive as catalog keys, translated only when shown.
package views

import (
	"context"

	"guichet/app/i18n"
	"guichet/templates"
)

// CodesView is the page that shows a new set once.
type CodesView struct {
	// Codes is set on the first view only.
	Codes []string
	// Until is when the download stops working (formatted), empty when
	// the copy is gone (saved, or too old).
	Until      string
	Download   string
	SaveAction string
	// Then is where saving leads ("manage", or the sign-in's next step).
	Then   string
	Manage string
}

// ManageView is the manage page.
type ManageView struct {
	Remaining int
	Warn      bool
	Action    string
	// Unsaved links to the set still being shown, when there is one.
	Unsaved string
	Back    string
}

// RecoverView is "Recover account".
type RecoverView struct {
	Action   string
	Code     string
	ErrorKey string
	Back     string
	Lost     string
}

// LockedView says when the second step opens again.
type LockedView struct {
	Until string
	Lost  string
}

// RecoveredView follows a good recovery code.
type RecoveredView struct {
	Remaining int
	Warn      bool
	Setup     string
}

// DeskLine is one way to reach the GCKey Service Desk.
type DeskLine struct {
	LabelKey string
	Number   string
}

// Desk are the Service Desk's numbers (DOMAIN.md), written as dialled.
var Desk = []DeskLine{
	{LabelKey: "recovery.desk_canada", Number: "1-855-438-1102"},
	{LabelKey: "recovery.desk_tty", Number: "1-855-438-1103"},
	{LabelKey: "recovery.desk_outside", Number: "1-800-2318-6290"},
}

func summary(ctx context.Context, field, errKey string) []templates.FieldError {
	if errKey == "" {
		return nil
	}
	return []templates.FieldError{{Field: field, Message: i18n.T(ctx, errKey)}}
}

func codeField(ctx context.Context, value, errKey string) templates.Field {
	f := templates.Field{
		ID: "code", Name: "code", Type: "text", Value: value, Required: true,
		Label: i18n.T(ctx, "recovery.code_label"), Hint: i18n.T(ctx, "recovery.code_hint"),
		Autocomplete: "off",
	}
	if errKey != "" {
		f.Error = i18n.T(ctx, errKey)
	}
	return f
}

// remaining says how many codes are left, in a sentence.
func remaining(ctx context.Context, n int) string {
	if n == 1 {
		return i18n.T(ctx, "recovery.remaining_one")
	}
	return i18n.T(ctx, "recovery.remaining_many", n)
}

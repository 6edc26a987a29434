// Package views holds the two-factor pages. View models carry URLs already
// built for the page's language and base path, and errors as catalog keys,
// translated only when shown.
package views

import (
	"context"

	"guichet/app/i18n"
	"guichet/templates"
)

// Methods as the views name them.
const (
	MethodTOTP  = "totp"
	MethodEmail = "email"
)

// Links are the pages every two-factor page may point to.
type Links struct {
	Recover string // "Recover account" (enter a recovery code)
	Lost    string // help for people with no method and no codes
	Codes   string // manage recovery codes
	Done    string // the authentication success page
}

// ChooseView is the first step of setting up: which method.
type ChooseView struct {
	Action string
	// Current is the active method, empty on the first set-up.
	Current string
	// Method is the choice sent back with an error.
	Method   string
	ErrorKey string
	// SignedIn2 is set when the session already passed the second factor
	// (a change, not the first set-up): the page offers to keep the method.
	SignedIn2 bool
	Links     Links
}

// AppView is setting up an authenticator app: scan or type, then confirm.
type AppView struct {
	Action   string
	Back     string
	QR       string // data: URL of the PNG
	Secret   string // grouped by 4
	Issuer   string
	Account  string
	Code     string
	ErrorKey string
	Change   bool
}

// EmailView is confirming the email method, or the two-factor page of a
// person whose method is email.
type EmailView struct {
	Action     string
	SendAction string
	Back       string
	Masked     string
	Sent       bool
	// SendUntil is set when no more codes can be sent until this time
	// (already formatted for the page's language).
	SendUntil string
	Code      string
	ErrorKey  string
	Change    bool
}

// VerifyView is the two-factor page.
type VerifyView struct {
	Action     string
	SendAction string
	Method     string
	Next       string
	Masked     string
	Sent       bool
	SendUntil  string
	Code       string
	ErrorKey   string
	Links      Links
}

// LockedView says when the second step opens again.
type LockedView struct {
	Until string
	Links Links
}

// DoneView is the authentication success page.
type DoneView struct {
	Action string
	// ServiceKey names the service "Continue" leads to; empty: the GCKey
	// account page.
	ServiceKey string
	Change     string
	Links      Links
}

// codeField is the one code input of the forms.
func codeField(ctx context.Context, value, errKey, hintKey string) templates.Field {
	f := templates.Field{
		ID: "code", Name: "code", Type: "text", Value: value, Required: true,
		Label: i18n.T(ctx, "twofactor.code_label"), Hint: i18n.T(ctx, hintKey),
		Autocomplete: "one-time-code", Inputmode: "numeric",
	}
	if errKey != "" {
		f.Error = i18n.T(ctx, errKey)
	}
	return f
}

// summary is the error summary of a form whose one field failed.
func summary(ctx context.Context, field, errKey string) []templates.FieldError {
	if errKey == "" {
		return nil
	}
	return []templates.FieldError{{Field: field, Message: i18n.T(ctx, errKey)}}
}

// methodName is the name of a method in a sentence.
func methodName(ctx context.Context, method string) string {
	if method == MethodEmail {
		return i18n.T(ctx, "twofactor.method_email_name")
	}
	return i18n.T(ctx, "twofactor.method_app_name")
}

// title of the set-up pages: the first time, or a change.
func setupTitle(ctx context.Context, change bool) string {
	if change {
		return i18n.T(ctx, "twofactor.change_title")
	}
	return i18n.T(ctx, "twofactor.setup_title")
}

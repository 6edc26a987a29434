// Package views holds the GCKey pages. View models are shaped like the
// screens; errors carry catalog keys and are translated only when shown.
package views

import (
	"context"

	"guichet/app/i18n"
	"guichet/app/page"
	"guichet/templates"
)

// Problem and Problems are the shared form errors (templates.Problems).
type (
	Problem  = templates.Problem
	Problems = templates.Problems
)

// TermsView is the sign-up's first step.
type TermsView struct {
	Errs Problems
}

// DetailsView is the sign-up's username, password and email step.
type DetailsView struct {
	Username, Email string
	// Restart says the earlier sign-up ran out of time.
	Restart bool
	Errs    Problems
}

// VerifyView asks for the code sent to Email.
type VerifyView struct {
	Email  string
	Resent bool
	Errs   Problems
}

// SigninView is the sign-in form.
type SigninView struct {
	Username string
	// Reset says the password was just reset.
	Reset bool
	Errs  Problems
}

// TooManyView is the page for an address that failed too often.
type TooManyView struct {
	Until string
}

// WelcomeView is the page after the password, before the second factor.
type WelcomeView struct {
	HasFactor bool
}

// ForgotUsernameView asks for the recovery email.
type ForgotUsernameView struct {
	Email string
	Errs  Problems
}

// ForgotPasswordView asks for the username.
type ForgotPasswordView struct {
	Username string
	Errs     Problems
}

// ResetView is the form a reset link opens.
type ResetView struct {
	Token    string
	Username string
	NeedCode bool
	Errs     Problems
}

// Done names the change the account page confirms.
type Done string

// The changes the account page can confirm.
const (
	DonePassword Done = "password"
	DoneEmail    Done = "email"
	DoneSessions Done = "sessions"
)

// DoneKey is the catalog key of a confirmation, "" for none.
func DoneKey(d Done) string {
	switch d {
	case DonePassword:
		return "auth.account.done_password"
	case DoneEmail:
		return "auth.account.done_email"
	case DoneSessions:
		return "auth.account.done_sessions"
	}
	return ""
}

// AccountView is the credential management page.
type AccountView struct {
	Username string
	Email    string
	Done     Done
	// LastSignIn is formatted, empty when unknown.
	LastSignIn string
}

// PasswordView is the password change form.
type PasswordView struct {
	Errs Problems
}

// EmailView is the recovery email change form.
type EmailView struct {
	Current string
	Email   string
	Errs    Problems
}

// EmailConfirmView asks for the code sent to the new address.
type EmailConfirmView struct {
	Email string
	Errs  Problems
}

// SessionsView confirms signing out every other session.
type SessionsView struct {
	Others int
}

// CloseView confirms closing the GCKey with the password.
type CloseView struct {
	Username string
	Errs     Problems
}

// ActivityRow is one event.
type ActivityRow struct {
	When  string
	Event string
	IP    string
}

// ActivityView is the recent activity page.
type ActivityView struct {
	Rows []ActivityRow
}

// Link is a link on a message page.
type Link struct {
	Href     string
	LabelKey string
}

// MessageView is a page that only tells something: a title, paragraphs
// and links onward.
type MessageView struct {
	TitleKey string
	ParaKeys []string
	Links    []Link
	// TestID marks the page for tests.
	TestID string
}

// crumbs lead back to the GCKey entry page.
func crumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{{Label: i18n.T(ctx, "auth.gckey"), Href: page.URL(ctx, "/gckey/")}}
}

// accountCrumbs lead back to the credential management page.
func accountCrumbs(ctx context.Context) []templates.Crumb {
	return append(crumbs(ctx), templates.Crumb{Label: i18n.T(ctx, "auth.account.title"), Href: page.URL(ctx, "/gckey/account")})
}

func title(ctx context.Context, key string) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, key), Crumbs: crumbs(ctx)}
}

func accountTitle(ctx context.Context, key string) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, key), Crumbs: accountCrumbs(ctx)}
}

// Package views holds the Demo Bank's pages. They deliberately do not look
// like Guichet's: the bank has its own layout and stylesheet, so a person
// trying Sign-In Partners sees that they have left Guichet for their bank.
package views

import (
	"context"

	"guichet/app/i18n"
	"guichet/templates"
)

// Problem and Problems are the shared form errors (templates.Problems).
type (
	Problem  = templates.Problem
	Problems = templates.Problems
)

// Chrome is what the bank's layout needs besides the page's title.
type Chrome struct {
	// Other is the other language; Toggle is this page in it.
	Other  string
	Toggle string
}

// CustomerOption is one radio button of the customer list.
type CustomerOption struct {
	// FieldID is the radio's element id; ID the value sent.
	FieldID string
	ID      string
	Name    string
	// Number is a short form of the customer's id, to tell apart two
	// customers with the same name.
	Number  string
	Checked bool
}

// SigninView is the bank's sign-in page.
type SigninView struct {
	Chrome
	Action       string
	CancelAction string
	Customers    []CustomerOption
	// Name is the new customer's name as typed.
	Name string
	Errs Problems
}

// PickError is the error of the customer list, which the summary links to
// its first radio button.
func (v SigninView) PickError(ctx context.Context) string {
	if len(v.Customers) == 0 {
		return ""
	}
	return v.Errs.For(ctx, v.Customers[0].FieldID)
}

// VerifyView is the second step.
type VerifyView struct {
	Chrome
	Action       string
	CancelAction string
	// Customer is the name of the customer signing in.
	Customer string
	// Code is the demo code, shown on the page instead of sent by text.
	Code string
	Errs Problems
}

// ErrorKind tells which of the bank's error pages to show.
type ErrorKind int

const (
	// Ended: the request is unknown, expired, finished or cancelled.
	Ended ErrorKind = iota
	// BadClient: the request did not come from the registered client and
	// its callback, so the bank sends nobody back.
	BadClient
	// TooMany: too many wrong codes cancelled the request.
	TooMany
)

// ErrorView is one of the bank's error pages.
type ErrorView struct {
	Chrome
	Kind ErrorKind
	// Return leads back to Guichet, when the bank may send the person
	// back (TooMany).
	Return string
}

func errorTitle(ctx context.Context, k ErrorKind) string {
	switch k {
	case BadClient:
		return i18n.T(ctx, "demobank.error.bad_client_title")
	case TooMany:
		return i18n.T(ctx, "demobank.error.too_many_title")
	}
	return i18n.T(ctx, "demobank.error.ended_title")
}

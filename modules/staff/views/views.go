// Package views holds the staff console's own pages: enrolment, the
// console's home, the refusals, staff activity and members. View models
// carry strings already formatted; errors carry catalog keys.
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

// RedeemView asks for an enrolment code.
type RedeemView struct {
	// Removed says the person's access was removed (the page is a 403);
	// a new code restores it.
	Removed bool
	Code    string
	Errs    Problems
}

// ConfirmView shows whom a valid code is for before it is used.
type ConfirmView struct {
	Code    string
	Name    string
	Role    string
	Expires string
}

// SectionLink is a part of the console the member may open.
type SectionLink struct {
	Label string
	Href  string
}

// ConsoleView is the console's home.
type ConsoleView struct {
	Name string
	Role string
	// Enrolled says the person has just redeemed their code.
	Enrolled bool
	Sections []SectionLink
	Admin    bool
}

// Reason is why a staff page was refused.
type Reason string

// The reasons.
const (
	NotEnrolled Reason = "not_enrolled"
	Removed     Reason = "removed"
	NoRole      Reason = "no_role"
)

// ForbiddenView is a staff page refused (403).
type ForbiddenView struct {
	Reason Reason
}

func (v ForbiddenView) titleKey() string {
	if v.Reason == Removed {
		return "staff.removed.title"
	}
	return "staff.forbidden.title"
}

// ActivityRow is one staff event.
type ActivityRow struct {
	When string
	Who  string
	// Event names an event other than a staff action, "" for one.
	Event string
	// Detail says what was done, in the page's language unless
	// DetailLang names the language it was recorded in.
	Detail     string
	DetailLang string
	IP         string
}

// ActivityView lists recent staff events.
type ActivityView struct {
	Rows []ActivityRow
}

// MemberRow is one member on the members page.
type MemberRow struct {
	ID       string
	Name     string
	Role     string
	Enrolled string
	// Revoked is the date access was removed, empty while active.
	Revoked string
	// Self marks the member reading the page, who cannot revoke
	// themselves.
	Self bool
}

// GrantRow is one grant not yet redeemed.
type GrantRow struct {
	ID      string
	Name    string
	Role    string
	Created string
	Expires string
	// State is pending, redeemed, revoked or expired.
	State string
	// Open grants can be revoked.
	Open bool
}

// MembersView lists members and grants.
type MembersView struct {
	Members []MemberRow
	Grants  []GrantRow
	// Done confirms a change or says why it was refused, "" for none.
	Done Done
}

// Done is the outcome of a change on the members page.
type Done string

// The outcomes.
const (
	DoneMember  Done = "member"
	DoneGrant   Done = "grant"
	RefusedSelf Done = "self"
	RefusedGone Done = "gone"
)

func crumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{{Label: i18n.T(ctx, "service.staff.title"), Href: page.URL(ctx, "/staff/")}}
}

func meta(ctx context.Context, key string) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, key), Crumbs: crumbs(ctx)}
}

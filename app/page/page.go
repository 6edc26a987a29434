// Package page carries what every page's shell needs to know about the
// request (language, path for the language toggle, CSRF token, signed-in
// state, maintenance banners). Middleware fills it; templates read it. It
// does not import echo, so views stay independent of the web framework.
package page

import (
	"context"
	"time"

	"guichet/app/i18n"
	"guichet/app/maintenance"
)

// Info is the request's page context.
type Info struct {
	Lang string
	// Rest is the path after the language prefix ("/gckey/"), so the toggle
	// can point at the same page in the other language.
	Rest  string
	Query string
	// Service is the service whose pages these are ("gckey", "ircc", ...),
	// empty for shared pages.
	Service string
	// Banners are maintenance windows to announce on this page.
	Banners []maintenance.Window
	// Upcoming are all announced windows (for the landing page).
	Upcoming []maintenance.Window
	// SignedIn turns on the session timeout dialog.
	SignedIn bool
	// Idle and Warn drive the timeout dialog: signed out after Idle without
	// activity, warned Warn before. Idle is what is left of this session;
	// IdleLimit is the configured limit, for pages that explain it.
	Idle, Warn, IdleLimit time.Duration
	// CSRF returns the token for forms, creating the cookie on first use.
	CSRF func() string
	// RequestID is shown on error pages so a person can quote it.
	RequestID string
	// DevOutbox shows the link to the development outbox.
	DevOutbox bool
}

type ctxKey struct{}

// With returns ctx carrying info. The language is also set for i18n.T.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(i18n.WithLang(ctx, info.Lang), ctxKey{}, info)
}

// From returns the page info in ctx, or an English default.
func From(ctx context.Context) *Info {
	if i, ok := ctx.Value(ctxKey{}).(*Info); ok {
		return i
	}
	return &Info{Lang: i18n.LangOf(ctx), Rest: "/"}
}

// CSRFToken returns the request's CSRF token, or "" outside a request.
func CSRFToken(ctx context.Context) string {
	if i := From(ctx); i.CSRF != nil {
		return i.CSRF()
	}
	return ""
}

// ToggleURL is the same page in the other language.
func ToggleURL(ctx context.Context) string {
	i := From(ctx)
	u := "/" + i18n.Other(i.Lang) + i.Rest
	if i.Query != "" {
		u += "?" + i.Query
	}
	return u
}

// URL builds a path in the page's language: URL(ctx, "/gckey/") is
// "/en/gckey/" on an English page.
func URL(ctx context.Context, rest string) string {
	return "/" + From(ctx).Lang + rest
}

// Package templates holds the shared templ views: the page shell, form
// components, notices and error pages.
package templates

import (
	"context"
	"fmt"
	"time"

	"guichet/app/i18n"
	"guichet/app/maintenance"
	"guichet/app/page"
)

// MaintenanceSentence is the Canada.ca-style announcement of a window.
func MaintenanceSentence(ctx context.Context, w maintenance.Window) string {
	lang := page.From(ctx).Lang
	return i18n.In(lang, "maintenance.sentence", i18n.FormatWindow(lang, w.Start, w.End))
}

// countdown writes a duration as minutes:seconds, as the timeout dialog's
// counter shows it.
func countdown(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"guichet/app/apptest"
)

// TestKeyboard checks the landing page from the keyboard: the first Tab
// reaches the skip link, which is then visible, Enter on it moves the focus
// to the main content, and Tab reaches the language toggle.
func TestKeyboard(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/", http.StatusOK)

			press(t, ctx, kb.Tab)
			if !focused(t, ctx, "a.skip-link") {
				t.Fatalf("the first Tab focused %s, want the skip link", activeElement(t, ctx))
			}
			// WCAG 2.4.7: the focused skip link must be on screen.
			if !eval[bool](t, ctx, `(() => {
				const r = document.activeElement.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
					r.bottom <= innerHeight && r.right <= innerWidth;
			})()`) {
				t.Error("the focused skip link is not visible in the viewport")
			}

			press(t, ctx, kb.Enter)
			if !focused(t, ctx, "main#main") {
				t.Errorf("Enter on the skip link focused %s, want main#main", activeElement(t, ctx))
			}

			// From the top of a fresh page, Tab walks the header to the toggle.
			load(t, ctx, a.URL+"/"+l+"/", http.StatusOK)
			var seen []string
			for range 10 {
				press(t, ctx, kb.Tab)
				if focused(t, ctx, `[data-testid="lang-toggle"]`) {
					break
				}
				seen = append(seen, activeElement(t, ctx))
			}
			if !focused(t, ctx, `[data-testid="lang-toggle"]`) {
				t.Fatalf("ten Tabs did not reach the language toggle; they focused %v", seen)
			}
			res := pressNav(t, ctx, kb.Enter)
			if res.Status != http.StatusOK || location(t, ctx) != "/"+otherLang(l)+"/" {
				t.Errorf("Enter on the toggle led to %s (%d)", location(t, ctx), res.Status)
			}
		})
	}
}

package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"guichet/app/apptest"
)

// TestErrorSummary submits the test form with mistakes, using only the
// keyboard: the error summary takes focus when the page loads, each link
// in it moves focus to its field, and the error state passes axe.
func TestErrorSummary(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/test/signed-in", http.StatusOK)

			run(t, ctx, chromedp.Focus(chromedp.CSS("#email")))
			press(t, ctx, "not-an-address")
			res := pressNav(t, ctx, kb.Enter)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.Status)
			}
			if !focused(t, ctx, "#error-summary") {
				t.Fatalf("focus is on %s, want the error summary", activeElement(t, ctx))
			}
			if v := eval[string](t, ctx, `document.querySelector("#email").value`); v != "not-an-address" {
				t.Errorf("the email typed was lost: %q", v)
			}
			axeCheck(t, ctx)

			// Tab into the summary's first link and follow it with Enter.
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, `#error-summary a[href="#note"]`) {
				t.Fatalf("Tab from the summary focused %s", activeElement(t, ctx))
			}
			pressEnterOnLink(t, ctx)
			if !focused(t, ctx, "input#note") {
				t.Fatalf("the summary link focused %s, want the note field", activeElement(t, ctx))
			}
			press(t, ctx, "fixed")
			run(t, ctx, chromedp.SetValue(chromedp.CSS("#email"), "name@example.com"))
			run(t, ctx, chromedp.Focus(chromedp.CSS("#note")))
			if res := pressNav(t, ctx, kb.Enter); res.Status != http.StatusOK {
				t.Fatalf("corrected form: status %d", res.Status)
			}
		})
	}
}

// TestHandOff walks the hand-off to a service in the browser: one
// "Continue" for a person already signed in, then the service's home.
func TestHandOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/test/password-verified", http.StatusOK)
			load(t, ctx, a.URL+"/"+l+"/test/second-factor", http.StatusOK)
			load(t, ctx, a.URL+"/"+l+"/pt/", http.StatusOK)
			axeCheck(t, ctx)
			checkToggle(t, ctx)
			load(t, ctx, a.URL+"/"+l+"/pt/", http.StatusOK)
			if res := clickNav(t, ctx, `form[action="/`+l+`/pt/continue"] button`); res.Status != http.StatusOK {
				t.Fatalf("continue: %d", res.Status)
			}
			if !exists(t, ctx, `[data-testid="service-home"]`) {
				t.Fatalf("no service home at %s", location(t, ctx))
			}
			axeCheck(t, ctx)
		})
	}
}

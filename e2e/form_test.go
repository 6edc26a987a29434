package e2e

import (
	"net/http"
	"net/url"
	"strings"
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

// TestHandOff walks the hand-off to a service in the browser. A credential
// reaching the service for the first time gets the enrolment page, and
// "Create my account" leads to the service's home; the same credential
// signed in again later (another browser) gets one "Continue", then the
// home.
func TestHandOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/test/password-verified", http.StatusOK)
			cred := strings.TrimSpace(text(t, ctx, "body"))
			if cred == "" {
				t.Fatal("the test sign-in returned no credential")
			}
			load(t, ctx, a.URL+"/"+l+"/test/second-factor", http.StatusOK)

			// First arrival: the enrolment page.
			load(t, ctx, a.URL+"/"+l+"/pt/", http.StatusOK)
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) || !exists(t, ctx, `[data-testid="enrol-switch"]`) {
				t.Fatalf("a first arrival did not get the enrolment page: %s", where(ctx))
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)
			load(t, ctx, a.URL+"/"+l+"/pt/", http.StatusOK)
			if res := clickNav(t, ctx, `[data-testid="enrol-confirm"]`); res.Status != http.StatusOK {
				t.Fatalf("create my account: %d", res.Status)
			}
			if !exists(t, ctx, `[data-testid="service-home"]`) {
				t.Fatalf("no service home at %s", location(t, ctx))
			}
			axeCheck(t, ctx)

			// Later, signed in again with the same credential: the service
			// knows it, so one Continue and no enrolment.
			again := newTab(t)
			load(t, again, a.URL+"/"+l+"/test/password-verified?cred="+url.QueryEscape(cred), http.StatusOK)
			load(t, again, a.URL+"/"+l+"/test/second-factor", http.StatusOK)
			load(t, again, a.URL+"/"+l+"/pt/", http.StatusOK)
			if exists(t, again, `[data-testid="enrol-warning"]`) {
				t.Fatalf("a credential with an account got the enrolment page again: %s", where(again))
			}
			axeCheck(t, again)
			checkToggle(t, again)
			load(t, again, a.URL+"/"+l+"/pt/", http.StatusOK)
			if res := clickNav(t, again, `form[action="/`+l+`/pt/continue"] button`); res.Status != http.StatusOK {
				t.Fatalf("continue: %d", res.Status)
			}
			if !exists(t, again, `[data-testid="service-home"]`) {
				t.Fatalf("no service home at %s", location(t, again))
			}
		})
	}
}

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"guichet/app/apptest"
	"guichet/app/i18n"
)

// enrolByGCKey is what the enrolment page says of a sign-in with a GCKey.
var enrolByGCKey = map[string]string{
	"en": "You signed in with your GCKey.",
	"fr": "Vous vous êtes connecté avec votre CléGC.",
}

// TestGCKeySignUp creates a GCKey in the browser, in both languages, and
// sets up the authenticator app the first time: the terms, the details,
// the emailed code, the QR code and secret key, a code from the key, the
// recovery codes (shown once, downloadable as a text file, printable),
// the success page. Every page and every error state passes axe.
//
// Started from GCKey's own entry page, Continue leads to the account page;
// started from the IRCC secure account's chooser ("Create a GCKey"), it
// leads to the service's enrolment page (the GCKey is new there), and
// "Create my account" hands the person over to the secure account's own
// enrolment form.
func TestGCKeySignUp(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		for _, from := range []string{"gckey", "ircc"} {
			t.Run(l+"/"+from, func(t *testing.T) {
				t.Parallel()
				a := startApp(t, apptest.Options{})
				ctx := newTab(t)
				u := newGCKeyUser(l)
				// The ircc variant covers the hand-off; the pages it
				// passes are the same, so it skips the error states.
				check := from == "gckey"

				load(t, ctx, a.URL+"/"+l+"/"+from+"/", http.StatusOK)
				if check {
					axeCheck(t, ctx)
				}
				followLink(t, ctx, `a[data-testid="gckey-signup"]`, http.StatusOK)
				gckeySignUp(t, ctx, a, u, check)

				// First sign-in: set-up is mandatory and comes first.
				setUpApp(t, ctx, u, check)
				saveCodes(t, ctx, u, check)

				onPage(t, ctx, l, "/gckey/2fa/done")
				if check {
					axeCheck(t, ctx)
				}
				if !exists(t, ctx, `a[data-testid="change"]`) || !exists(t, ctx, `a[data-testid="manage-codes"]`) {
					t.Error("the success page offers neither changing the method nor managing the codes")
				}
				continueFromDone(t, ctx, l)

				if from == "ircc" {
					// A new GCKey has no account at the service yet: the
					// enrolment page asks first.
					onPage(t, ctx, l, "/ircc/")
					if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
						t.Fatalf("Continue did not lead to the IRCC secure account's enrolment page: %s", where(ctx))
					}
					if got, want := text(t, ctx, "main"), enrolByGCKey[l]; !strings.Contains(got, want) {
						t.Errorf("the enrolment page does not say %q", want)
					}
					axeCheck(t, ctx)
					followLink(t, ctx, `[data-testid="enrol-confirm"]`, http.StatusOK)
					onPage(t, ctx, l, "/ircc/")
					if !exists(t, ctx, `[data-testid="enrol-form"]`) {
						t.Fatalf("confirming the enrolment did not hand over to the IRCC secure account's enrolment form: %s", where(ctx))
					}
					if got, want := text(t, ctx, "h1"), i18n.In(l, "ircc.enrol.title"); got != want {
						t.Errorf("the secure account's enrolment form is titled %q, want %q", got, want)
					}
					if got := eval[string](t, ctx, `(document.querySelector('[data-testid="enrol-form"] input[name="lang"]:checked') || {}).value || ""`); got != l {
						t.Errorf("the language of letters is preset to %q, want the page's %q", got, l)
					}
					axeCheck(t, ctx)
					return
				}
				onPage(t, ctx, l, "/gckey/account")
				if got := text(t, ctx, `[data-testid="username"]`); got != u.Username {
					t.Errorf("the account page shows the username %q, want %q", got, u.Username)
				}
				if got := text(t, ctx, `[data-testid="email"]`); got != u.Email {
					t.Errorf("the account page shows the email %q, want %q", got, u.Email)
				}
				axeCheck(t, ctx)
				checkToggle(t, ctx)
			})
		}
	}
}

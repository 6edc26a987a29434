package e2e

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"guichet/app/apptest"
)

// TestGCKeyForgotPassword resets a forgotten password with the link mailed
// to the recovery email, then signs in with the new password: the second
// factor is still asked. The link works once, and the old password no
// longer signs in. When the only method is email (the same inbox as the
// link), the reset also asks for a recovery code.
func TestGCKeyForgotPassword(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		for _, method := range []string{"app", "email"} {
			t.Run(l+"/"+method, func(t *testing.T) {
				t.Parallel()
				a := startApp(t, apptest.Options{})
				u, _ := provisionGCKey(t, a, l, method)
				check := method == "app"
				newPassword := "Seven herons wading in the Ottawa " + u.Username[len(u.Username)-4:]

				ctx := newTab(t)
				load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
				if check {
					// Forgot username first: it is mailed to the recovery
					// email.
					followLink(t, ctx, `main a[href="/`+l+`/gckey/forgot-username"]`, http.StatusOK)
					before := newestMailID(t, a)
					typeField(t, ctx, "#email", u.Email)
					enterSubmit(t, ctx, http.StatusOK)
					onPage(t, ctx, l, "/gckey/forgot-username/sent")
					mailAfter(t, a, u.Email, before, regexp.MustCompile(`(?m)^\s*`+regexp.QuoteMeta(u.Username)+`$`))
					load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
				}
				// The forgot pages themselves pass axe in TestGCKeyPages.
				followLink(t, ctx, `main a[href="/`+l+`/gckey/forgot-password"]`, http.StatusOK)
				if check {
					submitForm(t, ctx, l, "/gckey/forgot-password", http.StatusUnprocessableEntity)
					expectErrorSummary(t, ctx, "username")
					axeCheck(t, ctx)
				}
				before := newestMailID(t, a)
				typeField(t, ctx, "#username", u.Username)
				enterSubmit(t, ctx, http.StatusOK)
				onPage(t, ctx, l, "/gckey/forgot-password/sent")
				if !exists(t, ctx, `[data-testid="reset-sent"]`) {
					t.Error("the page does not say a link was sent")
				}
				_, link := mailAfter(t, a, u.Email, before, resetLink)

				load(t, ctx, link, http.StatusOK)
				onPage(t, ctx, l, "/gckey/reset")
				if got := exists(t, ctx, "#code"); got != (method == "email") {
					t.Errorf("the reset page asks for a recovery code: %v, want %v (method %s)", got, method == "email", method)
				}
				if check {
					axeCheck(t, ctx)
					typeField(t, ctx, "#password", newPassword)
					typeField(t, ctx, "#confirm", newPassword+" typo")
					enterSubmit(t, ctx, http.StatusUnprocessableEntity)
					expectErrorSummary(t, ctx, "confirm")
					axeCheck(t, ctx)
				}
				typeField(t, ctx, "#password", newPassword)
				typeField(t, ctx, "#confirm", newPassword)
				if method == "email" {
					// The inbox alone is not enough.
					typeField(t, ctx, "#code", "2222-3333-4444")
					enterSubmit(t, ctx, http.StatusUnprocessableEntity)
					expectErrorSummary(t, ctx, "code")
					axeCheck(t, ctx)
					typeField(t, ctx, "#password", newPassword)
					typeField(t, ctx, "#confirm", newPassword)
					typeField(t, ctx, "#code", u.Codes[0])
				}
				enterSubmit(t, ctx, http.StatusOK)
				onPage(t, ctx, l, "/gckey/signin")
				if !exists(t, ctx, `[data-testid="reset-done"]`) {
					t.Error("the sign-in page does not say the password was reset")
				}
				if check {
					axeCheck(t, ctx)
				}

				// The old password no longer works; the new one does, and
				// the second factor is still asked.
				typeField(t, ctx, "#username", u.Username)
				typeField(t, ctx, "#password", u.Password)
				enterSubmit(t, ctx, http.StatusUnprocessableEntity)
				gckeySignIn(t, ctx, u, newPassword)
				before = newestMailID(t, a)
				continueToCode(t, ctx, u)
				if method == "email" {
					typeField(t, ctx, "#code", mailCode(t, a, u.Email, before))
					enterSubmit(t, ctx, http.StatusOK)
				} else {
					enterAppCode(t, ctx, u)
				}
				onPage(t, ctx, l, "/gckey/2fa/done")

				// The link worked once.
				load(t, ctx, link, http.StatusGone)
				if !exists(t, ctx, `[data-testid="reset-invalid"]`) {
					t.Error("a used reset link does not say it no longer works")
				}
			})
		}
	}
}

// TestGCKeyChangePassword changes the password from the account page (the
// second factor was checked minutes ago), after a look at the account
// pages and the recent activity. The same person signed in in another
// browser is signed out on their next page, and only the new password
// signs in.
func TestGCKeyChangePassword(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, ctx := provisionGCKey(t, a, l, "app")
			newPassword := "Seven herons wading in the Ottawa " + u.Username[len(u.Username)-4:]
			continueFromDone(t, ctx, l)
			onPage(t, ctx, l, "/gckey/account")

			// The account's pages, each checked.
			for _, p := range []string{"activity", "email", "sessions", "close"} {
				followLink(t, ctx, `[data-testid="account-links"] a[href="/`+l+`/gckey/account/`+p+`"]`, http.StatusOK)
				onPage(t, ctx, l, "/gckey/account/"+p)
				if p == "activity" {
					if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="activity"] tbody tr').length`); n < 2 {
						t.Errorf("recent activity lists %d events after a sign-up and a set-up", n)
					}
				}
				axeCheck(t, ctx)
				load(t, ctx, a.URL+"/"+l+"/gckey/account", http.StatusOK)
			}

			// Another browser, the same person.
			other := newTab(t)
			load(t, other, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			gckeySignIn(t, other, u, u.Password)
			continueToCode(t, other, u)
			enterAppCode(t, other, u)
			continueFromDone(t, other, l)
			onPage(t, other, l, "/gckey/account")

			followLink(t, ctx, `[data-testid="account-links"] a[href="/`+l+`/gckey/account/password"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/account/password")
			axeCheck(t, ctx)
			typeField(t, ctx, "#current", "Not my current passphrase 42")
			typeField(t, ctx, "#password", newPassword)
			typeField(t, ctx, "#confirm", newPassword)
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "current")
			axeCheck(t, ctx)
			typeField(t, ctx, "#current", u.Password)
			typeField(t, ctx, "#password", newPassword)
			typeField(t, ctx, "#confirm", newPassword)
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/account")
			if !exists(t, ctx, `[data-testid="done"]`) {
				t.Error("the account page does not say the password changed")
			}
			axeCheck(t, ctx)

			// The other browser's next page: signed out.
			load(t, other, a.URL+"/"+l+"/gckey/account", http.StatusOK)
			onPage(t, other, l, "/gckey/signin")
			typeField(t, other, "#username", u.Username)
			typeField(t, other, "#password", u.Password)
			enterSubmit(t, other, http.StatusUnprocessableEntity)
			gckeySignIn(t, other, u, newPassword)

			// This browser stays signed in.
			load(t, ctx, a.URL+"/"+l+"/gckey/account", http.StatusOK)
			onPage(t, ctx, l, "/gckey/account")
		})
	}
}

// TestGCKeyPages checks the GCKey pages anyone can reach, in both
// languages, with axe and the language toggle, and the error and "sent"
// states of the forms that need no account. Pages behind a sign-in are
// checked by the flows above.
func TestGCKeyPages(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			page := func(path string, status int, checks ...func(context.Context)) {
				t.Helper()
				load(t, ctx, a.URL+"/"+l+path, status)
				for _, c := range checks {
					c(ctx)
				}
				axeCheck(t, ctx)
				checkToggle(t, ctx)
			}
			page("/gckey/", http.StatusOK, func(ctx context.Context) {
				if !exists(t, ctx, `a[data-testid="gckey-signin"]`) || !exists(t, ctx, `a[data-testid="gckey-signup"]`) {
					t.Error("GCKey's entry page lacks sign-in or sign-up")
				}
			})
			page("/gckey/signin", http.StatusOK)
			page("/gckey/signup", http.StatusOK)
			page("/gckey/forgot-username", http.StatusOK)
			page("/gckey/forgot-username/sent", http.StatusOK)
			page("/gckey/forgot-password", http.StatusOK)
			page("/gckey/forgot-password/sent", http.StatusOK)
			page("/gckey/reset?token=not-a-token", http.StatusGone)
			page("/gckey/recovery/lost", http.StatusOK, func(ctx context.Context) {
				if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="desk"] li').length`); n < 3 {
					t.Errorf("the help page lists %d Service Desk numbers", n)
				}
			})
			page("/gckey/closed", http.StatusOK)

			// Error states.
			load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			submitForm(t, ctx, l, "/gckey/signin", http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "username")
			axeCheck(t, ctx)

			load(t, ctx, a.URL+"/"+l+"/gckey/forgot-username", http.StatusOK)
			typeField(t, ctx, "#email", "not-an-address")
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "email")
			axeCheck(t, ctx)
			// An address that belongs to nobody gets the same "sent" page.
			typeField(t, ctx, "#email", "nobody@example.test")
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/forgot-username/sent")

			// Pages that need a sign-in send a visitor to sign in.
			load(t, ctx, a.URL+"/"+l+"/gckey/account", http.StatusOK)
			onPage(t, ctx, l, "/gckey/signin")
			load(t, ctx, a.URL+"/"+l+"/gckey/2fa/", http.StatusOK)
			onPage(t, ctx, l, "/gckey/")
		})
	}
}

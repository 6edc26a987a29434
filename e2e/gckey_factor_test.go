package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"guichet/app/apptest"
)

// remainingCodes reads how many recovery codes the page says are left,
// and whether it warns that few are.
func remainingCodes(t *testing.T, ctx context.Context) (int, bool) {
	t.Helper()
	warn := exists(t, ctx, `[data-testid="low-warning"]`)
	sel := `[data-testid="remaining"]`
	if warn {
		sel = `[data-testid="low-warning"]`
	}
	v := eval[string](t, ctx, `(document.querySelector(`+js(sel)+`) || {dataset: {}}).dataset.remaining || ""`)
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("the page %s does not say how many codes are left (%q)", where(ctx), v)
	}
	return n, warn
}

// TestGCKeyChangeMethod changes the second factor while the person still
// has it: "Manage your two-factor authentication" on the Welcome page, a
// code from the app, the change page (also reached from the success
// page's "Change your two-factor authentication"), email set up instead,
// new recovery codes. Signed in again, the old recovery codes are refused
// on the recover page and the new ones work.
func TestGCKeyChangeMethod(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, _ := provisionGCKey(t, a, l, "app")
			oldCodes := u.Codes

			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			gckeySignIn(t, ctx, u, u.Password)
			followLink(t, ctx, `a[data-testid="manage-2fa"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/verify")
			if !exists(t, ctx, `input[type="hidden"][name="next"][value="manage"]`) {
				t.Error("the two-factor page does not carry where the person was going")
			}
			enterAppCode(t, ctx, u)

			// As on the public GCKey pages: the check leads to the success
			// page, whose "Change your two-factor authentication" opens the
			// change page; keeping the method returns to the success page.
			onPage(t, ctx, l, "/gckey/2fa/done")
			followLink(t, ctx, `a[data-testid="change"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/setup")
			if !exists(t, ctx, `[data-testid="current-method"]`) {
				t.Error("the change page does not say which method is in use")
			}
			followLink(t, ctx, `a[data-testid="keep-method"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/done")
			followLink(t, ctx, `a[data-testid="change"]`, http.StatusOK)

			setUpEmail(t, ctx, a, u, true)
			saveCodes(t, ctx, u, false)
			if slices.ContainsFunc(u.Codes, func(c string) bool { return slices.Contains(oldCodes, c) }) {
				t.Error("the new set repeats a code of the old one")
			}
			continueFromDone(t, ctx, l)
			onPage(t, ctx, l, "/gckey/account")
			gckeySignOut(t, ctx, l)

			// Signed in again, the method is email now.
			load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			gckeySignIn(t, ctx, u, u.Password)
			before := newestMailID(t, a)
			continueToCode(t, ctx, u)
			if !exists(t, ctx, `form[action="/`+l+`/gckey/2fa/verify/send"]`) {
				t.Error("the two-factor page does not offer to send a new code by email")
			}
			mailCode(t, a, u.Email, before)

			// The old recovery codes no longer work; the new ones do.
			followLink(t, ctx, `a[data-testid="recover"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/recovery/recover")
			typeField(t, ctx, "#code", oldCodes[0])
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			typeField(t, ctx, "#code", u.Codes[0])
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/recovery/recovered")
		})
	}
}

// TestGCKeyRecover recovers an account whose method is lost: the
// two-factor page's "Recover account", a wrong code, a right one (typed
// in lower case without dashes, as people do), set-up again with a new
// authenticator key, and a new set of codes.
func TestGCKeyRecover(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, _ := provisionGCKey(t, a, l, "app")
			oldCodes, oldApp := u.Codes, u.App

			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			gckeySignIn(t, ctx, u, u.Password)
			continueToCode(t, ctx, u)
			followLink(t, ctx, `a[data-testid="recover"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/recovery/recover")
			axeCheck(t, ctx)

			typeField(t, ctx, "#code", "2222-3333-4444")
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			axeCheck(t, ctx)

			typeField(t, ctx, "#code", strings.ToLower(strings.ReplaceAll(oldCodes[3], "-", " ")))
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/recovery/recovered")
			if n, warn := remainingCodes(t, ctx); n != 9 || warn {
				t.Errorf("after one code the page says %d left (warning %v), want 9 without a warning", n, warn)
			}
			axeCheck(t, ctx)

			followLink(t, ctx, `a[data-testid="change"]`, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/setup")
			setUpApp(t, ctx, u, false)
			if u.App.secret == oldApp.secret {
				t.Error("setting up again showed the old key")
			}
			saveCodes(t, ctx, u, false)
			if slices.ContainsFunc(u.Codes, func(c string) bool { return slices.Contains(oldCodes, c) }) {
				t.Error("the new set repeats a code of the old one")
			}
			continueFromDone(t, ctx, l)
			onPage(t, ctx, l, "/gckey/account")
		})
	}
}

// TestGCKeyRecoveryCodes uses recovery codes until 2 are left, when the
// pages warn, then gets a new set from the manage page: 10 codes again,
// and the rest of the old set stops working.
func TestGCKeyRecoveryCodes(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, ctx := provisionGCKey(t, a, l, "app")
			continueFromDone(t, ctx, l)
			onPage(t, ctx, l, "/gckey/account")

			// The account page's link to the recovery codes.
			manage := "/" + l + "/gckey/recovery/"
			sel := `[data-testid="account-links"] a[href^="/` + l + `/gckey/recovery/"]`
			if !exists(t, ctx, sel) {
				t.Fatal("the account page has no link to the recovery codes")
			}
			href := eval[string](t, ctx, `document.querySelector(`+js(sel)+`).getAttribute("href")`)
			if res := clickNav(t, ctx, sel); res.Status != http.StatusOK {
				t.Errorf("the account page's link to the recovery codes (%s) answers %d; the manage page is %s", href, res.Status, manage)
				load(t, ctx, a.URL+manage, http.StatusOK)
			}
			if n, warn := remainingCodes(t, ctx); n != 10 || warn {
				t.Errorf("the manage page says %d left (warning %v), want 10", n, warn)
			}
			axeCheck(t, ctx)

			// Eight codes used, one after the other.
			for i := range 8 {
				load(t, ctx, a.URL+"/"+l+"/gckey/recovery/recover", http.StatusOK)
				typeField(t, ctx, "#code", u.Codes[i])
				enterSubmit(t, ctx, http.StatusOK)
				onPage(t, ctx, l, "/gckey/recovery/recovered")
				n, warn := remainingCodes(t, ctx)
				if want := 10 - (i + 1); n != want || warn != (want <= 2) {
					t.Fatalf("after %d codes the page says %d left (warning %v), want %d", i+1, n, warn, want)
				}
			}
			axeCheck(t, ctx)

			load(t, ctx, a.URL+manage, http.StatusOK)
			if n, warn := remainingCodes(t, ctx); n != 2 || !warn {
				t.Errorf("with 2 codes left the manage page says %d (warning %v)", n, warn)
			}
			axeCheck(t, ctx)

			old := u.Codes
			submitForm(t, ctx, l, "/gckey/recovery/new", http.StatusOK)
			saveCodes(t, ctx, u, false)
			onPage(t, ctx, l, "/gckey/recovery/")
			if n, warn := remainingCodes(t, ctx); n != 10 || warn {
				t.Errorf("after a new set the manage page says %d left (warning %v), want 10", n, warn)
			}

			// The rest of the old set no longer works; the new one does.
			load(t, ctx, a.URL+"/"+l+"/gckey/recovery/recover", http.StatusOK)
			typeField(t, ctx, "#code", old[8])
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			typeField(t, ctx, "#code", u.Codes[0])
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/recovery/recovered")
		})
	}
}

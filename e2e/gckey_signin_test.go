package e2e

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"guichet/app/apptest"
)

// TestGCKeySignInWithAppKeyboardOnly signs in with the keyboard alone, the
// whole way from a service's entry page: the chooser, GCKey's sign-in,
// the Welcome page, the two-factor page (a wrong code first, corrected
// from the error summary), the success page, Continue to the service's
// enrolment page (a first arrival there) and Create my account, which
// leads to the secure account's own enrolment form.
func TestGCKeySignInWithAppKeyboardOnly(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, _ := provisionGCKey(t, a, l, "app")

			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			tabUntil(t, ctx, `a[data-testid="gckey-signin"]`)
			// The sign-in page, the success page and the service's home
			// pass axe in TestGCKeyPages and TestGCKeySignUp.
			enterOnLink(t, ctx, l, "/gckey/signin")

			tabUntil(t, ctx, "#username")
			press(t, ctx, u.Username)
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, "#password") {
				t.Fatalf("Tab from the username focused %s, want the password", activeElement(t, ctx))
			}
			press(t, ctx, u.Password)
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/welcome")
			if exists(t, ctx, `[data-testid="no-factor"]`) {
				t.Error("the Welcome page says no method is set up")
			}
			axeCheck(t, ctx)

			tabUntil(t, ctx, `a[data-testid="continue"]`)
			enterOnLink(t, ctx, l, "/gckey/2fa/verify")
			axeCheck(t, ctx)

			// A wrong code: the error summary takes the focus, its link
			// leads back to the field.
			tabUntil(t, ctx, "#code")
			wrong := u.App.wrong(t)
			press(t, ctx, wrong)
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			expectErrorSummary(t, ctx, "code")
			axeCheck(t, ctx)
			press(t, ctx, kb.Tab)
			if !focused(t, ctx, `#error-summary a[href="#code"]`) {
				t.Fatalf("Tab from the summary focused %s", activeElement(t, ctx))
			}
			pressEnterOnLink(t, ctx)
			if !focused(t, ctx, "#code") {
				t.Fatalf("the summary link focused %s, want the code field", activeElement(t, ctx))
			}
			press(t, ctx, kb.End)
			for range len(wrong) + 2 {
				press(t, ctx, kb.Backspace)
			}
			press(t, ctx, u.App.code(t, ctx))
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/done")
			if !strings.Contains(text(t, ctx, `[data-testid="next"]`), "IRCC") {
				t.Errorf("the success page does not name the service waiting: %q", text(t, ctx, `[data-testid="next"]`))
			}

			tabUntil(t, ctx, `form[action="/`+l+`/gckey/2fa/done"] button[type="submit"]`)
			enterSubmit(t, ctx, http.StatusOK)
			// The GCKey never reached the service: its enrolment page
			// (which passes axe in TestGCKeySignUp) asks first.
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
				t.Fatalf("Continue did not lead to the service's enrolment page: %s", where(ctx))
			}
			tabUntil(t, ctx, `[data-testid="enrol-confirm"]`)
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/ircc/")
			// The kernel's confirmation hands the person to the secure
			// account, whose own enrolment form (TestSecureAccountEnrolment
			// fills it in) comes first.
			if !exists(t, ctx, `[data-testid="enrol-form"]`) {
				t.Fatalf("Create my account did not reach the secure account's enrolment form: %s", where(ctx))
			}
			if exists(t, ctx, `[data-testid="enrol-warning"]`) {
				t.Errorf("the kernel's enrolment page is still shown after Create my account: %s", where(ctx))
			}
		})
	}
}

// TestGCKeySignInWithEmailCode signs in with a code sent by email, from
// GCKey's own entry page: the code mailed when the two-factor page opens,
// "Send a new code" (after which the first code no longer works), the new
// code, the success page and Continue to the account page.
func TestGCKeySignInWithEmailCode(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u, _ := provisionGCKey(t, a, l, "email")

			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/gckey/", http.StatusOK)
			if exists(t, ctx, `[data-testid="partner-section"]`) {
				t.Error("GCKey's own entry page offers Sign-In Partners")
			}
			followLink(t, ctx, `a[data-testid="gckey-signin"]`, http.StatusOK)
			gckeySignIn(t, ctx, u, u.Password)

			before := newestMailID(t, a)
			continueToCode(t, ctx, u)
			first := mailCode(t, a, u.Email, before)
			masked := u.Email[:1] + "•••@example.test"
			if got := text(t, ctx, "main"); !strings.Contains(got, masked) || strings.Contains(got, u.Email) {
				t.Errorf("the two-factor page should name the address as %q, without showing it whole", masked)
			}
			axeCheck(t, ctx)

			before = newestMailID(t, a)
			submitForm(t, ctx, l, "/gckey/2fa/verify/send", http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/verify")
			if !exists(t, ctx, `[data-testid="sent"]`) {
				t.Error("no notice that a new code was sent")
			}
			axeCheck(t, ctx)
			second := mailCode(t, a, u.Email, before)

			if first != second {
				typeField(t, ctx, "#code", first)
				enterSubmit(t, ctx, http.StatusUnprocessableEntity)
				expectErrorSummary(t, ctx, "code")
				axeCheck(t, ctx)
			}
			typeField(t, ctx, "#code", second)
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/gckey/2fa/done")
			continueFromDone(t, ctx, l)
			onPage(t, ctx, l, "/gckey/account")
			if got := text(t, ctx, `[data-testid="username"]`); got != u.Username {
				t.Errorf("the account page shows %q, want %q", got, u.Username)
			}
		})
	}
}

// TestGCKeyLockout fails 5 passwords for a username from a browser that
// never signed in with it: the fifth answer is the locked message, and
// the right password then gets the same answer. An unknown username gets
// exactly the same answers, so nothing tells whether an account exists.
// The browser that created the GCKey is known and still signs in.
func TestGCKeyLockout(t *testing.T) {
	t.Parallel()
	for _, l := range gckeyLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			u := newGCKeyUser(l)
			owner := newTab(t)
			load(t, owner, a.URL+"/"+l+"/gckey/signup", http.StatusOK)
			gckeySignUp(t, owner, a, u, false)
			afterSignup := newestMailID(t, a)

			ctx := newTab(t)
			// answers tries 5 wrong passwords, then the right one, and
			// returns the message of each attempt.
			answers := func(username, right string, check bool) []string {
				var out []string
				load(t, ctx, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
				for i := 1; i <= 6; i++ {
					pw := "Not my passphrase at all " + strconv.Itoa(i)
					status := http.StatusUnprocessableEntity
					if i >= 5 {
						status = http.StatusTooManyRequests
					}
					if i == 6 {
						pw = right
					}
					// The username stays in its field after a failure;
					// only the password is typed again.
					if i == 1 {
						typeField(t, ctx, "#username", username)
					} else if v := eval[string](t, ctx, `document.querySelector("#username").value`); v != username {
						t.Fatalf("attempt %d: the username field holds %q, want %q", i, v, username)
					}
					typeField(t, ctx, "#password", pw)
					enterSubmit(t, ctx, status)
					expectErrorSummary(t, ctx, "username")
					out = append(out, normalizeDigits(text(t, ctx, "main")))
					if check && (i == 1 || i == 5) {
						axeCheck(t, ctx)
					}
				}
				return out
			}
			known := answers(u.Username, u.Password, true)
			if known[0] == known[4] {
				t.Error("the locked answer is the same as a wrong password's")
			}
			if known[5] != known[4] {
				t.Errorf("the right password while locked got a different answer:\n%s\n%s", known[5], known[4])
			}
			unknown := newGCKeyUser(l)
			for i, got := range answers(unknown.Username, unknown.Password, false) {
				want := strings.ReplaceAll(known[i], normalizeDigits(u.Username), normalizeDigits(unknown.Username))
				if got != want {
					t.Errorf("attempt %d: an unknown username got\n%s\nwhere the existing one got\n%s", i+1, got, want)
				}
			}

			// The owner is told, once.
			mailAfter(t, a, u.Email, afterSignup, regexp.MustCompile(`\S`))

			// The browser that created the GCKey is exempt from the lock.
			load(t, owner, a.URL+"/"+l+"/gckey/signin", http.StatusOK)
			gckeySignIn(t, owner, u, u.Password)
		})
	}
}

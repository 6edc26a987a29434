package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"guichet/app/apptest"
	"guichet/modules"
)

// pageCase is one page every visitor can reach.
type pageCase struct {
	name   string
	path   string
	status int
	// lang is the expected <html lang>.
	lang string
	// toggle is set when the page has the language toggle, which must lead
	// to the same page in the other language.
	toggle bool
	// check adds checks of the page's own content.
	check func(t *testing.T, ctx context.Context)
}

func langCases() []pageCase {
	var cs []pageCase
	for _, l := range []string{"en", "fr"} {
		add := func(name, path string, status int, check func(*testing.T, context.Context)) {
			cs = append(cs, pageCase{name: l + "/" + name, path: "/" + l + path, status: status, lang: l, toggle: true, check: check})
		}
		add("landing", "/", http.StatusOK, func(t *testing.T, ctx context.Context) {
			if !exists(t, ctx, `[data-testid="services"] a[href="/`+l+`/gckey/"]`) {
				t.Error("the landing page does not list GCKey")
			}
		})
		for _, p := range []string{"terms", "privacy", "accessibility", "help"} {
			add(p, "/"+p, http.StatusOK, nil)
		}
		add("signed-out", "/signed-out", http.StatusOK, func(t *testing.T, ctx context.Context) {
			if exists(t, ctx, `[data-testid="timed-out"]`) {
				t.Error("a plain sign-out says the session timed out")
			}
		})
		add("signed-out-timeout", "/signed-out?reason=timeout", http.StatusOK, func(t *testing.T, ctx context.Context) {
			if !exists(t, ctx, `[data-testid="timed-out"]`) {
				t.Error("the timed-out sign-out page does not say the session timed out")
			}
		})
		for _, s := range modules.PendingServices {
			add("pending-"+s, "/"+s+"/", http.StatusOK, nil)
		}
		for _, s := range []string{"ircc", "pt", "cipo"} {
			add("chooser-"+s, "/"+s+"/", http.StatusOK, func(t *testing.T, ctx context.Context) {
				if !exists(t, ctx, `[data-testid="partner-section"]`) || !exists(t, ctx, `[data-testid="gckey-section"]`) {
					t.Error("the entry page lacks a sign-in option")
				}
			})
		}
		add("partner-pending", "/partners/rbc?service=ircc", http.StatusOK, nil)
		add("not-found", "/nope", http.StatusNotFound, nil)
		add("server-error", "/test/panic", http.StatusInternalServerError, checkNoInternals)
		add("signed-in", "/test/sign-in", http.StatusOK, func(t *testing.T, ctx context.Context) {
			if got := location(t, ctx); got != "/"+l+"/test/signed-in" {
				t.Errorf("signing in led to %s", got)
			}
			if !exists(t, ctx, `[data-testid="signed-in"]`) {
				t.Error("the test page does not show the signed-in state")
			}
			if eval[bool](t, ctx, `document.getElementById("session-timeout").open`) {
				t.Error("the session timeout dialog is open right after sign-in")
			}
		})
	}
	return cs
}

// checkNoInternals makes sure an error page shows no panic value or stack.
func checkNoInternals(t *testing.T, ctx context.Context) {
	html := eval[string](t, ctx, `document.documentElement.outerHTML`)
	for _, s := range []string{"secret internal detail", "goroutine ", "runtime/debug", ".go:"} {
		if strings.Contains(html, s) {
			t.Errorf("the error page shows %q", s)
		}
	}
	if !exists(t, ctx, "main p.hint") {
		t.Error("the error page gives no reference to quote")
	}
}

// TestPages loads every page in both languages and checks it with axe,
// checks <html lang>, and follows the language toggle.
func TestPages(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	cases := append(langCases(),
		pageCase{name: "splash", path: "/", status: http.StatusOK, lang: "en", check: func(t *testing.T, ctx context.Context) {
			for _, l := range []string{"en", "fr"} {
				sel := `[data-testid="choose-` + l + `"]`
				if got := eval[string](t, ctx, `document.querySelector(`+js(sel)+`).closest("[lang]").lang`); got != l {
					t.Errorf("the %s choice is marked lang=%q", l, got)
				}
			}
			clickNav(t, ctx, `[data-testid="choose-fr"]`)
			if got := location(t, ctx); got != "/fr/" {
				t.Errorf("choosing Français led to %s", got)
			}
		}},
		pageCase{name: "not-found-bilingual", path: "/nope", status: http.StatusNotFound, lang: "en", check: func(t *testing.T, ctx context.Context) {
			for _, l := range []string{"en", "fr"} {
				if !exists(t, ctx, `main [lang="`+l+`"] h1`) {
					t.Errorf("the bilingual 404 page has no heading marked lang=%s", l)
				}
			}
		}},
	)
	for _, pc := range cases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+pc.path, pc.status)
			if got := htmlLang(t, ctx); got != pc.lang {
				t.Errorf("<html lang=%q>, want %q", got, pc.lang)
			}
			axeCheck(t, ctx)
			if pc.check != nil {
				pc.check(t, ctx)
			}
			if pc.toggle {
				checkToggle(t, ctx)
			}
		})
	}
}

// TestCSRFPage submits a form whose CSRF cookie is gone, as after the
// browser dropped its cookies, and checks the "form expired" page.
func TestCSRFPage(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/test/signed-in", http.StatusOK)
			// The cookie is HttpOnly, so only DevTools can remove it.
			if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "guichet_csrf", URL: a.URL + "/"}); err != nil {
				t.Fatal(err)
			}
			run(t, ctx, chromedp.SendKeys(chromedp.ID("note"), "hello"))
			res := clickNav(t, ctx, `main form button[type="submit"]`)
			if res.Status != http.StatusForbidden {
				t.Fatalf("posting without the CSRF cookie: status %d, want 403", res.Status)
			}
			if got := htmlLang(t, ctx); got != l {
				t.Errorf("<html lang=%q>, want %q", got, l)
			}
			if body := text(t, ctx, "main"); strings.Contains(body, "accepted:") {
				t.Error("the form was accepted")
			}
			axeCheck(t, ctx)
		})
	}
}

// TestCSPBlocksInlineScript checks both halves of what axeCheck relies
// on: the page's policy refuses inline script, while DevTools evaluation
// (how axe gets in) still runs.
func TestCSPBlocksInlineScript(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	ctx := newTab(t)
	load(t, ctx, a.URL+"/en/", http.StatusOK)
	violated := eval[string](t, ctx, `new Promise(resolve => {
		document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective));
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.body.append(s);
		setTimeout(() => resolve("none"), 2000);
	})`)
	if strings.HasPrefix(violated, "none") {
		t.Fatal("no CSP violation for an inline script")
	}
	if !strings.HasPrefix(violated, "script-src") {
		t.Errorf("the inline script broke %q, want script-src", violated)
	}
	if eval[bool](t, ctx, `window.inlineRan === true`) {
		t.Error("an inline script ran despite the CSP")
	}
	axeCheck(t, ctx)
}

// recorder keeps the errors a check reports instead of failing, so the
// check itself can be tested.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

// TestAxeCheckReportsViolations makes sure axeCheck fails a page that
// breaks a rule and names the rule and the element, so the page tests'
// silence means something.
func TestAxeCheckReportsViolations(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	ctx := newTab(t)
	load(t, ctx, a.URL+"/en/", http.StatusOK)
	eval[chromedp.Void](t, ctx, `document.querySelector("main .container").insertAdjacentHTML("beforeend",
		'<img src="/static/img/favicon.svg" data-broken="img"><button data-broken="button"></button>')`)
	rec := &recorder{TB: t}
	axeCheck(rec, ctx)
	if len(rec.errs) != 1 {
		t.Fatalf("axeCheck reported %d errors, want 1: %q", len(rec.errs), rec.errs)
	}
	for _, want := range []string{"image-alt (critical)", "button-name (critical)", `data-broken="img"`, `data-broken="button"`} {
		if !strings.Contains(rec.errs[0], want) {
			t.Errorf("the report does not mention %s:\n%s", want, rec.errs[0])
		}
	}
}

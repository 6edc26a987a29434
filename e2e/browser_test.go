package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// run runs one action and fails the test if it fails.
func run[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%v (page %s)", err, where(ctx))
	}
	return v
}

// eval evaluates a JavaScript expression in the page and decodes its
// value, awaiting it first if it is a promise.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// where names the page a tab shows, for failure messages.
func where(ctx context.Context) string {
	// A short, separate deadline: where is called when something already
	// went wrong, possibly because ctx itself ran out.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	href, err := chromedp.Run(wctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return href
}

// navigate loads url, waits for the load event and returns the response
// of the document.
func navigate(t testing.TB, ctx context.Context, url string) *network.Response {
	t.Helper()
	res := run(t, ctx, chromedp.NavigateResponse(url))
	if res == nil {
		t.Fatalf("navigate %s: no response", url)
	}
	return res
}

// load is navigate for a page that must answer with status.
func load(t testing.TB, ctx context.Context, url string, status int) *network.Response {
	t.Helper()
	res := navigate(t, ctx, url)
	if int(res.Status) != status {
		t.Fatalf("GET %s: status %d, want %d", url, res.Status, status)
	}
	return res
}

// clickNav clicks the element sel finds and waits for the page it leads
// to, returning that page's response.
func clickNav(t testing.TB, ctx context.Context, sel string) *network.Response {
	t.Helper()
	return followNav(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// pressNav presses keys and waits for the page they lead to.
func pressNav(t testing.TB, ctx context.Context, keys string) *network.Response {
	t.Helper()
	return followNav(t, ctx, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

func followNav(t testing.TB, ctx context.Context, what string, a chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v (page %s)", what, err, where(ctx))
	}
	if res == nil {
		t.Fatalf("%s: no response (page %s)", what, where(ctx))
	}
	return res
}

// press sends keys to the focused element, as a person at the keyboard
// would: kb.Tab, kb.Enter, kb.Escape.
func press(t testing.TB, ctx context.Context, keys string) {
	t.Helper()
	run(t, ctx, chromedp.KeyEvent(keys))
}

// pressEnterOnLink activates the focused link with Enter the way a real
// keystroke does. Chrome follows a link on keydown and then drops the
// keypress of a keydown it handled; chromedp's KeyEvent sends the keypress
// as a separate command, which would land on whatever the link moved focus
// to (and submit its form), so this sends the keydown and keyup only.
func pressEnterOnLink(t testing.TB, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		}); err != nil {
			t.Fatalf("press Enter: %v", err)
		}
	}
}

// waitFor polls a JavaScript condition until it holds. Errors while it
// polls are expected (the page may be between two documents) and only
// reported if the condition never holds. The polling is done from Go, not
// with chromedp.Poll, so that it survives the navigations it waits for.
func waitFor(t testing.TB, ctx context.Context, timeout time.Duration, what, js string) {
	t.Helper()
	if err := eventually(ctx, timeout, js); err != nil {
		t.Fatalf("waiting for %s: %v (page %s)", what, err, where(ctx))
	}
}

// eventually is waitFor's loop, returning an error instead of failing.
func eventually(ctx context.Context, timeout time.Duration, js string) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("still false after %v (last error: %v)", timeout, last)
			}
			return fmt.Errorf("still false after %v", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sleepUntil waits for a moment on the wall clock, for tests that must let
// the page's own timers run.
func sleepUntil(t testing.TB, ctx context.Context, at time.Time) {
	t.Helper()
	select {
	case <-ctx.Done():
		t.Fatalf("sleeping until %s: %v", at.Format(time.TimeOnly), ctx.Err())
	case <-time.After(time.Until(at)):
	}
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// exists tells whether sel matches an element of the page.
func exists(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, `document.querySelector(`+js(sel)+`) !== null`)
}

// text returns the text content of the first element sel matches, "" if
// there is none.
func text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, `(document.querySelector(`+js(sel)+`) || {textContent: ""}).textContent`)
}

// location returns the path and query of the page, as the server sees them.
func location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.pathname + location.search`)
}

// htmlLang returns the lang attribute of the document element.
func htmlLang(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.documentElement.getAttribute("lang") || ""`)
}

// activeElement describes the focused element, for assertions and
// messages: "a.skip-link", "main#main", "button[data-testid=continue-session]".
func activeElement(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `(() => {
		const e = document.activeElement;
		if (!e) return "";
		let s = e.tagName.toLowerCase();
		if (e.id) s += "#" + e.id;
		for (const c of e.classList) s += "." + c;
		const tid = e.getAttribute("data-testid");
		if (tid) s += "[data-testid=" + tid + "]";
		return s;
	})()`)
}

// focused tells whether the element sel finds has the focus.
func focused(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, `(() => {
		const e = document.querySelector(`+js(sel)+`);
		return e !== null && e === document.activeElement;
	})()`)
}

// axeTags are the rule sets every page must pass: WCAG 2.2 AA (through
// its 2.0 and 2.1 subsets) and axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

// axeCheck runs axe-core on the page as it is now and fails the test for
// each violation, naming the rule, its impact and the elements at fault.
//
// axe is injected with Runtime.evaluate, which the page's Content Security
// Policy (script-src 'self') does not govern: DevTools evaluation is not a
// script the page loads (TestCSPBlocksInlineScript checks both sides).
func axeCheck(t testing.TB, ctx context.Context) {
	t.Helper()
	if !eval[bool](t, ctx, `typeof window.axe === "object" && typeof window.axe.run === "function"`) {
		run(t, ctx, chromedp.Evaluate[chromedp.Void](axeSource))
		if !eval[bool](t, ctx, `typeof window.axe === "object" && typeof window.axe.run === "function"`) {
			t.Fatalf("axe-core did not load into %s", where(ctx))
		}
	}
	tags, _ := json.Marshal(axeTags)
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}}).then(r => ({
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({
				target: n.target.map(s => Array.isArray(s) ? s.join(" >>> ") : String(s)),
				html: n.html,
				summary: n.failureSummary || "",
			})),
		})),
	}))`
	res := run(t, ctx, chromedp.Evaluate[axeResult](script, chromedp.EvalAwaitPromise))
	if res.Passes == 0 && len(res.Violations) == 0 {
		t.Fatalf("axe checked nothing on %s", where(ctx))
	}
	if len(res.Violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe: %d violation(s) on %s", len(res.Violations), where(ctx))
	for _, v := range res.Violations {
		fmt.Fprintf(&b, "\n  %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    - %s\n      %s", strings.Join(n.Target, ", "), n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
	}
	t.Error(b.String())
}

// otherLang is the other official language.
func otherLang(lang string) string {
	if lang == "fr" {
		return "en"
	}
	return "fr"
}

// checkToggle follows the language toggle and checks it leads to the same
// page, path and query, in the other language.
func checkToggle(t testing.TB, ctx context.Context) {
	t.Helper()
	lang := htmlLang(t, ctx)
	before := location(t, ctx)
	rest, ok := strings.CutPrefix(before, "/"+lang+"/")
	if !ok {
		t.Fatalf("page %s is not under /%s/", before, lang)
	}
	other := otherLang(lang)
	clickNav(t, ctx, `[data-testid="lang-toggle"]`)
	if got, want := location(t, ctx), "/"+other+"/"+rest; got != want {
		t.Errorf("language toggle on %s led to %s, want %s", before, got, want)
	}
	if got := htmlLang(t, ctx); got != other {
		t.Errorf("after the toggle from %s: <html lang=%q>, want %q", before, got, other)
	}
}

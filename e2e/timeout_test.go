package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"guichet/app"
	"guichet/app/apptest"
)

// The session timeout dialog (templates/layout.templ, static/js/site.js)
// opens SessionWarn before the idle limit, counts down, extends the session
// on "Continue session" or Escape, signs out on "End session now" or when
// time runs out, and keeps every tab of the browser in step through
// localStorage. These tests shorten the limits so the page's own timers can
// run in real time; they run in parallel, each with its own application,
// so the suite waits about as long as its slowest case.

const (
	dialogOpen   = `document.getElementById("session-timeout").open`
	dialogClosed = `!document.getElementById("session-timeout").open`
)

// timeoutApp starts an application whose sessions end after idle without
// activity, with the dialog warning warn before.
func timeoutApp(t *testing.T, idle, warn time.Duration) *apptest.App {
	t.Helper()
	return startApp(t, apptest.Options{Config: func(c *app.Config) {
		c.SessionIdle, c.SessionWarn = idle, warn
	}})
}

// signedIn brackets a sign-in in wall-clock time. The server counts the
// idle limit from the sign-in request, after start; the page counts it from
// when its script ran, before loaded. On a busy machine the two differ by
// seconds, so each bound is checked against the instant it depends on.
type signedIn struct {
	start, loaded time.Time
}

// signIn signs the tab in through the test route and checks it landed on
// the signed-in test page.
func signIn(t *testing.T, ctx context.Context, a *apptest.App, lang string) signedIn {
	t.Helper()
	start := time.Now()
	load(t, ctx, a.URL+"/"+lang+"/test/sign-in", http.StatusOK)
	loaded := time.Now()
	if got := location(t, ctx); got != "/"+lang+"/test/signed-in" {
		t.Fatalf("signing in led to %s", got)
	}
	if !exists(t, ctx, `[data-testid="signed-in"]`) {
		t.Fatal("not signed in after the test sign-in")
	}
	return signedIn{start: start, loaded: loaded}
}

// checkSignedIn reloads the signed-in test page and checks whether the
// server still knows the session.
func checkSignedIn(t *testing.T, ctx context.Context, a *apptest.App, lang string, want bool) {
	t.Helper()
	load(t, ctx, a.URL+"/"+lang+"/test/signed-in", http.StatusOK)
	if got := exists(t, ctx, `[data-testid="signed-in"]`); got != want {
		t.Errorf("signed in on reload: %v, want %v", got, want)
	}
}

var countdown = regexp.MustCompile(`^([0-9]+):([0-5][0-9])$`)

// countdownLeft reads the dialog's m:ss countdown.
func countdownLeft(s string) (time.Duration, bool) {
	m := countdown.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	mins, _ := strconv.Atoi(m[1])
	secs, _ := strconv.Atoi(m[2])
	return time.Duration(mins)*time.Minute + time.Duration(secs)*time.Second, true
}

// waitDialog waits for the dialog to open, warn before the idle limit,
// and checks it opened with the focus on "Continue session" and a running
// countdown.
func waitDialog(t *testing.T, ctx context.Context, s signedIn, idle, warn time.Duration) {
	t.Helper()
	if eval[bool](t, ctx, dialogOpen) {
		t.Fatalf("the dialog is open %v after sign-in, %v before it should warn", time.Since(s.start).Round(time.Millisecond), idle-warn)
	}
	waitFor(t, ctx, time.Until(s.loaded.Add(idle-warn+3*time.Second)), "the timeout dialog to open", dialogOpen)
	// The page counts from the whole seconds the server has left, so it
	// may warn up to a second early.
	if early := s.start.Add(idle - warn - 1500*time.Millisecond); time.Now().Before(early) {
		t.Errorf("the dialog opened %v after sign-in, want %v", time.Since(s.start).Round(time.Millisecond), idle-warn)
	}
	if !focused(t, ctx, `[data-testid="continue-session"]`) {
		t.Errorf("the open dialog focused %s, want the Continue session button", activeElement(t, ctx))
	}
	c := text(t, ctx, "[data-countdown]")
	if left, ok := countdownLeft(c); !ok || left <= 0 || left > warn {
		t.Errorf("countdown %q, want m:ss of at most %v", c, warn)
	}
}

// extendByKey presses key in the open dialog and checks the session
// outlives the deadline it had before.
func extendByKey(t *testing.T, ctx context.Context, a *apptest.App, lang string, s signedIn, idle time.Duration, key, name string) {
	t.Helper()
	pressed := time.Now()
	press(t, ctx, key)
	waitFor(t, ctx, 3*time.Second, "the dialog to close after "+name, dialogClosed)

	// Reload after the first deadline (the server set it before loaded)
	// and before the new one (set after pressed).
	reload := s.loaded.Add(idle + time.Second)
	if !reload.Before(pressed.Add(idle - time.Second)) {
		t.Fatalf("the page was too slow to tell the two deadlines apart (loaded %v, pressed %v after start)",
			s.loaded.Sub(s.start), pressed.Sub(s.start))
	}
	sleepUntil(t, ctx, reload)
	checkSignedIn(t, ctx, a, lang, true)
}

func TestSessionTimeout(t *testing.T) {
	t.Parallel()
	const idle, warn = 20 * time.Second, 10 * time.Second

	// (a) and (b): the dialog opens in time with the focus on Continue;
	// Enter on it closes the dialog and extends the session on the server.
	t.Run("continue", func(t *testing.T) {
		t.Parallel()
		a := timeoutApp(t, idle, warn)
		ctx := newTab(t)
		s := signIn(t, ctx, a, "en")
		waitDialog(t, ctx, s, idle, warn)
		extendByKey(t, ctx, a, "en", s, idle, kb.Enter, "Continue")
	})

	// Escape means "not now": it keeps the session, as Continue does.
	t.Run("escape", func(t *testing.T) {
		t.Parallel()
		a := timeoutApp(t, idle, warn)
		ctx := newTab(t)
		s := signIn(t, ctx, a, "fr")
		waitDialog(t, ctx, s, idle, warn)
		extendByKey(t, ctx, a, "fr", s, idle, kb.Escape, "Escape")
	})

	// (d): when time runs out the page signs out and says why, and the
	// other tab of the browser follows.
	for _, l := range []string{"en", "fr"} {
		t.Run("runs-out/"+l, func(t *testing.T) {
			t.Parallel()
			a := timeoutApp(t, idle, warn)
			ctxA := newTab(t)
			s := signIn(t, ctxA, a, l)
			ctxB := secondTab(t, ctxA)
			load(t, ctxB, a.URL+"/"+l+"/test/signed-in", http.StatusOK)
			if !exists(t, ctxB, `[data-testid="signed-in"]`) {
				t.Fatal("the second tab is not signed in")
			}

			onSignedOut := `location.pathname === "/` + l + `/signed-out" && document.readyState === "complete"`
			wait := time.Until(s.loaded.Add(idle + 6*time.Second))
			waitFor(t, ctxA, wait, "the first tab to sign out", onSignedOut)
			waitFor(t, ctxB, 5*time.Second, "the second tab to follow", onSignedOut)

			// Both tabs time out at the same shared deadline; whichever
			// ticks first ends the session and says why, and the other
			// follows to the signed-out page.
			timedOut := 0
			for _, ctx := range []context.Context{ctxA, ctxB} {
				if location(t, ctx) == "/"+l+"/signed-out?reason=timeout" && exists(t, ctx, `[data-testid="timed-out"]`) {
					timedOut++
				}
			}
			if timedOut == 0 {
				t.Errorf("neither tab shows the timed-out page: %s and %s", location(t, ctxA), location(t, ctxB))
			}
			checkSignedIn(t, ctxA, a, l, false)
		})
	}

	// (e): "End session now" signs out at once, in every tab.
	t.Run("end-now", func(t *testing.T) {
		t.Parallel()
		a := timeoutApp(t, idle, warn)
		ctxA := newTab(t)
		s := signIn(t, ctxA, a, "fr")
		ctxB := secondTab(t, ctxA)
		load(t, ctxB, a.URL+"/fr/test/signed-in", http.StatusOK)
		waitDialog(t, ctxA, s, idle, warn)

		// From the keyboard: Tab goes from Continue to End session now.
		press(t, ctxA, kb.Tab)
		if !focused(t, ctxA, `[data-testid="end-session"]`) {
			t.Fatalf("Tab in the dialog focused %s, want End session now", activeElement(t, ctxA))
		}
		pressNav(t, ctxA, kb.Enter)
		if got := location(t, ctxA); got != "/fr/signed-out" {
			t.Errorf("End session now led to %s, want /fr/signed-out", got)
		}
		if exists(t, ctxA, `[data-testid="timed-out"]`) {
			t.Error("ending the session on purpose says it timed out")
		}
		// Tab B follows through localStorage, well before its own
		// deadline: it lands on the plain signed-out page, not the
		// timed-out one its own timer would submit.
		waitFor(t, ctxB, 5*time.Second, "the second tab to follow", `location.pathname + location.search === "/fr/signed-out" && document.readyState === "complete"`)
		checkSignedIn(t, ctxA, a, "fr", false)
	})

	// (c): a page loaded in another tab is activity; the first tab's open
	// dialog closes and its deadline moves. The session store writes a new
	// expiry only when it moves by a minute or more (session.SkipWindow),
	// so this case needs an idle limit above a minute and runs longest.
	t.Run("other-tab-activity", func(t *testing.T) {
		t.Parallel()
		const idle, warn = 70 * time.Second, 15 * time.Second
		a := timeoutApp(t, idle, warn)
		ctxA := newTab(t)
		s := signIn(t, ctxA, a, "en")
		waitDialog(t, ctxA, s, idle, warn)

		// A minute after the sign-in was written, within A's warning.
		ctxB := secondTab(t, ctxA)
		sleepUntil(t, ctxB, s.loaded.Add(61*time.Second))
		load(t, ctxB, a.URL+"/en/test/signed-in", http.StatusOK)
		if got := eval[int](t, ctxB, `Number(document.getElementById("session-timeout").dataset.idleSeconds)`); got != int(idle.Seconds()) {
			t.Fatalf("the page loaded in tab B counts %d s, want the session extended to %v", got, idle)
		}
		waitFor(t, ctxA, 3*time.Second, "tab A's dialog to close after activity in tab B", dialogClosed)

		// Past tab A's first deadline, it is still signed in and quiet.
		sleepUntil(t, ctxA, s.loaded.Add(idle+3*time.Second))
		if got := location(t, ctxA); got != "/en/test/signed-in" {
			t.Fatalf("tab A left for %s", got)
		}
		if eval[bool](t, ctxA, dialogOpen) {
			t.Error("tab A's dialog opened again although tab B extended the session")
		}
		checkSignedIn(t, ctxA, a, "en", true)
	})

	// The open dialog passes axe, in both languages.
	for _, l := range []string{"en", "fr"} {
		t.Run("accessible/"+l, func(t *testing.T) {
			t.Parallel()
			// Warn almost at once and leave plenty of time to check.
			const idle, warn = 10 * time.Minute, 10*time.Minute - 2*time.Second
			a := timeoutApp(t, idle, warn)
			ctx := newTab(t)
			signIn(t, ctx, a, l)
			waitFor(t, ctx, 6*time.Second, "the timeout dialog to open", dialogOpen)
			if !eval[bool](t, ctx, `document.getElementById("session-timeout").matches(":modal")`) {
				t.Error("the dialog is not modal")
			}
			axeCheck(t, ctx)
		})
	}
}

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"guichet/app/apptest"
)

// window writes one [[window]] of a maintenance file.
func window(id, service string, start, end time.Time, notice string) string {
	return fmt.Sprintf("[[window]]\nid = %q\nservices = [%q]\nstart = %s\nend = %s\nnotice = %q\n\n",
		id, service, start.Format(time.RFC3339), end.Format(time.RFC3339), notice)
}

// maintenanceNow returns a file with a window in force now for ircc and
// one announced for gckey. The announced window starts and ends at half
// past the hour, so the French times read "10 h 30".
func maintenanceNow() string {
	now := time.Now().Truncate(time.Minute)
	soon := now.Truncate(time.Hour).Add(3*time.Hour + 30*time.Minute)
	return window("ircc-now", "ircc", now.Add(-time.Hour), now.Add(2*time.Hour), "72h") +
		window("gckey-soon", "gckey", soon, soon.Add(time.Hour), "168h")
}

// header returns a response header, whatever its case on the wire.
func header(res *network.Response, name string) string {
	for k, v := range res.Headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// checkRetryAfter checks that a 503 tells clients when to come back: in
// seconds, and no later than the window's end.
func checkRetryAfter(t *testing.T, v string) {
	t.Helper()
	secs, err := strconv.Atoi(v)
	if err != nil || secs <= 0 || secs > int((2*time.Hour+time.Minute).Seconds()) {
		t.Errorf("Retry-After %q, want seconds until the window ends", v)
	}
}

// TestMaintenancePages checks the 503 page of a service inside its window,
// the banner of a service with an announced window, and the landing page's
// notice, in both languages.
func TestMaintenancePages(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{Maintenance: maintenanceNow()})
	for _, l := range []string{"en", "fr"} {
		t.Run(l+"/closed", func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			res := load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusServiceUnavailable)
			checkRetryAfter(t, header(res, "Retry-After"))
			if got := htmlLang(t, ctx); got != l {
				t.Errorf("<html lang=%q>, want %q", got, l)
			}
			if !exists(t, ctx, `[data-testid="maintenance-until"]`) {
				t.Error("the maintenance page does not say when the service is back")
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)
		})
		t.Run(l+"/banner", func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/gckey/", http.StatusOK)
			if !exists(t, ctx, `[data-testid="maintenance-banner"]`) {
				t.Error("no banner for the announced window")
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)
		})
		t.Run(l+"/landing", func(t *testing.T) {
			t.Parallel()
			ctx := newTab(t)
			load(t, ctx, a.URL+"/"+l+"/", http.StatusOK)
			if !exists(t, ctx, `li[data-service="gckey"] [data-testid="maintenance-banner"]`) {
				t.Error("the landing page does not announce the GCKey window")
			}
			axeCheck(t, ctx)
		})
	}
}

// TestMaintenanceReload announces and opens a window by editing the file
// while the application runs, as an operator would.
func TestMaintenanceReload(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{Maintenance: "# No window yet: the test adds them.\n"})
	// apptest does not start the watcher; the server's main does.
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Maintenance.Run(wctx) }()
	t.Cleanup(func() { stop(); <-done })

	ctx := newTab(t)
	load(t, ctx, a.URL+"/en/ircc/", http.StatusOK)

	path := filepath.Join(a.Dir, "maintenance.toml")
	if err := os.WriteFile(path, []byte(maintenanceNow()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Poll as a monitoring probe would: plain HTTP, no browser.
	var res *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		res, err = http.Get(a.URL + "/en/ircc/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/en/ircc/ still answers %d 10 s after the window was added", res.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkRetryAfter(t, res.Header.Get("Retry-After"))

	load(t, ctx, a.URL+"/en/ircc/", http.StatusServiceUnavailable)
	if !exists(t, ctx, `[data-testid="maintenance-until"]`) {
		t.Error("the browser does not show the maintenance page")
	}

	load(t, ctx, a.URL+"/fr/", http.StatusOK)
	notice := text(t, ctx, `li[data-service="gckey"] [data-testid="maintenance-banner"]`)
	if notice == "" {
		t.Fatal("/fr/ does not announce the GCKey window")
	}
	// Canada.ca's French style: "10 h 30", with no-break spaces so the
	// time never wraps.
	if !strings.Contains(notice, "\u00a0h\u00a030") {
		t.Errorf("the French notice does not write times as 10\u00a0h\u00a030 with no-break spaces: %q", notice)
	}
	if !strings.Contains(notice, "heure de l'Est") {
		t.Errorf("the French notice does not name Eastern time: %q", notice)
	}
}

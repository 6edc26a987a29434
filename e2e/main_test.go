package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"guichet/app/apptest"
	"guichet/modules"
)

// axePath is axe-core as npm installs it at the repository root; go test
// runs in the package directory, one level below.
var axePath = filepath.Join("..", "node_modules", "axe-core", "axe.min.js")

var (
	// browserCtx holds the one browser of this test binary. Tests open
	// their tabs from it with newTab.
	browserCtx context.Context
	// axeSource is axe.min.js, read once.
	axeSource string
)

// tabTimeout bounds each test's browser work, so a page that never loads
// fails one test instead of hanging the binary until go test's timeout.
const tabTimeout = 3 * time.Minute

// defaultParallel replaces go test's default of GOMAXPROCS parallel tests
// when -parallel is not given: most of these tests wait on the session
// timers in the page, not on the CPU, and two cores would otherwise run
// them one pair at a time.
const defaultParallel = "8"

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	flag.Parse()
	required := os.Getenv("GUICHET_E2E") == "1"
	// unavailable reports a missing prerequisite: an error when the
	// browser tests were asked for, a skip otherwise, so that a plain
	// `go test ./...` passes on a machine without a browser.
	unavailable := func(format string, args ...any) int {
		msg := fmt.Sprintf(format, args...)
		if required {
			fmt.Fprintln(os.Stderr, "e2e: GUICHET_E2E=1 but", msg)
			return 1
		}
		fmt.Println("e2e: skipping the browser tests:", msg, "(set GUICHET_E2E=1 to make this an error)")
		return 0
	}

	if testing.Short() && !required {
		return unavailable("-short was given")
	}
	exe := findChromium()
	if exe == "" {
		return unavailable("no chromium found (/usr/bin/chromium or chromium in PATH; apt-get install chromium)")
	}
	src, err := os.ReadFile(axePath)
	if err != nil {
		return unavailable("axe-core is not installed (run npm ci at the repository root): %v", err)
	}
	axeSource = string(src)

	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", defaultParallel); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
	}

	dir, err := os.MkdirTemp("", "guichet-e2e-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // containers and CI run as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(dir), // a fresh profile: no cookies or storage from an earlier run
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first Run starts the browser and ties its life to ctx, which
	// must therefore carry no timeout.
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting %s: %v\n", exe, err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// findChromium returns the browser to drive, or "" if there is none.
func findChromium() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// newTab opens a tab in a browser context of its own: cookies and
// localStorage are per browser context, and every test's application
// listens on 127.0.0.1, where cookies ignore the port, so tests sharing a
// context would overwrite each other's session cookies.
func newTab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(tcancel)
	return tctx
}

// secondTab opens another tab in the browser context of ctx, as a person
// opening a second tab: it shares cookies and localStorage with the first.
func secondTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	ctx2, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx2); err != nil {
		t.Fatalf("opening a second tab: %v", err)
	}
	return ctx2
}

// startApp starts the whole application, every module mounted, on the
// wall clock (the page's timers see real time).
func startApp(t *testing.T, o apptest.Options) *apptest.App {
	t.Helper()
	o.Mount = modules.Mount
	o.RealClock = true
	return apptest.New(t, o)
}

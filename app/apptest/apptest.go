// Package apptest starts Guichet for tests: a fresh database file with every
// migration, a fake clock, the real middleware stack behind an httptest
// server, and helpers to read pages as HTML documents.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/clock"
	"guichet/db"
)

// Start is the fake clock's starting instant: a Tuesday in winter (EST).
var Start = time.Date(2024, 1, 23, 15, 0, 0, 0, time.UTC)

// TestSecret is the root secret tests run with.
const TestSecret = "test-secret-test-secret-test-secret-0123"

// Options adjust the application a test starts.
type Options struct {
	// Mount adds modules (usually modules.Mount); apptest cannot import
	// modules itself, since app never imports a module.
	Mount func(k *app.Kernel, s *app.Server)
	// Maintenance is the contents of a maintenance file, if any.
	Maintenance string
	// Config adjusts the configuration before the kernel opens.
	Config func(c *app.Config)
	// RealClock uses the wall clock (browser tests whose JavaScript sees
	// real time).
	RealClock bool
}

// App is a running test application.
type App struct {
	*app.Kernel
	Server *app.Server
	HTTP   *httptest.Server
	// Fake is the fake clock, nil with RealClock.
	Fake *clock.Fake
	URL  string
	Dir  string
}

// Config returns the configuration tests start from: development mode,
// a fixed secret, cheap argon2id, the dev outbox.
func Config(dir string) app.Config {
	return app.Config{
		Env: app.EnvDev, Addr: "127.0.0.1:0", DB: filepath.Join(dir, "guichet.db"),
		Secret: TestSecret, SecretFile: filepath.Join(dir, "guichet.db.secret"),
		MailFrom: "Guichet <no-reply@guichet.test>", DevOutbox: true, DemoPartner: true,
		SessionIdle: 20 * time.Minute, SessionWarn: 3 * time.Minute, SessionMax: 12 * time.Hour,
		Argon2: app.Argon2{MemoryKiB: 64, Time: 1, Threads: 1},
	}
}

// New starts an application on a fresh database in t.TempDir().
func New(t testing.TB, o Options) *App {
	t.Helper()
	dir := t.TempDir()
	cfg := Config(dir)
	if o.Maintenance != "" {
		cfg.Maintenance = filepath.Join(dir, "maintenance.toml")
		if err := os.WriteFile(cfg.Maintenance, []byte(o.Maintenance), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	var clk clock.Clock = clock.Real{}
	var fake *clock.Fake
	if !o.RealClock {
		fake = clock.NewFake(Start)
		clk = fake
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("GUICHET_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	k, err := app.OpenKernel(context.Background(), cfg, clk, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := k.Server()
	mountTestRoutes(srv, k)
	if o.Mount != nil {
		o.Mount(k, srv)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		k.Jobs.Stop()
		k.DB.Close()
	})
	return &App{Kernel: k, Server: srv, HTTP: hs, Fake: fake, URL: hs.URL, Dir: dir}
}

// OpenDB opens a fresh, migrated database file for store tests.
func OpenDB(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Client is a browser-like HTTP client with its own cookie jar that does
// not follow redirects, so tests can check where a form leads.
type Client struct {
	t    testing.TB
	app  *App
	HTTP *http.Client
	// CSRF is the token of the last page that had a form.
	CSRF string
}

// Client returns a new client with an empty cookie jar.
func (a *App) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, app: a, HTTP: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Page is a response read as a document.
type Page struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Text returns the trimmed text of the first match of sel.
func (p *Page) Text(sel string) string {
	return strings.TrimSpace(p.Doc.Find(sel).First().Text())
}

// Do sends a request and reads the answer.
func (c *Client) Do(req *http.Request) *Page {
	c.t.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="csrf_token"]`).First().Attr("value"); ok && tok != "" {
		c.CSRF = tok
	}
	return &Page{Response: res, Body: string(b), Doc: doc}
}

// Get fetches a path.
func (c *Client) Get(path string) *Page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// Post submits a form, adding the CSRF token of the last page read unless
// the values already carry one.
func (c *Client) Post(path string, v url.Values) *Page {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["csrf_token"]; !ok {
		v.Set("csrf_token", c.CSRF)
	}
	req, err := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return c.Do(req)
}

// Cookie returns the value of a cookie the client holds for the app.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Count returns the number of rows of a table, for tests that check
// nothing was written.
func (a *App) Count(t testing.TB, table string) int {
	t.Helper()
	if !tableName.MatchString(table) {
		t.Fatalf("apptest.Count: %q is not a table name", table)
	}
	var n int
	if err := a.DB.R.Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// tableName keeps Count's one concatenated query to plain identifiers.
var tableName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/password"
	"guichet/app/throttle"
	"guichet/modules/auth"
)

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// countingHasher counts the argon2id verifications, so a test can see
// that an unknown username cost a dummy verification.
type countingHasher struct {
	*password.Hasher
	dummies  atomic.Int64
	verifies atomic.Int64
}

func (h *countingHasher) VerifyDummy(ctx context.Context, pw string) {
	h.dummies.Add(1)
	h.Hasher.VerifyDummy(ctx, pw)
}

func (h *countingHasher) Verify(ctx context.Context, encoded, pw string) (bool, bool, error) {
	h.verifies.Add(1)
	return h.Hasher.Verify(ctx, encoded, pw)
}

// fakeFactors stands in for the two-factor module.
type fakeFactors struct {
	mu        sync.Mutex
	active    map[string]bool
	onlyEmail map[string]bool
}

func (f *fakeFactors) HasActiveFactor(_ context.Context, kind, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return kind == "gckey" && f.active[id], nil
}

func (f *fakeFactors) OnlyEmail(_ context.Context, kind, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return kind == "gckey" && f.onlyEmail[id], nil
}

// fakeRecovery stands in for the recovery module: one code per subject.
type fakeRecovery struct {
	mu    sync.Mutex
	codes map[string]string
	calls int
}

func (r *fakeRecovery) Consume(_ context.Context, tx *sqlx.Tx, kind, id, code string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if tx == nil {
		panic("recovery code consumed outside the transaction")
	}
	if kind != "gckey" || r.codes[id] == "" || r.codes[id] != code {
		return false, nil
	}
	delete(r.codes, id)
	return true, nil
}

type env struct {
	*apptest.App
	mod      *auth.Module
	hasher   *countingHasher
	factors  *fakeFactors
	recovery *fakeRecovery
}

// start runs the application with the auth module and two test-only
// routes: one raising the session to level 2 as the two-factor module
// would, one showing the pending service.
func start(t *testing.T) *env {
	e := &env{
		hasher:   &countingHasher{Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 0)},
		factors:  &fakeFactors{active: map[string]bool{}, onlyEmail: map[string]bool{}},
		recovery: &fakeRecovery{codes: map[string]string{}},
	}
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		e.mod = auth.New(auth.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions,
			Pairwise: k.Pairwise, Codes: k.Codes, Throttle: throttle.New(k.DB, k.Clock), Audit: audit.New(k.DB, k.Clock),
			Hasher: e.hasher, SecondFactors: e.factors, RecoveryCodes: e.recovery, Jobs: k.Jobs,
			Secure: k.Config.Secure(), MailDomain: k.Config.MailDomain(), BaseURL: k.Config.BaseURL,
		})
		s.Mount(e.mod)
		for _, g := range s.Langs {
			g.GET("/test/mfa", func(c echo.Context) error {
				if err := k.Identity.SecondFactorVerified(c.Request().Context(), k.Clock.Now(), identity.FactorApp); err != nil {
					return err
				}
				return c.String(http.StatusOK, "aal2")
			})
			g.GET("/test/pending", func(c echo.Context) error {
				ctx := c.Request().Context()
				st := k.Identity.Current(ctx)
				return c.String(http.StatusOK, k.Identity.Pending(ctx)+"|"+string(st.Cred)+"|"+string(rune('0'+st.AAL)))
			})
		}
	}})
	return e
}

// count returns the rows of one of auth's tables, or a kernel table.
func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	queries := map[string]string{
		"auth_credentials": `SELECT COUNT(*) FROM auth_credentials`,
		"auth_signups":     `SELECT COUNT(*) FROM auth_signups`,
		"auth_devices":     `SELECT COUNT(*) FROM auth_devices`,
		"app_audit":        `SELECT COUNT(*) FROM app_audit`,
		"app_codes":        `SELECT COUNT(*) FROM app_codes`,
		"app_outbox":       `SELECT COUNT(*) FROM app_outbox`,
		"app_pairwise":     `SELECT COUNT(*) FROM app_pairwise`,
	}
	var n int
	if err := e.DB.R.Get(&n, queries[table]); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot counts every table a form could write to.
func (e *env) snapshot(t *testing.T) map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"auth_credentials", "auth_signups", "auth_devices", "app_audit", "app_codes", "app_outbox", "app_pairwise"} {
		out[tb] = e.count(t, tb)
	}
	return out
}

func (e *env) unchanged(t *testing.T, before map[string]int, what string) {
	t.Helper()
	after := e.snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s wrote to %s (%d -> %d)", what, k, v, after[k])
		}
	}
}

// mails returns the messages sent to addr, newest first.
func (e *env) mails(t *testing.T, addr string) []mail.Record {
	t.Helper()
	all, err := mail.List(t.Context(), e.DB, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Record
	for _, r := range all {
		if strings.EqualFold(r.ToAddr, addr) {
			out = append(out, r)
		}
	}
	return out
}

var codePattern = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode is the 6-digit code of the newest message to addr.
func (e *env) lastCode(t *testing.T, addr string) string {
	t.Helper()
	ms := e.mails(t, addr)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s", addr)
	}
	m := codePattern.FindStringSubmatch(ms[0].BodyText)
	if m == nil {
		t.Fatalf("no code in %q", ms[0].BodyText)
	}
	return m[1]
}

var linkPattern = regexp.MustCompile(`/(?:en|fr)/gckey/reset\?token=[A-Za-z0-9_%\-]+`)

// lastLink is the reset link (path and query) of the newest message to addr.
func (e *env) lastLink(t *testing.T, addr string) string {
	t.Helper()
	ms := e.mails(t, addr)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s", addr)
	}
	l := linkPattern.FindString(ms[0].BodyText)
	if l == "" {
		t.Fatalf("no reset link in %q", ms[0].BodyText)
	}
	return l
}

// user is a GCKey created for a test.
type user struct {
	cred, username, password, email string
}

// demo creates a ready GCKey without going through the pages.
func (e *env) demo(t *testing.T, username, email string) user {
	t.Helper()
	pw := "maple syrup on snowy mornings"
	ref, err := e.mod.CreateDemo(t.Context(), username, pw, email)
	if err != nil {
		t.Fatal(err)
	}
	e.factors.mu.Lock()
	e.factors.active[string(ref)] = true
	e.factors.mu.Unlock()
	return user{cred: string(ref), username: username, password: pw, email: email}
}

// signin submits username and password from a fresh sign-in form.
func signin(c *apptest.Client, lang, username, pw string) *apptest.Page {
	c.Get("/" + lang + "/gckey/signin")
	return c.Post("/"+lang+"/gckey/signin", url.Values{"username": {username}, "password": {pw}})
}

// signinFull signs in and passes the (stand-in) second factor.
func signinFull(t *testing.T, c *apptest.Client, u user) {
	t.Helper()
	p := signin(c, "en", u.username, u.password)
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/en/gckey/welcome" {
		t.Fatalf("sign-in: %d %q %s", p.StatusCode, p.Header.Get("Location"), p.Text(".error-summary"))
	}
	if p := c.Get("/en/test/mfa"); p.StatusCode != http.StatusOK {
		t.Fatalf("second factor: %d", p.StatusCode)
	}
}

// wantErrors checks that each field has an error both in the summary
// (linking to the field) and next to the field, with the same words, and
// that no other field has one.
func wantErrors(t *testing.T, p *apptest.Page, fields ...string) {
	t.Helper()
	if p.Doc.Find("#error-summary").Length() != 1 {
		t.Fatalf("no error summary (status %d)", p.StatusCode)
	}
	links := map[string][]string{}
	p.Doc.Find("#error-summary a").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		links[strings.TrimPrefix(href, "#")] = append(links[strings.TrimPrefix(href, "#")], strings.TrimSpace(s.Text()))
	})
	for _, f := range fields {
		msgs := links[f]
		if len(msgs) == 0 {
			t.Errorf("summary has no error for %q: %v", f, links)
			continue
		}
		if p.Doc.Find("#"+f).Length() != 1 {
			t.Errorf("summary links to #%s, which is not on the page", f)
		}
		next := strings.Join(strings.Fields(p.Doc.Find("#"+f+"-error").Text()), " ")
		for _, m := range msgs {
			if m == "" || !strings.Contains(next, m) {
				t.Errorf("field %q: error %q not shown next to it (%q)", f, m, next)
			}
		}
		if p.Doc.Find("#"+f).AttrOr("aria-invalid", "") != "true" {
			t.Errorf("field %q not marked invalid", f)
		}
		delete(links, f)
	}
	if len(links) > 0 {
		t.Errorf("unexpected errors: %v", links)
	}
}

// summary returns the text of the error summary's messages.
func summary(p *apptest.Page) string {
	return strings.Join(strings.Fields(p.Doc.Find("#error-summary ul").Text()), " ")
}

var missingKey = regexp.MustCompile(`\[[a-z_]+\.[a-z0-9_.]+\]`)

func noMissingKeys(t *testing.T, path string, p *apptest.Page) {
	t.Helper()
	if m := missingKey.FindString(p.Body); m != "" {
		t.Errorf("%s shows a missing catalog key %s", path, m)
	}
}

func locate(p *apptest.Page) string { return p.Header.Get("Location") }

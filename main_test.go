package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp/totp"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/mail"
	"guichet/db"
	"guichet/modules"
	"guichet/modules/secureaccount/cases"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "guichet ") {
		t.Fatalf("version printed %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := run(context.Background(), []string{"frobnicate"}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestBadSettingStopsStartUp(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "0.0.0.0:1"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GUICHET_ADDR") {
		t.Fatalf("err = %v", err)
	}
	err = run(context.Background(), []string{"serve"}, envMap(map[string]string{"GUICHET_ENV": "prod"}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GUICHET_SECRET") {
		t.Fatalf("prod without secret: %v", err)
	}
}

func TestBrokenMaintenanceFileStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(file, []byte("[[window]]\nid = \"x\"\nservices = [\"nope\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(dir, "g.db"), "--maintenance", file, "--addr", "127.0.0.1:0"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "m.toml:") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrateThenServeAndShutDownGracefully(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate printed %q", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logR, logW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, envMap(nil), io.Discard, logW)
		logW.Close()
	}()
	addr := make(chan string, 1)
	stopped := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(logR)
		sawStopped := false
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				if line.Msg == "listening" {
					addr <- line.Addr
				}
				if line.Msg == "stopped" {
					sawStopped = true
				}
			}
		}
		stopped <- sawStopped
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("server ended early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	res, err := http.Get(base + "en/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("landing page: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
	if !<-stopped {
		t.Fatal("server did not log a clean stop")
	}
}

func TestMailCommandListsAndRequeuesParkedMessages(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err = mail.Enqueue(ctx, tx, time.Now(), "guichet.test", mail.Message{To: "a@example.com", Subject: "Code", Text: "123456", Lang: "en"})
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE app_outbox SET status = 'failed', attempts = 8, last_error = 'connection refused'`)
		return err
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"mail", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "a@example.com") || !strings.Contains(out.String(), "connection refused") {
		t.Fatalf("mail printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"mail", "retry", strconv.FormatInt(id, 10), "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"mail", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "no failed messages") {
		t.Fatalf("after retry: %q", out.String())
	}
	if err := run(ctx, []string{"mail", "retry", strconv.FormatInt(id, 10), "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("retrying a message that is not parked succeeded")
	}
}

// demoCounts are the rows the demo makes, by what they are.
var demoCounts = map[string]string{
	"gckeys":        `SELECT COUNT(*) FROM auth_credentials`,
	"accounts":      `SELECT COUNT(*) FROM ircc_accounts`,
	"profiles":      `SELECT COUNT(*) FROM ircc_profiles`,
	"submitted":     `SELECT COUNT(*) FROM ircc_profiles WHERE status = 'submitted' AND number = ?`,
	"applications":  `SELECT COUNT(*) FROM ircc_applications`,
	"in progress":   `SELECT COUNT(*) FROM ircc_applications WHERE status = 'in_progress' AND number = ? AND account_id IS NOT NULL`,
	"open requests": `SELECT COUNT(*) FROM ircc_doc_requests WHERE fulfilled_at IS NULL`,
	"letters":       `SELECT COUNT(*) FROM ircc_messages WHERE kind = 'document_request'`,
	"members":       `SELECT COUNT(*) FROM staff_members WHERE role = 'administrator' AND revoked_at IS NULL`,
	"bank":          `SELECT COUNT(*) FROM partners_demo_customers`,
}

// countDemo counts demoCounts in the database at path; the queries with a
// parameter get the profile or application number.
func countDemo(t *testing.T, path, profile, application string) map[string]int {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := map[string]int{}
	for name, q := range demoCounts {
		var args []any
		switch name {
		case "submitted":
			args = []any{profile}
		case "in progress":
			args = []any{application}
		}
		var n int
		if err := d.R.Get(&n, q, args...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

var (
	profileNumber     = regexp.MustCompile(`Express Entry profile: (E[0-9]{10}),`)
	applicationNumber = regexp.MustCompile(`application: +([PW][0-9]{9}) `)
	printedCode       = regexp.MustCompile(`authenticator secret: +([A-Z2-7]+) .*\n +current code: +([0-9]{6}) `)
)

// demoNumbers are the profile and application numbers the demo printed.
func demoNumbers(t *testing.T, out string) (profile, application string) {
	t.Helper()
	p, a := profileNumber.FindStringSubmatch(out), applicationNumber.FindStringSubmatch(out)
	if p == nil || a == nil {
		t.Fatalf("demo output lacks the profile or application number:\n%s", out)
	}
	return p[1], a[1]
}

func TestDemoCreatesAWorkingGCKeyOnce(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	first := out.String()
	for _, want := range []string{demoUsername, demoPassword, "authenticator secret:", "current code:", "Demo Bank", demoBankCustomer,
		demoGivenName + " " + demoFamilyName, "/en/ircc/", "validation code", "in progress",
		demoOfficerUsername, demoOfficerPassword, demoOfficerName, "administrator", "/en/staff/"} {
		if !strings.Contains(first, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "already exists") {
		t.Fatalf("a first run says something already exists:\n%s", first)
	}
	// Both GCKeys' secrets and codes, each code good for its secret.
	codes := printedCode.FindAllStringSubmatch(first, -1)
	if len(codes) != 2 || codes[0][1] == codes[1][1] {
		t.Fatalf("want two authenticator secrets with their codes:\n%s", first)
	}
	for _, c := range codes {
		if !totp.Validate(c[2], c[1]) {
			t.Fatalf("code %s does not match secret %s", c[2], c[1])
		}
	}
	profile, application := demoNumbers(t, first)
	want := map[string]int{"gckeys": 2, "accounts": 1, "profiles": 1, "submitted": 1, "applications": 1, "in progress": 1,
		"open requests": 1, "letters": 1, "members": 1, "bank": 1}
	if got := countDemo(t, dbPath, profile, application); !maps.Equal(got, want) {
		t.Fatalf("after the demo: %v, want %v", got, want)
	}

	out.Reset()
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	second := out.String()
	if !strings.Contains(second, "already exists") || strings.Contains(second, "authenticator secret:") {
		t.Fatalf("second demo run: %s", second)
	}
	if p, a := demoNumbers(t, second); p != profile || a != application {
		t.Fatalf("second run printed %s and %s, want %s and %s", p, a, profile, application)
	}
	if got := countDemo(t, dbPath, profile, application); !maps.Equal(got, want) {
		t.Fatalf("after a second run: %v, want %v", got, want)
	}
}

// A database from an earlier demo, which made only the GCKey, gets the
// rest without a second GCKey.
func TestDemoCompletesAnEarlierDemo(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "g.db")
	k, err := openKernel(ctx, []string{"--db", dbPath}, envMap(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	set, err := modules.Build(k)
	if err != nil {
		k.DB.Close()
		t.Fatal(err)
	}
	_, err = set.Auth.CreateDemo(ctx, demoUsername, demoPassword, demoEmail)
	k.DB.Close()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"`+demoUsername+`" already exists`) || strings.Count(out.String(), "authenticator secret:") != 1 {
		t.Fatalf("demo output:\n%s", out.String())
	}
	profile, application := demoNumbers(t, out.String())
	got := countDemo(t, dbPath, profile, application)
	want := map[string]int{"gckeys": 2, "accounts": 1, "profiles": 1, "submitted": 1, "applications": 1, "in progress": 1,
		"open requests": 1, "letters": 1, "members": 1, "bank": 0}
	if !maps.Equal(got, want) {
		t.Fatalf("after the demo: %v, want %v", got, want)
	}
}

func TestStaffCommandGrantsAndLists(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"staff", "grant", "--role", "officer", "--name", "Ana Lopez", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Ana Lopez") || !strings.Contains(out.String(), "24") {
		t.Fatalf("grant output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"staff", "list", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "Ana Lopez") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"staff", "grant", "--role", "boss", "--name", "X", "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown role was granted")
	}
}

// Help, a missing or a mistyped staff command is answered without
// creating a database or a development secret.
func TestStaffCommandHelpTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"staff", "help", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "grant") {
		t.Fatalf("staff help: %v\n%s", err, out.String())
	}
	for _, args := range [][]string{{"staff"}, {"staff", "grnat", "--role", "officer"}} {
		if err := run(context.Background(), append(args, "--db", dbPath), envMap(nil), io.Discard, io.Discard); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files created: %v", entries)
	}
}

// The people the demo prints sign in with what it printed, and find what
// it says: the applicant their profile, their application and the letter
// asking for a document, which they upload; the staff member the console
// and the application.
func TestDemoPeopleSignIn(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	env := envMap(map[string]string{"GUICHET_SECRET": apptest.TestSecret})
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	secrets := printedCode.FindAllStringSubmatch(out.String(), -1)
	if len(secrets) != 2 {
		t.Fatalf("demo output:\n%s", out.String())
	}
	profile, application := demoNumbers(t, out.String())

	a := apptest.New(t, apptest.Options{Mount: modules.Mount, RealClock: true, Config: func(c *app.Config) {
		c.DB, c.SecretFile = dbPath, dbPath+".secret"
	}})
	// signIn goes from the service's GCKey link to its home page.
	signIn := func(service, username, pw, secret string) (*apptest.Client, *apptest.Page) {
		t.Helper()
		c := a.Client(t)
		c.Get("/en/gckey/signin?service=" + service)
		p := c.Post("/en/gckey/signin", url.Values{"username": {username}, "password": {pw}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: password: %d %s", username, p.StatusCode, p.Text(".error-summary"))
		}
		c.Get(p.Header.Get("Location"))
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		p = c.Post("/en/gckey/2fa/verify", url.Values{"code": {code}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: code: %d %s", username, p.StatusCode, p.Text(".error-summary"))
		}
		c.Get(p.Header.Get("Location"))
		p = c.Post("/en/gckey/2fa/done", nil)
		if want := "/en/" + service + "/"; p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != want {
			t.Fatalf("%s: continue: %d %q, want %q", username, p.StatusCode, p.Header.Get("Location"), want)
		}
		p = c.Get(p.Header.Get("Location"))
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s: home: %d", username, p.StatusCode)
		}
		return c, p
	}

	c, p := signIn("ircc", demoUsername, demoPassword, secrets[0][1])
	if !strings.Contains(p.Text(`[data-testid="welcome"]`), demoGivenName+" "+demoFamilyName) ||
		!strings.Contains(p.Text(`[data-testid="profiles"]`), profile) || !strings.Contains(p.Text(`[data-testid="applications"]`), application) ||
		p.Doc.Find(`[data-testid="open-requests"]`).Length() != 1 {
		t.Fatalf("applicant's dashboard: %s", p.Text("main"))
	}
	p = c.Get("/en/ircc/documents")
	form := p.Doc.Find(`form[data-testid="upload-form"]`)
	action, file := form.AttrOr("action", ""), form.Find(`input[type="file"]`).AttrOr("name", "")
	if form.Length() != 1 || action == "" || file == "" {
		t.Fatalf("documents page: %s", p.Text("main"))
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", c.CSRF)
	part, err := w.CreateFormFile(file, "acceptance.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte("%PDF-1.4 letter of acceptance\n%%EOF\n"))
	w.Close()
	req, err := http.NewRequest(http.MethodPost, a.URL+action, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if p := c.Do(req); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", p.StatusCode, p.Text(".error-summary"))
	}
	if open := a.Count(t, "ircc_documents"); open != 1 {
		t.Fatalf("%d documents after the upload", open)
	}

	c, p = signIn("staff", demoOfficerUsername, demoOfficerPassword, secrets[1][1])
	if !strings.Contains(p.Text("main"), demoOfficerName) {
		t.Fatalf("console: %s", p.Text("main"))
	}
	p = c.Get("/en/staff/ircc/applications?by=" + cases.ByNumber + "&q=" + application)
	link := p.Doc.Find(`main a[href^="/en/staff/ircc/applications/"]`).First().AttrOr("href", "")
	if p.StatusCode != http.StatusOK || link == "" {
		t.Fatalf("search: %d %s", p.StatusCode, p.Text("main"))
	}
	// The application, with the document the applicant sent.
	if p := c.Get(link); p.StatusCode != http.StatusOK || !strings.Contains(p.Text("main"), application) || !strings.Contains(p.Text("main"), "acceptance.pdf") {
		t.Fatalf("application page: %d %s", p.StatusCode, p.Text("main"))
	}
	if p := c.Get("/en/staff/ircc/rounds"); p.StatusCode != http.StatusOK {
		t.Fatalf("rounds: %d", p.StatusCode)
	}
}

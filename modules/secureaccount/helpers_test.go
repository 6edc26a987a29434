package secureaccount_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/mail"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
)

// env is a running application with the secure account mounted.
type env struct {
	*apptest.App
	mod      *secureaccount.Module
	profiles *fakeProfiles
	apps     *fakeApps
}

type fakeProfiles struct {
	byAccount map[int64][]account.ProfileSummary
}

func (f *fakeProfiles) ForAccount(_ context.Context, id int64) ([]account.ProfileSummary, error) {
	return f.byAccount[id], nil
}

type fakeApps struct {
	byAccount map[int64][]account.ApplicationSummary
	emails    map[int64]string
	fail      bool
}

func (f *fakeApps) ForAccount(_ context.Context, id int64) ([]account.ApplicationSummary, error) {
	return f.byAccount[id], nil
}

// SetEmail records the address each account's applications were given;
// fail makes it fail, to show the contact change is then not kept.
func (f *fakeApps) SetEmail(_ context.Context, _ *sqlx.Tx, id int64, email string) (int64, error) {
	if f.fail {
		return 0, errors.New("applications unavailable")
	}
	if f.emails == nil {
		f.emails = map[int64]string{}
	}
	f.emails[id] = email
	return 1, nil
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{profiles: &fakeProfiles{byAccount: map[int64][]account.ProfileSummary{}}, apps: &fakeApps{byAccount: map[int64][]account.ApplicationSummary{}}}
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, srv *app.Server) {
		e.mod = secureaccount.New(secureaccount.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions, Audit: k.Audit,
			Jobs: k.Jobs, MailDomain: k.Config.MailDomain(), BaseURL: "https://guichet.example",
		})
		e.mod.Use(e.profiles, e.apps)
		allowUploads(srv)
		srv.Mount(e.mod)
		// Accounts.Current as another part of the secure account uses it.
		for _, g := range srv.Langs {
			g.GET("/test/ircc-current", func(c echo.Context) error {
				a, ok := e.mod.Accounts().Current(c)
				if !ok {
					return c.String(http.StatusNotFound, "none")
				}
				return c.String(http.StatusOK, a.Email)
			})
		}
	}})
	return e
}

// allowUploads lets the upload routes take large bodies, as mount.go does.
func allowUploads(srv *app.Server) {
	for _, l := range []string{"en", "fr"} {
		for _, p := range secureaccount.UploadPaths() {
			srv.AllowUploads("/" + l + p)
		}
	}
}

// arrive signs a fresh GCKey in and confirms the ircc account on the
// kernel's enrolment page, leaving the person at the enrolment form.
func (e *env) arrive(t *testing.T) *apptest.Client {
	t.Helper()
	c := e.Client(t)
	c.Get("/en/test/password-verified")
	c.Get("/en/test/second-factor")
	c.Get("/en/ircc/")
	if p := c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("continue: %d", p.StatusCode)
	}
	return c
}

func goodEnrol() url.Values {
	return url.Values{
		"given_name": {"Amélie"}, "family_name": {"Tremblay-O'Neil"},
		"birth_day": {"27"}, "birth_month": {"3"}, "birth_year": {"1985"},
		"email": {"amelie@example.com"}, "lang": {"fr"},
	}
}

// person is an enrolled applicant.
type person struct {
	c  *apptest.Client
	id int64
}

// enrolled signs a new person in and creates their account.
func (e *env) enrolled(t *testing.T, email, lang string) person {
	t.Helper()
	c := e.arrive(t)
	c.Get("/en/ircc/")
	v := goodEnrol()
	v.Set("email", email)
	v.Set("lang", lang)
	if p := c.Post("/en/ircc/enrol", v); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrol: %d %s", p.StatusCode, p.Text(".error-summary"))
	}
	var id int64
	if err := e.DB.R.Get(&id, `SELECT id FROM ircc_accounts WHERE email = ?`, email); err != nil {
		t.Fatal(err)
	}
	return person{c: c, id: id}
}

// post writes a letter to an account through the Mailbox.
func (e *env) post(t *testing.T, accountID int64, l account.Letter) int64 {
	t.Helper()
	var id int64
	err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		id, err = e.mod.Mailbox().Post(context.Background(), tx, accountID, l)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) count(t *testing.T, table string) int { return e.Count(t, table) }

func (e *env) mails(t *testing.T, to string) []mail.Record {
	t.Helper()
	all, err := mail.List(context.Background(), e.DB, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Record
	for _, r := range all {
		if r.ToAddr == to {
			out = append(out, r)
		}
	}
	return out
}

func (e *env) requestIDs(t *testing.T, accountID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := e.DB.R.Select(&ids, `SELECT id FROM ircc_doc_requests WHERE account_id = ? ORDER BY id`, accountID); err != nil {
		t.Fatal(err)
	}
	return ids
}

func locate(p *apptest.Page) string { return p.Header.Get("Location") }

func summary(p *apptest.Page) string { return p.Text(".error-summary") }

// file is one part of a multipart form.
type file struct {
	field, name, contentType string
	content                  []byte
}

// postMultipart submits a multipart form with the CSRF token of the last
// page read.
func postMultipart(t *testing.T, a *apptest.App, c *apptest.Client, path string, fields url.Values, files ...file) *apptest.Page {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if _, ok := fields["csrf_token"]; !ok {
		fields.Set("csrf_token", c.CSRF)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+f.field+`"; filename="`+f.name+`"`)
		h.Set("Content-Type", f.contentType)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(f.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, a.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func htmlFile() []byte {
	return []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
}

// bigPDF is a PDF-looking file of n bytes.
func bigPDF(n int) []byte {
	b := bytes.Repeat([]byte("0"), n)
	copy(b, "%PDF-1.4\n")
	copy(b[n-6:], "%%EOF\n")
	return b
}

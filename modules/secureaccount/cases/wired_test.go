package cases_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

// wired is the applications part on the real secure account: its
// accounts, letters, document requests and uploads, as mount.go connects
// them, with the test role gate in front of the console.
type wired struct {
	*apptest.App
	acct *secureaccount.Module
	m    *cases.Module
}

func startWired(t *testing.T) *wired {
	t.Helper()
	w := &wired{}
	w.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, srv *app.Server) {
		w.acct = secureaccount.New(secureaccount.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity,
			Sessions: k.Sessions, Audit: k.Audit, Jobs: k.Jobs, MailDomain: "guichet.test"})
		w.m = cases.New(cases.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions, Audit: k.Audit,
			Codes: k.Codes, Throttle: k.Throttle, MailDomain: "guichet.test", Jobs: k.Jobs,
			Accounts: w.acct.Accounts(), Mailbox: w.acct.Mailbox(), Documents: w.acct.Documents(),
			Correspondence: w.acct.Correspondence(), RoleGate: roleGate,
		})
		w.acct.Use(nil, w.m.ApplicationList())
		for _, p := range secureaccount.UploadPaths() {
			srv.AllowUploads("/en"+p, "/fr"+p)
		}
		srv.Mount(w.acct, w.m)
	}})
	return w
}

// enrol signs a new person in and creates their secure account through
// its own pages.
func (w *wired) enrol(t *testing.T, email string) (*apptest.Client, int64) {
	t.Helper()
	c := w.Client(t)
	expect(t, c.Get("/en/test/password-verified"), http.StatusOK, "")
	expect(t, c.Get("/en/test/second-factor"), http.StatusOK, "")
	c.Get("/en/ircc/")
	expect(t, c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}}), http.StatusSeeOther, "")
	c.Get("/en/ircc/")
	expect(t, c.Post("/en/ircc/enrol", url.Values{
		"given_name": {"Amélie"}, "family_name": {"Tremblay"}, "birth_day": {"27"}, "birth_month": {"3"}, "birth_year": {"1985"},
		"email": {email}, "lang": {"en"},
	}), http.StatusSeeOther, "")
	var id int64
	if err := w.DB.R.Get(&id, `SELECT id FROM ircc_accounts WHERE email = ?`, email); err != nil {
		t.Fatal(err)
	}
	return c, id
}

// A linked application moves with its letters and the documents sent for
// it: the account that held it loses every way in (the application, the
// letter, the download all answer 404) and is told; the new one gains
// them; staff still download the file.
func TestLinkMovesLettersAndDocumentsOnTheRealAccount(t *testing.T) {
	w := startWired(t)
	ctx := context.Background()
	old, oldID := w.enrol(t, "lost@example.com")
	var appID int64
	var number string
	if err := w.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		appID, number, err = w.m.Applications().Submit(ctx, tx, account.NewApplication{
			AccountID: oldID, Kind: account.KindPRExpressEntry, Program: "Express Entry", GivenName: "Amélie",
			FamilyName: "Tremblay", BirthDate: "1985-03-27", Email: "lost@example.com", DocumentLabels: []string{"Passport"},
		})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var requestID, letterID int64
	if err := w.DB.R.Get(&requestID, `SELECT id FROM ircc_doc_requests WHERE account_id = ? AND application_id = ?`, oldID, appID); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.R.Get(&letterID, `SELECT id FROM ircc_messages WHERE account_id = ? AND application_id = ?`, oldID, appID); err != nil {
		t.Fatal(err)
	}
	expect(t, old.Get("/en/ircc/documents"), http.StatusOK, "")
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	expect(t, postFile(t, w.App, old, "/en/ircc/documents/requests/"+itoa(requestID), "file-"+itoa(requestID), "passport.pdf", pdf), http.StatusSeeOther, "")
	var docID int64
	if err := w.DB.R.Get(&docID, `SELECT id FROM ircc_documents WHERE application_id = ?`, appID); err != nil {
		t.Fatal(err)
	}
	appPage, letterPage, download := "/en/ircc/applications/"+itoa(appID), "/en/ircc/messages/"+itoa(letterID), "/en/ircc/documents/"+itoa(docID)+"/download"
	for _, p := range []string{appPage, letterPage, download} {
		expect(t, old.Get(p), http.StatusOK, "")
	}

	// The person, from a new account, links it with the emailed code.
	neu, newID := w.enrol(t, "new@example.com")
	expect(t, neu.Get("/en/ircc/link"), http.StatusOK, "")
	for _, p := range []string{appPage, letterPage, download} {
		expect(t, neu.Get(p), http.StatusNotFound, "")
	}
	p := neu.Post("/en/ircc/link", linkForm(number, "tremblay", "1985-03-27"))
	expect(t, p, http.StatusSeeOther, "")
	confirm := p.Header.Get("Location")
	m := lastMail(t, &env{App: w.App})
	if m.ToAddr != "lost@example.com" {
		t.Fatalf("the code went to %s", m.ToAddr)
	}
	expect(t, neu.Post(confirm, url.Values{"code": {sixDigits.FindStringSubmatch(m.BodyText)[1]}}), http.StatusSeeOther, appPage+"?linked=1")

	if h := (&env{App: w.App}).holder(t, appID); h != newID {
		t.Fatalf("held by %d, want %d", h, newID)
	}
	for _, p := range []string{appPage, letterPage, download} {
		expect(t, old.Get(p), http.StatusNotFound, "")
		expect(t, neu.Get(p), http.StatusOK, "")
	}
	if body := neu.Get(download).Body; body != string(pdf) {
		t.Fatalf("the new holder downloads %q", body)
	}
	// The old account is told, by a letter of its own.
	var told int
	if err := w.DB.R.Get(&told, `SELECT COUNT(*) FROM ircc_messages WHERE account_id = ? AND kind = ? AND subject LIKE ?`,
		oldID, account.LetterProcedural, "%"+number+"%"); err != nil || told != 1 {
		t.Fatalf("%d notices to the old account (%v)", told, err)
	}
	var left int
	if err := w.DB.R.Get(&left, `SELECT COUNT(*) FROM ircc_doc_requests WHERE account_id = ?`, oldID); err != nil || left != 0 {
		t.Fatalf("%d document requests left behind (%v)", left, err)
	}
	if n := len(neu.Get("/en/ircc/").Doc.Find(`a[href="` + appPage + `"]`).Nodes); n == 0 {
		t.Fatal("the new dashboard does not list the application")
	}
	if n := len(old.Get("/en/ircc/").Doc.Find(`a[href="` + appPage + `"]`).Nodes); n != 0 {
		t.Fatal("the old dashboard still lists the application")
	}

	// Staff see the document with the application and download it.
	s := w.Client(t)
	sp := staffGet(t, w.App, s, "officer", "/en/staff/ircc/applications/"+itoa(appID))
	expect(t, sp, http.StatusOK, "")
	href, ok := sp.Doc.Find(`[data-testid="document-link"]`).Attr("href")
	if !ok {
		t.Fatal(sp.Body)
	}
	dl := staffGet(t, w.App, s, "officer", href)
	expect(t, dl, http.StatusOK, "")
	if !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") || dl.Body != string(pdf) {
		t.Fatalf("staff download %v", dl.Header)
	}
}

// postFile sends one file in a multipart form, with the CSRF token of the
// last page read.
func postFile(t *testing.T, a *apptest.App, c *apptest.Client, path, field, name string, content []byte) *apptest.Page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("csrf_token", c.CSRF); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+name+`"`)
	h.Set("Content-Type", "application/pdf")
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, a.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

package secureaccount_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
)

// withRequests enrols a person and asks them for documents.
func withRequests(t *testing.T, e *env, email string, labels ...string) (person, []int64) {
	t.Helper()
	p := e.enrolled(t, email, "en")
	e.post(t, p.id, account.Letter{Kind: account.LetterDocumentRequest, Subject: "Documents", Body: "Please send", ApplicationID: 11, DocumentLabels: labels})
	return p, e.requestIDs(t, p.id)
}

func uploadPath(id int64) string { return "/en/ircc/documents/requests/" + strconv.FormatInt(id, 10) }
func fieldOf(id int64) string    { return "file-" + strconv.FormatInt(id, 10) }

func upload(t *testing.T, e *env, c *apptest.Client, req int64, name, ct string, content []byte) *apptest.Page {
	t.Helper()
	c.Get("/en/ircc/documents")
	return postMultipart(t, e.App, c, uploadPath(req), nil, file{fieldOf(req), name, ct, content})
}

func TestUploadsAcceptEachTypeByContent(t *testing.T) {
	e := start(t)
	p, reqs := withRequests(t, e, "amelie@example.com", "Passport", "Photo", "Scan")
	page := p.c.Get("/en/ircc/documents")
	if page.Doc.Find(`[data-testid="upload-form"]`).Length() != 3 {
		t.Fatalf("%d upload forms", page.Doc.Find(`[data-testid="upload-form"]`).Length())
	}
	files := []struct {
		name, sentType, wantType, wantName string
		content                            []byte
	}{
		{"passport.pdf", "application/pdf", "application/pdf", "passport.pdf", pdfFile()},
		// The browser's type and the name are not believed: the content is.
		{"photo", "application/octet-stream", "image/png", "photo.png", pngFile(t)},
		{`C:\Users\me\scan.JPG`, "text/html", "image/jpeg", "scan.JPG", jpegFile(t)},
	}
	for i, f := range files {
		r := upload(t, e, p.c, reqs[i], f.name, f.sentType, f.content)
		if locate(r) != "/en/ircc/documents?uploaded=1" {
			t.Fatalf("%s: %d %q %s", f.name, r.StatusCode, locate(r), summary(r))
		}
		var got struct {
			Name string `db:"filename"`
			Type string `db:"content_type"`
			Size int    `db:"size"`
			Body []byte `db:"content"`
		}
		if err := e.DB.R.Get(&got, `SELECT filename, content_type, size, content FROM ircc_documents WHERE request_id = ?`, reqs[i]); err != nil {
			t.Fatal(err)
		}
		if got.Name != f.wantName || got.Type != f.wantType || got.Size != len(f.content) || !bytes.Equal(got.Body, f.content) {
			t.Fatalf("%s stored as %q %q %d", f.name, got.Name, got.Type, got.Size)
		}
	}
	page = p.c.Get("/en/ircc/documents?uploaded=1")
	if page.Doc.Find(`[data-testid="uploaded"]`).Length() != 1 || page.Doc.Find(`[data-testid="requests-empty"]`).Length() != 1 ||
		page.Doc.Find(`[data-testid="documents"] tbody tr`).Length() != 3 {
		t.Fatal("documents page after the uploads")
	}
	var open int
	if err := e.DB.R.Get(&open, `SELECT COUNT(*) FROM ircc_doc_requests WHERE fulfilled_at IS NULL`); err != nil || open != 0 {
		t.Fatal("uploads did not fulfil the requests")
	}
	// A second upload on a fulfilled request changes nothing.
	if r := upload(t, e, p.c, reqs[0], "again.pdf", "application/pdf", pdfFile()); locate(r) != "/en/ircc/documents" || e.count(t, "ircc_documents") != 3 {
		t.Fatalf("upload on a fulfilled request: %d %q", r.StatusCode, locate(r))
	}
	docs, err := e.mod.Documents().ForApplication(context.Background(), 11)
	if err != nil || len(docs) != 3 {
		t.Fatalf("staff documents for the application: %d %v", len(docs), err)
	}
}

func TestUploadsRefuseBadFiles(t *testing.T) {
	e := start(t)
	p, reqs := withRequests(t, e, "amelie@example.com", "Passport")
	req := reqs[0]
	cases := []struct {
		name, file, ct string
		content        []byte
		want           string
	}{
		{"renamed HTML", "passport.pdf", "application/pdf", htmlFile(), "must be a PDF"},
		{"text file", "notes.txt", "text/plain", []byte("just some words\n"), "must be a PDF"},
		{"empty file", "empty.pdf", "application/pdf", nil, "empty"},
		{"fake PNG header", "x.png", "image/png", append([]byte{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}, []byte("<html>")...), "must be a PDF"},
		{"fake JPEG header", "x.jpg", "image/jpeg", append([]byte{0xFF, 0xD8, 0xFF}, []byte("<script>")...), "must be a PDF"},
	}
	for _, tc := range cases {
		r := upload(t, e, p.c, req, tc.file, tc.ct, tc.content)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.name, r.StatusCode)
		}
		if r.Doc.Find(`.error-summary a[href="#`+fieldOf(req)+`"]`).Length() != 1 || !strings.Contains(summary(r), tc.want) {
			t.Fatalf("%s: summary %q", tc.name, summary(r))
		}
	}
	// No file at all.
	p.c.Get("/en/ircc/documents")
	if r := postMultipart(t, e.App, p.c, uploadPath(req), nil); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary(r), "Choose a file") {
		t.Fatalf("no file: %d %q", r.StatusCode, summary(r))
	}
	if e.count(t, "ircc_documents") != 0 {
		t.Fatal("a refused file was stored")
	}
}

func TestUploadSizeLimit(t *testing.T) {
	// The check itself, whatever the server's body limit.
	if _, problem := secureaccount.CheckUpload("a.pdf", bigPDF(secureaccount.MaxUpload+1)); problem != "ircc.upload.too_large" {
		t.Fatalf("4 MB + 1: %q", problem)
	}
	if u, problem := secureaccount.CheckUpload("a.pdf", bigPDF(secureaccount.MaxUpload)); problem != "" || u.ContentType != "application/pdf" {
		t.Fatalf("4 MB: %q", problem)
	}

	e := start(t)
	p, reqs := withRequests(t, e, "amelie@example.com", "Passport", "Photo")
	r := upload(t, e, p.c, reqs[0], "big.pdf", "application/pdf", bigPDF(secureaccount.MaxUpload+1))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary(r), "larger than 4 MB") {
		t.Fatalf("4 MB + 1 byte: %d %q", r.StatusCode, summary(r))
	}
	if e.count(t, "ircc_documents") != 0 {
		t.Fatal("an oversized file was stored")
	}
	if r := upload(t, e, p.c, reqs[1], "max.pdf", "application/pdf", bigPDF(secureaccount.MaxUpload)); locate(r) != "/en/ircc/documents?uploaded=1" {
		t.Fatalf("exactly 4 MB: %d %s", r.StatusCode, summary(r))
	}
	// Other routes keep the server's small limit.
	big := url.Values{"email": {strings.Repeat("a", 300<<10) + "@example.com"}, "lang": {"en"}}
	p.c.Get("/en/ircc/contact")
	if r := p.c.Post("/en/ircc/contact", big); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a large body on another route: %d", r.StatusCode)
	}
}

func TestUploadOnlyWhereIRCCAsked(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "en")
	p.c.Get("/en/ircc/documents")
	for _, id := range []string{"1", "99", "0", "x"} {
		r := postMultipart(t, e.App, p.c, "/en/ircc/documents/requests/"+id, nil, file{"file-" + id, "a.pdf", "application/pdf", pdfFile()})
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("upload without a request (%s): %d", id, r.StatusCode)
		}
	}
	if e.count(t, "ircc_documents") != 0 {
		t.Fatal("an upload without a request was stored")
	}
	if p.c.Get("/en/ircc/documents").Doc.Find(`[data-testid="upload-form"]`).Length() != 0 {
		t.Fatal("upload forms without requests")
	}
}

func TestDownloadHeaders(t *testing.T) {
	e := start(t)
	p, reqs := withRequests(t, e, "amelie@example.com", "Passport")
	content := pdfFile()
	upload(t, e, p.c, reqs[0], "Passeport d’Amélie.pdf", "application/pdf", content)
	var id int64
	if err := e.DB.R.Get(&id, `SELECT id FROM ircc_documents`); err != nil {
		t.Fatal(err)
	}
	href := p.c.Get("/en/ircc/documents").Doc.Find(`[data-testid="download"]`).AttrOr("href", "")
	if href != "/en/ircc/documents/"+strconv.FormatInt(id, 10)+"/download" {
		t.Fatalf("download link %q", href)
	}
	r := p.c.Get(href)
	h := r.Header
	if r.StatusCode != http.StatusOK || r.Body != string(content) {
		t.Fatalf("download: %d", r.StatusCode)
	}
	checks := map[string]string{
		"Content-Type":            "application/pdf",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'",
		"Cache-Control":           "no-store",
	}
	for k, v := range checks {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	cd := h.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''Passeport%20d%E2%80%99Am%C3%A9lie.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	// Staff read the same bytes through Documents.
	d, b, err := e.mod.Documents().Open(context.Background(), id)
	if err != nil || !bytes.Equal(b, content) || d.AccountID != p.id || d.RequestLabel != "Passport" || d.ContentType != "application/pdf" {
		t.Fatalf("staff open: %+v %v", d, err)
	}
}

// TestNobodyReachesAnothersThings tries every route with another
// applicant's ids.
func TestNobodyReachesAnothersThings(t *testing.T) {
	e := start(t)
	owner, _ := withRequests(t, e, "owner@example.com", "Passport", "Photo")
	ask := e.post(t, owner.id, account.Letter{Kind: account.LetterProcedural, Subject: "Private letter", Body: "Private body", NeedsReply: true, DocumentLabels: []string{"Bank statement"}})
	reqs := e.requestIDs(t, owner.id)
	upload(t, e, owner.c, reqs[0], "passport.pdf", "application/pdf", pdfFile())
	owner.c.Get("/en/ircc/messages/" + strconv.FormatInt(ask, 10))
	if r := owner.c.Post("/en/ircc/messages/"+strconv.FormatInt(ask, 10)+"/reply", url.Values{"reply": {"my answer"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner reply: %d", r.StatusCode)
	}
	var doc int64
	if err := e.DB.R.Get(&doc, `SELECT id FROM ircc_documents`); err != nil {
		t.Fatal(err)
	}
	// The owner's letter is read now; make it unread again to see the
	// other person cannot change that either.
	if _, err := e.DB.W.Exec(`UPDATE ircc_messages SET read_at = NULL`); err != nil {
		t.Fatal(err)
	}

	other := e.enrolled(t, "other@example.com", "en")
	o := other.c
	msg := strconv.FormatInt(ask, 10)
	for _, path := range []string{"/en/ircc/messages/" + msg, "/fr/ircc/messages/" + msg, "/en/ircc/documents/" + strconv.FormatInt(doc, 10) + "/download"} {
		if r := o.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Private") || strings.Contains(r.Body, "%PDF") {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	o.Get("/en/ircc/documents")
	if r := o.Post("/en/ircc/messages/"+msg+"/reply", url.Values{"reply": {"intrusion"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("reply to another's letter: %d", r.StatusCode)
	}
	if r := postMultipart(t, e.App, o, "/en/ircc/messages/"+msg+"/reply", url.Values{"reply": {"intrusion"}}, file{fieldOf(reqs[1]), "a.pdf", "application/pdf", pdfFile()}); r.StatusCode != http.StatusNotFound {
		t.Errorf("multipart reply to another's letter: %d", r.StatusCode)
	}
	for _, req := range reqs {
		if r := postMultipart(t, e.App, o, uploadPath(req), nil, file{fieldOf(req), "a.pdf", "application/pdf", pdfFile()}); r.StatusCode != http.StatusNotFound {
			t.Errorf("upload to another's request %d: %d", req, r.StatusCode)
		}
	}
	lists := map[string]string{"/en/ircc/messages": "Private letter", "/en/ircc/documents": "passport.pdf", "/en/ircc/": "owner@example.com"}
	for path, secret := range lists {
		if r := o.Get(path); r.StatusCode != http.StatusOK || strings.Contains(r.Body, secret) || strings.Contains(r.Body, "Bank statement") {
			t.Errorf("%s shows the owner's things", path)
		}
	}
	// Nothing of the owner's changed.
	var replies, docs, unread, open int
	e.DB.R.Get(&replies, `SELECT COUNT(*) FROM ircc_replies`)
	e.DB.R.Get(&docs, `SELECT COUNT(*) FROM ircc_documents`)
	e.DB.R.Get(&unread, `SELECT COUNT(*) FROM ircc_messages WHERE read_at IS NULL`)
	e.DB.R.Get(&open, `SELECT COUNT(*) FROM ircc_doc_requests WHERE fulfilled_at IS NULL`)
	if replies != 1 || docs != 1 || unread != 2 || open != 2 {
		t.Fatalf("replies %d docs %d unread %d open %d", replies, docs, unread, open)
	}
	// Signed out, every page goes back to the entry page.
	anon := e.Client(t)
	for _, path := range []string{"/en/ircc/messages", "/en/ircc/messages/" + msg, "/en/ircc/documents", "/en/ircc/contact", "/en/ircc/documents/" + strconv.FormatInt(doc, 10) + "/download"} {
		if r := anon.Get(path); r.StatusCode != http.StatusSeeOther || locate(r) != "/en/ircc/" {
			t.Errorf("anonymous %s: %d %q", path, r.StatusCode, locate(r))
		}
	}
}

func TestMoveApplication(t *testing.T) {
	e := start(t)
	from, _ := withRequests(t, e, "from@example.com", "Passport", "Photo")
	to := e.enrolled(t, "to@example.com", "en")
	// A letter about the application, answered with a file; another
	// letter about another application; one about none.
	ask := e.post(t, from.id, account.Letter{Kind: account.LetterProcedural, Subject: "About 11", Body: "b", ApplicationID: 11, NeedsReply: true})
	e.post(t, from.id, account.Letter{Kind: account.LetterGeneral, Subject: "About 12", Body: "b", ApplicationID: 12, DocumentLabels: []string{"Other"}})
	e.post(t, from.id, account.Letter{Kind: account.LetterGeneral, Subject: "About nothing", Body: "b"})
	reqs := e.requestIDs(t, from.id)
	upload(t, e, from.c, reqs[0], "passport.pdf", "application/pdf", pdfFile())
	from.c.Get("/en/ircc/messages/" + strconv.FormatInt(ask, 10))
	from.c.Post("/en/ircc/messages/"+strconv.FormatInt(ask, 10)+"/reply", url.Values{"reply": {"answer"}})

	err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
		return e.mod.Correspondence().MoveApplication(context.Background(), tx, 11, from.id, to.id)
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		var n int
		if err := e.DB.R.Get(&n, q, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM ircc_messages WHERE account_id = ?`, to.id); n != 2 {
		t.Errorf("%d letters moved, want 2", n)
	}
	if n := count(`SELECT COUNT(*) FROM ircc_messages WHERE account_id = ?`, from.id); n != 2 {
		t.Errorf("%d letters stayed, want 2", n)
	}
	if n := count(`SELECT COUNT(*) FROM ircc_doc_requests WHERE account_id = ?`, to.id); n != 2 {
		t.Errorf("%d requests moved", n)
	}
	if n := count(`SELECT COUNT(*) FROM ircc_documents WHERE account_id = ?`, to.id); n != 1 {
		t.Errorf("%d documents moved", n)
	}
	// The new holder reads the letters, replies and documents; the old
	// one no longer can.
	if r := to.c.Get("/en/ircc/messages/" + strconv.FormatInt(ask, 10)); r.StatusCode != http.StatusOK || r.Doc.Find(`[data-testid="reply"]`).Length() != 1 {
		t.Fatalf("new holder: %d", r.StatusCode)
	}
	if r := from.c.Get("/en/ircc/messages/" + strconv.FormatInt(ask, 10)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("old holder: %d", r.StatusCode)
	}
	if to.c.Get("/en/ircc/documents").Doc.Find(`[data-testid="download"]`).Length() != 1 {
		t.Fatal("the document did not follow")
	}
	views, _ := e.mod.Correspondence().ForAccount(context.Background(), to.id)
	if len(views) != 2 {
		t.Fatalf("staff view of the new holder: %d letters", len(views))
	}
}

func TestAccountsInterface(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "en")
	acc, err := e.mod.Accounts().Get(context.Background(), p.id)
	if err != nil || acc.Email != "amelie@example.com" || acc.BirthDate != "1985-03-27" || acc.UCI != "" {
		t.Fatalf("get: %+v %v", acc, err)
	}
	var first, second string
	for _, dst := range []*string{&first, &second} {
		err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
			var err error
			*dst, err = e.mod.Accounts().EnsureUCI(context.Background(), tx, p.id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(first) != 10 || strings.Trim(first, "0123456789") != "" || first[0] == '0' || second != first {
		t.Fatalf("UCI %q then %q", first, second)
	}
	if !strings.Contains(p.c.Get("/en/ircc/").Text(`[data-testid="uci"]`), first) {
		t.Fatal("dashboard does not show the UCI")
	}
	if r := p.c.Get("/en/test/ircc-current"); r.Body != "amelie@example.com" {
		t.Fatalf("current: %d %q", r.StatusCode, r.Body)
	}
	if r := e.arrive(t).Get("/en/test/ircc-current"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("current before enrolment: %d %q", r.StatusCode, r.Body)
	}
	if r := e.Client(t).Get("/en/test/ircc-current"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("current signed out: %d %q", r.StatusCode, r.Body)
	}
	if _, err := e.mod.Accounts().Get(context.Background(), 9999); err == nil {
		t.Fatal("a missing account was found")
	}
}

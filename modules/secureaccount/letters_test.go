package secureaccount_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/modules/secureaccount/account"
)

func TestMailboxPostWritesTheLetterRequestsAndABareEmail(t *testing.T) {
	e := start(t)
	fr := e.enrolled(t, "marie@example.com", "fr")
	en := e.enrolled(t, "john@example.com", "en")

	secret := "Your interview is on March 3 at 10:00"
	id := e.post(t, fr.id, account.Letter{Kind: account.LetterDocumentRequest, Subject: "Demande de documents", Body: secret,
		NeedsReply: true, ApplicationID: 42, StaffID: 9, DocumentLabels: []string{"Passeport", "Photo"}})
	var row struct {
		Account    int64  `db:"account_id"`
		App        int64  `db:"application_id"`
		Kind       string `db:"kind"`
		NeedsReply bool   `db:"needs_reply"`
		Staff      int64  `db:"staff_id"`
	}
	if err := e.DB.R.Get(&row, `SELECT account_id, application_id, kind, needs_reply, staff_id FROM ircc_messages WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if row.Account != fr.id || row.App != 42 || row.Kind != account.LetterDocumentRequest || !row.NeedsReply || row.Staff != 9 {
		t.Fatalf("letter %+v", row)
	}
	var labels []string
	if err := e.DB.R.Select(&labels, `SELECT label FROM ircc_doc_requests WHERE message_id = ? AND account_id = ? AND application_id = 42 AND fulfilled_at IS NULL ORDER BY id`, id, fr.id); err != nil {
		t.Fatal(err)
	}
	if strings.Join(labels, ",") != "Passeport,Photo" {
		t.Fatalf("requests %v", labels)
	}
	ms := e.mails(t, "marie@example.com")
	if len(ms) != 1 {
		t.Fatalf("%d mails", len(ms))
	}
	m := ms[0]
	if m.Lang != "fr" || !strings.Contains(m.Subject, "Nouveau message") || !strings.Contains(m.BodyText, "https://guichet.example/fr/ircc/messages") {
		t.Fatalf("mail %q / %q", m.Subject, m.BodyText)
	}
	for _, leak := range []string{secret, "March 3", "Demande de documents", "Passeport"} {
		if strings.Contains(m.Subject+m.BodyText, leak) {
			t.Fatalf("the email carries the letter: %q", leak)
		}
	}
	e.post(t, en.id, account.Letter{Kind: account.LetterGeneral, Subject: "Hello", Body: "Body"})
	if ms := e.mails(t, "john@example.com"); len(ms) != 1 || ms[0].Lang != "en" || !strings.Contains(ms[0].BodyText, "/en/ircc/messages") {
		t.Fatalf("english mail %+v", ms)
	}

	// A letter that cannot be stored sends nothing, and nothing stays.
	before := e.count(t, "app_outbox")
	err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
		_, err := e.mod.Mailbox().Post(context.Background(), tx, en.id, account.Letter{Kind: account.LetterGeneral, Subject: ""})
		return err
	})
	if err == nil || e.count(t, "app_outbox") != before {
		t.Fatalf("empty subject: %v", err)
	}
	err = e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
		_, err := e.mod.Mailbox().Post(context.Background(), tx, 9999, account.Letter{Kind: account.LetterGeneral, Subject: "x"})
		return err
	})
	if err == nil {
		t.Fatal("a letter to no account was accepted")
	}
}

func TestReadingMarksLettersRead(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "en")
	first := e.post(t, p.id, account.Letter{Kind: account.LetterProcedural, Subject: "Older letter", Body: "Line one\nLine two\n\nSecond <b>paragraph</b>"})
	e.Fake.Advance(time.Hour)
	e.post(t, p.id, account.Letter{Kind: account.LetterDecision, Subject: "Newer letter", Body: "Decision"})

	for _, lang := range []string{"en", "fr"} {
		l := p.c.Get("/" + lang + "/ircc/messages")
		if l.StatusCode != http.StatusOK {
			t.Fatalf("%s: list %d", lang, l.StatusCode)
		}
		rows := l.Doc.Find(`[data-testid="messages"] tbody tr`)
		if rows.Length() != 2 || !strings.Contains(rows.First().Text(), "Newer letter") {
			t.Fatalf("%s: not newest first: %q", lang, rows.Text())
		}
		if l.Doc.Find(`[data-testid="message-unread"] strong .visually-hidden`).Length() != 2 {
			t.Fatalf("%s: unread letters should be bold with a hidden word", lang)
		}
	}
	l := p.c.Get("/en/ircc/messages/" + strconv.FormatInt(first, 10))
	if l.StatusCode != http.StatusOK || l.Text("h1") != "Older letter" {
		t.Fatalf("letter: %d %q", l.StatusCode, l.Text("h1"))
	}
	body := l.Doc.Find(`[data-testid="letter-body"]`)
	if body.Find("p").Length() != 2 || body.Find("br").Length() != 1 || body.Find("b").Length() != 0 || !strings.Contains(body.Text(), "<b>paragraph</b>") {
		t.Fatalf("letter body: %q", body.Text())
	}
	if l.Doc.Find(`[data-print][data-testid="print"]`).Length() != 1 {
		t.Error("no print button")
	}
	if l.Doc.Find(`[data-testid="reply-form"]`).Length() != 0 {
		t.Error("a letter that asks for no answer offers a reply form")
	}
	list := p.c.Get("/en/ircc/messages")
	if list.Doc.Find(`[data-testid="message-unread"]`).Length() != 1 || list.Doc.Find(`[data-testid="message-read"]`).Length() != 1 {
		t.Fatal("reading did not mark the letter read")
	}
	if !strings.Contains(p.c.Get("/en/ircc/").Text(`[data-testid="unread"]`), "1 unread") {
		t.Fatal("dashboard count not updated")
	}
	var firstRead time.Time
	if err := e.DB.R.Get(&firstRead, `SELECT read_at FROM ircc_messages WHERE id = ?`, first); err != nil {
		t.Fatal(err)
	}
	e.Fake.Advance(time.Hour)
	p.c.Get("/en/ircc/messages/" + strconv.FormatInt(first, 10))
	var again time.Time
	if err := e.DB.R.Get(&again, `SELECT read_at FROM ircc_messages WHERE id = ?`, first); err != nil || !again.Equal(firstRead) {
		t.Fatal("reading again changed when it was first read")
	}
	for _, bad := range []string{"0", "-1", "abc", "99999"} {
		if r := p.c.Get("/en/ircc/messages/" + bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("letter %q: %d", bad, r.StatusCode)
		}
	}
}

func TestReplyWithoutFiles(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "en")
	plain := e.post(t, p.id, account.Letter{Kind: account.LetterGeneral, Subject: "FYI", Body: "Nothing to answer"})
	ask := e.post(t, p.id, account.Letter{Kind: account.LetterProcedural, Subject: "Please explain", Body: "Tell us about your trip", NeedsReply: true})
	path := "/en/ircc/messages/" + strconv.FormatInt(ask, 10)

	page := p.c.Get(path)
	if page.Doc.Find(`[data-testid="reply-form"] textarea#reply`).Length() != 1 || page.Doc.Find(`[data-testid="reply-form"] input[type=file]`).Length() != 0 {
		t.Fatal("reply form should have the text and no file inputs")
	}
	for _, bad := range []string{"", "   ", strings.Repeat("é", 5001)} {
		r := p.c.Post(path+"/reply", url.Values{"reply": {bad}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(`.error-summary a[href="#reply"]`).Length() != 1 {
			t.Fatalf("reply of %d chars: %d %q", len(bad), r.StatusCode, summary(r))
		}
	}
	if e.count(t, "ircc_replies") != 0 {
		t.Fatal("a bad reply was stored")
	}
	// Exactly 5,000 characters is fine.
	long := strings.Repeat("é", 5000)
	if r := p.c.Post(path+"/reply", url.Values{"reply": {long}}); locate(r) != path+"?replied=1" {
		t.Fatalf("5000 chars: %d %q %s", r.StatusCode, locate(r), summary(r))
	}
	r := p.c.Post(path+"/reply", url.Values{"reply": {"I was visiting my aunt.\nFor two weeks."}})
	if locate(r) != path+"?replied=1" {
		t.Fatalf("reply: %d %q", r.StatusCode, locate(r))
	}
	page = p.c.Get(path + "?replied=1")
	if page.Doc.Find(`[data-testid="reply-sent"]`).Length() != 1 || page.Doc.Find(`[data-testid="reply"]`).Length() != 2 ||
		!strings.Contains(page.Doc.Find(`[data-testid="reply"]`).Last().Text(), "visiting my aunt") {
		t.Fatalf("replies under the letter: %q", page.Text(`[data-testid="replies"]`))
	}
	// A letter that asks for nothing takes no reply.
	if r := p.c.Post("/en/ircc/messages/"+strconv.FormatInt(plain, 10)+"/reply", url.Values{"reply": {"hi"}}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("reply to a letter without reply: %d", r.StatusCode)
	}
	// Staff see the replies.
	views, err := e.mod.Correspondence().ForAccount(context.Background(), p.id)
	if err != nil || len(views) != 2 || views[0].ID != ask || len(views[0].Replies) != 2 || views[0].Body != "Tell us about your trip" {
		t.Fatalf("correspondence %+v %v", views, err)
	}
}

func TestReplyWithFiles(t *testing.T) {
	e := start(t)
	p := e.enrolled(t, "amelie@example.com", "en")
	ask := e.post(t, p.id, account.Letter{Kind: account.LetterDocumentRequest, Subject: "Send documents", Body: "We need them",
		NeedsReply: true, ApplicationID: 5, DocumentLabels: []string{"Passport", "Photo"}})
	reqs := e.requestIDs(t, p.id)
	path := "/en/ircc/messages/" + strconv.FormatInt(ask, 10)
	page := p.c.Get(path)
	for _, id := range reqs {
		if page.Doc.Find(`[data-testid="reply-form"] input[type=file]#file-`+strconv.FormatInt(id, 10)).Length() != 1 {
			t.Fatalf("no file input for request %d", id)
		}
	}
	if page.Doc.Find(`[data-testid="reply-form"]`).AttrOr("enctype", "") != "multipart/form-data" {
		t.Fatal("the reply form cannot carry files")
	}
	passport, photo := "file-"+strconv.FormatInt(reqs[0], 10), "file-"+strconv.FormatInt(reqs[1], 10)

	// A bad file refuses the whole reply.
	r := postMultipart(t, e.App, p.c, path+"/reply", url.Values{"reply": {"Here they are"}},
		file{passport, "passport.pdf", "application/pdf", pdfFile()},
		file{photo, "photo.png", "image/png", htmlFile()})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(`.error-summary a[href="#`+photo+`"]`).Length() != 1 {
		t.Fatalf("bad file: %d %q", r.StatusCode, summary(r))
	}
	if r.Doc.Find(`textarea#reply`).Text() != "Here they are" {
		t.Error("the reply typed was lost")
	}
	if e.count(t, "ircc_replies") != 0 || e.count(t, "ircc_documents") != 0 {
		t.Fatal("a refused reply stored something")
	}

	// One file now, the other later.
	r = postMultipart(t, e.App, p.c, path+"/reply", url.Values{"reply": {"Here is my passport"}},
		file{passport, "passport.pdf", "application/pdf", pdfFile()})
	if locate(r) != path+"?replied=1" {
		t.Fatalf("reply with a file: %d %q %s", r.StatusCode, locate(r), summary(r))
	}
	var replyID, docReply, app int64
	if err := e.DB.R.Get(&replyID, `SELECT id FROM ircc_replies`); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.R.QueryRow(`SELECT reply_id, application_id FROM ircc_documents WHERE request_id = ?`, reqs[0]).Scan(&docReply, &app); err != nil || docReply != replyID || app != 5 {
		t.Fatalf("document not tied to the reply: %d %d %v", docReply, app, err)
	}
	var open int
	if err := e.DB.R.Get(&open, `SELECT COUNT(*) FROM ircc_doc_requests WHERE fulfilled_at IS NULL`); err != nil || open != 1 {
		t.Fatalf("%d requests still open", open)
	}
	page = p.c.Get(path)
	if page.Doc.Find(`[data-testid="reply"] a[href$="/download"]`).Length() != 1 {
		t.Fatal("the reply's file is not listed under it")
	}
	if page.Doc.Find(`[data-testid="reply-form"] input[type=file]`).Length() != 1 {
		t.Fatal("only the open request should be offered again")
	}
	views, err := e.mod.Correspondence().ForAccount(context.Background(), p.id)
	if err != nil || len(views[0].Replies) != 1 || len(views[0].Replies[0].Documents) != 1 || views[0].Replies[0].Documents[0].RequestLabel != "Passport" {
		t.Fatalf("staff view of the reply: %+v %v", views, err)
	}
}

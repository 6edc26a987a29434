package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

// Every staff route refuses applicants (no staff member), and staff
// without the officer or administrator role.
func TestStaffRoutesRefuseApplicantsAndOtherRoles(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Silva", true)
	id, _ := e.submit(t, online(a.acc.ID, "Silva"))
	app := itoa(id)
	gets := []string{"/", "/applications", "/applications/" + app, "/documents/99", "/paper", "/reports", "/links"}
	posts := []string{"/applications/" + app + "/status", "/applications/" + app + "/message", "/applications/" + app + "/request",
		"/paper", "/reports/1/handled", "/links/1/approve", "/links/1/refuse"}
	for _, lang := range []string{"en", "fr"} {
		for _, role := range []string{"", "clerk", "pt_officer"} {
			for _, p := range gets {
				expect(t, staffGet(t, e.App, a.Client, role, "/"+lang+"/staff/ircc"+p), http.StatusForbidden, "")
			}
			for _, p := range posts {
				expect(t, staffPost(t, e.App, a.Client, role, "/"+lang+"/staff/ircc"+p, url.Values{"status": {"approved"}, "note": {"x"}}), http.StatusForbidden, "")
			}
		}
	}
	if e.status(t, id) != account.StatusSubmitted || e.Count(t, "ircc_applications") != 1 {
		t.Fatal("a refused request changed something")
	}
	s := e.Client(t)
	for _, role := range []string{"officer", "administrator"} {
		for _, p := range gets {
			expect(t, staffGet(t, e.App, s, role, "/en/staff/ircc"+p), http.StatusOK, "")
		}
	}
}

func TestStaffSearchAndPages(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	first, number := e.submit(t, online(acc.ID, "Silva"))
	for i := 0; i < 24; i++ {
		e.submit(t, paper("Tremblay", ""))
	}
	s := e.Client(t)
	home := staffGet(t, e.App, s, "officer", "/fr/staff/ircc/")
	expect(t, home, http.StatusOK, "")
	if home.Doc.Find(`[data-testid="find-applications"]`).Length() != 1 {
		t.Fatal(home.Body)
	}
	p := staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications")
	expect(t, p, http.StatusOK, "")
	if n := p.Doc.Find(`[data-testid="result-link"]`).Length(); n != 20 {
		t.Fatalf("%d rows on page 1", n)
	}
	next, ok := p.Doc.Find(`[data-testid="next"]`).Attr("href")
	if !ok {
		t.Fatal("no next page")
	}
	p = staffGet(t, e.App, s, "officer", next)
	if n := p.Doc.Find(`[data-testid="result-link"]`).Length(); n != 5 || p.Doc.Find(`[data-testid="prev"]`).Length() != 1 || p.Doc.Find(`[data-testid="next"]`).Length() != 0 {
		t.Fatalf("%d rows on page 2", n)
	}
	p = staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications?by=number&q="+strings.ToLower(number))
	if p.Doc.Find(`[data-testid="result-link"]`).Length() != 1 || p.Text(`[data-testid="result-link"]`) != number {
		t.Fatal(p.Body)
	}
	uci := e.accounts.byID[acc.ID].UCI
	p = staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications?by=uci&q="+uci)
	if p.Doc.Find(`[data-testid="result-link"]`).Length() != 1 {
		t.Fatal(p.Body)
	}
	p = staffGet(t, e.App, s, "officer", "/fr/staff/ircc/applications?by=family&q=sil")
	if p.Doc.Find(`[data-testid="result-link"]`).Length() != 1 {
		t.Fatal(p.Body)
	}
	p = staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications?by=family&q=%25")
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="no-results"]`) == "" {
		t.Fatal("a wildcard matched")
	}
	expect(t, staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications?by=email&q=x"), http.StatusUnprocessableEntity, "")
	expect(t, staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications?by=uci&q=abc"), http.StatusUnprocessableEntity, "")
	expect(t, staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications/"+itoa(first+1000)), http.StatusNotFound, "")
}

func TestStaffApplicationForms(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "fr")
	id, _ := e.submit(t, online(acc.ID, "Silva"))
	s := e.Client(t)
	page := "/en/staff/ircc/applications/" + itoa(id)
	p := staffGet(t, e.App, s, "officer", page)
	expect(t, p, http.StatusOK, "")
	for _, sel := range []string{"status-form", "message-form", "request-form", "history", "documents", "answers"} {
		if p.Doc.Find(`[data-testid="`+sel+`"]`).Length() == 0 {
			t.Fatalf("no %s", sel)
		}
	}
	if p.Doc.Find(`[data-testid="document-link"]`).Length() < 2 {
		t.Fatal("no download links")
	}

	// The status form does not offer "documents requested": the request
	// form sets it, with the letter asking for them.
	var offered []string
	p.Doc.Find(`[data-testid="status-form"] input[name="status"]`).Each(func(_ int, s *goquery.Selection) {
		offered = append(offered, s.AttrOr("value", ""))
	})
	if strings.Join(offered, " ") != "in_progress approved refused" {
		t.Fatalf("statuses offered %v", offered)
	}
	// Dates typed as YYYY-MM-DD read as dates.
	if !strings.Contains(p.Text(`[data-testid="application"]`), "May 17, 1990") {
		t.Fatal(p.Text(`[data-testid="application"]`))
	}

	// Status: bad input changes nothing.
	before := e.Count(t, "ircc_application_events")
	for _, v := range []url.Values{{}, {"status": {"in_progress"}}, {"status": {"submitted"}, "note": {"x"}}, {"status": {"bogus"}, "note": {"x"}},
		{"status": {"documents_requested"}, "note": {"x"}}, {"status": {"in_progress"}, "note": {"bad\x00note"}}} {
		p = staffPost(t, e.App, s, "officer", page+"/status", v)
		expect(t, p, http.StatusUnprocessableEntity, "")
		if p.Doc.Find("#error-summary").Length() != 1 {
			t.Fatal(p.Body)
		}
	}
	if e.status(t, id) != account.StatusSubmitted || e.Count(t, "ircc_application_events") != before {
		t.Fatal("bad input changed the application")
	}
	expect(t, staffPost(t, e.App, s, "officer", page+"/status", url.Values{"status": {"in_progress"}, "note": {"Started review"}}), http.StatusSeeOther, page+"?done=status")
	if e.status(t, id) != account.StatusInProgress {
		t.Fatal(e.status(t, id))
	}

	// Message: bad and good.
	for _, v := range []url.Values{{}, {"kind": {"decision"}, "subject": {"s"}, "body": {"b"}}, {"kind": {"general"}, "subject": {strings.Repeat("s", 201)}, "body": {"b"}},
		{"kind": {"general"}, "subject": {"Pay \u202egnp.exe"}, "body": {"b"}}, {"kind": {"general"}, "subject": {"s"}, "body": {"b\x1b[2J"}}} {
		expect(t, staffPost(t, e.App, s, "officer", page+"/message", v), http.StatusUnprocessableEntity, "")
	}
	if n := len(e.mailbox.of(acc.ID)); n != 0 {
		t.Fatalf("%d letters after bad input", n)
	}
	expect(t, staffPost(t, e.App, s, "officer", page+"/message", url.Values{"kind": {"procedural"}, "subject": {"Interview"}, "body": {"Please call us."}, "needs_reply": {"yes"}}), http.StatusSeeOther, page+"?done=message")
	ls := e.mailbox.of(acc.ID)
	if len(ls) != 1 || ls[0].Kind != account.LetterProcedural || !ls[0].NeedsReply || ls[0].StaffID != 7 || ls[0].ApplicationID != id {
		t.Fatalf("letters %+v", ls)
	}

	// Document request: bad and good.
	for _, v := range []url.Values{{}, {"labels": {" \n "}}, {"labels": {strings.Repeat("a\n", 11)}}, {"labels": {"Pass\u200bport"}}} {
		expect(t, staffPost(t, e.App, s, "officer", page+"/request", v), http.StatusUnprocessableEntity, "")
	}
	expect(t, staffPost(t, e.App, s, "officer", page+"/request", url.Values{"labels": {"Police certificate\n\nMedical exam\n"}}), http.StatusSeeOther, page+"?done=request")
	if e.status(t, id) != account.StatusDocumentsRequested {
		t.Fatal(e.status(t, id))
	}
	ls = e.mailbox.of(acc.ID)
	if len(ls) != 2 || ls[1].Kind != account.LetterDocumentRequest || len(ls[1].DocumentLabels) != 2 || ls[1].DocumentLabels[1] != "Medical exam" {
		t.Fatalf("letters %+v", ls)
	}
	if !strings.Contains(ls[1].Body, "Pour poursuivre") {
		t.Fatal("standard text not in the account's language")
	}

	// The page shows the letters about it, with the replies, and who did what.
	p = staffGet(t, e.App, s, "officer", "/fr"+page[3:]+"?done=request")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`[data-testid="letter"]`).Length() != 2 || p.Doc.Find(`[data-testid="reply"]`).Length() != 2 || p.Text(`[data-testid="done"]`) == "" {
		t.Fatal(p.Body)
	}
	if !strings.Contains(p.Text(`[data-testid="history"]`), "Test Officer") || !strings.Contains(p.Text(`[data-testid="history"]`), "Started review") {
		t.Fatal(p.Text(`[data-testid="history"]`))
	}

	// Approve: outbox event, decision letter, no more status form.
	expect(t, staffPost(t, e.App, s, "administrator", page+"/status", url.Values{"status": {"approved"}, "note": {"Meets requirements"}}), http.StatusSeeOther, page+"?done=status")
	if e.Count(t, "ircc_outbox") != 1 {
		t.Fatal("no approval event")
	}
	p = staffGet(t, e.App, s, "officer", page)
	if p.Doc.Find(`[data-testid="status-form"]`).Length() != 0 || p.Doc.Find(`[data-testid="request-form"]`).Length() != 0 {
		t.Fatal("a decided application can still change")
	}
	expect(t, staffPost(t, e.App, s, "officer", page+"/status", url.Values{"status": {"refused"}, "note": {"x"}}), http.StatusUnprocessableEntity, "")
	expect(t, staffPost(t, e.App, s, "officer", page+"/request", url.Values{"labels": {"More"}}), http.StatusUnprocessableEntity, "")
	if n := e.staffActions(t); n != 4 {
		t.Fatalf("audited %d", n)
	}
}

func TestStaffDownloadsAreAttachmentsOnly(t *testing.T) {
	e := start(t)
	s := e.Client(t)
	for _, id := range []string{"99", "100"} {
		p := staffGet(t, e.App, s, "officer", "/en/staff/ircc/documents/"+id)
		expect(t, p, http.StatusOK, "")
		h := p.Header
		if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("%s headers %v", id, h)
		}
	}
	p := staffGet(t, e.App, s, "officer", "/en/staff/ircc/documents/100")
	if p.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("served as %q", p.Header.Get("Content-Type"))
	}
	p = staffGet(t, e.App, s, "officer", "/en/staff/ircc/documents/99")
	if p.Header.Get("Content-Type") != "application/pdf" || p.Body != "%PDF-1.4" {
		t.Fatal(p.Header.Get("Content-Type"))
	}
	expect(t, staffGet(t, e.App, s, "officer", "/en/staff/ircc/documents/5"), http.StatusNotFound, "")
	if e.staffActions(t) != 4 {
		t.Fatal("downloads not audited")
	}
}

func TestStaffRecordsPaperApplications(t *testing.T) {
	e := start(t)
	s := e.Client(t)
	expect(t, staffGet(t, e.App, s, "officer", "/fr/staff/ircc/paper"), http.StatusOK, "")
	bad := []struct {
		form   url.Values
		fields []string
	}{
		{url.Values{}, []string{"program", "family", "birth"}},
		{url.Values{"program": {"Family"}, "family": {"Roy"}, "birth": {"1980-02-30"}}, []string{"birth"}},
		{url.Values{"program": {"Family"}, "family": {"Roy"}, "birth": {"1980-02-03"}, "email": {"not an email"}}, []string{"email"}},
		{url.Values{"program": {strings.Repeat("p", 201)}, "family": {"Roy"}, "birth": {"1980-02-03"}}, []string{"program"}},
		{url.Values{"program": {"Family"}, "given": {"Ma\u0000rie"}, "family": {"Roy\u202e"}, "birth": {"1899-12-31"}}, []string{"given", "family", "birth"}},
	}
	for _, c := range bad {
		p := staffPost(t, e.App, s, "officer", "/en/staff/ircc/paper", c.form)
		expect(t, p, http.StatusUnprocessableEntity, "")
		for _, f := range c.fields {
			if p.Doc.Find(`#error-summary a[href="#`+f+`"]`).Length() != 1 {
				t.Fatalf("%v: no error for %s", c.form, f)
			}
		}
	}
	if e.Count(t, "ircc_applications") != 0 {
		t.Fatal("bad input recorded")
	}
	p := staffPost(t, e.App, s, "officer", "/en/staff/ircc/paper", url.Values{"program": {"Family sponsorship"}, "given": {"Marie"}, "family": {"Roy"}, "birth": {"1980-02-03"}, "email": {"marie@example.com"}})
	expect(t, p, http.StatusSeeOther, "")
	p = staffGet(t, e.App, s, "officer", p.Header.Get("Location"))
	expect(t, p, http.StatusOK, "")
	if !strings.HasPrefix(p.Text(`[data-testid="app-number"]`), "P") || p.Doc.Find(`[data-testid="not-linked"]`).Length() != 1 || p.Doc.Find(`[data-testid="message-form"]`).Length() != 0 {
		t.Fatal(p.Body)
	}
	if !strings.Contains(p.Text(`[data-testid="history"]`), "Test Officer") {
		t.Fatal("who recorded it is not in the history")
	}
	// An unlinked application cannot get messages.
	var id int64
	if err := e.DB.R.Get(&id, `SELECT id FROM ircc_applications`); err != nil {
		t.Fatal(err)
	}
	p = staffPost(t, e.App, s, "officer", "/en/staff/ircc/applications/"+itoa(id)+"/message", url.Values{"kind": {"general"}, "subject": {"s"}, "body": {"b"}})
	expect(t, p, http.StatusUnprocessableEntity, "")
}

// The queues say who is asking: the report under the reference the person
// was given and the reporting account; the link request with the account
// holder's details, to check against the file.
func TestStaffQueuesNameWhoIsAsking(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-r", "Okafor", "en")
	who := cases.Applicant{AccountID: acc.ID, PairwiseID: acc.PairwiseID, Lang: "en", IP: "192.0.2.9", UA: "test"}
	rid, err := e.m.AddReport(context.Background(), who, cases.Report{Description: "Work permit", SubmittedOn: "2024-01-02", Details: "Missing."})
	if err != nil {
		t.Fatal(err)
	}
	_, number := e.submit(t, paper("Okafor", ""))
	if res, err := e.m.RequestLink(context.Background(), who, number, "Okafor", "1985-11-02"); err != nil || res.Outcome != cases.LinkWaiting {
		t.Fatalf("%+v %v", res, err)
	}
	s := e.Client(t)
	for _, lang := range []string{"en", "fr"} {
		p := staffGet(t, e.App, s, "officer", "/"+lang+"/staff/ircc/reports")
		expect(t, p, http.StatusOK, "")
		r := p.Doc.Find(`[data-testid="report"]`)
		if !strings.Contains(r.Find("h2").Text(), cases.ReportReference(rid)) || p.Text(`[data-testid="reporter"]`) != "Ana Okafor" ||
			!strings.Contains(r.Text(), "Okafor@example.com") {
			t.Fatalf("%s: report %q", lang, r.Text())
		}
		want := map[string]string{"en": "January 2, 2024", "fr": "2 janvier 2024"}[lang]
		if !strings.Contains(r.Text(), want) {
			t.Fatalf("%s: the date is not written out: %q", lang, r.Text())
		}
		p = staffGet(t, e.App, s, "officer", "/"+lang+"/staff/ircc/links")
		expect(t, p, http.StatusOK, "")
		l := p.Doc.Find(`[data-testid="link-request"]`)
		if p.Text(`[data-testid="requester"]`) != "Ana Okafor" || !strings.Contains(l.Text(), "Okafor@example.com") ||
			!strings.Contains(l.Text(), map[string]string{"en": "May 17, 1990", "fr": "17 mai 1990"}[lang]) {
			t.Fatalf("%s: link request %q", lang, l.Text())
		}
	}
}

package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

func TestApplicantSeesOnlyTheirOwnApplication(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Silva", true)
	b := e.signIn(t, "Okafor", true)
	id, number := e.submit(t, online(a.acc.ID, "Silva"))
	if err := e.m.ChangeStatus(context.Background(), id, account.StatusInProgress, "secret staff note", officer); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr"} {
		p := a.Get("/" + lang + "/ircc/applications/" + itoa(id))
		expect(t, p, http.StatusOK, "")
		if p.Text(`[data-testid="app-number"]`) != number {
			t.Fatalf("number %q", p.Text(`[data-testid="app-number"]`))
		}
		want := map[string]string{"en": "In progress", "fr": "En cours de traitement"}[lang]
		if p.Text(`[data-testid="app-status"]`) != want {
			t.Fatalf("status %q", p.Text(`[data-testid="app-status"]`))
		}
		if rows := p.Doc.Find(`[data-testid="history"] tbody tr`).Length(); rows != 2 {
			t.Fatalf("history rows %d", rows)
		}
		// Never who acted, never the staff's note.
		if strings.Contains(p.Body, "Test Officer") || strings.Contains(p.Body, "secret staff note") {
			t.Fatal("staff details shown to the applicant")
		}
		if p.Doc.Find("h1").Length() != 1 {
			t.Fatal("one h1")
		}
	}
	// Someone else's, or nobody's: not found.
	expect(t, b.Get("/en/ircc/applications/"+itoa(id)), http.StatusNotFound, "")
	pid, _ := e.submit(t, paper("Okafor", ""))
	expect(t, b.Get("/en/ircc/applications/"+itoa(pid)), http.StatusNotFound, "")
	expect(t, b.Get("/en/ircc/applications/999"), http.StatusNotFound, "")
	expect(t, b.Get("/en/ircc/applications/abc"), http.StatusNotFound, "")
	// Not enrolled: to the entry page, which enrols; not signed in: too.
	n := e.signIn(t, "", false)
	expect(t, n.Get("/en/ircc/applications/"+itoa(id)), http.StatusSeeOther, "/en/ircc/")
	expect(t, e.Client(t).Get("/fr/ircc/applications/"+itoa(id)), http.StatusSeeOther, "/fr/ircc/")
}

func TestReportForm(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Silva", true)
	b := e.signIn(t, "Okafor", true)
	expect(t, a.Get("/en/ircc/report"), http.StatusOK, "")
	today := e.Fake.Now() // 2024-01-23
	bad := []struct {
		form   url.Values
		fields []string
	}{
		{url.Values{}, []string{"description", "submitted", "details"}},
		{url.Values{"number": {"12$"}, "submitted": {"2024-01-01"}, "details": {"x"}}, []string{"number"}},
		{url.Values{"description": {"PR application"}, "submitted": {"01/02/2024"}, "details": {"x"}}, []string{"submitted"}},
		{url.Values{"description": {"PR application"}, "submitted": {"2024-02-01"}, "details": {"x"}}, []string{"submitted"}},
		{url.Values{"description": {"PR application"}, "submitted": {"2024-01-01"}, "details": {strings.Repeat("x", 2001)}}, []string{"details"}},
		// Two years back at most; no control characters.
		{url.Values{"description": {"PR application"}, "submitted": {"2022-01-22"}, "details": {"x"}}, []string{"submitted"}},
		{url.Values{"description": {"PR\x00application"}, "submitted": {"2024-01-01"}, "details": {"x\x07"}}, []string{"description", "details"}},
	}
	for _, c := range bad {
		p := a.Post("/en/ircc/report", c.form)
		expect(t, p, http.StatusUnprocessableEntity, "")
		for _, f := range c.fields {
			if p.Doc.Find(`#error-summary a[href="#`+f+`"]`).Length() != 1 {
				t.Fatalf("%v: no error for %s\n%s", c.form, f, p.Body)
			}
		}
	}
	// Five days ago or less: a plain "wait" that names the day.
	for _, lang := range []string{"en", "fr"} {
		p := a.Post("/"+lang+"/ircc/report", url.Values{"number": {"W123456789"}, "submitted": {today.AddDate(0, 0, -5).Format(time.DateOnly)}, "details": {"Not there"}})
		expect(t, p, http.StatusUnprocessableEntity, "")
		msg := p.Text("#submitted-error")
		want := map[string]string{"en": "January 24, 2024", "fr": "24 janvier 2024"}[lang]
		if !strings.Contains(msg, want) || !strings.Contains(msg, "5") {
			t.Fatalf("%s: %q", lang, msg)
		}
	}
	if n := e.Count(t, "ircc_reports"); n != 0 {
		t.Fatalf("%d reports after bad input", n)
	}
	p := a.Post("/en/ircc/report", url.Values{"number": {"w 123456789"}, "submitted": {today.AddDate(0, 0, -6).Format(time.DateOnly)}, "details": {"It is not in my account."}})
	expect(t, p, http.StatusSeeOther, "")
	loc := p.Header.Get("Location")
	if !regexp.MustCompile(`^/en/ircc/report/[0-9]+$`).MatchString(loc) {
		t.Fatal(loc)
	}
	for _, lang := range []string{"en", "fr"} {
		p = a.Get(strings.Replace(loc, "/en/", "/"+lang+"/", 1))
		expect(t, p, http.StatusOK, "")
		if p.Text(`[data-testid="no-delay"]`) == "" || !strings.Contains(p.Text(`[data-testid="report-reference"]`), "TP-") {
			t.Fatal(p.Body)
		}
		// The date typed is written out, on the day typed.
		want := map[string]string{"en": "January 17, 2024", "fr": "17 janvier 2024"}[lang]
		if !strings.Contains(p.Text("main"), want) {
			t.Fatalf("%s: %q", lang, p.Text("main"))
		}
	}
	if !strings.Contains(p.Body, "W123456789") {
		t.Fatal("number not normalised")
	}
	// Someone else's report is not found.
	expect(t, b.Get(loc), http.StatusNotFound, "")
	// Description instead of a number works too.
	expect(t, b.Post("/en/ircc/report", url.Values{"description": {"Spousal sponsorship for my wife"}, "submitted": {"2024-01-02"}, "details": {"Missing."}}), http.StatusSeeOther, "")

	// Staff read the queue and mark one handled.
	s := e.Client(t)
	q := staffGet(t, e.App, s, "officer", "/en/staff/ircc/reports")
	expect(t, q, http.StatusOK, "")
	if n := q.Doc.Find(`[data-testid="report"]`).Length(); n != 2 {
		t.Fatalf("%d reports in the queue", n)
	}
	id := loc[strings.LastIndexByte(loc, '/')+1:]
	expect(t, staffPost(t, e.App, s, "officer", "/en/staff/ircc/reports/"+id+"/handled", nil), http.StatusSeeOther, "/en/staff/ircc/reports?done=1")
	expect(t, staffPost(t, e.App, s, "officer", "/en/staff/ircc/reports/"+id+"/handled", nil), http.StatusNotFound, "")
	q = staffGet(t, e.App, s, "officer", "/fr/staff/ircc/reports?done=1")
	if q.Doc.Find(`[data-testid="report"]`).Length() != 1 || q.Doc.Find(`[data-testid="report-handled"]`).Length() != 1 {
		t.Fatal(q.Body)
	}
	if e.staffActions(t) != 1 {
		t.Fatal("not audited")
	}
}

func linkForm(number, family, birth string) url.Values {
	return url.Values{"number": {number}, "family": {family}, "birth": {birth}}
}

var sixDigits = regexp.MustCompile(`\b([0-9]{6})\b`)

func TestLinkFormChecksInput(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Silva", true)
	expect(t, a.Get("/en/ircc/link"), http.StatusOK, "")
	bad := []struct {
		form   url.Values
		fields []string
	}{
		{url.Values{}, []string{"number", "family", "birth"}},
		{linkForm("123", "Silva", "1990-01-01"), []string{"number"}},
		{linkForm("P123456789", "Silva", "17/05/1990"), []string{"birth"}},
		{linkForm("P123456789", "Silva", "2030-01-01"), []string{"birth"}},
		{linkForm("P123456789", "Sil\u202eva", "1990-01-01"), []string{"family"}},
	}
	for _, c := range bad {
		p := a.Post("/en/ircc/link", c.form)
		expect(t, p, http.StatusUnprocessableEntity, "")
		for _, f := range c.fields {
			if p.Doc.Find(`#error-summary a[href="#`+f+`"]`).Length() != 1 {
				t.Fatalf("%v: no error for %s", c.form, f)
			}
		}
	}
	// Badly shaped input is not a try.
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_throttle WHERE key LIKE 'ircc-link:%'`); err != nil || n != 0 {
		t.Fatalf("%d counters", n)
	}
}

func TestLinkLocksANumberAfterFiveTriesAcrossAccounts(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Tremblay", true)
	b := e.signIn(t, "Gagnon", true)
	id, number := e.submit(t, paper("Tremblay", "jean@example.com"))
	// Wrong details and an unknown number read the same.
	wrong := a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-03"))
	expect(t, wrong, http.StatusUnprocessableEntity, "")
	unknown := b.Post("/en/ircc/link", linkForm("P000000001", "Tremblay", "1985-11-02"))
	expect(t, unknown, http.StatusUnprocessableEntity, "")
	if wrong.Text("#number-error") == "" || wrong.Text("#number-error") != unknown.Text("#number-error") {
		t.Fatalf("%q vs %q", wrong.Text("#number-error"), unknown.Text("#number-error"))
	}
	for i := 0; i < 2; i++ {
		expect(t, a.Post("/en/ircc/link", linkForm(number, "Tremblay-Roy", "1985-11-02")), http.StatusUnprocessableEntity, "")
	}
	expect(t, b.Post("/en/ircc/link", linkForm(strings.ToLower(number), "Tremblay", "1985-12-02")), http.StatusUnprocessableEntity, "")
	// The fifth wrong try, from the second account, locks the number.
	p := b.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-01-02"))
	expect(t, p, http.StatusTooManyRequests, "")
	if p.Text(`[data-testid="link-locked"]`) == "" {
		t.Fatal(p.Body)
	}
	// Now even the right details, from either account, wait.
	for _, c := range []person{a, b} {
		p = c.Post("/fr/ircc/link", linkForm(number, "TREMBLAY", "1985-11-02"))
		expect(t, p, http.StatusTooManyRequests, "")
		if !strings.Contains(p.Text(`[data-testid="link-locked"]`), "janvier 2024") {
			t.Fatal(p.Text(`[data-testid="link-locked"]`))
		}
	}
	if n := e.Count(t, "ircc_link_requests"); n != 0 {
		t.Fatalf("%d requests while locked", n)
	}
	// The lock lifts after 24 hours.
	e.Fake.Advance(24*time.Hour + time.Minute)
	p = a.Post("/en/ircc/link", linkForm(number, "  tremblay ", "1985-11-02"))
	expect(t, p, http.StatusSeeOther, "")
	confirm := p.Header.Get("Location")
	if !strings.HasPrefix(confirm, "/en/ircc/link/") {
		t.Fatal(confirm)
	}
	if e.holder(t, id) != 0 {
		t.Fatal("moved before the code")
	}
	m := lastMail(t, e)
	if m.ToAddr != "jean@example.com" || !strings.Contains(m.BodyText, number) {
		t.Fatalf("mail %+v", m)
	}
	code := sixDigits.FindStringSubmatch(m.BodyText)[1]

	// The other account cannot see or use the request.
	expect(t, b.Get(confirm), http.StatusNotFound, "")
	expect(t, b.Post(confirm, url.Values{"code": {code}}), http.StatusNotFound, "")

	p = a.Get(confirm)
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="code-sent"]`) == "" {
		t.Fatal(p.Body)
	}
	expect(t, a.Post(confirm, url.Values{"code": {""}}), http.StatusUnprocessableEntity, "")
	expect(t, a.Post(confirm, url.Values{"code": {"12ab"}}), http.StatusUnprocessableEntity, "")
	other := "000000"
	if code == other {
		other = "111111"
	}
	p = a.Post(confirm, url.Values{"code": {other}})
	expect(t, p, http.StatusUnprocessableEntity, "")
	if p.Text("#code-error") == "" {
		t.Fatal(p.Body)
	}
	expect(t, a.Post(confirm, url.Values{"code": {code}}), http.StatusSeeOther, "/en/ircc/applications/"+itoa(id)+"?linked=1")
	if e.holder(t, id) != a.acc.ID {
		t.Fatal("not moved")
	}
	// A paper application gets the account's UCI.
	var uci string
	if err := e.DB.R.Get(&uci, `SELECT uci FROM ircc_applications WHERE id = ?`, id); err != nil || uci == "" {
		t.Fatalf("uci %q", uci)
	}
	p = a.Get("/en/ircc/applications/" + itoa(id) + "?linked=1")
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="linked"]`) == "" {
		t.Fatal(p.Body)
	}
	// Used: the code does not work twice; the request now leads to the application.
	expect(t, a.Get(confirm), http.StatusSeeOther, "/en/ircc/applications/"+itoa(id)+"?linked=1")
	// Linking one's own application again just leads to it.
	expect(t, a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-02")), http.StatusSeeOther, "/en/ircc/applications/"+itoa(id))
}

func TestWrongCodesCountTowardsTheLock(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Tremblay", true)
	_, number := e.submit(t, paper("Tremblay", "jean@example.com"))
	p := a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-02"))
	expect(t, p, http.StatusSeeOther, "")
	confirm := p.Header.Get("Location")
	code := sixDigits.FindStringSubmatch(lastMail(t, e).BodyText)[1]
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	// The details were the first try; three wrong codes are the next
	// three, and the fourth wrong code is the fifth try.
	for i := 0; i < 3; i++ {
		expect(t, a.Post(confirm, url.Values{"code": {wrong}}), http.StatusUnprocessableEntity, "")
	}
	expect(t, a.Post(confirm, url.Values{"code": {wrong}}), http.StatusTooManyRequests, "")
	// Locked: even the right code waits.
	expect(t, a.Post(confirm, url.Values{"code": {code}}), http.StatusTooManyRequests, "")
}

// Right details on the fifth try come too late: no code could be typed
// after them, so none is sent and the number waits its 24 hours.
func TestRightDetailsOnTheLastTryWait(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Tremblay", true)
	_, number := e.submit(t, paper("Tremblay", "jean@example.com"))
	for i := 0; i < 4; i++ {
		expect(t, a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-0"+itoa(int64(3+i)))), http.StatusUnprocessableEntity, "")
	}
	mails := e.Count(t, "app_outbox")
	p := a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-02"))
	expect(t, p, http.StatusTooManyRequests, "")
	if p.Text(`[data-testid="link-locked"]`) == "" {
		t.Fatal(p.Body)
	}
	if e.Count(t, "app_outbox") != mails || e.Count(t, "ircc_link_requests") != 0 {
		t.Fatal("a code went out on the last try")
	}
}

// Tries sent all at once are counted before any is checked, so however
// they arrive no more than five are looked at: here every one has the
// right details, and only the first four (the fifth locks) send a code.
func TestLinkTriesSentAtOnceAreCountedBeforeTheyAreChecked(t *testing.T) {
	e := start(t)
	_, number := e.submit(t, paper("Tremblay", "jean@example.com"))
	const tries = 10
	results := make([]cases.LinkResult, tries)
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		acc := e.accounts.enrol("pw-"+itoa(int64(i)), "Gagnon", "en")
		who := cases.Applicant{AccountID: acc.ID, PairwiseID: acc.PairwiseID, Lang: "en", IP: "192.0.2.9", UA: "test"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.m.RequestLink(context.Background(), who, number, "Tremblay", "1985-11-02")
		}()
	}
	wg.Wait()
	sent, locked := 0, 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch r.Outcome {
		case cases.LinkSent:
			sent++
		case cases.LinkLocked:
			locked++
		default:
			t.Fatalf("outcome %v", r.Outcome)
		}
	}
	if sent > 4 || sent+locked != tries {
		t.Fatalf("%d codes sent, %d locked out of %d tries", sent, locked, tries)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM ircc_link_requests`); err != nil || n != sent {
		t.Fatalf("%d link requests for %d codes sent (%v)", n, sent, err)
	}
	if _, locked, err := e.Throttle.Locked(context.Background(), cases.LinkKey(number)); err != nil || !locked {
		t.Fatalf("the number is not locked after %d tries (%v)", tries, err)
	}
}

func TestLinkMovesTheApplicationAndItsMessagesAndTellsThePreviousHolder(t *testing.T) {
	e := start(t)
	old := e.accounts.enrol("lost-account", "Silva", "fr")
	id, number := e.submit(t, func() account.NewApplication {
		a := online(old.ID, "Silva")
		a.DocumentLabels = []string{"Passport"}
		return a
	}())
	if err := e.m.SendMessage(context.Background(), id, account.LetterGeneral, "Hello", "About your file", false, officer); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mailbox.of(old.ID)); n != 2 {
		t.Fatalf("%d letters", n)
	}
	a := e.signIn(t, "Silva", true)
	p := a.Post("/en/ircc/link", linkForm(number, "SILVA", "1990-05-17"))
	expect(t, p, http.StatusSeeOther, "")
	confirm := p.Header.Get("Location")
	m := lastMail(t, e)
	if m.ToAddr != "silva@example.com" {
		t.Fatal(m.ToAddr)
	}
	code := sixDigits.FindStringSubmatch(m.BodyText)[1]
	expect(t, a.Post(confirm, url.Values{"code": {code}}), http.StatusSeeOther, "")
	if e.holder(t, id) != a.acc.ID {
		t.Fatal("not moved")
	}
	if len(e.mailbox.moves) != 1 || e.mailbox.moves[0] != [3]int64{id, old.ID, a.acc.ID} {
		t.Fatalf("moves %v", e.mailbox.moves)
	}
	// The letters came along; the old account holds only the notice, in
	// its language.
	if n := len(e.mailbox.of(a.acc.ID)); n != 2 {
		t.Fatalf("new account has %d letters", n)
	}
	left := e.mailbox.of(old.ID)
	if len(left) != 1 || left[0].Kind != account.LetterProcedural || !strings.Contains(left[0].Subject, number) || !strings.Contains(left[0].Body, "a été liée") {
		t.Fatalf("old account %+v", left)
	}
	// The applicant's page works; the old holder no longer sees it.
	expect(t, a.Get("/en/ircc/applications/"+itoa(id)), http.StatusOK, "")
	// Staff see the move in the history.
	s := e.Client(t)
	sp := staffGet(t, e.App, s, "officer", "/en/staff/ircc/applications/"+itoa(id))
	expect(t, sp, http.StatusOK, "")
	if !strings.Contains(sp.Text(`[data-testid="history"]`), "linked to an account") {
		t.Fatal(sp.Text(`[data-testid="history"]`))
	}
	var audited int
	if err := e.DB.R.Get(&audited, `SELECT COUNT(*) FROM app_audit WHERE event = ?`, string(cases.EventLinkConfirmed)); err != nil || audited != 1 {
		t.Fatal("link not audited", err)
	}
}

func TestLinkWithoutEmailWaitsForStaff(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Tremblay", true)
	b := e.signIn(t, "Gagnon", true)
	id, number := e.submit(t, paper("Tremblay", ""))
	mails := e.Count(t, "app_outbox")
	p := a.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-02"))
	expect(t, p, http.StatusSeeOther, "")
	req := p.Header.Get("Location")
	if e.Count(t, "app_outbox") != mails {
		t.Fatal("mailed without an address")
	}
	p = a.Get(req)
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="link-waiting"]`) == "" {
		t.Fatal(p.Body)
	}
	expect(t, b.Get(req), http.StatusNotFound, "")
	// There is no code to type.
	expect(t, a.Post(req, url.Values{"code": {"123456"}}), http.StatusSeeOther, req)
	if e.holder(t, id) != 0 {
		t.Fatal("moved without staff")
	}

	s := e.Client(t)
	lp := staffGet(t, e.App, s, "officer", "/en/staff/ircc/links")
	expect(t, lp, http.StatusOK, "")
	if lp.Doc.Find(`[data-testid="link-request"]`).Length() != 1 {
		t.Fatal(lp.Body)
	}
	rid := req[strings.LastIndexByte(req, '/')+1:]
	expect(t, staffPost(t, e.App, s, "officer", "/en/staff/ircc/links/"+rid+"/approve", nil), http.StatusSeeOther, "/en/staff/ircc/links?done=approved")
	if e.holder(t, id) != a.acc.ID {
		t.Fatal("not moved")
	}
	expect(t, staffPost(t, e.App, s, "officer", "/en/staff/ircc/links/"+rid+"/approve", nil), http.StatusNotFound, "")
	expect(t, a.Get(req), http.StatusSeeOther, "/en/ircc/applications/"+itoa(id)+"?linked=1")

	// A refusal moves nothing, and the person is told.
	p = b.Post("/en/ircc/link", linkForm(number, "Tremblay", "1985-11-02"))
	expect(t, p, http.StatusSeeOther, "")
	req2 := p.Header.Get("Location")
	rid2 := req2[strings.LastIndexByte(req2, '/')+1:]
	expect(t, staffPost(t, e.App, s, "officer", "/en/staff/ircc/links/"+rid2+"/refuse", nil), http.StatusSeeOther, "/en/staff/ircc/links?done=refused")
	if e.holder(t, id) != a.acc.ID {
		t.Fatal("moved on refusal")
	}
	p = b.Get(req2)
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="link-refused"]`) == "" {
		t.Fatal(p.Body)
	}
	if e.staffActions(t) != 2 {
		t.Fatalf("audited %d", e.staffActions(t))
	}
}

// One account cannot bury the staff queue: five reports a day.
func TestReportsPerAccountAreLimited(t *testing.T) {
	e := start(t)
	a := e.signIn(t, "Silva", true)
	b := e.signIn(t, "Okafor", true)
	// Fresh values each time: Post adds the client's CSRF token to them.
	good := func() url.Values {
		return url.Values{"description": {"Work permit"}, "submitted": {"2024-01-02"}, "details": {"Missing."}}
	}
	for i := 0; i < 5; i++ {
		expect(t, a.Post("/en/ircc/report", good()), http.StatusSeeOther, "")
	}
	for _, lang := range []string{"en", "fr"} {
		p := a.Post("/"+lang+"/ircc/report", good())
		expect(t, p, http.StatusTooManyRequests, "")
		if p.Doc.Find(`#error-summary a[href="#details"]`).Length() != 1 || !strings.Contains(p.Text("#details-error"), "5") {
			t.Fatal(p.Body)
		}
	}
	if n := e.Count(t, "ircc_reports"); n != 5 {
		t.Fatalf("%d reports", n)
	}
	// Another account is not held back.
	expect(t, b.Post("/en/ircc/report", good()), http.StatusSeeOther, "")
}

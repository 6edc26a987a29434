package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/i18n"

	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

var (
	onlineNumber = regexp.MustCompile(`^W[0-9]{9}$`)
	paperNumber  = regexp.MustCompile(`^P[0-9]{9}$`)
)

func TestSubmitGivesNumberUCIHistoryAndChecklist(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "fr")
	a := online(acc.ID, "Silva")
	a.DocumentLabels = []string{"Passport", "Police certificate"}
	id, number := e.submit(t, a)
	if !onlineNumber.MatchString(number) {
		t.Fatalf("number %q", number)
	}
	got, _ := e.accounts.Get(context.Background(), acc.ID)
	if got.UCI == "" {
		t.Fatal("no UCI given")
	}
	var uci string
	if err := e.DB.R.Get(&uci, `SELECT uci FROM ircc_applications WHERE id = ?`, id); err != nil || uci != got.UCI {
		t.Fatalf("uci %q %v", uci, err)
	}
	if e.status(t, id) != account.StatusSubmitted {
		t.Fatal(e.status(t, id))
	}
	ls := e.mailbox.of(acc.ID)
	if len(ls) != 1 || ls[0].Kind != account.LetterDocumentRequest || len(ls[0].DocumentLabels) != 2 || ls[0].ApplicationID != id || !ls[0].NeedsReply {
		t.Fatalf("letters %+v", ls)
	}
	// Written in the account's language.
	if ls[0].Subject != "Documents requis pour la demande "+number {
		t.Fatalf("subject %q", ls[0].Subject)
	}
	if n := e.Count(t, "ircc_application_events"); n != 2 {
		t.Fatalf("history rows %d", n)
	}
	list, err := e.m.ApplicationList().ForAccount(context.Background(), acc.ID)
	if err != nil || len(list) != 1 || list[0].Number != number || list[0].Href != "/ircc/applications/"+itoa(id) || list[0].Status != account.StatusSubmitted {
		t.Fatalf("list %+v %v", list, err)
	}
	// The times are read back as the instants stored (the list reads them
	// as text for speed).
	if !list[0].Submitted.Equal(apptest.Start) || !list[0].Updated.Equal(apptest.Start) {
		t.Fatalf("times %v %v, want %v", list[0].Submitted, list[0].Updated, apptest.Start)
	}

	// Paper: P number, no account, no UCI yet.
	pid, pnum := e.submit(t, paper("Tremblay", ""))
	if !paperNumber.MatchString(pnum) || e.holder(t, pid) != 0 {
		t.Fatalf("paper %q", pnum)
	}
	// Numbers are unique.
	seen := map[string]bool{number: true, pnum: true}
	for i := 0; i < 30; i++ {
		_, n := e.submit(t, online(acc.ID, "Silva"))
		if seen[n] {
			t.Fatalf("number %s drawn twice", n)
		}
		seen[n] = true
	}
}

func TestSubmitRefusesIncompleteApplications(t *testing.T) {
	e := start(t)
	bad := []account.NewApplication{
		{Kind: "other", Program: "x", FamilyName: "A", BirthDate: "1990-01-01"},
		{Kind: account.KindPaper, Program: "", FamilyName: "A", BirthDate: "1990-01-01"},
		{Kind: account.KindPaper, Program: "x", FamilyName: " ", BirthDate: "1990-01-01"},
		{Kind: account.KindPaper, Program: "x", FamilyName: "A", BirthDate: "1990-13-01"},
		// Online means from an account.
		{Kind: account.KindPRExpressEntry, Program: "x", FamilyName: "A", BirthDate: "1990-01-01"},
	}
	for _, a := range bad {
		err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
			_, _, err := e.m.Applications().Submit(context.Background(), tx, a)
			return err
		})
		if !errors.Is(err, cases.ErrInvalid) {
			t.Fatalf("%+v: %v", a, err)
		}
	}
	if n := e.Count(t, "ircc_applications"); n != 0 {
		t.Fatalf("%d rows", n)
	}
}

func TestStatusTransitionsAndHistory(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	id, _ := e.submit(t, online(acc.ID, "Silva"))
	ctx := context.Background()
	// A decision only from an open status; nothing after a decision.
	// "Documents requested" comes only with a request for them.
	steps := []struct {
		to string
		ok bool
	}{
		{account.StatusSubmitted, false},
		{account.StatusInProgress, true},
		{account.StatusInProgress, false},
		{account.StatusDocumentsRequested, false},
		{"request", true},
		{account.StatusInProgress, true},
		{"bogus", false},
		{account.StatusRefused, true},
		{account.StatusApproved, false},
		{account.StatusInProgress, false},
		{"request", false},
	}
	for _, s := range steps {
		var err error
		if s.to == "request" {
			err = e.m.RequestDocuments(ctx, id, []string{"Passport"}, "", officer)
		} else {
			err = e.m.ChangeStatus(ctx, id, s.to, "note for "+s.to, officer)
		}
		if s.ok != (err == nil) {
			t.Fatalf("to %s: %v", s.to, err)
		}
		if !s.ok && !errors.Is(err, cases.ErrTransition) {
			t.Fatalf("to %s: %v", s.to, err)
		}
	}
	if e.status(t, id) != account.StatusRefused {
		t.Fatal(e.status(t, id))
	}
	var rows []struct {
		Kind      string `db:"kind"`
		Status    string `db:"status"`
		StaffName string `db:"staff_name"`
		Note      string `db:"note"`
	}
	if err := e.DB.R.Select(&rows, `SELECT kind, status, staff_name, note FROM ircc_application_events WHERE application_id = ? ORDER BY id`, id); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0].Kind != "submitted" || rows[2].Kind != cases.EventDocumentsRequested || rows[2].Status != account.StatusDocumentsRequested ||
		rows[4].Status != account.StatusRefused || rows[4].StaffName != "Test Officer" || rows[4].Note != "note for refused" {
		t.Fatalf("history %+v", rows)
	}
	var decided int
	if err := e.DB.R.Get(&decided, `SELECT COUNT(*) FROM ircc_applications WHERE id = ? AND decided_at IS NOT NULL`, id); err != nil || decided != 1 {
		t.Fatal("no decision date", err)
	}
	// The request came with its letter; a refusal posts a decision
	// letter, and writes no approval event.
	ls := e.mailbox.of(acc.ID)
	if len(ls) != 2 || ls[0].Kind != account.LetterDocumentRequest || ls[1].Kind != account.LetterDecision {
		t.Fatalf("letters %+v", ls)
	}
	if n := e.Count(t, "ircc_outbox"); n != 0 {
		t.Fatalf("outbox %d", n)
	}
	if n := e.staffActions(t); n != 4 {
		t.Fatalf("audited %d", n)
	}
	// The staff activity reads each action in its own language: the last
	// one is the refusal, statuses named as the applicant sees them.
	var detail string
	if err := e.DB.R.Get(&detail, `SELECT detail FROM app_audit WHERE event = 'staff_action' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var number string
	if err := e.DB.R.Get(&number, `SELECT number FROM ircc_applications WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{i18n.EN, i18n.FR} {
		got, ok := audit.DetailIn(lang, detail)
		want := i18n.In(lang, "cases.audit.status", number, i18n.In(lang, "cases.status.in_progress"), i18n.In(lang, "cases.status.refused"))
		if !ok || got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

func TestApprovalWritesItsEventWithTheStatus(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	id, number := e.submit(t, online(acc.ID, "Silva"))
	ctx := context.Background()
	if err := e.m.ChangeStatus(ctx, id, account.StatusApproved, "all good", officer); err != nil {
		t.Fatal(err)
	}
	evs, err := e.m.Outbox(ctx, cases.OutboxApproved, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].ApplicationID != id {
		t.Fatalf("outbox %+v %v", evs, err)
	}
	var p cases.ApprovedPayload
	if err := json.Unmarshal([]byte(evs[0].Payload), &p); err != nil {
		t.Fatal(err)
	}
	// The PR portal shares nothing with the secure account: no account id.
	var fields map[string]any
	if err := json.Unmarshal([]byte(evs[0].Payload), &fields); err != nil {
		t.Fatal(err)
	}
	if _, ok := fields["account_id"]; ok {
		t.Fatalf("payload names the account: %s", evs[0].Payload)
	}
	uci := e.accounts.byID[acc.ID].UCI
	if p.ApplicationNumber != number || p.UCI != uci || p.FamilyName != "Silva" || p.GivenName != "Ana" || p.BirthDate != "1990-05-17" || p.Email != "silva@example.com" {
		t.Fatalf("payload %+v", p)
	}
	if ls := e.mailbox.of(acc.ID); len(ls) != 1 || ls[0].Kind != account.LetterDecision {
		t.Fatalf("letters %+v", ls)
	}
	// Consumed exactly once.
	var first, second bool
	for _, dst := range []*bool{&first, &second} {
		if err := e.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			var err error
			*dst, err = e.m.MarkConsumed(ctx, tx, evs[0].ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if !first || second {
		t.Fatalf("consumed %v %v", first, second)
	}
	if evs, _ := e.m.Outbox(ctx, cases.OutboxApproved, 0, 10); len(evs) != 0 {
		t.Fatalf("still pending %+v", evs)
	}
}

// A failure after the outbox row was written (the decision letter cannot
// be posted) leaves neither the approval nor its event.
func TestFailedApprovalLeavesNeither(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	id, _ := e.submit(t, online(acc.ID, "Silva"))
	e.mailbox.fail = account.LetterDecision
	if err := e.m.ChangeStatus(context.Background(), id, account.StatusApproved, "ok", officer); err == nil {
		t.Fatal("approval went through")
	}
	if e.status(t, id) != account.StatusSubmitted {
		t.Fatal(e.status(t, id))
	}
	if n := e.Count(t, "ircc_outbox"); n != 0 {
		t.Fatalf("outbox %d", n)
	}
	if n := e.Count(t, "ircc_application_events"); n != 1 {
		t.Fatalf("history %d", n)
	}
	if n := e.staffActions(t); n != 0 {
		t.Fatalf("audited %d", n)
	}
	// Once the mailbox works, the approval and its event go together.
	e.mailbox.fail = ""
	if err := e.m.ChangeStatus(context.Background(), id, account.StatusApproved, "ok", officer); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, "ircc_outbox"); n != 1 {
		t.Fatalf("outbox %d", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two officers approving at once: one wins, and exactly one event and one
// decision letter are written.
func TestApprovalsAtOnceWriteOneEvent(t *testing.T) {
	e := start(t)
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	id, _ := e.submit(t, online(acc.ID, "Silva"))
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.m.ChangeStatus(context.Background(), id, account.StatusApproved, "ok", officer)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, cases.ErrTransition) && !errors.Is(err, cases.ErrStale):
			t.Fatal(err)
		}
	}
	if won != 1 || e.Count(t, "ircc_outbox") != 1 || len(e.mailbox.of(acc.ID)) != 1 || e.staffActions(t) != 1 {
		t.Fatalf("%d approvals won, %d events, %d letters", won, e.Count(t, "ircc_outbox"), len(e.mailbox.of(acc.ID)))
	}
}

// A new contact email reaches the account's applications still waiting
// for a decision, and only those: a decided application keeps the address
// it was decided with, and other accounts' applications are untouched.
func TestSetEmailFollowsTheAccountOnOpenApplications(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	acc := e.accounts.enrol("pw-a", "Silva", "en")
	other := e.accounts.enrol("pw-b", "Costa", "en")
	open, _ := e.submit(t, online(acc.ID, "Silva"))
	decided, _ := e.submit(t, online(acc.ID, "Silva"))
	elsewhere, _ := e.submit(t, online(other.ID, "Costa"))
	if err := e.m.ChangeStatus(ctx, decided, account.StatusRefused, "", officer); err != nil {
		t.Fatal(err)
	}
	var n int64
	err := e.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		n, err = e.m.ApplicationList().SetEmail(ctx, tx, acc.ID, "new@example.com")
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("changed %d: %v", n, err)
	}
	for id, want := range map[int64]string{open: "new@example.com", decided: "silva@example.com", elsewhere: "costa@example.com"} {
		var got string
		if err := e.DB.R.Get(&got, `SELECT email FROM ircc_applications WHERE id = ?`, id); err != nil || got != want {
			t.Errorf("application %d: %q, want %q (%v)", id, got, want, err)
		}
	}
}

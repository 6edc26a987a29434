package cases_test

import (
	"context"
	"net/http"
	"testing"

	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

func TestCreateDemoApplicationWaitsForADocument(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	a := e.signIn(t, "Martin", true)
	number, err := e.m.CreateDemoApplication(ctx, a.acc.ID, officer)
	if err != nil {
		t.Fatal(err)
	}
	if !paperNumber.MatchString(number) {
		t.Fatalf("number %q", number)
	}
	var app cases.Application
	if err := e.DB.R.Get(&app, `SELECT id, number, account_id, kind, program, given_name, family_name, birth_date, email, uci, data,
		invitation_id, staff_id, status, submitted_at, updated_at, decided_at FROM ircc_applications`); err != nil {
		t.Fatal(err)
	}
	if app.Number != number || app.Account() != a.acc.ID || app.Kind != account.KindPaper || app.Program != cases.DemoProgram ||
		app.Status != account.StatusInProgress || app.FamilyName != "Martin" || app.BirthDate != a.acc.BirthDate || app.UCI == "" ||
		app.StaffID == nil || *app.StaffID != officer.Staff.ID {
		t.Fatalf("application %+v", app)
	}

	// One letter asks for one document, and the officer's actions are in
	// the history and the audit trail.
	letters := e.mailbox.of(a.acc.ID)
	if len(letters) != 1 || letters[0].Kind != account.LetterDocumentRequest || !letters[0].NeedsReply ||
		letters[0].ApplicationID != app.ID || len(letters[0].DocumentLabels) != 1 || letters[0].StaffID != officer.Staff.ID {
		t.Fatalf("letters %+v", letters)
	}
	var kinds []string
	if err := e.DB.R.Select(&kinds, `SELECT kind FROM ircc_application_events WHERE application_id = ? ORDER BY id`, app.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{cases.EventRecorded, cases.EventDocumentsRequested, cases.EventStatus}
	if len(kinds) != len(want) || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
		t.Fatalf("history %v, want %v", kinds, want)
	}
	if n := e.staffActions(t); n != 2 {
		t.Fatalf("%d staff actions audited, want 2", n)
	}

	// The applicant sees it in progress; the console can ask for more.
	p := a.Get("/en/ircc/applications/" + itoa(app.ID))
	expect(t, p, http.StatusOK, "")
	if p.Text(`[data-testid="app-number"]`) != number || p.Text(`[data-testid="app-status"]`) != "In progress" {
		t.Fatalf("applicant page: %s", p.Text("main"))
	}
	expect(t, staffGet(t, e.App, a.Client, "officer", "/en/staff/ircc/applications/"+itoa(app.ID)), http.StatusOK, "")

	// Again: the same application, nothing new.
	again, err := e.m.CreateDemoApplication(ctx, a.acc.ID, officer)
	if err != nil || again != number {
		t.Fatalf("second time: %q %v", again, err)
	}
	if e.Count(t, "ircc_applications") != 1 || len(e.mailbox.of(a.acc.ID)) != 1 || e.staffActions(t) != 2 {
		t.Fatal("a second demo application")
	}
}

func TestCreateDemoApplicationWritesInTheAccountsLanguage(t *testing.T) {
	e := start(t)
	fr := e.accounts.enrol("", "Roy", "fr")
	if _, err := e.m.CreateDemoApplication(context.Background(), fr.ID, officer); err != nil {
		t.Fatal(err)
	}
	letters := e.mailbox.of(fr.ID)
	if len(letters) != 1 || len(letters[0].DocumentLabels) != 1 || letters[0].DocumentLabels[0] != "Lettre d'acceptation de l'établissement d'enseignement" {
		t.Fatalf("letters %+v", letters)
	}
	if _, err := e.m.CreateDemoApplication(context.Background(), 999, officer); err == nil {
		t.Fatal("an application for no account")
	}
	if e.Count(t, "ircc_applications") != 1 {
		t.Fatal("an application for no account was kept")
	}
}

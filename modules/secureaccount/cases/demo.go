package cases

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/modules/secureaccount/account"
)

// DemoProgram is the program of the demo application.
const DemoProgram = "Study permit"

// demoDocuments are the documents the demo application's letter asks
// for, by language.
var demoDocuments = map[string][]string{
	i18n.EN: {"Letter of acceptance from the school"},
	i18n.FR: {"Lettre d'acceptation de l'établissement d'enseignement"},
}

// CreateDemoApplication gives the account an application in progress
// that waits for a document, for `guichet demo`: a paper application
// recorded by who for the account, whose checklist asks for one document
// (a letter the person answers by uploading it), then moved to in
// progress by who, as the console does. An account that already holds
// the demo application gets its number back. It is never reachable from
// a page.
func (m *Module) CreateDemoApplication(ctx context.Context, accountID int64, who Actor) (number string, err error) {
	apps, err := m.store.ForAccount(ctx, accountID)
	if err != nil {
		return "", err
	}
	for _, a := range apps {
		if a.Kind == account.KindPaper && a.Program == DemoProgram {
			return a.Number, nil
		}
	}
	acc, err := m.accounts.Get(ctx, accountID)
	if err != nil {
		return "", fmt.Errorf("cases: demo application: account %d: %w", accountID, err)
	}
	lang, err := m.langOf(ctx, accountID)
	if err != nil {
		return "", err
	}
	var id int64
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, number, err = m.submit(ctx, tx, account.NewApplication{
			AccountID: accountID, Kind: account.KindPaper, Program: DemoProgram,
			GivenName: acc.GivenName, FamilyName: acc.FamilyName, BirthDate: acc.BirthDate, Email: acc.Email,
			StaffID: who.Staff.ID, DocumentLabels: demoDocuments[lang],
		}, who.Staff.Name)
		if err != nil {
			return err
		}
		return m.staffAudit(ctx, tx, who, audit.Described("cases.audit.paper_demo", number))
	})
	if err != nil {
		return "", fmt.Errorf("cases: demo application: %w", err)
	}
	m.mailQueued()
	if err := m.ChangeStatus(ctx, id, account.StatusInProgress, "Demo: the file is being reviewed.", who); err != nil {
		return "", fmt.Errorf("cases: demo application %s: %w", number, err)
	}
	return number, nil
}

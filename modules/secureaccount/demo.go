package secureaccount

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/db"
	"guichet/modules/secureaccount/account"
)

// CreateDemoAccount enrols a.PairwiseID in the secure account with a's
// details, as the enrolment form would, for `guichet demo`, and returns
// the account's id. An account that already exists for that pairwise id
// is kept as it is: its id comes back with created false. It is never
// reachable from a page.
func (m *Module) CreateDemoAccount(ctx context.Context, a account.Account) (id int64, created bool, err error) {
	if strings.TrimSpace(a.PairwiseID) == "" || strings.TrimSpace(a.FamilyName) == "" || strings.TrimSpace(a.Email) == "" {
		return 0, false, errors.New("secureaccount: demo account needs a pairwise id, a family name and an email")
	}
	if !i18n.Valid(a.Lang) {
		a.Lang = i18n.EN
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, tx.Rebind(`SELECT id FROM ircc_accounts WHERE pairwise_id = ?`), a.PairwiseID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, db.ErrNoRows) {
			return fmt.Errorf("secureaccount: demo account: %w", err)
		}
		if id, err = m.store.Create(ctx, tx, a); err != nil {
			return err
		}
		created = true
		return m.audit.Service(ctx, tx, Service, a.PairwiseID, audit.ServiceEnrolled, "", "", "demo")
	})
	if err != nil {
		return 0, false, err
	}
	return id, created, nil
}

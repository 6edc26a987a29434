package expressentry

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/i18n"
	"guichet/modules/secureaccount/account"
)

// ExpireProfiles takes out of the pool the profiles whose 12 months are
// over, and writes to each person. It returns how many expired.
func (m *Module) ExpireProfiles(ctx context.Context) (int64, error) {
	now := m.clock.Now()
	var due []struct {
		ID        int64     `db:"id"`
		AccountID int64     `db:"account_id"`
		Number    string    `db:"number"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	var n int64
	langs := map[int64]string{}
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &due, m.db.Rebind(`SELECT id, account_id, number, expires_at FROM ircc_profiles
			WHERE status = 'submitted' AND expires_at <= ? ORDER BY id`), now)
		if err != nil {
			return err
		}
		for _, p := range due {
			ok, err := m.store.setStatus(ctx, tx, p.ID, StatusSubmitted, StatusExpired, now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			lang, err := m.letterLang(ctx, langs, p.AccountID)
			if err != nil {
				return err
			}
			_, err = m.mailbox.Post(ctx, tx, p.AccountID, account.Letter{
				Kind:    account.LetterProcedural,
				Subject: i18n.In(lang, "ee.letter.expired_subject"),
				Body:    i18n.In(lang, "ee.letter.expired_body", p.Number, i18n.FormatDate(lang, p.ExpiresAt)),
			})
			if err != nil {
				return fmt.Errorf("expiry letter for profile %d: %w", p.ID, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		m.kickMail()
	}
	return n, nil
}

// ExpireInvitations closes the invitations nobody answered within 60
// days; their profiles leave the pool, and each person is told.
func (m *Module) ExpireInvitations(ctx context.Context) (int64, error) {
	now := m.clock.Now()
	var due []struct {
		ID        int64  `db:"id"`
		ProfileID int64  `db:"profile_id"`
		AccountID int64  `db:"account_id"`
		Number    string `db:"number"`
	}
	var n int64
	langs := map[int64]string{}
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &due, m.db.Rebind(`SELECT i.id, i.profile_id, i.account_id, p.number
			FROM ircc_invitations i JOIN ircc_profiles p ON p.id = i.profile_id
			WHERE i.status = 'open' AND i.respond_by <= ? ORDER BY i.id`), now)
		if err != nil {
			return err
		}
		for _, inv := range due {
			res, err := tx.ExecContext(ctx, m.db.Rebind(`UPDATE ircc_invitations SET status = 'expired' WHERE id = ? AND status = 'open'`), inv.ID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				continue
			}
			if _, err := m.store.setStatus(ctx, tx, inv.ProfileID, StatusInvited, StatusExpired, now); err != nil {
				return err
			}
			lang, err := m.letterLang(ctx, langs, inv.AccountID)
			if err != nil {
				return err
			}
			_, err = m.mailbox.Post(ctx, tx, inv.AccountID, account.Letter{
				Kind:    account.LetterProcedural,
				Subject: i18n.In(lang, "ee.letter.inv_expired_subject"),
				Body:    i18n.In(lang, "ee.letter.inv_expired_body", inv.Number),
			})
			if err != nil {
				return fmt.Errorf("letter for invitation %d: %w", inv.ID, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		m.kickMail()
	}
	return n, nil
}

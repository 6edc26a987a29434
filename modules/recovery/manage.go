package recovery

import (
	"net/http"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/recovery/views"
)

// manageShow tells how many codes are left, warning at 2 or fewer.
func (m *Module) manageShow(c echo.Context) error {
	s, _, done, err := m.level2(c)
	if done {
		return err
	}
	ctx := c.Request().Context()
	n, err := m.Remaining(ctx, s.Kind, s.ID)
	if err != nil {
		return err
	}
	v := views.ManageView{Remaining: n, Warn: n <= WarnAt, Action: web.URL(c, base+"/new"), Back: web.URL(c, twoFactorDone)}
	if _, ok, err := m.store.GetShown(ctx, s.Kind, s.ID, m.clock.Now().Add(-ShowFor)); err != nil {
		return err
	} else if ok {
		v.Unsaved = web.URL(c, codesPath+"?then="+thenManage)
	}
	return web.Render(c, http.StatusOK, views.Manage(v))
}

// newSubmit replaces the set. It needs a second-factor check within the
// last 20 minutes; otherwise the person confirms a code first.
func (m *Module) newSubmit(c echo.Context) error {
	s, st, done, err := m.level2(c)
	if done {
		return err
	}
	now := m.clock.Now()
	if !st.MFAWithin(now, ChangeWindow) {
		return web.Redirect(c, web.URL(c, twoFactorIndex+"?next=codes"))
	}
	ctx := c.Request().Context()
	addr, lang, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil {
		return err
	}
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.IssueNew(ctx, tx, s.Kind, s.ID); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, s.ID, audit.RecoveryCodesIssued, ip, ua, "new set asked for"); err != nil {
			return err
		}
		return m.securityMail(ctx, tx, addr, lang, "recovery.mail_new_subject", "recovery.mail_new_body", i18n.FormatDateTime(lang, now))
	})
	if err != nil {
		return err
	}
	m.mailQueued()
	return web.Redirect(c, web.URL(c, codesPath+"?then="+thenManage))
}

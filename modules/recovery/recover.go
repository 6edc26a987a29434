package recovery

import (
	"errors"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/recovery/views"
)

// recoverAccess lets a signed-in GCKey credential (after its password)
// try a recovery code, unless the second step is locked. done means a
// response was written.
func (m *Module) recoverAccess(c echo.Context) (subject, bool, error) {
	s, _, ok := m.who(c)
	if !ok {
		return s, true, web.Redirect(c, web.URL(c, signIn))
	}
	if until, locked, err := m.lockedUntil(c, s); err != nil || locked {
		if err != nil {
			return s, true, err
		}
		return s, true, web.Render(c, http.StatusTooManyRequests, views.Locked(views.LockedView{Until: until, Lost: web.URL(c, base+"/lost")}))
	}
	return s, false, nil
}

// renderLocked is the page saying when the second step opens again.
func (m *Module) renderLocked(c echo.Context, until time.Time) error {
	return web.Render(c, http.StatusTooManyRequests, views.Locked(views.LockedView{
		Until: i18n.FormatTime(web.Lang(c), until), Lost: web.URL(c, base+"/lost"),
	}))
}

func (m *Module) recoverView(c echo.Context) views.RecoverView {
	return views.RecoverView{Action: web.URL(c, base+"/recover"), Back: web.URL(c, twoFactorVerify), Lost: web.URL(c, base+"/lost")}
}

func (m *Module) recoverShow(c echo.Context) error {
	if _, done, err := m.recoverAccess(c); done {
		return err
	}
	return web.Render(c, http.StatusOK, views.Recover(m.recoverView(c)))
}

var errWrongCode = errors.New("recovery: wrong code")

// recoverSubmit uses a recovery code in place of the second factor. The
// code, the record and the security mail commit together; then the
// session counts as checked (so the method can be set up again) and the
// credential's other sessions end.
func (m *Module) recoverSubmit(c echo.Context) error {
	s, done, err := m.recoverAccess(c)
	if done {
		return err
	}
	f := recoverForm{Code: c.FormValue("code")}
	v := m.recoverView(c)
	v.Code = f.Code
	if key := f.Validate(); key != "" {
		v.ErrorKey = key
		return web.Render(c, http.StatusUnprocessableEntity, views.Recover(v))
	}
	try, err := m.takeTry(c, s)
	if err != nil {
		return err
	}
	if !try.Allowed {
		return m.renderLocked(c, try.Until)
	}
	ctx := c.Request().Context()
	addr, lang, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil {
		return err
	}
	ip, ua := web.Client(c)
	now := m.clock.Now()
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.Consume(ctx, tx, s.Kind, s.ID, f.Code)
		if err != nil {
			return err
		}
		if !ok {
			return errWrongCode
		}
		if err := m.audit.Credential(ctx, tx, s.ID, audit.RecoveryCodeUsed, ip, ua, ""); err != nil {
			return err
		}
		return m.securityMail(ctx, tx, addr, lang, "recovery.mail_used_subject", "recovery.mail_used_body", i18n.FormatDateTime(lang, now))
	})
	if errors.Is(err, errWrongCode) {
		until, locked, err := m.wrongCode(c, s, try)
		if err != nil {
			return err
		}
		if locked {
			return m.renderLocked(c, until)
		}
		v.ErrorKey = "recovery.error_code_wrong"
		return web.Render(c, http.StatusUnprocessableEntity, views.Recover(v))
	}
	if err != nil {
		return err
	}
	m.mailQueued()
	if err := m.identity.SecondFactorVerified(ctx, now, identity.FactorRecovery); err != nil {
		return err
	}
	if err := m.throttle.Reset(ctx, m.counterKey(s.Kind, s.ID)); err != nil {
		return err
	}
	if err := m.endOtherSessions(c, s.ID, "a recovery code was used"); err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, base+"/recovered"))
}

// recoveredShow sends the person on to set up a method again.
func (m *Module) recoveredShow(c echo.Context) error {
	s, _, done, err := m.level2(c)
	if done {
		return err
	}
	n, err := m.Remaining(c.Request().Context(), s.Kind, s.ID)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Recovered(views.RecoveredView{Remaining: n, Warn: n <= WarnAt, Setup: web.URL(c, twoFactorSetup)}))
}

func (m *Module) lostShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.Lost())
}

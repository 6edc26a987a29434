package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/auth/views"
)

func (m *Module) accountShow(c echo.Context) error {
	cr, err := m.account(c, false)
	if cr == nil {
		return err
	}
	v := views.AccountView{Username: cr.Username, Email: cr.Email, Done: views.Done(c.QueryParam("done"))}
	if cr.LastUsedAt != nil {
		v.LastSignIn = i18n.FormatDateTime(web.Lang(c), *cr.LastUsedAt)
	}
	return web.Render(c, http.StatusOK, views.Account(v))
}

func (m *Module) activityShow(c echo.Context) error {
	cr, err := m.account(c, false)
	if cr == nil {
		return err
	}
	entries, err := m.audit.Recent(c.Request().Context(), cr.Cred, activityLimit)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	v := views.ActivityView{Rows: make([]views.ActivityRow, 0, len(entries))}
	for _, e := range entries {
		v.Rows = append(v.Rows, views.ActivityRow{When: i18n.FormatDateTime(lang, e.At), Event: eventLabel(lang, e.Event), IP: e.IP})
	}
	return web.Render(c, http.StatusOK, views.Activity(v))
}

// eventLabel names an audit event in plain words; events recorded by
// modules added later fall back to a general label.
func eventLabel(lang string, ev audit.Event) string {
	key := "auth.event." + string(ev)
	if i18n.Has(lang, key) {
		return i18n.In(lang, key)
	}
	return i18n.In(lang, "auth.event.other")
}

func (m *Module) passwordShow(c echo.Context) error {
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ChangePassword(views.PasswordView{}))
}

// passwordSubmit changes the password after checking the current one, and
// ends the person's other sessions.
func (m *Module) passwordSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	f := changePasswordForm{Current: c.FormValue("current"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	v := views.PasswordView{Errs: f.validate(cr.Username)}
	if len(v.Errs) == 0 {
		ok, _, err := m.hasher.Verify(ctx, cr.PasswordHash, f.Current)
		if err != nil {
			return err
		}
		if !ok {
			v.Errs = views.Problems{problem("current", "auth.change.current_wrong")}
		}
	}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ChangePassword(v))
	}
	hash, err := m.hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.store.SetPassword(ctx, tx, cr.Cred, hash); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.PasswordChanged, ip, ua, ""); err != nil {
			return err
		}
		return m.securityNotice(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.password_subject"), i18n.In(lang, "auth.mail.password_body", cr.Username))
	})
	if err != nil {
		return err
	}
	m.kickMail()
	if _, err := m.sessions.Store.EndCredential(ctx, cr.Cred, m.sessions.Token(ctx)); err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/gckey/account?done=password"))
}

func (m *Module) emailShow(c echo.Context) error {
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ChangeEmail(views.EmailView{Current: cr.Email}))
}

// emailSubject binds a change code to the credential and the new address,
// so a code sent to one address cannot confirm another.
func emailSubject(cred, addr string) string { return cred + "|" + normEmail(addr) }

// emailSubmit sends a code to the new address; the address changes only
// once the code comes back.
func (m *Module) emailSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	addr := strings.TrimSpace(c.FormValue("email"))
	v := views.EmailView{Current: cr.Email, Email: addr, Errs: emailProblems("email", addr)}
	if len(v.Errs) == 0 && normEmail(addr) == cr.EmailNorm {
		v.Errs = views.Problems{problem("email", "auth.email.same")}
	}
	if len(v.Errs) == 0 {
		ok, err := m.allowCodeSend(ctx, addr)
		if err != nil {
			return err
		}
		if !ok {
			v.Errs = views.Problems{problem("email", "auth.code.too_many")}
		}
	}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ChangeEmail(v))
	}
	lang := web.Lang(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		code, err := m.codes.Issue(ctx, tx, purposeEmailChange, emailSubject(cr.Cred, addr), codes.Digits, codeTTL)
		if err != nil {
			return err
		}
		return m.post(ctx, tx, addr, lang,
			i18n.In(lang, "auth.mail.email_code_subject"),
			i18n.In(lang, "auth.mail.email_code_body", code, strconv.Itoa(int(codeTTL.Minutes()))))
	})
	if err != nil {
		return err
	}
	m.kickMail()
	m.sessions.Put(ctx, keyNewEmail, addr)
	return web.Redirect(c, web.URL(c, "/gckey/account/email/confirm"))
}

func (m *Module) emailConfirmShow(c echo.Context) error {
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	addr := m.sessions.GetString(c.Request().Context(), keyNewEmail)
	if addr == "" {
		return web.Redirect(c, web.URL(c, "/gckey/account/email"))
	}
	return web.Render(c, http.StatusOK, views.ConfirmEmail(views.EmailConfirmView{Email: addr}))
}

// emailConfirmSubmit changes the address once its code is right, and tells
// the old address.
func (m *Module) emailConfirmSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	addr := m.sessions.GetString(ctx, keyNewEmail)
	if addr == "" {
		return web.Redirect(c, web.URL(c, "/gckey/account/email"))
	}
	typed := c.FormValue("code")
	v := views.EmailConfirmView{Email: addr, Errs: codeProblems(typed)}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConfirmEmail(v))
	}
	// Each code is counted before it is checked, so codes sent all at once
	// get at most codeGuesses of them checked; a right one clears the count.
	guessKey := "email-change-code:" + cr.Cred
	if try, err := m.throttle.Take(ctx, guessKey, guessRule); err != nil {
		return err
	} else if !try.Allowed {
		v.Errs = views.Problems{problem("code", "auth.code.locked")}
		return web.Render(c, http.StatusTooManyRequests, views.ConfirmEmail(v))
	}
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.codes.Consume(ctx, tx, purposeEmailChange, emailSubject(cr.Cred, addr), codes.Digits, typed)
		if err != nil {
			return err
		}
		if !ok {
			return errStop
		}
		if err := m.store.SetEmail(ctx, tx, cr.Cred, addr, m.clock.Now()); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.EmailChanged, ip, ua, ""); err != nil {
			return err
		}
		return m.securityNotice(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.email_changed_subject"), i18n.In(lang, "auth.mail.email_changed_body", cr.Username, addr))
	})
	if errors.Is(err, errStop) {
		v.Errs = views.Problems{problem("code", "auth.code.wrong")}
		return web.Render(c, http.StatusUnprocessableEntity, views.ConfirmEmail(v))
	}
	if err != nil {
		return err
	}
	m.kickMail()
	if err := m.throttle.Reset(ctx, guessKey); err != nil {
		return err
	}
	m.sessions.Remove(ctx, keyNewEmail)
	return web.Redirect(c, web.URL(c, "/gckey/account?done=email"))
}

func (m *Module) sessionsShow(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	n, err := m.sessions.Store.CountCredential(ctx, cr.Cred)
	if err != nil {
		return err
	}
	// This session is one of them.
	return web.Render(c, http.StatusOK, views.EndSessions(views.SessionsView{Others: max(n-1, 0)}))
}

// sessionsSubmit signs out every session of the credential but this one.
func (m *Module) sessionsSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	n, err := m.sessions.Store.EndCredential(ctx, cr.Cred, m.sessions.Token(ctx))
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.SessionsEnded, ip, ua, strconv.FormatInt(n, 10)); err != nil {
			return err
		}
		return m.securityNotice(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.sessions_subject"), i18n.In(lang, "auth.mail.sessions_body", cr.Username))
	})
	if err != nil {
		return err
	}
	m.kickMail()
	return web.Redirect(c, web.URL(c, "/gckey/account?done=sessions"))
}

func (m *Module) closeShow(c echo.Context) error {
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Close(views.CloseView{Username: cr.Username}))
}

// closeSubmit closes the GCKey once the password is confirmed: the
// username stays reserved, the pairwise identifiers are forgotten (the
// service accounts become unreachable) and every session ends.
func (m *Module) closeSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	cr, err := m.account(c, true)
	if cr == nil {
		return err
	}
	pw := c.FormValue("password")
	v := views.CloseView{Username: cr.Username}
	if pw == "" {
		v.Errs = views.Problems{problem("password", "auth.close.password_required")}
	} else {
		ok, _, err := m.hasher.Verify(ctx, cr.PasswordHash, pw)
		if err != nil {
			return err
		}
		if !ok {
			v.Errs = views.Problems{problem("password", "auth.change.current_wrong")}
		}
	}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Close(v))
	}
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.store.Close(ctx, tx, cr.Cred, m.clock.Now()); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.CredentialClosed, ip, ua, ""); err != nil {
			return err
		}
		return m.securityNotice(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.closed_subject"), i18n.In(lang, "auth.mail.closed_body", cr.Username))
	})
	if err != nil {
		return err
	}
	m.kickMail()
	if err := m.pairwise.Forget(ctx, identity.Ref(cr.Cred)); err != nil {
		return err
	}
	if _, err := m.sessions.Store.EndCredential(ctx, cr.Cred, ""); err != nil {
		return err
	}
	if err := m.identity.SignOut(ctx); err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/gckey/closed"))
}

func (m *Module) closedShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.Message(views.MessageView{
		TitleKey: "auth.closed.title", TestID: "closed",
		ParaKeys: []string{"auth.closed.p1", "auth.closed.p2"},
		Links:    []views.Link{{Href: "/", LabelKey: "auth.closed.home"}},
	}))
}

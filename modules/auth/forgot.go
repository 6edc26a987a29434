package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/password"
	"guichet/app/web"
	"guichet/modules/auth/views"
)

func (m *Module) forgotUsernameShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.ForgotUsername(views.ForgotUsernameView{}))
}

// forgotUsernameSubmit emails the usernames whose verified recovery email
// is the one typed. The next page is the same whether any matched, and
// sends to one address are limited like codes.
func (m *Module) forgotUsernameSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	addr := strings.TrimSpace(c.FormValue("email"))
	v := views.ForgotUsernameView{Email: addr, Errs: emailProblems("email", addr)}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ForgotUsername(v))
	}
	creds, err := m.store.ByEmail(ctx, normEmail(addr))
	if err != nil {
		return err
	}
	if len(creds) > 0 {
		ok, err := m.allowCodeSend(ctx, addr)
		if err != nil {
			return err
		}
		if ok {
			if err := m.sendUsernames(c, addr, creds); err != nil {
				return err
			}
		}
	}
	return web.Redirect(c, web.URL(c, "/gckey/forgot-username/sent"))
}

func (m *Module) sendUsernames(c echo.Context, addr string, creds []Credential) error {
	ctx := c.Request().Context()
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	names := make([]string, 0, len(creds))
	for _, cr := range creds {
		names = append(names, "    "+cr.Username)
	}
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, cr := range creds {
			if err := m.audit.Credential(ctx, tx, cr.Cred, audit.UsernameReminder, ip, ua, ""); err != nil {
				return err
			}
		}
		return m.post(ctx, tx, addr, lang,
			i18n.In(lang, "auth.mail.username_subject"),
			i18n.In(lang, "auth.mail.username_body", strings.Join(names, "\n"), m.linkBase(c)+web.URL(c, "/gckey/signin")))
	})
	if err == nil {
		m.kickMail()
	}
	return err
}

func (m *Module) forgotUsernameSent(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.Message(views.MessageView{
		TitleKey: "auth.forgot_username.sent_title", TestID: "username-sent",
		ParaKeys: []string{"auth.forgot_username.sent_p1", "auth.forgot_username.sent_p2"},
		Links:    []views.Link{{Href: "/gckey/signin", LabelKey: "auth.back_to_signin"}},
	}))
}

func (m *Module) forgotPasswordShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.ForgotPassword(views.ForgotPasswordView{}))
}

// forgotPasswordSubmit emails a reset link to the username's verified
// recovery email. The next page is the same whether the username exists.
func (m *Module) forgotPasswordSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	username := strings.TrimSpace(c.FormValue("username"))
	if username == "" {
		v := views.ForgotPasswordView{Errs: views.Problems{problem("username", "auth.signin.username_required")}}
		return web.Render(c, http.StatusUnprocessableEntity, views.ForgotPassword(v))
	}
	cr, err := m.store.ByUsername(ctx, password.NormalizeUsername(username))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err == nil && !cr.Closed() && cr.ExpiredAt == nil && cr.EmailVerifiedAt != nil {
		ok, err := m.allowCodeSend(ctx, cr.Email)
		if err != nil {
			return err
		}
		if ok {
			if err := m.sendResetLink(c, cr); err != nil {
				return err
			}
		}
	}
	return web.Redirect(c, web.URL(c, "/gckey/forgot-password/sent"))
}

func (m *Module) sendResetLink(c echo.Context, cr Credential) error {
	ctx := c.Request().Context()
	lang := web.Lang(c)
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		token, err := m.codes.Issue(ctx, tx, purposeReset, cr.Cred, codes.Token, resetTTL)
		if err != nil {
			return err
		}
		link := m.linkBase(c) + web.URL(c, "/gckey/reset?token="+url.QueryEscape(token))
		return m.post(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.reset_subject"),
			i18n.In(lang, "auth.mail.reset_body", cr.Username, link, strconv.Itoa(int(resetTTL.Minutes()))))
	})
	if err == nil {
		m.kickMail()
	}
	return err
}

func (m *Module) forgotPasswordSent(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.Message(views.MessageView{
		TitleKey: "auth.forgot_password.sent_title", TestID: "reset-sent",
		ParaKeys: []string{"auth.forgot_password.sent_p1", "auth.forgot_password.sent_p2"},
		Links:    []views.Link{{Href: "/gckey/signin", LabelKey: "auth.back_to_signin"}},
	}))
}

// resetCredential finds the open credential a reset token names, without
// using the token.
func (m *Module) resetCredential(c echo.Context, token string) (*Credential, error) {
	ctx := c.Request().Context()
	if token == "" {
		return nil, nil
	}
	cred, err := m.codes.Lookup(ctx, purposeReset, token)
	if errors.Is(err, codes.ErrInvalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cr, err := m.store.ByCred(ctx, cred)
	if errors.Is(err, ErrNotFound) || (err == nil && (cr.Closed() || cr.ExpiredAt != nil)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &cr, nil
}

func (m *Module) resetInvalid(c echo.Context) error {
	return web.Render(c, http.StatusGone, views.Message(views.MessageView{
		TitleKey: "auth.reset.invalid_title", TestID: "reset-invalid",
		ParaKeys: []string{"auth.reset.invalid_p1"},
		Links:    []views.Link{{Href: "/gckey/forgot-password", LabelKey: "auth.reset.invalid_again"}},
	}))
}

// needsCode tells whether a reset must also take a recovery code: when the
// only second factor is email, the inbox that got the link must not be
// enough to take the account.
func (m *Module) needsCode(c echo.Context, cred string) (bool, error) {
	kind, id := subject(cred)
	return m.factors.OnlyEmail(c.Request().Context(), kind, id)
}

func (m *Module) resetShow(c echo.Context) error {
	token := c.QueryParam("token")
	cr, err := m.resetCredential(c, token)
	if err != nil {
		return err
	}
	if cr == nil {
		return m.resetInvalid(c)
	}
	need, err := m.needsCode(c, cr.Cred)
	if err != nil {
		return err
	}
	// The page carries the token: keep it out of every cache.
	c.Response().Header().Set("Cache-Control", "no-store")
	return web.Render(c, http.StatusOK, views.Reset(views.ResetView{Token: token, Username: cr.Username, NeedCode: need}))
}

// resetSubmit sets the new password. The token, the recovery code (when
// one is needed), the new hash, the audit entry and the notice commit
// together or not at all. Every session of the credential then ends; the
// person signs in again, second factor included.
func (m *Module) resetSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := resetForm{Token: c.FormValue("token"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm"), Code: c.FormValue("code")}
	cr, err := m.resetCredential(c, f.Token)
	if err != nil {
		return err
	}
	if cr == nil {
		return m.resetInvalid(c)
	}
	need, err := m.needsCode(c, cr.Cred)
	if err != nil {
		return err
	}
	v := views.ResetView{Token: f.Token, Username: cr.Username, NeedCode: need, Errs: f.validate(cr.Username, need)}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Reset(v))
	}
	// A recovery code is counted before it is checked, so codes sent all
	// at once get at most secondStepLimit of them checked.
	if need {
		if try, err := m.throttle.Take(ctx, secondStepKey(cr.Cred), secondStepRule); err != nil {
			return err
		} else if !try.Allowed {
			v.Errs = views.Problems{problem("code", "auth.reset.code_locked")}
			return web.Render(c, http.StatusTooManyRequests, views.Reset(v))
		}
	}
	hash, err := m.hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		cred, err := m.codes.ConsumeToken(ctx, tx, purposeReset, f.Token)
		if err != nil {
			return err
		}
		if cred != cr.Cred {
			return codes.ErrInvalid
		}
		if need {
			kind, id := subject(cr.Cred)
			ok, err := m.recovery.Consume(ctx, tx, kind, id, f.Code)
			if err != nil {
				return err
			}
			if !ok {
				return errStop
			}
		}
		if err := m.store.SetPassword(ctx, tx, cr.Cred, hash); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.PasswordReset, ip, ua, ""); err != nil {
			return err
		}
		return m.securityNotice(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.reset_done_subject"), i18n.In(lang, "auth.mail.reset_done_body", cr.Username))
	})
	switch {
	case errors.Is(err, codes.ErrInvalid):
		return m.resetInvalid(c)
	case errors.Is(err, errStop):
		v.Errs = views.Problems{problem("code", "auth.reset.code_wrong")}
		return web.Render(c, http.StatusUnprocessableEntity, views.Reset(v))
	case err != nil:
		return err
	}
	m.kickMail()
	if _, err := m.sessions.Store.EndCredential(ctx, cr.Cred, ""); err != nil {
		return err
	}
	// The owner proved control of the recovery email: lift a lock on the
	// username so they can sign in with the new password.
	if err := m.throttle.Reset(ctx, userKey(cr.UsernameNorm)); err != nil {
		return err
	}
	// A right recovery code clears the count of wrong answers, as it does
	// on the recovery module's own page.
	if need {
		if err := m.throttle.Reset(ctx, secondStepKey(cr.Cred)); err != nil {
			return err
		}
	}
	return web.Redirect(c, web.URL(c, "/gckey/signin?done=reset"))
}

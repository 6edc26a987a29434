package auth

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/password"
	"guichet/app/web"
	"guichet/modules/auth/views"
	"guichet/templates"
)

// entryShow is /{lang}/gckey/: the management page when fully signed in,
// the welcome page after the password alone, and otherwise the shared
// sign-in chooser with its GCKey part only (sign in, create a GCKey).
func (m *Module) entryShow(c echo.Context) error {
	ctx := c.Request().Context()
	service := c.QueryParam("service")
	m.identity.SetPending(ctx, service)
	st, ok := m.gckey(ctx)
	switch {
	case ok && st.AAL >= identity.AAL2:
		return web.Redirect(c, web.URL(c, "/gckey/account"))
	case ok:
		return web.Redirect(c, web.URL(c, "/gckey/welcome"))
	}
	if !identity.ValidService(service) {
		service = ""
	}
	return web.Render(c, http.StatusOK, templates.Chooser(templates.ChooserView{
		ServiceName: i18n.T(ctx, "service.gckey.title"), Service: service, GCKeyOnly: true,
	}))
}

// termsShow is the sign-up's first step. A ?service= on the link names the
// service to return to afterwards.
func (m *Module) termsShow(c echo.Context) error {
	m.identity.SetPending(c.Request().Context(), c.QueryParam("service"))
	return web.Render(c, http.StatusOK, views.Terms(views.TermsView{}))
}

func (m *Module) termsSubmit(c echo.Context) error {
	if c.FormValue("accept") != "yes" {
		v := views.TermsView{Errs: views.Problems{problem("accept", "auth.terms.required")}}
		return web.Render(c, http.StatusUnprocessableEntity, views.Terms(v))
	}
	m.sessions.Put(c.Request().Context(), keyTerms, true)
	return web.Redirect(c, web.URL(c, "/gckey/signup/details"))
}

func (m *Module) detailsShow(c echo.Context) error {
	ctx := c.Request().Context()
	if !m.sessions.GetBool(ctx, keyTerms) {
		return web.Redirect(c, web.URL(c, "/gckey/signup"))
	}
	v := views.DetailsView{Restart: c.QueryParam("restart") == "1"}
	// Coming back from the code page to correct something: show what
	// was typed, except the password.
	if id := m.sessions.GetString(ctx, keySignup); id != "" {
		if su, err := m.store.Signup(ctx, id, m.clock.Now().Add(-signupTTL)); err == nil {
			v.Username, v.Email = su.Username, su.Email
		}
	}
	return web.Render(c, http.StatusOK, views.Details(v))
}

func (m *Module) detailsSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	if !m.sessions.GetBool(ctx, keyTerms) {
		return web.Redirect(c, web.URL(c, "/gckey/signup"))
	}
	f := readDetails(c)
	v := views.DetailsView{Username: f.Username, Email: f.Email, Errs: f.validate()}
	norm := password.NormalizeUsername(f.Username)
	if !v.Errs.Has("username") {
		taken, err := m.store.UsernameTaken(ctx, norm)
		if err != nil {
			return err
		}
		if taken {
			v.Errs = append(views.Problems{problem("username", "auth.username.taken")}, v.Errs...)
		}
	}
	if len(v.Errs) == 0 {
		ok, err := m.allowCodeSend(ctx, f.Email)
		if err != nil {
			return err
		}
		if !ok {
			v.Errs = views.Problems{problem("email", "auth.code.too_many")}
		}
	}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Details(v))
	}

	hash, err := m.hasher.Hash(ctx, f.Password)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	lang := web.Lang(c)
	su := Signup{ID: randomID(), Username: f.Username, UsernameNorm: norm, PasswordHash: hash, Email: f.Email, Lang: lang, CreatedAt: now}
	old := m.sessions.GetString(ctx, keySignup)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if old != "" {
			if err := m.store.DeleteSignup(ctx, tx, old); err != nil {
				return err
			}
		}
		if err := m.store.AddSignup(ctx, tx, su, now.Add(-signupTTL)); err != nil {
			return err
		}
		return m.sendSignupCode(c, tx, su)
	})
	if err != nil {
		return err
	}
	m.kickMail()
	m.sessions.Put(ctx, keySignup, su.ID)
	return web.Redirect(c, web.URL(c, "/gckey/signup/verify"))
}

func (m *Module) sendSignupCode(c echo.Context, tx *sqlx.Tx, su Signup) error {
	ctx := c.Request().Context()
	code, err := m.codes.Issue(ctx, tx, purposeSignup, su.ID, codes.Digits, codeTTL)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	return m.post(ctx, tx, su.Email, lang,
		i18n.In(lang, "auth.mail.signup_subject"),
		i18n.In(lang, "auth.mail.signup_body", code, strconv.Itoa(int(codeTTL.Minutes()))))
}

// pendingSignup returns the session's sign-up, or redirects to start it
// again (it ran out of time, or there is none) and returns nil.
func (m *Module) pendingSignup(c echo.Context) (*Signup, error) {
	ctx := c.Request().Context()
	id := m.sessions.GetString(ctx, keySignup)
	if id == "" {
		return nil, web.Redirect(c, web.URL(c, "/gckey/signup"))
	}
	su, err := m.store.Signup(ctx, id, m.clock.Now().Add(-signupTTL))
	if errors.Is(err, ErrNotFound) {
		m.sessions.Remove(ctx, keySignup)
		return nil, web.Redirect(c, web.URL(c, "/gckey/signup/details?restart=1"))
	}
	if err != nil {
		return nil, err
	}
	return &su, nil
}

func (m *Module) verifyShow(c echo.Context) error {
	su, err := m.pendingSignup(c)
	if su == nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Verify(views.VerifyView{Email: su.Email, Resent: c.QueryParam("resent") == "1"}))
}

func (m *Module) verifyResend(c echo.Context) error {
	ctx := c.Request().Context()
	su, err := m.pendingSignup(c)
	if su == nil {
		return err
	}
	ok, err := m.allowCodeSend(ctx, su.Email)
	if err != nil {
		return err
	}
	if !ok {
		v := views.VerifyView{Email: su.Email, Errs: views.Problems{problem("code", "auth.code.too_many")}}
		return web.Render(c, http.StatusTooManyRequests, views.Verify(v))
	}
	if err := m.db.Tx(ctx, func(tx *sqlx.Tx) error { return m.sendSignupCode(c, tx, *su) }); err != nil {
		return err
	}
	m.kickMail()
	// A new code gets a fresh count of wrong guesses.
	if err := m.throttle.Reset(ctx, "signup-code:"+su.ID); err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/gckey/signup/verify?resent=1"))
}

func (m *Module) verifySubmit(c echo.Context) error {
	ctx := c.Request().Context()
	su, err := m.pendingSignup(c)
	if su == nil {
		return err
	}
	typed := c.FormValue("code")
	v := views.VerifyView{Email: su.Email, Errs: codeProblems(typed)}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Verify(v))
	}
	// Each code is counted before it is checked, so codes sent all at once
	// get at most codeGuesses of them checked. A right one ends the
	// sign-up, and with it the use of this count.
	guessKey := "signup-code:" + su.ID
	if try, err := m.throttle.Take(ctx, guessKey, guessRule); err != nil {
		return err
	} else if !try.Allowed {
		v.Errs = views.Problems{problem("code", "auth.code.locked")}
		return web.Render(c, http.StatusTooManyRequests, views.Verify(v))
	}

	ref, err := identity.NewRef(identity.KindGCKey)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	ip, ua := web.Client(c)
	device := m.deviceID(c)
	if device == "" {
		device = newDeviceID()
	}
	lang := web.Lang(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.codes.Consume(ctx, tx, purposeSignup, su.ID, codes.Digits, typed)
		if err != nil {
			return err
		}
		if !ok {
			return errStop
		}
		cr := Credential{
			Cred: string(ref), Username: su.Username, UsernameNorm: su.UsernameNorm, PasswordHash: su.PasswordHash,
			Email: su.Email, EmailNorm: normEmail(su.Email), EmailVerifiedAt: &now, Lang: lang, CreatedAt: now, LastUsedAt: &now,
		}
		if err := m.store.Create(ctx, tx, cr); err != nil {
			return err
		}
		if err := m.store.DeleteSignup(ctx, tx, su.ID); err != nil {
			return err
		}
		if err := m.store.AddDevice(ctx, tx, deviceHash(device), cr.Cred, now); err != nil {
			return err
		}
		return m.audit.Credential(ctx, tx, cr.Cred, audit.SignUp, ip, ua, "")
	})
	switch {
	case errors.Is(err, errStop):
		v.Errs = views.Problems{problem("code", "auth.code.wrong")}
		return web.Render(c, http.StatusUnprocessableEntity, views.Verify(v))
	case errors.Is(err, ErrUsernameTaken):
		// Someone took the username while the code was on its way.
		if err := m.db.Tx(ctx, func(tx *sqlx.Tx) error { return m.store.DeleteSignup(ctx, tx, su.ID) }); err != nil {
			return err
		}
		m.sessions.Remove(ctx, keySignup)
		dv := views.DetailsView{Username: su.Username, Email: su.Email, Errs: views.Problems{problem("username", "auth.username.taken")}}
		return web.Render(c, http.StatusConflict, views.Details(dv))
	case err != nil:
		return err
	}
	// Signed in at level 1; the two-factor module's set-up comes next
	// and is mandatory. The pending service survives the renewal.
	if err := m.identity.PasswordVerified(ctx, ref); err != nil {
		return err
	}
	m.setDeviceCookie(c, device)
	return web.Redirect(c, web.URL(c, "/gckey/2fa/"))
}

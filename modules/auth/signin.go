package auth

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/password"
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/modules/auth/views"
)

// signinShow is the sign-in form. A ?service= on the link names the service
// to return to afterwards.
func (m *Module) signinShow(c echo.Context) error {
	m.identity.SetPending(c.Request().Context(), c.QueryParam("service"))
	return web.Render(c, http.StatusOK, views.Signin(views.SigninView{Reset: c.QueryParam("done") == "reset"}))
}

// signinSubmit checks a username and password. Every failure, whether the
// username exists or not, costs one argon2id computation and gets the same
// page, and is counted against the username and the address.
//
// The username's count takes each try before its password is checked
// (throttle.Take), known username or not, so passwords sent all at once
// get at most userFailLimit of them checked; a right password clears the
// count. The address's count is different: it is read first and counts
// failures after the check, because many people behind one address (an
// office) sign in rightly and must not add up. Bursts against one account
// are bounded by the username's count, and password checks as a whole by
// the argon2id limiter.
func (m *Module) signinSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := signinForm{Username: c.FormValue("username"), Password: c.FormValue("password")}
	v := views.SigninView{Username: f.Username, Errs: f.validate()}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Signin(v))
	}
	if until, locked, err := m.throttle.Locked(ctx, ipKey(c.RealIP())); err != nil {
		return err
	} else if locked {
		return m.tooMany(c, until)
	}

	norm := password.NormalizeUsername(f.Username)
	ukey := userKey(norm)
	cr, err := m.store.ByUsername(ctx, norm)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	// A closed GCKey signs in no more and is answered like an unknown
	// username; its password is still checked so the answer takes as long.
	open := found && !cr.Closed()

	// Every username, known or not, takes a try the same way (one write),
	// so neither the answer nor its timing tells whether it exists.
	try, err := m.throttle.Take(ctx, ukey, userRule)
	if err != nil {
		return err
	}
	exempt := false
	if !try.Allowed {
		// The owner's known browser still gets its password checked, so an
		// attacker cannot lock the owner out; the try is not counted.
		if open {
			if exempt, err = m.knownDevice(c, cr.Cred); err != nil {
				return err
			}
		}
		if !exempt {
			return m.lockedAnswer(c, v, try.Until)
		}
	}

	ok, rehash := false, false
	if found {
		ok, rehash, err = m.hasher.Verify(ctx, cr.PasswordHash, f.Password)
		if err != nil {
			return err
		}
	} else {
		m.hasher.VerifyDummy(ctx, f.Password)
	}
	if !ok || !open {
		return m.signinFailed(c, v, cr, open, try)
	}

	now := m.clock.Now()
	if cr.ExpiredAt != nil || now.Sub(cr.lastUse()) > expireAfter {
		// Only now, after the right password, does the person learn that
		// this GCKey expired. The password was right: its try is cleared
		// like any right one's, so the answer stays "expired".
		if _, err := m.expire(ctx, cr.Cred, now); err != nil {
			return err
		}
		if err := m.throttle.Reset(ctx, ukey); err != nil {
			return err
		}
		return web.Render(c, http.StatusOK, views.Message(views.MessageView{
			TitleKey: "auth.expired.title", TestID: "expired",
			ParaKeys: []string{"auth.expired.p1", "auth.expired.p2"},
			Links:    []views.Link{{Href: "/gckey/signup", LabelKey: "auth.signin.signup"}},
		}))
	}
	return m.completeSignin(c, cr, f.Password, rehash)
}

// signinFailed counts a failed attempt against the address and answers
// it. The username's try was taken before the check; when it was the last
// one, the username is now locked and its owner told. A known browser
// during a lock took no try and is told only that the password is wrong.
func (m *Module) signinFailed(c echo.Context, v views.SigninView, cr Credential, open bool, try throttle.Try) error {
	ctx := c.Request().Context()
	ip, ua := web.Client(c)
	// The address counts failures only, after the check (signinSubmit).
	if _, _, err := m.throttle.Fail(ctx, ipKey(ip), ipRule); err != nil {
		return err
	}
	if open {
		if err := m.audit.Credential(ctx, m.db.W, cr.Cred, audit.SignInFailed, ip, ua, ""); err != nil {
			return err
		}
		if try.Last {
			if err := m.lockNotice(ctx, cr, try.Until, ip, ua); err != nil {
				return err
			}
		}
	}
	if try.Last {
		return m.lockedAnswer(c, v, try.Until)
	}
	v.Errs = views.Problems{problem("username", "auth.signin.wrong")}
	return web.Render(c, http.StatusUnprocessableEntity, views.Signin(v))
}

// lockNotice records a lockout and emails the owner, at most once a day,
// in the language they last used.
func (m *Module) lockNotice(ctx context.Context, cr Credential, until time.Time, ip, ua string) error {
	send, err := m.throttle.NotifyOnce(ctx, "signin-notice:"+cr.Cred, lockNoticeEvery)
	if err != nil {
		return err
	}
	m.log.Info("gckey username locked", "cred", cr.Cred, "ip", ip, "until", until, "notified", send)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.audit.Credential(ctx, tx, cr.Cred, audit.Locked, ip, ua, ""); err != nil {
			return err
		}
		if !send {
			return nil
		}
		lang := cr.Lang
		return m.post(ctx, tx, cr.Email, lang,
			i18n.In(lang, "auth.mail.locked_subject"),
			i18n.In(lang, "auth.mail.locked_body", userFailLimit, i18n.FormatDateTime(lang, until)))
	})
	if err == nil && send {
		m.kickMail()
	}
	return err
}

// lockedAnswer refuses a locked username. It says the same for every
// username, existing or not.
func (m *Module) lockedAnswer(c echo.Context, v views.SigninView, until time.Time) error {
	v.Errs = views.Problems{problem("username", "auth.signin.locked", i18n.FormatDateTime(web.Lang(c), until))}
	return web.Render(c, http.StatusTooManyRequests, views.Signin(v))
}

// tooMany slows down an address that failed too often.
func (m *Module) tooMany(c echo.Context, until time.Time) error {
	secs := int(until.Sub(m.clock.Now()).Seconds()) + 1
	if secs < 1 {
		secs = 1
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return web.Render(c, http.StatusTooManyRequests, views.TooMany(views.TooManyView{Until: i18n.FormatDateTime(web.Lang(c), until)}))
}

// expire marks a credential expired, once, and records it. It tells
// whether this call marked it.
func (m *Module) expire(ctx context.Context, cred string, now time.Time) (bool, error) {
	var marked bool
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		marked, err = m.store.MarkExpired(ctx, tx, cred, now)
		if err != nil || !marked {
			return err
		}
		return m.audit.Credential(ctx, tx, cred, audit.CredentialExpired, "", "", "")
	})
	return marked, err
}

// completeSignin records a correct password and starts the level-1
// session: a new hash when the cost changed, the known browser, the time
// and language of use, the audit entry, a cleared username counter.
func (m *Module) completeSignin(c echo.Context, cr Credential, pw string, rehash bool) error {
	ctx := c.Request().Context()
	newHash := ""
	if rehash {
		h, err := m.hasher.Hash(ctx, pw)
		if err != nil {
			return err
		}
		newHash = h
	}
	now := m.clock.Now()
	ip, ua := web.Client(c)
	device := m.deviceID(c)
	if device == "" {
		device = newDeviceID()
	}
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if newHash != "" {
			if err := m.store.SetPassword(ctx, tx, cr.Cred, newHash); err != nil {
				return err
			}
		}
		if err := m.store.SignedIn(ctx, tx, cr.Cred, now, web.Lang(c)); err != nil {
			return err
		}
		if err := m.store.AddDevice(ctx, tx, deviceHash(device), cr.Cred, now); err != nil {
			return err
		}
		return m.audit.Credential(ctx, tx, cr.Cred, audit.SignIn, ip, ua, "")
	})
	if err != nil {
		return err
	}
	if err := m.throttle.Reset(ctx, userKey(cr.UsernameNorm)); err != nil {
		return err
	}
	if err := m.identity.PasswordVerified(ctx, identity.Ref(cr.Cred)); err != nil {
		return err
	}
	m.setDeviceCookie(c, device)
	return web.Redirect(c, web.URL(c, "/gckey/welcome"))
}

// welcomeShow is the page between the password and the second factor.
func (m *Module) welcomeShow(c echo.Context) error {
	ctx := c.Request().Context()
	st, ok := m.gckey(ctx)
	if !ok {
		return web.Redirect(c, web.URL(c, "/gckey/signin"))
	}
	kind, id := subject(string(st.Cred))
	has, err := m.factors.HasActiveFactor(ctx, kind, id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Welcome(views.WelcomeView{HasFactor: has}))
}

// signoutSubmit ends the whole session.
func (m *Module) signoutSubmit(c echo.Context) error {
	if err := m.identity.SignOut(c.Request().Context()); err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/signed-out"))
}

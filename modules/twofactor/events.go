package twofactor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/throttle"
	"guichet/app/web"
)

// lockNoticeEvery is how often a lockout may be mailed to one person.
const lockNoticeEvery = 24 * time.Hour

// contactOf returns the subject's address and language, the page's
// language standing in when the contact has none.
func (m *Module) contactOf(ctx context.Context, s Subject, pageLang string) (string, string, error) {
	addr, lang, err := m.contact.Email(ctx, s.Kind, s.ID)
	if err != nil {
		return "", "", fmt.Errorf("twofactor: contact of %s: %w", s.Kind, err)
	}
	if !i18n.Valid(lang) {
		lang = pageLang
	}
	return addr, lang, nil
}

// takeTry counts one answer on the subject's one counter before the answer
// is checked, so answers sent all at once cannot all be checked while the
// first ones are still being counted: at most WrongAnswerRule.Limit are
// checked in a window. A refused answer is not checked; the page says
// when the second step opens again. A right answer clears the count
// (passed), so only wrong answers add up to the lock.
func (m *Module) takeTry(c echo.Context, s Subject) (throttle.Try, error) {
	return m.throttle.Take(c.Request().Context(), CounterKey(s.Kind, s.ID), WrongAnswerRule)
}

// wrongAnswer records a wrong code, already counted by takeTry. When that
// try was the last one, it locked the second step: the lock is recorded
// and the person is told by email (at most once a day).
func (m *Module) wrongAnswer(c echo.Context, s Subject, method string, try throttle.Try) (time.Time, bool, error) {
	ctx := c.Request().Context()
	ip, ua := web.Client(c)
	key := CounterKey(s.Kind, s.ID)
	until, locked := try.Until, try.Last
	if err := m.audit.Credential(ctx, m.db.W, s.ID, audit.SecondFactorFailed, ip, ua, method); err != nil {
		return time.Time{}, false, err
	}
	if !locked {
		return until, false, nil
	}
	if err := m.audit.Credential(ctx, m.db.W, s.ID, audit.Locked, ip, ua, "second factor until "+until.UTC().Format(time.RFC3339)); err != nil {
		return time.Time{}, false, err
	}
	// NotifyOnce on the counter's own key: a reset after a good code keeps
	// the time of the last notice, so a second lockout the same day is
	// not mailed again.
	notify, err := m.throttle.NotifyOnce(ctx, key, lockNoticeEvery)
	if err != nil || !notify {
		return until, true, err
	}
	addr, lang, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil || addr == "" {
		return until, true, err
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := mail.Enqueue(ctx, tx, m.clock.Now(), m.mailDomain, mail.Message{
			To: addr, Lang: lang,
			Subject: i18n.In(lang, "twofactor.mail_locked_subject"),
			Text:    i18n.In(lang, "twofactor.mail_locked_body", i18n.FormatDateTime(lang, until)),
		})
		return err
	})
	if err == nil {
		m.mailQueued()
	}
	return until, true, err
}

// passed raises the session after a good code: the token is renewed, the
// counter of wrong answers starts again, and the sign-in is recorded.
func (m *Module) passed(c echo.Context, s Subject, method string) error {
	ctx := c.Request().Context()
	factor := identity.FactorApp
	if method == MethodEmail {
		factor = identity.FactorEmail
	}
	if err := m.identity.SecondFactorVerified(ctx, m.clock.Now(), factor); err != nil {
		return err
	}
	if err := m.throttle.Reset(ctx, CounterKey(s.Kind, s.ID)); err != nil {
		return err
	}
	ip, ua := web.Client(c)
	return m.audit.Credential(ctx, m.db.W, s.ID, audit.SecondFactorPassed, ip, ua, method)
}

// sendCode emails the subject a fresh 6-digit code (earlier ones stop
// working), unless 5 were sent within 15 minutes; then it returns when the
// next one may be asked for.
func (m *Module) sendCode(c echo.Context, s Subject) (time.Time, bool, error) {
	ctx := c.Request().Context()
	key := emailSendKey(s)
	ok, err := m.throttle.Allow(ctx, key, emailSendRule)
	if err != nil {
		return time.Time{}, false, err
	}
	if !ok {
		until, _, err := m.throttle.Locked(ctx, key)
		if until.IsZero() {
			until = m.clock.Now().Add(emailSendRule.Window)
		}
		return until, false, err
	}
	addr, _, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil {
		return time.Time{}, false, err
	}
	if addr == "" {
		return time.Time{}, false, errors.New("twofactor: no email address to send the code to")
	}
	// The code is written in the language the person is using now.
	lang := web.Lang(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		code, err := m.codes.Issue(ctx, tx, EmailPurpose, s.String(), codes.Digits, EmailCodeTTL)
		if err != nil {
			return err
		}
		_, err = mail.Enqueue(ctx, tx, m.clock.Now(), m.mailDomain, mail.Message{
			To: addr, Lang: lang,
			Subject: i18n.In(lang, "twofactor.mail_code_subject"),
			Text:    i18n.In(lang, "twofactor.mail_code_body", code),
		})
		return err
	})
	if err != nil {
		return time.Time{}, false, err
	}
	m.mailQueued()
	return time.Time{}, true, nil
}

// finishSetup makes the confirmed pending factor the subject's factor: the
// old one is removed, the change is recorded and mailed, new recovery
// codes replace the old ones, the session counts as checked, and every
// other session of the credential ends. All database changes but the
// session ones commit together.
func (m *Module) finishSetup(c echo.Context, s Subject, f Factor) error {
	ctx := c.Request().Context()
	now := m.clock.Now()
	_, had, err := m.store.Get(ctx, s, statusActive)
	if err != nil {
		return err
	}
	addr, lang, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil {
		return err
	}
	ip, ua := web.Client(c)
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.store.Activate(ctx, tx, s, f, now); err != nil {
			return err
		}
		detail := "set up: " + f.Method
		if had {
			detail = "changed to: " + f.Method
		}
		if err := m.audit.Credential(ctx, tx, s.ID, audit.SecondFactorChanged, ip, ua, detail); err != nil {
			return err
		}
		if err := m.recovery.IssueNew(ctx, tx, s.Kind, s.ID); err != nil {
			return err
		}
		if err := m.audit.Credential(ctx, tx, s.ID, audit.RecoveryCodesIssued, ip, ua, "with the new second factor"); err != nil {
			return err
		}
		if addr == "" {
			return nil
		}
		subject, body := "twofactor.mail_setup_subject", "twofactor.mail_setup_body"
		if had {
			subject, body = "twofactor.mail_changed_subject", "twofactor.mail_changed_body"
		}
		_, err := mail.Enqueue(ctx, tx, now, m.mailDomain, mail.Message{
			To: addr, Lang: lang,
			Subject: i18n.In(lang, subject),
			Text:    i18n.In(lang, body, methodInMail(lang, f.Method), i18n.FormatDateTime(lang, now)),
		})
		return err
	})
	if err != nil {
		return err
	}
	m.mailQueued()
	if err := m.passed(c, s, f.Method); err != nil {
		return err
	}
	return m.endOtherSessions(c, s)
}

// endOtherSessions signs the credential out everywhere but here.
func (m *Module) endOtherSessions(c echo.Context, s Subject) error {
	ctx := c.Request().Context()
	cred := string(m.identity.Current(ctx).Cred)
	if cred == "" {
		return nil
	}
	n, err := m.sessions.Store.EndCredential(ctx, cred, m.sessions.Token(ctx))
	if err != nil || n == 0 {
		return err
	}
	ip, ua := web.Client(c)
	return m.audit.Credential(ctx, m.db.W, cred, audit.SessionsEnded, ip, ua, fmt.Sprintf("%d other sessions, after a second factor change", n))
}

func methodInMail(lang, method string) string {
	if method == MethodEmail {
		return i18n.In(lang, "twofactor.mail_method_email")
	}
	return i18n.In(lang, "twofactor.mail_method_app")
}

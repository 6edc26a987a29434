package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/throttle"
	"guichet/app/web"
)

// subject is the signed-in GCKey credential, at any level.
type subject struct {
	Kind string
	ID   string
}

func (s subject) String() string { return subjectOf(s.Kind, s.ID) }

// who returns the signed-in GCKey credential and its state.
func (m *Module) who(c echo.Context) (subject, identity.State, bool) {
	st := m.identity.Current(c.Request().Context())
	if !st.SignedIn() || st.Method != identity.KindGCKey || st.Cred.Kind() != identity.KindGCKey {
		return subject{}, st, false
	}
	return subject{Kind: identity.KindGCKey, ID: string(st.Cred)}, st, true
}

// level2 lets through a credential past its second factor; anyone else is
// sent to sign in, or to the two-factor page. done means a response was
// written.
func (m *Module) level2(c echo.Context) (subject, identity.State, bool, error) {
	s, st, ok := m.who(c)
	if !ok {
		return s, st, true, web.Redirect(c, web.URL(c, signIn))
	}
	if st.AAL < identity.AAL2 {
		return s, st, true, web.Redirect(c, web.URL(c, twoFactorIndex))
	}
	return s, st, false, nil
}

// contactOf returns the subject's address and language, the page's
// language standing in when the contact has none.
func (m *Module) contactOf(ctx context.Context, s subject, pageLang string) (string, string, error) {
	addr, lang, err := m.contact.Email(ctx, s.Kind, s.ID)
	if err != nil {
		return "", "", fmt.Errorf("recovery: contact of %s: %w", s.Kind, err)
	}
	if !i18n.Valid(lang) {
		lang = pageLang
	}
	return addr, lang, nil
}

// securityMail tells the person about a security change, in tx, so the
// mail goes out exactly when the change commits. No address, no mail.
func (m *Module) securityMail(ctx context.Context, tx *sqlx.Tx, addr, lang, subjectKey, bodyKey string, args ...any) error {
	if addr == "" {
		return nil
	}
	_, err := mail.Enqueue(ctx, tx, m.clock.Now(), m.mailDomain, mail.Message{
		To: addr, Lang: lang, Subject: i18n.In(lang, subjectKey), Text: i18n.In(lang, bodyKey, args...),
	})
	return err
}

// lockedUntil tells whether the second step (codes and recovery codes
// alike) is locked, and until when, formatted for the page.
func (m *Module) lockedUntil(c echo.Context, s subject) (string, bool, error) {
	until, locked, err := m.throttle.Locked(c.Request().Context(), m.counterKey(s.Kind, s.ID))
	if err != nil || !locked {
		return "", false, err
	}
	return i18n.FormatTime(web.Lang(c), until), true, nil
}

// lockNoticeEvery is how often a lockout may be mailed to one person.
const lockNoticeEvery = 24 * time.Hour

// takeTry counts one recovery code on the shared counter before the code
// is checked, so codes sent all at once cannot all be checked while the
// first ones are still being counted: at most the rule's limit are
// checked in a window. A refused code is not checked. A right code clears
// the count (recoverSubmit), so only wrong answers add up to the lock.
func (m *Module) takeTry(c echo.Context, s subject) (throttle.Try, error) {
	return m.throttle.Take(c.Request().Context(), m.counterKey(s.Kind, s.ID), m.counterRule)
}

// wrongCode records a wrong recovery code, already counted by takeTry.
// When that try was the last one, it locked the second step: the lock is
// recorded and mailed (at most once a day, sharing the twofactor module's
// notice on the same key).
func (m *Module) wrongCode(c echo.Context, s subject, try throttle.Try) (time.Time, bool, error) {
	ctx := c.Request().Context()
	ip, ua := web.Client(c)
	key := m.counterKey(s.Kind, s.ID)
	until, locked := try.Until, try.Last
	if err := m.audit.Credential(ctx, m.db.W, s.ID, audit.SecondFactorFailed, ip, ua, "recovery code"); err != nil {
		return time.Time{}, false, err
	}
	if !locked {
		return until, false, nil
	}
	if err := m.audit.Credential(ctx, m.db.W, s.ID, audit.Locked, ip, ua, "second factor until "+until.UTC().Format(time.RFC3339)); err != nil {
		return time.Time{}, false, err
	}
	notify, err := m.throttle.NotifyOnce(ctx, key, lockNoticeEvery)
	if err != nil || !notify {
		return until, true, err
	}
	addr, lang, err := m.contactOf(ctx, s, web.Lang(c))
	if err != nil {
		return until, true, err
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		return m.securityMail(ctx, tx, addr, lang, "recovery.mail_locked_subject", "recovery.mail_locked_body", i18n.FormatDateTime(lang, until))
	})
	if err == nil {
		m.mailQueued()
	}
	return until, true, err
}

// endOtherSessions signs the credential out everywhere but here.
func (m *Module) endOtherSessions(c echo.Context, cred, why string) error {
	ctx := c.Request().Context()
	n, err := m.sessions.Store.EndCredential(ctx, cred, m.sessions.Token(ctx))
	if err != nil || n == 0 {
		return err
	}
	ip, ua := web.Client(c)
	return m.audit.Credential(ctx, m.db.W, cred, audit.SessionsEnded, ip, ua, fmt.Sprintf("%d other sessions, after %s", n, why))
}

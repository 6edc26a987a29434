package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app/identity"
	"guichet/app/web"
)

// errStop rolls a transaction back when a typed code turned out wrong:
// nothing of the change may be written.
var errStop = errors.New("auth: stop")

// subject is how a GCKey is named to the two-factor and recovery modules.
func subject(cred string) (kind, id string) { return identity.KindGCKey, cred }

// randomID returns 128 random bits in hex.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sessionThrottleID is a random id kept in the session, so email codes
// can be limited per session as well as per address.
func (m *Module) sessionThrottleID(ctx context.Context) string {
	id := m.sessions.GetString(ctx, keyThrottle)
	if id == "" {
		id = randomID()
		m.sessions.Put(ctx, keyThrottle, id)
	}
	return id
}

// allowCodeSend counts one code sent to addr from this session and tells
// whether it may go: at most 5 per 15 minutes to one address, and as many
// from one session, so nobody can flood an inbox.
func (m *Module) allowCodeSend(ctx context.Context, addr string) (bool, error) {
	ok, err := m.throttle.Allow(ctx, "email-code:session:"+m.sessionThrottleID(ctx), sendRule)
	if err != nil || !ok {
		return false, err
	}
	return m.throttle.Allow(ctx, "email-code:"+normEmail(addr), sendRule)
}

// userKey is the sign-in counter of a username, known or not. Anything
// longer than a username can be is cut, so the key stays small.
func userKey(norm string) string {
	if len(norm) > 128 {
		norm = norm[:128]
	}
	return "signin:user:" + norm
}

func ipKey(ip string) string { return "signin:ip:" + ip }

// secondStepKey is the two-factor module's one counter of wrong answers
// (twofactor.CounterKey): a wrong recovery code at a password reset counts
// on it like any other.
func secondStepKey(cred string) string {
	kind, id := subject(cred)
	return "2fa:" + kind + ":" + id
}

// Device cookie: a random id proving this browser signed in before.
func (m *Module) deviceCookie() string {
	if m.secure {
		return "__Host-guichet_device"
	}
	return "guichet_device"
}

// deviceID returns the browser's device id, "" when it has none.
func (m *Module) deviceID(c echo.Context) string {
	ck, err := c.Cookie(m.deviceCookie())
	if err != nil || len(ck.Value) != 43 {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(ck.Value); err != nil {
		return ""
	}
	return ck.Value
}

func newDeviceID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func deviceHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func (m *Module) setDeviceCookie(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{
		Name: m.deviceCookie(), Value: id, Path: "/",
		MaxAge: int(deviceTTL / time.Second), Expires: m.clock.Now().Add(deviceTTL),
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode,
	})
}

// knownDevice tells whether this browser completed a sign-in for cred in
// the last year.
func (m *Module) knownDevice(c echo.Context, cred string) (bool, error) {
	id := m.deviceID(c)
	if id == "" {
		return false, nil
	}
	return m.store.KnownDevice(c.Request().Context(), deviceHash(id), cred, m.clock.Now().Add(-deviceTTL))
}

// gckey returns the session's state and whether a GCKey is signed in
// (at level 1 at least).
func (m *Module) gckey(ctx context.Context) (identity.State, bool) {
	st := m.identity.Current(ctx)
	if !st.SignedIn() || st.Cred.Kind() != identity.KindGCKey || st.AAL < identity.AAL1 {
		return st, false
	}
	return st, true
}

// account loads the credential of a session that passed its second
// factor. Otherwise it answers with a redirect (to sign in, or to the
// second-factor check when fresh is needed and too old) and returns nil.
func (m *Module) account(c echo.Context, fresh bool) (*Credential, error) {
	ctx := c.Request().Context()
	st, ok := m.gckey(ctx)
	if !ok || st.AAL < identity.AAL2 {
		return nil, web.Redirect(c, web.URL(c, "/gckey/signin"))
	}
	cr, err := m.store.ByCred(ctx, string(st.Cred))
	if errors.Is(err, ErrNotFound) || (err == nil && (cr.Closed() || cr.ExpiredAt != nil)) {
		if err := m.identity.SignOut(ctx); err != nil {
			return nil, err
		}
		return nil, web.Redirect(c, web.URL(c, "/gckey/signin"))
	}
	if err != nil {
		return nil, err
	}
	if fresh && !st.MFAWithin(m.clock.Now(), freshMFA) {
		return nil, web.Redirect(c, web.URL(c, "/gckey/2fa/?next=account"))
	}
	return &cr, nil
}

// linkBase starts links in emails. In production it is the configured
// base URL; in development, which listens on loopback only, the request's
// own host.
func (m *Module) linkBase(c echo.Context) string {
	if m.baseURL != "" {
		return strings.TrimRight(m.baseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (m *Module) kickMail() {
	if m.jobs != nil {
		m.jobs.Kick("mail")
	}
}

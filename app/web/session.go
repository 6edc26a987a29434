package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"guichet/app/clock"
	"guichet/app/session"
)

// Session keys owned by the kernel. app/identity adds its own.
const (
	// KeyCred is the signed-in credential reference. Its presence means the
	// person is signed in (at some assurance level).
	KeyCred = "cred"
)

// Sessions wraps the scs manager with Guichet's store and cookie rules.
type Sessions struct {
	*scs.SessionManager
	Store *session.Store
	clock clock.Clock
	log   *slog.Logger
}

// NewSessions configures scs: HttpOnly, SameSite=Lax, Secure when the site
// is served over https, a browser-session cookie (no Expires), idle timeout
// and absolute lifetime from the configuration.
func NewSessions(store *session.Store, clk clock.Clock, log *slog.Logger, idle, lifetime time.Duration, secure bool) *Sessions {
	sm := scs.New()
	sm.Store = store
	sm.Codec = session.Codec{}
	sm.IdleTimeout = idle
	sm.Lifetime = lifetime
	sm.Cookie.Name = "guichet_session"
	if secure {
		sm.Cookie.Name = "__Host-guichet_session"
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = secure
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	return &Sessions{SessionManager: sm, Store: store, clock: clk, log: log}
}

// Tracker returns the request's session tracker.
func Tracker(c echo.Context) *session.Tracker {
	t, _ := c.Get("guichet.tracker").(*session.Tracker)
	if t == nil {
		t = &session.Tracker{}
	}
	return t
}

// Middleware loads the session before the handler and commits it just
// before the response header is written. The cookie is only sent when the
// token is new or changed: the cookie carries no expiry, so resending it
// for an unchanged token would be noise.
func (s *Sessions) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			var token string
			if ck, err := r.Cookie(s.Cookie.Name); err == nil {
				token = ck.Value
			}
			tr := &session.Tracker{}
			ctx, err := s.Load(session.WithTracker(r.Context(), tr), token)
			if err != nil {
				// A row that cannot be decoded is treated as no session,
				// rather than locking the person out with an error page.
				ctx, _ = s.Load(session.WithTracker(r.Context(), tr), "")
			}
			c.SetRequest(r.WithContext(ctx))
			c.Set("guichet.tracker", tr)
			info := pageInfo(c)
			info.SignedIn = s.Exists(ctx, KeyCred)
			if info.SignedIn {
				info.Idle = s.remaining(tr)
			}
			c.Response().Before(func() { s.commit(c, token) })
			return next(c)
		}
	}
}

// remaining is how long until this session times out for idleness, as the
// browser's dialog should count it: the store may keep the old expiry when
// it moved by less than a minute, so promise no more than what is stored.
func (s *Sessions) remaining(tr *session.Tracker) time.Duration {
	now := s.clock.Now()
	full := s.IdleTimeout
	if tr.Found() {
		if stored := tr.Expiry().Sub(now); stored < full && full-stored < session.SkipWindow {
			return stored
		}
	}
	return full
}

func (s *Sessions) commit(c echo.Context, oldToken string) {
	ctx := c.Request().Context()
	tr := Tracker(c)
	tr.Cred = s.GetString(ctx, KeyCred)
	switch s.Status(ctx) {
	case scs.Modified:
		token, _, err := s.Commit(ctx)
		if err != nil {
			s.log.Error("session commit", "err", err)
			c.Response().Status = http.StatusInternalServerError
			return
		}
		if token != oldToken {
			s.writeCookie(c, token)
		}
	case scs.Destroyed:
		s.writeCookie(c, "")
	}
}

func (s *Sessions) writeCookie(c echo.Context, token string) {
	ck := &http.Cookie{
		Name: s.Cookie.Name, Value: token, Path: s.Cookie.Path,
		HttpOnly: s.Cookie.HttpOnly, Secure: s.Cookie.Secure, SameSite: s.Cookie.SameSite,
	}
	if token == "" {
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	}
	c.Response().Header().Add("Set-Cookie", ck.String())
	c.Response().Header().Add("Vary", "Cookie")
}

package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/keys"
)

// CSRF protection is a signed double submit: the browser holds a random
// value in an HttpOnly cookie and every form carries HMAC(csrf key, value).
// A cross-site page can neither read the cookie nor compute the HMAC, and a
// cookie planted by a sibling domain is useless without the server's key.

// CSRFField is the form field name.
const CSRFField = "csrf_token"

// CSRFHeader lets scripts send the token with fetch.
const CSRFHeader = "X-CSRF-Token"

// ErrCSRF is the error the error handler turns into the "form expired" page.
var ErrCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

// CSRF checks the token of every unsafe request.
type CSRF struct {
	key    []byte
	cookie string
	secure bool
}

// NewCSRF returns the protection keyed by the CSRF subkey. Over https the
// cookie takes the __Host- prefix, so no subdomain can set it.
func NewCSRF(ring *keys.Ring, secure bool) *CSRF {
	name := "guichet_csrf"
	if secure {
		name = "__Host-guichet_csrf"
	}
	return &CSRF{key: ring.Subkey(keys.PurposeCSRF), cookie: name, secure: secure}
}

func (x *CSRF) tokenFor(value string) string {
	m := hmac.New(sha256.New, x.key)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// state is created per request; the cookie is only set when a page actually
// renders a form, so plain pages stay cookie-free and cacheable.
type csrfState struct {
	x         *CSRF
	value     string
	issued    bool
	formToken string
}

func (s *csrfState) token() string {
	if s.value == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		s.value = base64.RawURLEncoding.EncodeToString(b)
		s.issued = true
	}
	if s.formToken == "" {
		s.formToken = s.x.tokenFor(s.value)
	}
	return s.formToken
}

// Middleware makes the token available to templates and refuses unsafe
// requests without a valid one.
func (x *CSRF) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			st := &csrfState{x: x}
			if ck, err := c.Cookie(x.cookie); err == nil && len(ck.Value) >= 43 {
				st.value = ck.Value
			}
			info := pageInfo(c)
			info.CSRF = st.token
			c.Response().Before(func() {
				if st.issued {
					c.SetCookie(&http.Cookie{
						Name: x.cookie, Value: st.value, Path: "/",
						HttpOnly: true, Secure: x.secure, SameSite: http.SameSiteLaxMode,
					})
				}
			})
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			sent := c.Request().Header.Get(CSRFHeader)
			if sent == "" {
				sent = c.FormValue(CSRFField)
			}
			if st.value == "" || sent == "" || !hmac.Equal([]byte(sent), []byte(x.tokenFor(st.value))) {
				return ErrCSRF
			}
			return next(c)
		}
	}
}

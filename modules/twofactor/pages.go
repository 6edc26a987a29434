package twofactor

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/twofactor/views"
)

// Pages says where a set of two-factor pages lives and whose factors it
// manages, so another service can mount the same pages under its prefix.
// Paths are after the language prefix.
type Pages struct {
	// Base is the pages' own path: "/gckey/2fa".
	Base string
	// Subject finds whose factors the request is about. False means nobody
	// suitable is signed in; the person is sent to SignIn.
	Subject func(c echo.Context) (Subject, bool)
	SignIn  string
	// Recover (enter a recovery code), Lost (no method and no codes) and
	// Codes (manage recovery codes) are the recovery module's pages.
	Recover string
	Lost    string
	Codes   string
	// Account is where "Continue" leads when no service is waiting.
	Account string
}

// GCKeyPages are the pages of a GCKey credential, under /gckey/2fa.
func (m *Module) GCKeyPages() Pages {
	return Pages{
		Base: "/gckey/2fa",
		Subject: func(c echo.Context) (Subject, bool) {
			st := m.identity.Current(c.Request().Context())
			if !st.SignedIn() || st.Method != identity.KindGCKey || st.Cred.Kind() != identity.KindGCKey {
				return Subject{}, false
			}
			return Subject{Kind: identity.KindGCKey, ID: string(st.Cred)}, true
		},
		SignIn:  "/gckey/",
		Recover: "/gckey/recovery/recover",
		Lost:    "/gckey/recovery/lost",
		Codes:   "/gckey/recovery/",
		Account: "/gckey/account",
	}
}

// RoutesAt adds the two-factor pages described by p.
func (m *Module) RoutesAt(g *echo.Group, p Pages) {
	h := &handlers{m: m, p: p}
	b := p.Base

	// Where a signed-in person goes next: set-up or the two-factor page.
	g.GET(b+"/", h.indexShow)

	// Setting up (first time, or a change within 20 minutes of a check).
	g.GET(b+"/setup", h.setupShow)
	g.POST(b+"/setup", h.setupSubmit)
	g.GET(b+"/setup/app", h.appShow)
	g.POST(b+"/setup/app", h.appSubmit)
	g.GET(b+"/setup/email", h.emailShow)
	g.POST(b+"/setup/email", h.emailSubmit)
	g.POST(b+"/setup/email/send", h.emailSend)

	// The two-factor page of every sign-in.
	g.GET(b+"/verify", h.verifyShow)
	g.POST(b+"/verify", h.verifySubmit)
	g.POST(b+"/verify/send", h.verifySend)

	// The authentication success page.
	g.GET(b+"/done", h.doneShow)
	g.POST(b+"/done", h.doneSubmit)
}

// handlers are the pages of one mount.
type handlers struct {
	m *Module
	p Pages
}

// url is a path of this mount in the request's language.
func (h *handlers) url(c echo.Context, rest string) string {
	return "/" + web.Lang(c) + h.p.Base + rest
}

// abs is another page's path in the request's language.

func (h *handlers) links(c echo.Context) views.Links {
	return views.Links{
		Recover: web.URL(c, h.p.Recover), Lost: web.URL(c, h.p.Lost), Codes: web.URL(c, h.p.Codes),
		Done: h.url(c, "/done"),
	}
}

func (h *handlers) toSignIn(c echo.Context) error { return web.Redirect(c, web.URL(c, h.p.SignIn)) }

// Next values carried through the two-factor page. Only known values pass,
// never a URL.
const (
	// nextManage is the Welcome page's "Manage your two-factor
	// authentication": after the check, the success page offers "Change".
	nextManage = "manage"
	// nextAccount and nextCodes return a person whose last check was too
	// old to the account page or recovery codes page they were using.
	nextAccount = "account"
	nextCodes   = "codes"
)

func nextOf(v string) string {
	switch v {
	case nextManage, nextAccount, nextCodes:
		return v
	}
	return ""
}

// afterCheck is where a passed two-factor check leads.
func (h *handlers) afterCheck(c echo.Context, next string) string {
	switch next {
	case nextAccount:
		return web.URL(c, h.p.Account)
	case nextCodes:
		return web.URL(c, h.p.Codes)
	}
	return h.url(c, "/done")
}

// withQuery adds query values to a path, skipping empty ones.
func withQuery(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// showLocked renders the page saying when the second step opens again.
func (h *handlers) showLocked(c echo.Context, until string) error {
	return web.Render(c, http.StatusTooManyRequests, views.Locked(views.LockedView{Until: until, Links: h.links(c)}))
}

// lockedUntil tells whether the subject's second step is locked, and until
// when, formatted for the page.
func (h *handlers) lockedUntil(c echo.Context, s Subject) (string, bool, error) {
	until, locked, err := h.m.throttle.Locked(c.Request().Context(), CounterKey(s.Kind, s.ID))
	if err != nil || !locked {
		return "", false, err
	}
	return i18n.FormatTime(web.Lang(c), until), true, nil
}

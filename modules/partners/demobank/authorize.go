package demobank

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/partners/demobank/views"
)

// authorize checks an authorization request and, when it is sound, keeps
// it and sends the browser to the sign-in page. A request that does not
// come from the registered client with its exact callback gets an error
// page here and is never redirected: the bank cannot know the address is
// safe. Other problems go back to the callback, as OAuth 2.0 says.
func (b *Bank) authorize(c echo.Context) error {
	r := c.Request()
	q := r.URL.Query()
	lang := uiLang(q.Get("ui_locales"))
	if l := q.Get("lang"); i18n.Valid(l) {
		lang = l
	}
	web.SetLang(c, lang)

	redirectURI := q.Get("redirect_uri")
	if len(q["client_id"]) != 1 || q.Get("client_id") != ClientID ||
		len(q["redirect_uri"]) != 1 || redirectURI != b.origin(r)+callbackPath {
		return b.renderError(c, http.StatusBadRequest, views.ErrorView{Kind: views.BadClient, Chrome: chrome(c, authorizePath, q)})
	}

	state, nonce := q.Get("state"), q.Get("nonce")
	fail := func(code, desc string) error {
		return web.Redirect(c, withParams(redirectURI, "error", code, "error_description", desc, "state", state))
	}
	for _, k := range []string{"response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "ui_locales"} {
		if len(q[k]) > 1 {
			return fail("invalid_request", k+" is repeated")
		}
	}
	switch {
	case q.Get("response_type") == "":
		return fail("invalid_request", "response_type is required")
	case q.Get("response_type") != "code":
		return fail("unsupported_response_type", "only the code flow is supported")
	case !hasScope(q.Get("scope"), "openid"):
		return fail("invalid_scope", "the openid scope is required")
	case state == "" || len(state) > maxParamLen:
		return fail("invalid_request", "state is required (at most 512 characters)")
	case nonce == "" || len(nonce) > maxParamLen:
		return fail("invalid_request", "nonce is required (at most 512 characters)")
	case q.Get("code_challenge_method") != "S256" || !validChallenge(q.Get("code_challenge")):
		return fail("invalid_request", "PKCE is required: code_challenge with code_challenge_method S256")
	}

	now := b.clock.Now().UTC()
	req := request{
		ID: randomToken(24), ClientID: ClientID, RedirectURI: redirectURI, State: state, Nonce: nonce,
		CodeChallenge: q.Get("code_challenge"), Lang: lang, Issuer: b.Issuer(r), OTP: randomOTP(),
		ExpiresAt: now.Add(requestTTL), CreatedAt: now,
	}
	if err := b.saveRequest(r.Context(), req); err != nil {
		return err
	}
	return web.Redirect(c, signinPath(req.ID))
}

package demobank

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"guichet/app/i18n"
)

// nameProblem checks a new customer's name (already trimmed) and returns
// the catalog key of what is wrong, or "".
func nameProblem(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "demobank.signin.name_required"
	case n > maxNameLen:
		return "demobank.signin.name_long"
	}
	return ""
}

// typedOTP is a typed code without the spaces people add.
func typedOTP(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// sixDigits tells whether s is exactly six ASCII digits.
func sixDigits(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

// hasScope tells whether a space-separated scope list holds want.
func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// uiLang picks the first supported language of an OpenID Connect
// ui_locales list ("fr-CA en"), English when none is.
func uiLang(locales string) string {
	for _, l := range strings.Fields(locales) {
		base, _, _ := strings.Cut(strings.ToLower(l), "-")
		if i18n.Valid(base) {
			return base
		}
	}
	return i18n.EN
}

// withParams adds query parameters to a URL the bank already trusts (a
// validated redirect_uri), skipping empty values.
func withParams(base string, kv ...string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

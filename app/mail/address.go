package mail

import (
	netmail "net/mail"
	"strings"
)

// MaxAddress is the longest address accepted (RFC 5321's path limit).
const MaxAddress = 254

// ValidAddress tells whether e is one plain address a person may give for
// mail: name@domain.tld, no display name, no spaces or angle brackets, not
// longer than MaxAddress. Every form that takes an email uses it, so an
// address one page accepts is never refused by another.
func ValidAddress(e string) bool {
	if e == "" || len(e) > MaxAddress || strings.ContainsAny(e, " \t\r\n<>") {
		return false
	}
	a, err := netmail.ParseAddress(e)
	if err != nil || a.Address != e {
		return false
	}
	at := strings.LastIndexByte(e, '@')
	return at > 0 && strings.Contains(e[at+1:], ".")
}

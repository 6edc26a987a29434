package mail_test

import (
	"strings"
	"testing"

	"guichet/app/mail"
)

func TestValidAddress(t *testing.T) {
	for _, good := range []string{"a@example.com", "ana.lopez+ircc@mail.example.ca", strings.Repeat("a", 240) + "@example.com"} {
		if !mail.ValidAddress(good) {
			t.Errorf("%q refused", good)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "@example.com", "Ana <a@example.com>", "a @example.com", "a@example.com\n",
		" a@example.com", strings.Repeat("a", 250) + "@example.com"} {
		if mail.ValidAddress(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

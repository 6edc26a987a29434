package mail

import (
	"context"
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"
)

func TestNewSMTPSenderURLs(t *testing.T) {
	const from = "no-reply@guichet.test"
	good := []struct {
		url      string
		host     string
		port     int
		implicit bool
		policy   gomail.TLSPolicy
		auth     gomail.SMTPAuthType
	}{
		{"smtp://u:p@mail.example.ca", "mail.example.ca", 587, false, gomail.TLSOpportunistic, gomail.SMTPAuthAutoDiscover},
		{"smtp://mail.example.ca:2525?tls=required", "mail.example.ca", 2525, false, gomail.TLSMandatory, ""},
		{"smtp://localhost:25?tls=none", "localhost", 25, false, gomail.NoTLS, ""},
		{"smtp://u:p@127.0.0.1:25?tls=none", "127.0.0.1", 25, false, gomail.NoTLS, gomail.SMTPAuthPlain},
		{"smtps://u:p@mail.example.ca", "mail.example.ca", 465, true, gomail.TLSMandatory, gomail.SMTPAuthAutoDiscover},
		{"smtps://mail.example.ca:4650", "mail.example.ca", 4650, true, gomail.TLSMandatory, ""},
	}
	for _, g := range good {
		s, err := NewSMTPSender(g.url, from)
		if err != nil {
			t.Errorf("%s: %v", g.url, err)
			continue
		}
		if s.host != g.host || s.port != g.port || s.implicit != g.implicit || s.policy != g.policy || s.auth != g.auth {
			t.Errorf("%s: host %q port %d implicit %v policy %v auth %q", g.url, s.host, s.port, s.implicit, s.policy, s.auth)
		}
	}

	bad := map[string]string{
		"http://mail.example.ca":                   "unsupported scheme",
		"mail.example.ca:587":                      "unsupported scheme",
		"smtp://":                                  "missing host",
		"smtp://mail.example.ca:0":                 "invalid port",
		"smtp://mail.example.ca?tls=maybe":         "tls=maybe",
		"smtp://mail.example.ca?tsl=none":          "unknown option",
		"smtps://mail.example.ca?tls=none":         "contradicts",
		"smtp://u:p@mail.example.ca:25?tls=none":   "in clear",
		"smtp://u:hunter2@mail.example.ca:99999":   "invalid port",
		"smtp://u:hunter2@mail.example.ca:25/path": "unexpected path",
	}
	for url, want := range bad {
		_, err := NewSMTPSender(url, from)
		if err == nil {
			t.Errorf("%s: accepted", url)
			continue
		}
		if !strings.Contains(err.Error(), "GUICHET_SMTP_URL") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q should name GUICHET_SMTP_URL and say %q", url, err, want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %q leaks the password", url, err)
		}
	}

	// A malformed URL must not echo the password back into a log.
	if _, err := NewSMTPSender("smtp://u:hunter2@mail.example.ca:x y", from); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("malformed URL error %v", err)
	}
	if _, err := NewSMTPSender("smtp://mail.example.ca", "not an address"); err == nil {
		t.Error("bad From accepted")
	}
}

func TestDevSenderAccepts(t *testing.T) {
	if err := (DevSender{}).Send(context.Background(), Outgoing{MessageID: "<x@y>"}); err != nil {
		t.Fatal(err)
	}
}

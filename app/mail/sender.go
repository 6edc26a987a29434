package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Outgoing is one message as handed to a Sender.
type Outgoing struct {
	MessageID string // "<hex@domain>", the same on every attempt
	To        string
	Subject   string
	Text      string
	Lang      string
	// Date is when the message was queued; zero means the time of sending.
	Date time.Time
}

// Sender hands a message to whatever transports it. A nil error means the
// message is accepted and will not be offered again.
type Sender interface {
	Send(ctx context.Context, o Outgoing) error
}

// DevSender delivers nowhere. In development the outbox table is itself what
// the dev outbox page shows, so marking the row sent is all there is to do.
type DevSender struct{}

// Send accepts the message.
func (DevSender) Send(context.Context, Outgoing) error { return nil }

// DefaultSMTPTimeout bounds one delivery (dial, TLS, AUTH and DATA), so a
// server that stops answering cannot hold the delivery job forever.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPSender delivers through an SMTP submission server.
type SMTPSender struct {
	// Timeout bounds each Send; DefaultSMTPTimeout when zero.
	Timeout time.Duration

	host     string
	port     int
	implicit bool // smtps: TLS from the first byte
	policy   gomail.TLSPolicy
	user     string
	pass     string
	auth     gomail.SMTPAuthType
	from     *netmail.Address
}

// NewSMTPSender configures delivery from the GUICHET_SMTP_URL value:
//
//	smtp://user:pass@host:port            STARTTLS when offered (port 587 by default)
//	smtp://host:port?tls=required         STARTTLS or fail
//	smtp://host:port?tls=none             never TLS (a relay on the same machine)
//	smtps://user:pass@host:port           implicit TLS (port 465 by default)
//
// from is the From address of every message. Nothing is dialled here, so a
// server that is down at start-up only delays mail.
func NewSMTPSender(rawURL string, from string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("GUICHET_SMTP_URL is not a valid URL: %v", err)
	}
	s := &SMTPSender{host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.port = gomail.DefaultPortTLS
	case "smtps":
		s.port = gomail.DefaultPortSSL
		s.implicit = true
	default:
		return nil, fmt.Errorf("GUICHET_SMTP_URL: unsupported scheme %q; use smtp://user:pass@host:port or smtps://user:pass@host:port", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("GUICHET_SMTP_URL: missing host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("GUICHET_SMTP_URL: invalid port %q", p)
		}
		s.port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("GUICHET_SMTP_URL: unexpected path; the URL names a server, not a mailbox")
	}

	q := u.Query()
	for k := range q {
		// Unknown options are refused so a typo cannot silently weaken TLS.
		if k != "tls" {
			return nil, fmt.Errorf("GUICHET_SMTP_URL: unknown option %q (only tls is understood)", k)
		}
	}
	tlsMode := q.Get("tls")
	if s.implicit {
		if tlsMode != "" && tlsMode != "required" {
			return nil, fmt.Errorf("GUICHET_SMTP_URL: smtps:// always uses TLS; tls=%s contradicts it", tlsMode)
		}
		s.policy = gomail.TLSMandatory
	} else {
		switch tlsMode {
		case "", "opportunistic":
			s.policy = gomail.TLSOpportunistic
		case "required":
			s.policy = gomail.TLSMandatory
		case "none":
			s.policy = gomail.NoTLS
		default:
			return nil, fmt.Errorf("GUICHET_SMTP_URL: tls=%s is not one of opportunistic, required, none", tlsMode)
		}
	}

	if u.User != nil && u.User.Username() != "" {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.auth = gomail.SMTPAuthAutoDiscover
		if s.policy == gomail.NoTLS && !s.implicit {
			// Without TLS the only mechanism a relay usually offers is PLAIN,
			// which sends the password in clear: allow it for a relay on this
			// machine only (the client library applies the same rule).
			if !isLoopbackName(s.host) {
				return nil, errors.New("GUICHET_SMTP_URL: tls=none with a user name would send the password in clear; use TLS or a relay on localhost")
			}
			s.auth = gomail.SMTPAuthPlain
		}
	}

	fromAddr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail From address %q: %v", from, err)
	}
	s.from = fromAddr
	return s, nil
}

// isLoopbackName matches exactly the names go-mail accepts for PLAIN
// authentication without TLS.
func isLoopbackName(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// Send delivers one message over a fresh connection. A connection per
// message costs a handshake but leaves no session to go stale between the
// delivery job's runs.
func (s *SMTPSender) Send(ctx context.Context, o Outgoing) error {
	m, err := s.message(o)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSPolicy(s.policy),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	}
	if s.auth != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(s.auth),
			gomail.WithUsername(s.user),
			gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.host, s.port, err)
	}
	return nil
}

func (s *SMTPSender) message(o Outgoing) (*gomail.Msg, error) {
	// No User-Agent: it would only advertise the library's version.
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithNoDefaultUserAgent())
	m.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(o.MessageID, "<"), ">"))
	date := o.Date
	if date.IsZero() {
		date = time.Now()
	}
	m.SetDateWithValue(date)
	m.FromMailAddress(s.from)
	if err := m.To(o.To); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	m.Subject(o.Subject)
	if cl := contentLanguage(o.Lang); cl != "" {
		m.SetGenHeader(gomail.HeaderContentLang, cl)
	}
	// RFC 3834: tells out-of-office responders not to answer a robot.
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, o.Text)
	return m, nil
}

func contentLanguage(lang string) string {
	switch lang {
	case LangEN:
		return "en-CA"
	case LangFR:
		return "fr-CA"
	case LangBilingual:
		return "en-CA, fr-CA"
	}
	return ""
}

package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jmoiron/sqlx"

	"guichet/app/clock"
	"guichet/db"
)

const testDomain = "guichet.test"

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

func enqueue(t *testing.T, d *db.DB, now time.Time, m Message) int64 {
	t.Helper()
	var id int64
	err := d.Tx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		id, err = Enqueue(context.Background(), tx, now, testDomain, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func get(t *testing.T, d *db.DB, id int64) Record {
	t.Helper()
	r, err := Get(context.Background(), d, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newDeliverer(d *db.DB, c *clock.Fake, s Sender) *Deliverer {
	return &Deliverer{
		DB:      d,
		Clock:   c,
		Sender:  s,
		Log:     quietLog(),
		Backoff: func(int) time.Duration { return time.Minute },
	}
}

// senderFunc lets a test stand in for the transport.
type senderFunc func(ctx context.Context, o Outgoing) error

func (f senderFunc) Send(ctx context.Context, o Outgoing) error { return f(ctx, o) }

// countingSender counts the sends it passes on.
type countingSender struct {
	mu   sync.Mutex
	n    int
	next Sender
}

func (c *countingSender) Send(ctx context.Context, o Outgoing) error {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.next.Send(ctx, o)
}

func (c *countingSender) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// smtpServer is a real SMTP server on loopback, plain text with AUTH PLAIN,
// that records what it accepts.
type smtpServer struct {
	addr string

	mu         sync.Mutex
	rejectData int // how many coming DATA commands to refuse with a 451
	dataCalls  int
	received   []received
}

type received struct {
	From string
	To   []string
	Data []byte
}

const (
	smtpUser = "guichet"
	smtpPass = "s3cret pass"
)

// startSMTP serves on addr ("127.0.0.1:0" for any port).
func startSMTP(t *testing.T, addr string) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{addr: l.Addr().String()}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: srv}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 5 * time.Second
	s.WriteTimeout = 5 * time.Second
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { s.Close() })
	return srv
}

func (s *smtpServer) url() string {
	return "smtp://" + smtpUser + ":" + "s3cret%20pass" + "@" + s.addr + "?tls=none"
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

// rejectNext makes the next n DATA commands fail with a temporary error.
func (s *smtpServer) rejectNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectData = n
}

func (s *smtpServer) dataCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dataCalls
}

type smtpSession struct {
	srv    *smtpServer
	authed bool
	from   string
	to     []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.dataCalls++
	if s.srv.rejectData > 0 {
		s.srv.rejectData--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.srv.received = append(s.srv.received, received{From: s.from, To: s.to, Data: buf.Bytes()})
	return nil
}

func (s *smtpSession) Reset() { s.from, s.to = "", nil }

func (s *smtpSession) Logout() error { return nil }

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func smtpSender(t *testing.T, rawURL string) *SMTPSender {
	t.Helper()
	s, err := NewSMTPSender(rawURL, "Guichet <no-reply@guichet.test>")
	if err != nil {
		t.Fatal(err)
	}
	s.Timeout = 5 * time.Second
	return s
}

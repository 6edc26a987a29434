package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"guichet/app/clock"
)

// parsed is a received message decoded the way a mail client would.
type parsed struct {
	MessageID, Subject, From, To, ContentType, ContentLanguage, Body string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, raw)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return parsed{
		MessageID:       m.Header.Get("Message-Id"),
		Subject:         subject,
		From:            m.Header.Get("From"),
		To:              m.Header.Get("To"),
		ContentType:     m.Header.Get("Content-Type"),
		ContentLanguage: m.Header.Get("Content-Language"),
		Body:            strings.ReplaceAll(string(b), "\r\n", "\n"),
	}
}

func TestDeliverOverSMTP(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	srv := startSMTP(t, "127.0.0.1:0")
	c := clock.NewFake(t0)
	id := enqueue(t, d, t0, frMessage)
	c.Advance(3 * time.Second)

	del := newDeliverer(d, c, smtpSender(t, srv.url()))
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "no-reply@guichet.test" || len(got[0].To) != 1 || got[0].To[0] != "emilie@example.ca" {
		t.Errorf("envelope from %q to %q", got[0].From, got[0].To)
	}
	r := get(t, d, id)
	m := parse(t, got[0].Data)
	if m.MessageID != r.MessageID {
		t.Errorf("Message-ID = %q, want the stored %q", m.MessageID, r.MessageID)
	}
	if m.Subject != "Votre code de vérification" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if !strings.Contains(m.Body, "« Votre code : 123 456 »") {
		t.Errorf("body lost the code: %q", m.Body)
	}
	if m.Body != frMessage.Text {
		t.Errorf("body = %q, want %q", m.Body, frMessage.Text)
	}
	if !strings.Contains(strings.ToLower(m.ContentType), "text/plain") || !strings.Contains(strings.ToLower(m.ContentType), "utf-8") {
		t.Errorf("Content-Type = %q", m.ContentType)
	}
	if m.ContentLanguage != "fr-CA" {
		t.Errorf("Content-Language = %q", m.ContentLanguage)
	}
	if !strings.Contains(m.From, "no-reply@guichet.test") || !strings.Contains(m.To, "emilie@example.ca") {
		t.Errorf("From %q To %q", m.From, m.To)
	}

	if r.Status != StatusSent || r.SentAt == nil || !r.SentAt.Equal(c.Now()) || r.Attempts != 0 {
		t.Errorf("after delivery: %+v", r)
	}

	// A sent message is never offered again.
	c.Advance(24 * time.Hour)
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.messages()); n != 1 {
		t.Fatalf("server received %d messages after a second run, want 1", n)
	}
}

func TestRetryAfterServerRejectsData(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	srv := startSMTP(t, "127.0.0.1:0")
	srv.rejectNext(1)
	c := clock.NewFake(t0)
	id := enqueue(t, d, t0, frMessage)
	del := newDeliverer(d, c, smtpSender(t, srv.url()))

	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	r := get(t, d, id)
	if r.Status != StatusPending || r.Attempts != 1 || !r.NextAttemptAt.After(c.Now()) || !strings.Contains(r.LastError, "451") {
		t.Fatalf("after a refused DATA: %+v", r)
	}
	if !r.NextAttemptAt.Equal(c.Now().Add(time.Minute)) {
		t.Errorf("next attempt at %v, want now + Backoff(1)", r.NextAttemptAt)
	}

	// Not yet due: no new attempt.
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.dataCount(); n != 1 {
		t.Fatalf("%d DATA commands before the retry was due, want 1", n)
	}

	c.Advance(time.Minute)
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server accepted %d messages, want exactly 1", len(got))
	}
	if id := parse(t, got[0].Data).MessageID; id != r.MessageID {
		t.Errorf("retry Message-ID %q, want %q", id, r.MessageID)
	}
	r = get(t, d, id)
	if r.Status != StatusSent || r.LastError != "" || r.SentAt == nil {
		t.Errorf("after the retry: %+v", r)
	}
}

func TestRetryAfterServerWasDown(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	addr := closedAddr(t)
	c := clock.NewFake(t0)
	id := enqueue(t, d, t0, frMessage)
	del := newDeliverer(d, c, smtpSender(t, "smtp://"+smtpUser+":s3cret%20pass@"+addr+"?tls=none"))

	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	r := get(t, d, id)
	if r.Status != StatusPending || r.Attempts != 1 || !r.NextAttemptAt.After(c.Now()) || r.LastError == "" {
		t.Fatalf("after a refused connection: %+v", r)
	}

	srv := startSMTP(t, addr)
	c.Advance(time.Minute)
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 || parse(t, got[0].Data).MessageID != r.MessageID {
		t.Fatalf("server received %d messages (want 1 with Message-ID %s)", len(got), r.MessageID)
	}
	if r := get(t, d, id); r.Status != StatusSent {
		t.Errorf("status %q, want sent", r.Status)
	}
}

func TestParkAfterMaxAttemptsThenRequeue(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	c := clock.NewFake(t0)
	id := enqueue(t, d, t0, frMessage)
	down := &countingSender{next: smtpSender(t, "smtp://"+closedAddr(t)+"?tls=none")}
	del := newDeliverer(d, c, down)
	del.MaxAttempts = 3

	for i := 1; i <= 3; i++ {
		if err := del.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
	}
	r := get(t, d, id)
	if r.Status != StatusFailed || r.Attempts != 3 || r.LastError == "" {
		t.Fatalf("after 3 failures: %+v", r)
	}

	c.Advance(48 * time.Hour)
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if down.count() != 3 {
		t.Fatalf("%d send attempts, want 3: a failed message must not be retried", down.count())
	}

	failed, err := ListFailed(ctx, d)
	if err != nil || len(failed) != 1 || failed[0].ID != id {
		t.Fatalf("ListFailed = %+v, %v", failed, err)
	}

	if err := Requeue(ctx, d, c.Now(), id); err != nil {
		t.Fatal(err)
	}
	r = get(t, d, id)
	if r.Status != StatusPending || r.Attempts != 0 || r.LastError != "" || !r.NextAttemptAt.Equal(c.Now()) {
		t.Fatalf("after requeue: %+v", r)
	}
	if err := Requeue(ctx, d, c.Now(), id); !errors.Is(err, ErrNotFailed) {
		t.Fatalf("Requeue(pending) = %v, want ErrNotFailed", err)
	}
	if err := Requeue(ctx, d, c.Now(), id+100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Requeue(missing) = %v, want ErrNotFound", err)
	}

	srv := startSMTP(t, "127.0.0.1:0")
	up := &countingSender{next: smtpSender(t, srv.url())}
	del.Sender = up
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if up.count() != 1 || len(srv.messages()) != 1 {
		t.Fatalf("after requeue: %d sends, %d received, want 1 and 1", up.count(), len(srv.messages()))
	}
	if r := get(t, d, id); r.Status != StatusSent {
		t.Fatalf("status %q after requeue and run, want sent", r.Status)
	}
	if failed, _ := ListFailed(ctx, d); len(failed) != 0 {
		t.Fatalf("ListFailed = %+v after delivery", failed)
	}
}

func TestDeliveryOrderAndBatch(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	c := clock.NewFake(t0)
	var ids []int64
	for range 5 {
		ids = append(ids, enqueue(t, d, t0, frMessage))
	}
	// Not yet due: queued for later.
	later := enqueue(t, d, t0.Add(time.Hour), frMessage)
	var seen []string
	del := newDeliverer(d, c, senderFunc(func(_ context.Context, o Outgoing) error {
		seen = append(seen, o.MessageID)
		return nil
	}))
	del.Batch = 3
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Fatalf("first run sent %d, want the batch of 3", len(seen))
	}
	if err := del.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 5 {
		t.Fatalf("two runs sent %d, want 5 (the later one is not due)", len(seen))
	}
	for i, id := range ids {
		if want := get(t, d, id).MessageID; seen[i] != want {
			t.Fatalf("send %d was %s, want %s (id order)", i, seen[i], want)
		}
	}
	if get(t, d, later).Status != StatusPending {
		t.Fatal("a message not yet due was sent")
	}
}

func TestShutdownDuringSendIsNotAnAttempt(t *testing.T) {
	d := openDB(t)
	c := clock.NewFake(t0)
	id := enqueue(t, d, t0, frMessage)
	ctx, cancel := context.WithCancel(context.Background())
	del := newDeliverer(d, c, senderFunc(func(ctx context.Context, _ Outgoing) error {
		cancel()
		return ctx.Err()
	}))
	if err := del.RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce = %v, want context.Canceled", err)
	}
	if r := get(t, d, id); r.Status != StatusPending || r.Attempts != 0 {
		t.Fatalf("after an interrupted send: %+v", r)
	}
}

func TestDefaultBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		base    time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{50, time.Hour},
	}
	for _, c := range cases {
		for range 20 {
			got := DefaultBackoff(c.attempt)
			if got < c.base || got > c.base+c.base/10 {
				t.Fatalf("DefaultBackoff(%d) = %v, want %v plus at most 10%%", c.attempt, got, c.base)
			}
		}
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	s := strings.Repeat("é", 300) // 600 bytes
	got := truncate(s, 499)
	if len(got) != 498 || !strings.HasPrefix(s, got) {
		t.Fatalf("truncate cut to %d bytes", len(got))
	}
	if truncate("short", 500) != "short" {
		t.Fatal("short string changed")
	}
}

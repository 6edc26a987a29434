package mail

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/jmoiron/sqlx"
)

var frMessage = Message{
	To:      "Émilie Tremblay <emilie@example.ca>",
	Subject: "Votre code de vérification",
	Text:    "Bonjour Émilie,\n\n« Votre code : 123 456 »\n\nCe code expire dans 10 minutes. Ne le communiquez à personne.\n",
	Lang:    LangFR,
}

func countOutbox(t *testing.T, ctx context.Context, d interface {
	GetContext(context.Context, any, string, ...any) error
}) int {
	t.Helper()
	var n int
	if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM app_outbox`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnqueueFollowsTheCallersTransaction(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()

	boom := errors.New("business change failed")
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := Enqueue(ctx, tx, t0, testDomain, frMessage); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v, want %v", err, boom)
	}
	if n := countOutbox(t, ctx, d.R); n != 0 {
		t.Fatalf("%d messages after rollback, want 0", n)
	}

	id := enqueue(t, d, t0, frMessage)
	if n := countOutbox(t, ctx, d.R); n != 1 {
		t.Fatalf("%d messages after commit, want 1", n)
	}
	r := get(t, d, id)
	if !regexp.MustCompile(`^<[0-9a-f]{32}@guichet\.test>$`).MatchString(r.MessageID) {
		t.Errorf("MessageID = %q", r.MessageID)
	}
	if r.ToAddr != "emilie@example.ca" || r.Subject != frMessage.Subject || r.BodyText != frMessage.Text || r.Lang != LangFR {
		t.Errorf("stored %+v", r)
	}
	if r.Status != StatusPending || r.Attempts != 0 || r.LastError != "" || r.SentAt != nil {
		t.Errorf("new row state %+v", r)
	}
	if !r.NextAttemptAt.Equal(t0) || !r.CreatedAt.Equal(t0) {
		t.Errorf("times: next %v created %v, want %v", r.NextAttemptAt, r.CreatedAt, t0)
	}

	other := enqueue(t, d, t0, frMessage)
	if get(t, d, other).MessageID == r.MessageID {
		t.Error("two messages share a Message-ID")
	}
}

func TestEnqueueRefusesBadInput(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	good := Message{To: "a@example.ca", Subject: "Hello", Text: "Body", Lang: LangEN}
	cases := map[string]struct {
		m      Message
		domain string
	}{
		"two recipients":      {Message{To: "a@example.ca, b@example.ca", Subject: "s", Text: "t", Lang: "en"}, testDomain},
		"no recipient":        {Message{To: "", Subject: "s", Text: "t", Lang: "en"}, testDomain},
		"not an address":      {Message{To: "nobody", Subject: "s", Text: "t", Lang: "en"}, testDomain},
		"recipient injection": {Message{To: "a@example.ca\r\nBcc: x@evil.example", Subject: "s", Text: "t", Lang: "en"}, testDomain},
		"subject injection":   {Message{To: "a@example.ca", Subject: "Hi\r\nBcc: x@evil.example", Text: "t", Lang: "en"}, testDomain},
		"subject LF":          {Message{To: "a@example.ca", Subject: "Hi\nthere", Text: "t", Lang: "en"}, testDomain},
		"empty subject":       {Message{To: "a@example.ca", Subject: "  ", Text: "t", Lang: "en"}, testDomain},
		"empty body":          {Message{To: "a@example.ca", Subject: "s", Text: "", Lang: "en"}, testDomain},
		"unknown language":    {Message{To: "a@example.ca", Subject: "s", Text: "t", Lang: "de"}, testDomain},
		"no language":         {Message{To: "a@example.ca", Subject: "s", Text: "t"}, testDomain},
		"empty domain":        {good, ""},
		"domain with bracket": {good, "guichet>x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := d.Tx(ctx, func(tx *sqlx.Tx) error {
				_, err := Enqueue(ctx, tx, t0, c.domain, c.m)
				return err
			})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Enqueue = %v, want ErrInvalid", err)
			}
		})
	}
	if n := countOutbox(t, ctx, d.R); n != 0 {
		t.Fatalf("%d messages stored from bad input", n)
	}
}

func TestListAndGet(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	a := enqueue(t, d, t0, frMessage)
	b := enqueue(t, d, t0, Message{To: "b@example.ca", Subject: "Hello / Bonjour", Text: "Hi / Salut", Lang: LangBilingual})

	all, err := List(ctx, d, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != b || all[1].ID != a {
		t.Fatalf("List = %+v, want ids %d then %d", all, b, a)
	}
	one, err := List(ctx, d, 1)
	if err != nil || len(one) != 1 || one[0].ID != b {
		t.Fatalf("List(limit 1) = %+v, %v", one, err)
	}
	if _, err := Get(ctx, d, b+100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
	}
}

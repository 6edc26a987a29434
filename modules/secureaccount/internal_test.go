package secureaccount

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/modules/secureaccount/account"
)

func TestEnsureUCIRetriesOnCollision(t *testing.T) {
	d := apptest.OpenDB(t)
	s := NewStore(d, clock.NewFake(apptest.Start))
	ctx := context.Background()
	var a, b int64
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if a, err = s.Create(ctx, tx, account.Account{PairwiseID: "p1", FamilyName: "A", BirthDate: "1980-01-01", Email: "a@example.com", Lang: "en"}); err != nil {
			return err
		}
		b, err = s.Create(ctx, tx, account.Account{PairwiseID: "p2", FamilyName: "B", BirthDate: "1980-01-01", Email: "b@example.com", Lang: "fr"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	draws := []string{"1234567890", "1234567890", "1234567890", "2234567890"}
	newUCIHook = func() (string, error) {
		u := draws[0]
		draws = draws[1:]
		return u, nil
	}
	t.Cleanup(func() { newUCIHook = nil })
	var ua, ub string
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if ua, err = s.EnsureUCI(ctx, tx, a); err != nil {
			return err
		}
		ub, err = s.EnsureUCI(ctx, tx, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ua != "1234567890" || ub != "2234567890" || len(draws) != 0 {
		t.Fatalf("UCIs %q %q, %d draws left", ua, ub, len(draws))
	}
	// Running out of tries is an error, not a duplicate.
	newUCIHook = func() (string, error) { return "1234567890", nil }
	var c int64
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = s.Create(ctx, tx, account.Account{PairwiseID: "p3", FamilyName: "C", BirthDate: "1980-01-01", Email: "c@example.com", Lang: "en"}); err != nil {
			return err
		}
		_, err = s.EnsureUCI(ctx, tx, c)
		return err
	})
	if err == nil {
		t.Fatal("no error after every draw collided")
	}
	if _, err := s.Get(ctx, c); !errors.Is(err, ErrNotFound) {
		t.Fatal("the failed transaction left its account")
	}
	newUCIHook = nil
	for i := 0; i < 200; i++ {
		u, err := newUCI()
		if err != nil || len(u) != 10 || u[0] == '0' {
			t.Fatalf("newUCI %q %v", u, err)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	cases := []struct {
		in   string
		t    fileType
		want string
	}{
		{"passport.pdf", typePDF, "passport.pdf"},
		{"scan.html", typePDF, "scan.html.pdf"},
		{"/etc/passwd", typePNG, "passwd.png"},
		{`C:\docs\photo.JPEG`, typeJPEG, "photo.JPEG"},
		{"", typePDF, "document.pdf"},
		{"...", typePNG, "document.png"},
		{"a\x00b\"c\r\n.pdf", typePDF, "abc.pdf"},
	}
	for _, c := range cases {
		if got := cleanFilename(c.in, c.t); got != c.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := cleanFilename(string(make([]rune, 0))+repeat("é", 300)+".pdf", typePDF)
	if n := len([]rune(long)); n != maxFilename || long[len(long)-4:] != ".pdf" {
		t.Errorf("long name cut to %d runes: %q", n, long[len(long)-8:])
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

func TestContentDisposition(t *testing.T) {
	got := account.ContentDisposition(`Relevé "bancaire"; 100%.pdf`)
	want := `attachment; filename="Relev_ _bancaire__ 100_.pdf"; filename*=UTF-8''Relev%C3%A9%20%22bancaire%22%3B%20100%25.pdf`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestSniff(t *testing.T) {
	for _, good := range [][]byte{[]byte("%PDF-1.7 rest\n%%EOF"), []byte("%PDF-1.7 rest\n%%EOF\r\n"),
		append([]byte("%PDF-1.4\n%%EOF"), bytes.Repeat([]byte{0}, pdfTailWindow-len("%%EOF"))...)} {
		if _, ok := sniff(good); !ok {
			t.Errorf("PDF %.20q refused", good)
		}
	}
	// A script behind a PDF header, and a PDF whose end is cut off.
	truncated := append([]byte("%PDF-1.4\n%%EOF"), bytes.Repeat([]byte{0}, pdfTailWindow)...)
	for _, bad := range [][]byte{nil, []byte("%PDF"), []byte("<html>%PDF-"), []byte("%PDF-1.7 <script>alert(1)</script>"), truncated,
		{0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE0, 0, 0}} {
		if _, ok := sniff(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

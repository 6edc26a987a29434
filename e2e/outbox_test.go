package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/mail"
)

// TestOutbox checks the development outbox: the empty list, the list with
// a message, the message page, and that a link in the message can be
// followed.
func TestOutbox(t *testing.T) {
	t.Parallel()
	for _, l := range []string{"en", "fr"} {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, apptest.Options{})
			ctx := newTab(t)

			load(t, ctx, a.URL+"/"+l+"/dev/outbox", http.StatusOK)
			if !exists(t, ctx, `[data-testid="outbox-empty"]`) {
				t.Error("the empty outbox does not say it is empty")
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)

			// A link back into the application, so following it proves the
			// link works without leaving the test server.
			link := a.URL + "/" + l + "/help"
			err := a.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
				_, err := mail.Enqueue(context.Background(), tx, time.Now(), "guichet.test", mail.Message{
					To: "person@example.test", Subject: "Confirm your email address",
					Text: "Hello,\n\nTo confirm, open " + link + ".\n\nGuichet\n", Lang: l,
				})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			load(t, ctx, a.URL+"/"+l+"/dev/outbox", http.StatusOK)
			if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="outbox"] tbody tr').length`); n != 1 {
				t.Fatalf("the outbox lists %d messages, want 1", n)
			}
			axeCheck(t, ctx)

			clickNav(t, ctx, `[data-testid="outbox"] tbody a`)
			if got := text(t, ctx, "h1"); got != "Confirm your email address" {
				t.Errorf("message page heading %q", got)
			}
			if got := htmlLang(t, ctx); got != l {
				t.Errorf("<html lang=%q>, want %q", got, l)
			}
			axeCheck(t, ctx)
			// The trailing full stop is punctuation, not part of the link.
			sel := `[data-testid="mail-body"] a[href=` + js(link) + `]`
			if !exists(t, ctx, sel) {
				t.Fatalf("the message body has no link to %s: %s", link, text(t, ctx, `[data-testid="mail-body"]`))
			}
			// The toggle keeps the message.
			message := location(t, ctx)
			checkToggle(t, ctx)
			load(t, ctx, a.URL+message, http.StatusOK)

			clickNav(t, ctx, sel)
			if got := location(t, ctx); got != "/"+l+"/help" {
				t.Errorf("the link in the message led to %s", got)
			}
		})
	}
}

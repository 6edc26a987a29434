package modules_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/modules"
	"guichet/modules/secureaccount/account"
)

// BenchmarkDashboard serves the secure account's dashboard to an account
// with 20 applications and 50 letters, through the whole middleware chain,
// for profiling (the load benchmark in e2e/load measures it under load).
func BenchmarkDashboard(b *testing.B) {
	var set *modules.Set
	a := apptest.New(b, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		var err error
		if set, err = modules.Setup(k, s); err != nil {
			b.Fatal(err)
		}
	}})
	c := a.Client(b)
	c.Get("/en/test/password-verified?service=ircc")
	c.Get("/en/test/second-factor")
	c.Get("/en/ircc/")
	c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}})
	c.Get("/en/ircc/")
	if p := c.Post("/en/ircc/enrol", url.Values{"given_name": {"Alex"}, "family_name": {"Martin"}, "birth_day": {"4"},
		"birth_month": {"7"}, "birth_year": {"1990"}, "email": {"alex@example.com"}, "lang": {"en"}}); p.StatusCode != http.StatusSeeOther {
		b.Fatalf("enrol: %d %s", p.StatusCode, p.Text("main"))
	}
	var id int64
	if err := a.DB.R.Get(&id, `SELECT id FROM ircc_accounts`); err != nil {
		b.Fatal(err)
	}
	err := a.DB.Tx(b.Context(), func(tx *sqlx.Tx) error {
		for i := range 20 {
			if _, _, err := set.Cases.Applications().Submit(b.Context(), tx, account.NewApplication{AccountID: id, Kind: account.KindPaper,
				Program: "Study permit", GivenName: "Alex", FamilyName: "Martin", BirthDate: "1990-07-04", Data: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		for i := range 50 {
			if _, err := set.Account.Mailbox().Post(b.Context(), tx, id, account.Letter{Kind: account.LetterGeneral,
				Subject: fmt.Sprint("Letter ", i), Body: "Body"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if p := c.Get("/en/ircc/"); p.Doc.Find(`[data-testid="dashboard"]`).Length() != 1 || p.Doc.Find(`[data-testid="applications"] tbody tr`).Length() != 20 {
		b.Fatalf("not the dashboard with 20 applications: %s", p.Text("main"))
	}
	// The loop reads the page without parsing it, so the profile is the
	// server's. Each request is new: the client adds the cookies to it.
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req, err := http.NewRequest(http.MethodGet, a.URL+"/en/ircc/", nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := c.HTTP.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatal(res.StatusCode)
		}
	}
}

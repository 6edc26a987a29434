package secureaccount_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guichet/app/identity"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
)

func TestCreateDemoAccountEnrolsOnce(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	cred, err := identity.NewRef(identity.KindGCKey)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := e.Pairwise.Pairwise(ctx, cred, secureaccount.Service)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{PairwiseID: pw, GivenName: "Alex", FamilyName: "Martin", BirthDate: "1995-01-02",
		Email: "alex@example.com", Lang: "xx"}
	id, created, err := e.mod.CreateDemoAccount(ctx, a)
	if err != nil || !created || id == 0 {
		t.Fatalf("create: %d %v %v", id, created, err)
	}
	got, err := e.mod.Store().Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.PairwiseID != pw || got.FamilyName != "Martin" || got.BirthDate != "1995-01-02" || got.Lang != "en" || got.UCI != "" {
		t.Fatalf("account %+v", got)
	}
	var audited int
	if err := e.DB.R.Get(&audited, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'service_enrolled'`, "ircc:"+pw); err != nil || audited != 1 {
		t.Fatalf("enrolment audited %d times (%v)", audited, err)
	}

	// Again: the same account, nothing written.
	again, created, err := e.mod.CreateDemoAccount(ctx, a)
	if err != nil || created || again != id {
		t.Fatalf("second time: %d %v %v", again, created, err)
	}
	if e.count(t, "ircc_accounts") != 1 {
		t.Fatal("a second account")
	}

	// Signed in with that GCKey, the person lands on their dashboard, not
	// on the enrolment form.
	c := e.Client(t)
	c.Get("/en/test/password-verified?cred=" + string(cred))
	c.Get("/en/test/second-factor")
	c.Get("/en/ircc/")
	if p := c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("continue: %d", p.StatusCode)
	}
	p := c.Get("/en/ircc/")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Text(`[data-testid="welcome"]`), "Alex Martin") {
		t.Fatalf("dashboard: %d %s", p.StatusCode, p.Text("main"))
	}

	if _, _, err := e.mod.CreateDemoAccount(ctx, account.Account{PairwiseID: "x", Email: "x@example.com"}); err == nil {
		t.Fatal("an account without a family name")
	}
}

package identity_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/clock"
	"guichet/app/identity"
)

func TestRefs(t *testing.T) {
	re := regexp.MustCompile(`^gckey:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, _ := identity.NewRef(identity.KindGCKey)
	b, _ := identity.NewRef(identity.KindGCKey)
	if !re.MatchString(string(a)) || a == b || a.Kind() != "gckey" {
		t.Fatalf("refs %q %q", a, b)
	}
}

func TestPairwiseIsStablePerServiceAndUnlinkable(t *testing.T) {
	d := apptest.OpenDB(t)
	s := identity.NewStore(d, clock.NewFake(apptest.Start))
	ctx := context.Background()
	cred, _ := identity.NewRef(identity.KindGCKey)
	other, _ := identity.NewRef(identity.KindPartner)

	ircc1, err := s.Pairwise(ctx, cred, "ircc")
	if err != nil {
		t.Fatal(err)
	}
	ircc2, _ := s.Pairwise(ctx, cred, "ircc")
	cipo, _ := s.Pairwise(ctx, cred, "cipo")
	otherIRCC, _ := s.Pairwise(ctx, other, "ircc")
	if ircc1 != ircc2 {
		t.Fatal("pairwise id changed between visits")
	}
	if ircc1 == cipo || ircc1 == otherIRCC || len(ircc1) != 32 {
		t.Fatalf("ids not distinct random values: %s %s %s", ircc1, cipo, otherIRCC)
	}
	if _, err := s.Pairwise(ctx, cred, "pr"); err == nil {
		t.Fatal("the PR portal must not get pairwise ids")
	}
}

func TestPairwiseFirstVisitRace(t *testing.T) {
	d := apptest.OpenDB(t)
	s := identity.NewStore(d, clock.NewFake(apptest.Start))
	cred, _ := identity.NewRef(identity.KindGCKey)
	var wg sync.WaitGroup
	ids := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := s.Pairwise(context.Background(), cred, "pt")
			if err != nil {
				t.Error(err)
			}
			ids <- id
		}()
	}
	wg.Wait()
	close(ids)
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatal("racing first visits got different ids")
		}
	}
}

// An entry that takes only a GCKey with the authenticator app refuses the
// email code and Sign-In Partners, on its page and at the hand-over.
func TestAppOnlyEntryRefusesOtherFactors(t *testing.T) {
	a := apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		for _, g := range s.Langs {
			k.Identity.MountEntry(g, identity.Entry{Service: "staff", NameKey: "service.staff.title", AppOnly: true,
				Home: func(c echo.Context) error { return c.String(http.StatusOK, "console") }})
		}
	}})
	c := a.Client(t)
	if p := c.Get("/en/staff/"); p.Doc.Find(`[data-testid="app-only"]`).Length() != 1 || p.Doc.Find(`[data-testid="partner-section"]`).Length() != 0 {
		t.Fatal("the chooser should offer GCKey alone and say the app is needed")
	}
	cred := c.Get("/en/test/password-verified?service=staff").Body
	c.Get("/en/test/second-factor?factor=" + identity.FactorEmail)
	if p := c.Get("/en/staff/"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-testid="app-only-refused"]`).Length() != 1 {
		t.Fatalf("an email-code sign-in reached the staff entry: %d", p.StatusCode)
	}
	if p := c.Post("/en/staff/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("continue: %d", p.StatusCode)
	}
	if p := c.Get("/en/test/service/staff"); p.StatusCode != http.StatusUnauthorized {
		t.Fatal("an email-code sign-in was handed to the staff console")
	}

	d := a.Client(t)
	d.Get("/en/test/password-verified?service=staff&cred=" + url.QueryEscape(cred))
	d.Get("/en/test/second-factor?factor=" + identity.FactorApp)
	d.Get("/en/staff/")
	d.Post("/en/staff/continue", url.Values{"enrol": {"yes"}})
	if p := d.Get("/en/staff/"); p.Body != "console" {
		t.Fatalf("the app sign-in did not reach the console: %s", p.Text("main"))
	}
}

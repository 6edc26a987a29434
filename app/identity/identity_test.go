package identity_test

import (
	"context"
	"regexp"
	"sync"
	"testing"

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

package expressentry_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry"
)

func TestPoolSearchShowsOnlyNumbersScoresAndFactors(t *testing.T) {
	// What a candidate carries, field by field: adding a field here must
	// be a decision, never a name, an address or an account.
	var names []string
	ct := reflect.TypeFor[expressentry.Candidate]()
	for i := range ct.NumField() {
		names = append(names, ct.Field(i).Name)
	}
	want := []string{"Number", "Score", "FirstLanguageMin", "Education", "CanadianWork", "ForeignWork", "NOC", "TEER", "NominatedBy"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("Candidate fields %v", names)
	}

	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c) // interested in BC and ON
	number := *e.profileRow(t, idOf(t, base)).Number
	past := apptest.Start.Add(-time.Hour)
	other := e.seed(t, e.person("en"), "E0000000002", goodProfile(), past, ",AB,QC,")
	low := goodProfile()
	low.Education = crs.Secondary
	e.seed(t, e.person("en"), "E0000000003", low, past, ",ON,")
	pool := e.mod.Pool()
	ctx := t.Context()

	found, total, err := pool.Search(ctx, expressentry.Query{Jurisdiction: "ON"})
	if err != nil || total != 2 || len(found) != 2 || found[0].Number != number || found[1].Number != "E0000000003" {
		t.Fatalf("ON: %+v %d %v", found, total, err)
	}
	if f := found[0]; f.NOC != "21232" || f.TEER != 1 || f.FirstLanguageMin != 9 || f.Education != crs.Master || f.CanadianWork != 1 || f.ForeignWork != 3 {
		t.Errorf("factors %+v", f)
	}
	if found, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "AB"}); len(found) != 1 || found[0].Number != "E0000000002" {
		t.Errorf("AB: %+v", found)
	}
	if found, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "QC"}); len(found) != 1 {
		t.Errorf("QC: %+v", found)
	}
	if found, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "MB"}); len(found) != 0 {
		t.Errorf("MB: %+v", found)
	}
	master := crs.Master
	teer := 1
	for name, q := range map[string]expressentry.Query{
		"education":   {Jurisdiction: "ON", Education: &master},
		"score":       {Jurisdiction: "ON", MinScore: found[0].Score},
		"limit":       {Jurisdiction: "ON", Limit: 1},
		"teer":        {Jurisdiction: "ON", TEER: &teer, MinScore: found[0].Score},
		"noc":         {Jurisdiction: "ON", NOC: "21232", MinScore: found[0].Score},
		"language":    {Jurisdiction: "ON", MinLanguage: 9, MinScore: found[0].Score},
		"work":        {Jurisdiction: "ON", MinCanadianWork: 1, MinForeignWork: 3, MinScore: found[0].Score},
		"score range": {Jurisdiction: "ON", MinScore: found[1].Score + 1, MaxScore: found[0].Score},
	} {
		got, _, err := pool.Search(ctx, q)
		if err != nil || len(got) != 1 || got[0].Number != number {
			t.Errorf("%s: %+v %v", name, got, err)
		}
	}
	if got, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "ON", MaxScore: found[1].Score}); len(got) != 1 || got[0].Number != "E0000000003" {
		t.Errorf("maximum score: %+v", got)
	}
	if got, total, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "ON", NOC: "11100"}); len(got) != 0 || total != 0 {
		t.Errorf("another NOC: %+v", got)
	}
	if got, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "ON", Offset: 1}); len(got) != 1 || got[0].Number != "E0000000003" {
		t.Errorf("offset: %+v", got)
	}
	if _, _, err := pool.Search(ctx, expressentry.Query{Jurisdiction: "XX"}); !errors.Is(err, expressentry.ErrJurisdiction) {
		t.Errorf("unknown jurisdiction: %v", err)
	}
	// Invited or expired profiles are not in the pool.
	if _, err := e.mod.RunRound(ctx, 1, 1, 0, apptest.Start); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := pool.Search(ctx, expressentry.Query{Jurisdiction: "AB"}); len(got) != 0 {
		t.Errorf("an invited profile is still found: %+v (other id %d)", got, other)
	}
}

func TestPoolVerify(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	r := e.profileRow(t, idOf(t, base))
	pool := e.mod.Pool()
	ref, err := pool.Verify(t.Context(), *r.Number, r.JSVC)
	if err != nil || ref.Number != *r.Number || ref.Score != r.Score || !ref.InPool {
		t.Fatalf("verify: %+v %v", ref, err)
	}
	// As an officer may type them.
	if ref, err := pool.Verify(t.Context(), strings.ToLower(*r.Number)+" ", " "+strings.ToLower(r.JSVC)); err != nil || ref.Number != *r.Number {
		t.Errorf("verify as typed: %+v %v", ref, err)
	}
	for _, bad := range [][2]string{{*r.Number, "22222222222Z"}, {"E0000000000", r.JSVC}, {*r.Number, ""}, {"", ""},
		{"E0000000000", "ZZZZZZZZZZZZ"}, {*r.Number, r.JSVC[:11]}, {*r.Number, r.JSVC + r.JSVC}} {
		if _, err := pool.Verify(t.Context(), bad[0], bad[1]); err != expressentry.ErrNotVerified {
			t.Errorf("verify %v: %v", bad, err)
		}
	}
}

func TestNominationAddsAndClearsExactly600(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	id := idOf(t, base)
	before := e.profileRow(t, id)
	number := *before.Number
	pool := e.mod.Pool()
	ctx := t.Context()

	jsvc := before.JSVC

	for _, j := range []string{"QC", "NU"} {
		if err := pool.Nominate(ctx, number, jsvc, j); !errors.Is(err, expressentry.ErrNoPNP) {
			t.Errorf("%s nominates: %v", j, err)
		}
	}
	if err := pool.Nominate(ctx, number, jsvc, "XX"); !errors.Is(err, expressentry.ErrJurisdiction) {
		t.Errorf("XX: %v", err)
	}
	if err := pool.Nominate(ctx, "E0000000000", jsvc, "ON"); !errors.Is(err, expressentry.ErrNotVerified) {
		t.Errorf("unknown number: %v", err)
	}
	// A province nominates only with the candidate's validation code.
	for _, wrong := range []string{"", "ZZZZZZZZZZZZ", jsvc[:11], jsvc + "2"} {
		if err := pool.Nominate(ctx, number, wrong, "ON"); !errors.Is(err, expressentry.ErrNotVerified) {
			t.Errorf("nominated with the code %q: %v", wrong, err)
		}
	}
	if e.profileRow(t, id).Score != before.Score {
		t.Fatal("a refused nomination changed the score")
	}
	// The code as people type it: lower case, with spaces.
	if err := pool.Nominate(ctx, " "+number+" ", " "+strings.ToLower(jsvc)+" ", "ON"); err != nil {
		t.Fatal(err)
	}
	after := e.profileRow(t, id)
	if after.Score != before.Score+600 || after.NominatedBy != "ON" {
		t.Errorf("nominated: %d -> %d by %q", before.Score, after.Score, after.NominatedBy)
	}
	p := goodProfile()
	p.Nominated = true
	if b, _ := crs.Score(p); b.Total != after.Score {
		t.Errorf("score %d, crs.Score %d", after.Score, b.Total)
	}
	if err := pool.Nominate(ctx, number, jsvc, "BC"); !errors.Is(err, expressentry.ErrAlreadyNominated) {
		t.Errorf("second nomination: %v", err)
	}
	if err := pool.Nominate(ctx, number, jsvc, "ON"); !errors.Is(err, expressentry.ErrAlreadyNominated) {
		t.Errorf("the same nomination twice: %v", err)
	}
	if got := e.profileRow(t, id).Score; got != before.Score+600 {
		t.Errorf("after refused nominations the score is %d, want %d", got, before.Score+600)
	}
	if err := pool.ClearNomination(ctx, number, "BC"); !errors.Is(err, expressentry.ErrNotNominated) {
		t.Errorf("clearing another's nomination: %v", err)
	}
	if nominated := c.Get(base); nominated.Text(`[data-testid="profile-nominated"]`) != "Ontario" {
		t.Errorf("profile page does not show the nomination:\n%s", nominated.Body)
	}
	if err := pool.ClearNomination(ctx, number, "ON"); err != nil {
		t.Fatal(err)
	}
	if cleared := e.profileRow(t, id); cleared.Score != before.Score || cleared.NominatedBy != "" || cleared.Breakdown != before.Breakdown {
		t.Errorf("cleared: %d (was %d), by %q", cleared.Score, before.Score, cleared.NominatedBy)
	}
	// Clearing twice takes nothing more away.
	if err := pool.ClearNomination(ctx, number, "ON"); !errors.Is(err, expressentry.ErrNotNominated) {
		t.Errorf("clearing twice: %v", err)
	}
	if got := e.profileRow(t, id).Score; got != before.Score {
		t.Errorf("cleared twice: score %d, want %d", got, before.Score)
	}
	// A nomination lifts a profile above a round's minimum.
	if err := pool.Nominate(ctx, number, jsvc, "ON"); err != nil {
		t.Fatal(err)
	}
	if r, err := e.mod.RunRound(ctx, 1, 10, 601, apptest.Start); err != nil || r.Invited != 1 {
		t.Errorf("round after nomination %+v %v", r, err)
	}
	if err := pool.ClearNomination(ctx, number, "ON"); err != nil {
		t.Fatal(err)
	}
	if err := pool.Nominate(ctx, number, jsvc, "BC"); !errors.Is(err, expressentry.ErrNotInPool) {
		t.Errorf("nominated an invited profile: %v", err)
	}
}

func TestNominationsAtOnceAddOnly600(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	id := idOf(t, base)
	before := e.profileRow(t, id)
	pool := e.mod.Pool()
	provinces := []string{"AB", "BC", "MB", "NB", "NL", "NS", "ON", "PE"}
	errs := make([]error, len(provinces))
	var wg sync.WaitGroup
	for i, j := range provinces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = pool.Nominate(t.Context(), *before.Number, before.JSVC, j)
		}()
	}
	wg.Wait()
	won := ""
	for i, err := range errs {
		switch {
		case err == nil && won == "":
			won = provinces[i]
		case err == nil:
			t.Errorf("%s and %s both nominated", won, provinces[i])
		case !errors.Is(err, expressentry.ErrAlreadyNominated) && !errors.Is(err, expressentry.ErrChanged):
			t.Errorf("%s: %v", provinces[i], err)
		}
	}
	if after := e.profileRow(t, id); won == "" || after.NominatedBy != won || after.Score != before.Score+600 {
		t.Errorf("nominated by %q (won %q), score %d, want %d", after.NominatedBy, won, after.Score, before.Score+600)
	}
}

func TestPoolPostsAMessageToTheCandidate(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	number := *e.profileRow(t, idOf(t, base)).Number
	l := account.Letter{Kind: account.LetterInterest, Subject: "Notification of interest", Body: "Ontario is interested."}
	if err := e.mod.Pool().PostMessage(t.Context(), number, l); err != nil {
		t.Fatal(err)
	}
	ls := e.mailbox.all()
	if len(ls) != 1 || ls[0].AccountID != 1 || ls[0].Letter.Kind != account.LetterInterest {
		t.Errorf("letters %+v", ls)
	}
	if err := e.mod.Pool().PostMessage(t.Context(), "E0000000000", l); !errors.Is(err, expressentry.ErrNotVerified) {
		t.Errorf("unknown number: %v", err)
	}
	// A province writes only notifications of interest and nominations:
	// never an IRCC letter, a letter about an application, a request for
	// documents (which would open uploads) or one that asks for a reply.
	for name, change := range map[string]func(*account.Letter){
		"decision":   func(l *account.Letter) { l.Kind = account.LetterDecision },
		"invitation": func(l *account.Letter) { l.Kind = account.LetterInvitation },
		"documents":  func(l *account.Letter) { l.DocumentLabels = []string{"Passport"} },
		"reply":      func(l *account.Letter) { l.NeedsReply = true },
		"app":        func(l *account.Letter) { l.ApplicationID = 1 },
		"staff":      func(l *account.Letter) { l.StaffID = 1 },
		"no subject": func(l *account.Letter) { l.Subject = " " },
		"no body":    func(l *account.Letter) { l.Body = "" },
	} {
		bad := l
		change(&bad)
		if err := e.mod.Pool().PostMessage(t.Context(), number, bad); !errors.Is(err, expressentry.ErrLetter) {
			t.Errorf("%s: %v", name, err)
		}
	}
	nomination := account.Letter{Kind: account.LetterNomination, Subject: "Nomination", Body: "Ontario nominates you."}
	if err := e.mod.Pool().PostMessage(t.Context(), number, nomination); err != nil {
		t.Fatal(err)
	}
	if ls := e.mailbox.all(); len(ls) != 2 {
		t.Errorf("%d letters, want the notification and the nomination", len(ls))
	}
}

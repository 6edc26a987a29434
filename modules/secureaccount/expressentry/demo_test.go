package expressentry_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/modules/secureaccount/expressentry"
)

var (
	numberPattern = regexp.MustCompile(`^E[0-9]{10}$`)
	jsvcPattern   = regexp.MustCompile(`^[` + expressentry.JSVCAlphabet + `]{12}$`)
)

// profileOf is the id of an account's only profile.
func (e *env) profileOf(t *testing.T, accountID int64) int64 {
	t.Helper()
	var ids []int64
	if err := e.DB.R.Select(&ids, `SELECT id FROM ircc_profiles WHERE account_id = ?`, accountID); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("account %d has %d profiles", accountID, len(ids))
	}
	return ids[0]
}

func TestCreateDemoProfileSubmitsAsThePagesDo(t *testing.T) {
	e := start(t)
	ctx := context.Background()

	// Someone submits through the pages; the demo applicant gets the same
	// person's profile from CreateDemoProfile.
	ana := e.applicant(t)
	byPages := e.profileRow(t, idOf(t, submitted(t, ana)))
	c := e.applicant(t)
	const demoAccount = 2
	number, jsvc, score, err := e.mod.CreateDemoProfile(ctx, demoAccount)
	if err != nil {
		t.Fatal(err)
	}
	if !numberPattern.MatchString(number) || !jsvcPattern.MatchString(jsvc) {
		t.Fatalf("number %q, code %q", number, jsvc)
	}
	id := e.profileOf(t, demoAccount)
	r := e.profileRow(t, id)
	acc, err := e.accounts.Get(ctx, demoAccount)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != expressentry.StatusSubmitted || r.Number == nil || *r.Number != number || r.JSVC != jsvc || r.UCI == "" || r.UCI != acc.UCI {
		t.Fatalf("row %+v", r)
	}
	if r.Score != score || r.Score != byPages.Score || r.Breakdown != byPages.Breakdown {
		t.Fatalf("score %d (%d), want %d; breakdown %s, want %s", r.Score, score, byPages.Score, r.Breakdown, byPages.Breakdown)
	}
	if r.Interests != byPages.Interests || r.NOC != byPages.NOC || r.TEER != byPages.TEER || r.Language != byPages.Language ||
		r.Education != byPages.Education || r.Canadian != byPages.Canadian || r.Foreign != byPages.Foreign {
		t.Fatalf("search columns %+v, want %+v", r, byPages)
	}
	now := e.Clock.Now()
	if r.Submitted == nil || !r.Submitted.Equal(now) || r.Expires == nil || !r.Expires.Equal(now.AddDate(0, 12, 0)) {
		t.Fatalf("submitted %v, expires %v", r.Submitted, r.Expires)
	}

	// The person sees it in the pool, with its number and code.
	p := c.Get("/en/ircc/express-entry/")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, number) {
		t.Fatalf("list: %d %s", p.StatusCode, p.Text("main"))
	}
	p = c.Get("/en/ircc/express-entry/" + strconv.FormatInt(id, 10))
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, jsvc) || !strings.Contains(p.Body, number) {
		t.Fatalf("profile page: %d %s", p.StatusCode, p.Text("main"))
	}

	// Again: the same profile back, nothing new.
	n2, j2, s2, err := e.mod.CreateDemoProfile(ctx, demoAccount)
	if err != nil || n2 != number || j2 != jsvc || s2 != score {
		t.Fatalf("second time: %s %s %d %v", n2, j2, s2, err)
	}
	e.profileOf(t, demoAccount)
	if e.Count(t, "ircc_profiles") != 2 {
		t.Fatal("a second demo profile")
	}
}

func TestCreateDemoProfileCompletesADraft(t *testing.T) {
	e := start(t)
	// A leap day, whose dates a year or more back do not exist.
	e.Fake.Set(time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC))
	c := e.applicant(t)
	base := startProfile(t, c)
	number, _, _, err := e.mod.CreateDemoProfile(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	r := e.profileRow(t, idOf(t, base))
	if r.Status != expressentry.StatusSubmitted || r.Number == nil || *r.Number != number {
		t.Fatalf("the draft was not submitted: %+v", r)
	}
	if e.Count(t, "ircc_profiles") != 1 {
		t.Fatal("a profile besides the draft")
	}
	// The draft's pages now lead to the submitted profile.
	expect(t, c.Get(base+"/review"), http.StatusSeeOther, base)
}

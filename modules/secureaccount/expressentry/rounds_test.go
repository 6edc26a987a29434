package expressentry_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/expressentry"
)

// seedScores puts profiles with these scores in the pool, one second
// apart in submission order, and returns their ids.
func (e *env) seedScores(t testing.TB, at time.Time, scores ...int) []int64 {
	t.Helper()
	ids := make([]int64, len(scores))
	for i, s := range scores {
		acc := e.person("en")
		ids[i] = e.seedRaw(t, acc, fmt.Sprintf("E%010d", acc), s, `{}`, `{}`, at.Add(time.Duration(i)*time.Second), ",ON,")
	}
	return ids
}

func (e *env) statuses(t testing.TB) map[int64]string {
	t.Helper()
	var rs []struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := e.DB.R.Select(&rs, `SELECT id, status FROM ircc_profiles`); err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, r := range rs {
		out[r.ID] = r.Status
	}
	return out
}

func TestRoundInvitesByScoreThenSubmissionTime(t *testing.T) {
	e := start(t)
	past := apptest.Start.Add(-30 * 24 * time.Hour)
	// Scores 480, 500, 470, 480, 450, 480: ranks are 500, then the three
	// 480s in submission order, then 470 and 450.
	ids := e.seedScores(t, past, 480, 500, 470, 480, 450, 480)
	// An expired profile with the best score, and a draft, never count.
	expired := e.seedRaw(t, e.person("fr"), "E0000000099", 900, `{}`, `{}`, past.AddDate(-1, 0, -1), ",ON,")
	if _, err := e.DB.W.Exec(`INSERT INTO ircc_profiles (account_id, status, score, created_at, updated_at) VALUES (1, 'draft', 1000, ?, ?)`, past, past); err != nil {
		t.Fatal(err)
	}

	r, err := e.mod.RunRound(t.Context(), 7, 3, 0, apptest.Start)
	if err != nil {
		t.Fatal(err)
	}
	st := e.statuses(t)
	for i, want := range []string{"invited", "invited", "submitted", "invited", "submitted", "submitted"} {
		if st[ids[i]] != want {
			t.Errorf("profile %d (score index %d): %s, want %s", ids[i], i, st[ids[i]], want)
		}
	}
	if st[expired] != "submitted" {
		t.Error("an expired profile was invited")
	}
	// Cut-off 480, tie-break: the second 480's submission time.
	if r.Invited != 3 || !r.Cutoff.Valid || r.Cutoff.Int64 != 480 || !r.Tiebreak.Time.Equal(past.Add(3*time.Second)) || r.Date != "2024-01-23" {
		t.Errorf("round %+v", r)
	}
	var stored expressentry.Round
	if err := e.DB.R.Get(&stored, `SELECT id, round_date, size, min_score, invited, cutoff_score, tiebreak_at, staff_id, run_at FROM ircc_rounds`); err != nil {
		t.Fatal(err)
	}
	if stored.Invited != 3 || stored.Cutoff.Int64 != 480 || !stored.Tiebreak.Time.Equal(past.Add(3*time.Second)) || stored.StaffID != 7 {
		t.Errorf("stored round %+v", stored)
	}
	// Each invited person has a letter with the checklist, and 60 days.
	ls := e.mailbox.all()
	if len(ls) != 3 {
		t.Fatalf("%d letters", len(ls))
	}
	for _, l := range ls {
		if l.Letter.Kind != account.LetterInvitation || !strings.Contains(l.Letter.Body, "- Passport or travel document") {
			t.Errorf("letter %+v", l)
		}
	}
	var respond time.Time
	if err := e.DB.R.Get(&respond, `SELECT respond_by FROM ircc_invitations LIMIT 1`); err != nil || !respond.Equal(apptest.Start.AddDate(0, 0, 60)) {
		t.Errorf("respond by %v (%v)", respond, err)
	}
	var audits int
	if err := e.DB.R.Get(&audits, `SELECT COUNT(*) FROM app_audit WHERE event = 'staff_action' AND subject = 'staff:7'`); err != nil || audits != 1 {
		t.Errorf("%d audit entries (%v)", audits, err)
	}

	// A minimum score: only 470 and above, so the remaining 480 and the 470.
	r2, err := e.mod.RunRound(t.Context(), 7, 10, 470, apptest.Start)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Invited != 2 || r2.Cutoff.Int64 != 470 {
		t.Errorf("second round %+v", r2)
	}
	if e.statuses(t)[ids[4]] != "submitted" {
		t.Error("the 450 was invited below the minimum")
	}
	// Nobody left above 900: a round that invites nobody records no cut-off.
	r3, err := e.mod.RunRound(t.Context(), 7, 10, 900, apptest.Start)
	if err != nil || r3.Invited != 0 || r3.Cutoff.Valid {
		t.Errorf("empty round %+v, %v", r3, err)
	}
	for _, bad := range [][2]int{{0, 0}, {10001, 0}, {5, -1}, {5, 1201}} {
		if _, err := e.mod.RunRound(t.Context(), 7, bad[0], bad[1], apptest.Start); err != expressentry.ErrRoundSize {
			t.Errorf("round %v: %v", bad, err)
		}
	}
}

func TestTwoRoundsAtOnceNeverInviteAProfileTwice(t *testing.T) {
	e := start(t)
	scores := make([]int, 300)
	for i := range scores {
		scores[i] = 400 + i%37
	}
	e.seedScores(t, apptest.Start.Add(-time.Hour), scores...)
	var wg sync.WaitGroup
	rounds := make([]expressentry.Round, 4)
	errs := make([]error, 4)
	for i := range rounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rounds[i], errs[i] = e.mod.RunRound(t.Context(), int64(i+1), 100, 0, apptest.Start)
		}()
	}
	wg.Wait()
	total := 0
	for i := range rounds {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += rounds[i].Invited
	}
	var dup int
	if err := e.DB.R.Get(&dup, `SELECT COUNT(*) FROM (SELECT profile_id FROM ircc_invitations GROUP BY profile_id HAVING COUNT(*) > 1)`); err != nil {
		t.Fatal(err)
	}
	if total != 300 || dup != 0 || e.Count(t, "ircc_invitations") != 300 || len(e.mailbox.all()) != 300 {
		t.Errorf("invited %d, duplicates %d, invitations %d, letters %d", total, dup, e.Count(t, "ircc_invitations"), len(e.mailbox.all()))
	}
}

// invite submits a profile for a new applicant and invites it.
func (e *env) invite(t *testing.T) (c *apptest.Client, base string) {
	t.Helper()
	c = e.applicant(t)
	base = submitted(t, c)
	r, err := e.mod.RunRound(t.Context(), 1, 1, 0, apptest.Start)
	if err != nil || r.Invited != 1 {
		t.Fatalf("round: %+v %v", r, err)
	}
	return c, base
}

func TestDeclineReturnsTheProfileToThePool(t *testing.T) {
	e := start(t)
	c, base := e.invite(t)
	id := idOf(t, base)
	page := c.Get(base)
	if page.Text(`[data-testid="invitation-status"]`) != "Waiting for your answer" || page.Doc.Find(`[data-testid="checklist"] li`).Length() != 6 {
		t.Fatalf("profile page:\n%s", page.Body)
	}
	decline := c.Get(base + "/invitation/decline")
	expect(t, decline, http.StatusOK, "")
	expect(t, c.Post(base+"/invitation/decline", nil), http.StatusSeeOther, base+"?declined=1")
	r := e.profileRow(t, id)
	if r.Status != "submitted" || !r.Submitted.Equal(apptest.Start) {
		t.Errorf("after declining: %+v", r)
	}
	if c.Get(base+"?declined=1").Doc.Find(`[data-testid="declined"]`).Length() != 1 {
		t.Error("no confirmation")
	}
	// The invitation is closed: neither declining again nor applying.
	expect(t, c.Get(base+"/invitation/decline"), http.StatusNotFound, "")
	expect(t, c.Get(base+"/invitation/apply"), http.StatusNotFound, "")
	// Back in the pool: a later round invites it again.
	again, err := e.mod.RunRound(t.Context(), 1, 5, 0, apptest.Start)
	if err != nil || again.Invited != 1 || e.profileRow(t, id).Status != "invited" {
		t.Errorf("second round %+v, %v", again, err)
	}
}

func TestApplySubmitsThroughApplications(t *testing.T) {
	e := start(t)
	c, base := e.invite(t)
	id := idOf(t, base)
	form := c.Get(base + "/invitation/apply")
	expect(t, form, http.StatusOK, "")
	if v, _ := form.Doc.Find("#given_name").Attr("value"); v != "Ana" {
		t.Errorf("given name not filled in: %q", v)
	}
	good := url.Values{"given_name": {"Ana Sofía"}, "family_name": {"Silva Ñúñez"}, "birth_date": {"1994-03-10"}, "email": {"ana@example.com"},
		"street": {"12 Rua Augusta"}, "city": {"Lisbon"}, "country": {"Portugal"}, "family_members": {"0"}, "declaration": {"yes"}}
	bads := []struct {
		change url.Values
		fields []string
	}{
		{url.Values{"given_name": {""}, "family_name": {""}}, []string{"given_name", "family_name"}},
		{url.Values{"birth_date": {"1994-13-10"}, "email": {"ana@"}}, []string{"birth_date", "email"}},
		{url.Values{"street": {""}, "city": {""}, "country": {""}}, []string{"street", "city", "country"}},
		{url.Values{"family_members": {"21"}}, []string{"family_members"}},
		{url.Values{"family_members": {"two"}, "declaration": {""}}, []string{"family_members", "declaration"}},
		{url.Values{"given_name": {strings.Repeat("a", 101)}}, []string{"given_name"}},
		{url.Values{"birth_date": {"1890-01-01"}, "city": {"Lis\nbon"}, "street": {"12 Rua \xff"}, "region": {"a\x00b"}},
			[]string{"birth_date", "city", "street", "region"}},
		{url.Values{"birth_date": {"2024-01-23"}, "postal_code": {strings.Repeat("1", 21)}}, []string{"birth_date", "postal_code"}},
	}
	for _, b := range bads {
		v := clone(good)
		for k, vs := range b.change {
			v[k] = vs
		}
		p := c.Post(base+"/invitation/apply", v)
		expect(t, p, http.StatusUnprocessableEntity, "")
		for _, f := range b.fields {
			if p.Doc.Find(`.error-summary a[href="#`+f+`"]`).Length() == 0 {
				t.Errorf("no summary link to %s", f)
			}
		}
	}
	if len(e.apps.got) != 0 || e.profileRow(t, id).Status != "invited" {
		t.Fatal("bad input submitted an application")
	}
	expect(t, c.Post(base+"/invitation/apply", good), http.StatusSeeOther, base+"?applied=1")
	if len(e.apps.got) != 1 {
		t.Fatalf("%d applications", len(e.apps.got))
	}
	a := e.apps.got[0]
	var invID int64
	if err := e.DB.R.Get(&invID, `SELECT id FROM ircc_invitations WHERE profile_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if a.Kind != account.KindPRExpressEntry || a.AccountID != 1 || a.InvitationID != invID || len(a.DocumentLabels) != 6 ||
		a.FamilyName != "Silva Ñúñez" || a.Program != expressentry.ProgramKey || !strings.Contains(a.Data, `"city":"Lisbon"`) {
		t.Errorf("application %+v", a)
	}
	if e.profileRow(t, id).Status != "applied" {
		t.Error("profile not marked applied")
	}
	done := c.Get(base + "?applied=1")
	if done.Text(`[data-testid="applied"]`) != "Your application number is W000000001." || done.Text(`[data-testid="application-number"]`) != "W000000001" {
		t.Errorf("after applying:\n%s", done.Body)
	}
	// Applying twice is impossible.
	expect(t, c.Post(base+"/invitation/apply", good), http.StatusNotFound, "")
	if len(e.apps.got) != 1 {
		t.Error("a second application went through")
	}
}

func TestUnansweredInvitationExpires(t *testing.T) {
	e := start(t)
	c, base := e.invite(t)
	id := idOf(t, base)
	e.Fake.Advance(59 * 24 * time.Hour)
	if n, _ := e.mod.ExpireInvitations(t.Context()); n != 0 {
		t.Fatal("expired too early")
	}
	e.Fake.Advance(2 * 24 * time.Hour)
	expect(t, c.Get(base+"/invitation/apply"), http.StatusNotFound, "")
	n, err := e.mod.ExpireInvitations(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if e.profileRow(t, id).Status != "expired" {
		t.Error("profile not expired")
	}
	ls := e.mailbox.all()
	if last := ls[len(ls)-1]; last.Letter.Kind != account.LetterProcedural || last.AccountID != 1 {
		t.Errorf("letter %+v", last)
	}
	if c.Get(base).Text(`[data-testid="invitation-status"]`) != "Expired without an answer" {
		t.Error("the page does not say the invitation expired")
	}
}

func TestStaffRoundsPage(t *testing.T) {
	e := start(t)
	e.seedScores(t, apptest.Start.Add(-time.Hour), 500, 490, 480)
	applicant := e.applicant(t)
	expect(t, applicant.Get("/en/staff/ircc/rounds"), http.StatusSeeOther, "/en/staff/")
	expect(t, applicant.Post("/en/staff/ircc/rounds", url.Values{"size": {"1"}, "date": {"2024-01-23"}}), http.StatusSeeOther, "/en/staff/")

	officer := e.Client(t)
	officer.Get("/en/test/as-staff?as=officer:3")
	expect(t, officer.Get("/en/staff/ircc/rounds"), http.StatusForbidden, "")
	officer.Get("/en/test/signed-in")
	expect(t, officer.Post("/en/staff/ircc/rounds", url.Values{"size": {"1"}, "date": {"2024-01-23"}}), http.StatusForbidden, "")
	if e.Count(t, "ircc_rounds") != 0 {
		t.Fatal("a round ran for someone without the role")
	}

	admin := e.Client(t)
	admin.Get("/en/test/as-staff?as=administrator:9")
	for _, lang := range []string{"en", "fr"} {
		p := admin.Get("/" + lang + "/staff/ircc/rounds")
		expect(t, p, http.StatusOK, "")
		if p.Doc.Find(`[data-testid="no-rounds"]`).Length() != 1 || p.Doc.Find("h1").Length() != 1 {
			t.Errorf("%s rounds page:\n%s", lang, p.Body)
		}
	}
	bad := admin.Post("/en/staff/ircc/rounds", url.Values{"size": {"0"}, "min_score": {"1300"}, "date": {"23/01/2024"}})
	expect(t, bad, http.StatusUnprocessableEntity, "")
	for _, f := range []string{"size", "min_score", "date"} {
		if bad.Doc.Find(`.error-summary a[href="#`+f+`"]`).Length() != 1 {
			t.Errorf("no summary link to %s", f)
		}
	}
	// The round is dated the day it runs (Eastern time), or up to a week
	// before; never later.
	for date, key := range map[string]string{"2024-01-24": "The date cannot be in the future.",
		"2024-01-15": "The date of the round can be at most 7 days ago.", "1999-01-23": "The date of the round can be at most 7 days ago."} {
		p := admin.Post("/en/staff/ircc/rounds", url.Values{"size": {"2"}, "date": {date}})
		expect(t, p, http.StatusUnprocessableEntity, "")
		if got := p.Text(`.error-summary a[href="#date"]`); got != key {
			t.Errorf("date %s: %q", date, got)
		}
	}
	if e.Count(t, "ircc_rounds") != 0 {
		t.Fatal("bad input ran a round")
	}
	done := admin.Post("/en/staff/ircc/rounds", url.Values{"size": {"2"}, "min_score": {""}, "date": {"2024-01-23"}})
	expect(t, done, http.StatusSeeOther, "/en/staff/ircc/rounds?done=1")
	page := admin.Get("/en/staff/ircc/rounds?done=1")
	if page.Text(`[data-testid="round-done"]`) != "The round is done: 2 invited, cut-off score 490." ||
		page.Text(`[data-testid="round-cutoff"]`) != "490" || page.Text(`[data-testid="round-invited"]`) != "2" {
		t.Errorf("rounds page after a round:\n%s", page.Body)
	}
	var staffID int64
	if err := e.DB.R.Get(&staffID, `SELECT staff_id FROM ircc_rounds`); err != nil || staffID != 9 {
		t.Errorf("round run by %d (%v)", staffID, err)
	}
	var audits int
	if err := e.DB.R.Get(&audits, `SELECT COUNT(*) FROM app_audit WHERE event = 'staff_action' AND subject = 'staff:9' AND ip <> ''`); err != nil || audits != 1 {
		t.Errorf("%d audit entries (%v)", audits, err)
	}

	// A round a week back is fine; this one finds nobody left above 495.
	none := admin.Post("/en/staff/ircc/rounds", url.Values{"size": {"2"}, "min_score": {"495"}, "date": {"2024-01-16"}})
	expect(t, none, http.StatusSeeOther, "/en/staff/ircc/rounds?done=2")
	if got := admin.Get("/en/staff/ircc/rounds?done=2").Text(`[data-testid="round-done"]`); got != "The round is done: no profile in the pool met its conditions, so nobody was invited." {
		t.Errorf("empty round: %q", got)
	}

	// At 9 p.m. in Toronto it is already tomorrow in UTC: the form offers
	// the Eastern date, which the round accepts.
	e.Fake.Set(time.Date(2024, 1, 24, 2, 0, 0, 0, time.UTC))
	form := admin.Get("/en/staff/ircc/rounds")
	if v, _ := form.Doc.Find("#date").Attr("value"); v != "2024-01-23" {
		t.Errorf("the form offers the date %q", v)
	}
	expect(t, admin.Post("/en/staff/ircc/rounds", url.Values{"size": {"1"}, "date": {"2024-01-23"}}), http.StatusSeeOther, "/en/staff/ircc/rounds?done=3")
}

func TestInvitationPastItsDeadlineShowsExpiredBeforeTheJob(t *testing.T) {
	e := start(t)
	c, base := e.invite(t)
	e.Fake.Advance(61 * 24 * time.Hour)
	p := c.Get(base)
	if got := p.Text(`[data-testid="invitation-status"]`); got != "Expired without an answer" {
		t.Errorf("status %q", got)
	}
	if p.Doc.Find(`[data-testid="apply"], [data-testid="decline"]`).Length() != 0 {
		t.Error("an invitation past its 60 days still offers to apply or decline")
	}
}

func TestDeclineAfterTheTwelveMonthsLeavesThePool(t *testing.T) {
	e := start(t)
	c := e.applicant(t)
	base := submitted(t, c)
	id := idOf(t, base)
	// Invited in its last weeks, declined after its 12 months.
	e.Fake.Advance(350 * 24 * time.Hour)
	if r, err := e.mod.RunRound(t.Context(), 1, 1, 0, e.Clock.Now()); err != nil || r.Invited != 1 {
		t.Fatalf("round %+v %v", r, err)
	}
	e.Fake.Advance(20 * 24 * time.Hour)
	expect(t, c.Post(base+"/invitation/decline", nil), http.StatusSeeOther, base+"?declined=1")
	if s := e.profileRow(t, id).Status; s != "expired" {
		t.Errorf("status %s", s)
	}
	if got := c.Get(base + "?declined=1").Text(`[data-testid="declined"]`); !strings.Contains(got, "left the pool") {
		t.Errorf("notice %q", got)
	}
	if r, err := e.mod.RunRound(t.Context(), 1, 5, 0, e.Clock.Now()); err != nil || r.Invited != 0 {
		t.Errorf("an expired profile was invited again: %+v %v", r, err)
	}
}

package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/app/apptest"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/modules/staff"
)

// A code works until the last minute of its 24 hours, and not at the 24th
// hour itself.
func TestCodeWorksFor24Hours(t *testing.T) {
	e := setup(t)
	early, _ := e.grant(t, identity.RoleOfficer, "Just In Time")
	e.Fake.Advance(staff.CodeTTL - time.Minute)
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	if p := redeem(t, c, "en", early); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("a code one minute before its 24 hours end: %d %s", p.StatusCode, p.Text("main"))
	}

	late, _ := e.grant(t, identity.RoleOfficer, "Too Late")
	e.Fake.Advance(staff.CodeTTL)
	d, _ := e.signIn(t, "en", identity.FactorApp, "")
	d.Get("/en/staff/")
	wrongCode(t, d, "en", late)
	if e.Count(t, "staff_members") != 1 {
		t.Fatal("a code 24 hours old enrolled someone")
	}
}

// Whatever makes a code unusable (never issued, used, expired, withdrawn),
// the answer is the same page, so trying codes tells nothing about the
// codes that exist.
func TestRefusedCodesAllReadTheSame(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			e := setup(t)
			used, _ := e.grant(t, identity.RoleOfficer, "Used Code")
			a, _ := e.signIn(t, lang, identity.FactorApp, "")
			a.Get("/" + lang + "/staff/")
			if p := redeem(t, a, lang, used); p.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use: %d", p.StatusCode)
			}
			withdrawn, gid := e.grant(t, identity.RoleOfficer, "Withdrawn Code")
			if err := e.mod.RevokeGrant(context.Background(), gid); err != nil {
				t.Fatal(err)
			}
			expired, _ := e.grant(t, identity.RoleOfficer, "Expired Code")
			e.Fake.Advance(staff.CodeTTL + time.Minute)
			unknown := strings.Repeat("A", len(used))

			c, _ := e.signIn(t, lang, identity.FactorApp, "")
			c.Get("/" + lang + "/staff/")
			for _, path := range []string{"/staff/redeem", "/staff/redeem/confirm"} {
				var first string
				for i, code := range []string{unknown, used, expired, withdrawn} {
					p := c.Post("/"+lang+path, url.Values{"code": {code}})
					if p.StatusCode != http.StatusUnprocessableEntity {
						t.Fatalf("%s code %d: %d", path, i, p.StatusCode)
					}
					if p.Doc.Find(`#error-summary a[href="#code"]`).Length() != 1 {
						t.Fatalf("%s code %d: the summary should link to the field", path, i)
					}
					if i == 0 {
						first = p.Text("main")
					} else if got := p.Text("main"); got != first {
						t.Fatalf("%s: code %d reads differently:\n%s\nvs\n%s", path, i, got, first)
					}
				}
				// Four wrong codes of five: the next pass would lock the form.
				if err := e.Throttle.Reset(context.Background(), "staff-enrol:"+pairwiseOf(t, e, c)); err != nil {
					t.Fatal(err)
				}
			}
			if e.Count(t, "staff_members") != 1 {
				t.Fatal("a refused code enrolled someone")
			}
		})
	}
}

// pairwiseOf is the staff service's pairwise id of the client's credential.
func pairwiseOf(t *testing.T, e *env, c *apptest.Client) string {
	t.Helper()
	p := c.Get("/en/test/service/staff")
	parts := strings.Split(p.Body, "|")
	if p.StatusCode != http.StatusOK || len(parts) < 2 {
		t.Fatalf("no staff principal: %d %q", p.StatusCode, p.Body)
	}
	return parts[1]
}

// A recovery code is a way back into a GCKey, not the authenticator app:
// the staff console refuses it like an email code.
func TestStaffEntryRefusesARecoveryCode(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Recovered Person")
	c := e.Client(t)
	c.Get("/en/test/password-verified?service=staff")
	c.Get("/en/test/second-factor?factor=" + identity.FactorRecovery)
	if p := c.Get("/en/staff/"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-testid="app-only-refused"]`).Length() != 1 {
		t.Fatalf("recovery code at the entry: %d", p.StatusCode)
	}
	c.Post("/en/staff/continue", url.Values{"enrol": {"yes"}})
	for _, path := range []string{"/en/staff/redeem", "/en/staff/redeem/confirm"} {
		if p := c.Post(path, url.Values{"code": {code}}); p.StatusCode != http.StatusSeeOther || location(p) != "/en/staff/" {
			t.Fatalf("recovery code at %s: %d %q", path, p.StatusCode, location(p))
		}
	}
	if e.Count(t, "staff_members") != 0 || e.Count(t, "app_pairwise") != 0 {
		t.Fatal("a recovery-code sign-in reached the staff service")
	}
}

// Two people confirming the same code at once: the code's one conditional
// UPDATE lets exactly one of them in.
func TestTwoPeopleRacingForOneCode(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Only One")
	var clients []*apptest.Client
	for range 2 {
		c, _ := e.signIn(t, "en", identity.FactorApp, "")
		c.Get("/en/staff/")
		if p := c.Post("/en/staff/redeem", url.Values{"code": {code}}); p.StatusCode != http.StatusOK {
			t.Fatalf("check: %d", p.StatusCode)
		}
		clients = append(clients, c)
	}
	statuses := make([]int, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		form := url.Values{"code": {code}, "csrf_token": {c.CSRF}}
		req, err := http.NewRequest(http.MethodPost, e.URL+"/en/staff/redeem/confirm", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := c.HTTP.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, s := range statuses {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch s {
		case http.StatusSeeOther:
			won++
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("racer %d: %d", i, s)
		}
	}
	if won != 1 || e.Count(t, "staff_members") != 1 {
		t.Fatalf("%d racers won, %d members; want exactly one", won, e.Count(t, "staff_members"))
	}
}

// The activity page says who did what and when, the time written the
// Canada.ca way in the page's language; the members page dates each
// enrolment and removal the same way.
func TestActivityAndMembersDates(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			e := setup(t)
			_, officerID := e.member(t, lang, identity.RoleOfficer, "Olive Officer")
			e.Fake.Advance(26 * time.Hour)
			admin, adminID := e.member(t, lang, identity.RoleAdministrator, "Ada Admin")
			e.Fake.Advance(time.Hour)
			revokedAt := e.Fake.Now()
			admin.Get("/" + lang + "/staff/members")
			admin.Post("/"+lang+"/staff/members/"+strconv.FormatInt(officerID, 10)+"/revoke", nil)

			p := admin.Get("/" + lang + "/staff/activity")
			rows := p.Doc.Find(`[data-testid="staff-activity"] tbody tr`)
			if p.StatusCode != http.StatusOK || rows.Length() != 5 {
				t.Fatalf("activity: %d, %d rows", p.StatusCode, rows.Length())
			}
			newest := rows.First().Find("td")
			if got, want := strings.TrimSpace(newest.Eq(0).Text()), i18n.FormatDateTime(lang, revokedAt); got != want {
				t.Errorf("when: %q, want %q", got, want)
			}
			if got, want := strings.TrimSpace(newest.Eq(1).Text()), i18n.In(lang, "staff.activity.member", "Ada Admin", strconv.FormatInt(adminID, 10)); got != want {
				t.Errorf("who: %q, want %q", got, want)
			}
			// What was done reads in the page's language, the role too.
			what := newest.Eq(2)
			if got, want := strings.TrimSpace(what.Text()), i18n.In(lang, "staff.audit.revoked_member", strconv.FormatInt(officerID, 10),
				"Olive Officer", i18n.In(lang, "staff.role.officer")); got != want || what.Find("[lang]").Length() != 0 {
				t.Errorf("what: %q, want %q", got, want)
			}
			oldest := rows.Last().Find("td")
			if got, want := strings.TrimSpace(oldest.Eq(0).Text()), i18n.FormatDateTime(lang, apptest.Start); got != want {
				t.Errorf("when (oldest): %q, want %q", got, want)
			}
			if got, want := strings.TrimSpace(oldest.Eq(1).Text()), i18n.In(lang, "staff.activity.cli"); got != want {
				t.Errorf("who (oldest): %q, want %q", got, want)
			}

			p = admin.Get("/" + lang + "/staff/members")
			row := p.Doc.Find(`[data-testid="member-` + strconv.FormatInt(officerID, 10) + `"] td`)
			if got, want := strings.TrimSpace(row.Eq(2).Text()), i18n.FormatDate(lang, apptest.Start); got != want {
				t.Errorf("enrolled: %q, want %q", got, want)
			}
			if got, want := strings.TrimSpace(row.Eq(3).Text()), i18n.In(lang, "staff.members.removed_on", i18n.FormatDate(lang, revokedAt)); got != want {
				t.Errorf("removed: %q, want %q", got, want)
			}
		})
	}
}

// A removed administrator loses the administrators' pages at once, and
// what they post there changes nothing.
func TestRevokedAdministratorIsRefused(t *testing.T) {
	e := setup(t)
	admin, adminID := e.member(t, "en", identity.RoleAdministrator, "Ada Admin")
	_, otherID := e.member(t, "en", identity.RoleAdministrator, "Other Admin")
	admin.Get("/en/staff/members")
	if err := e.mod.RevokeMember(context.Background(), adminID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/en/staff/members", "/en/staff/activity", "/en/staff/test/officer"} {
		p := admin.Get(path)
		if p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-reason="removed"]`).Length() != 1 {
			t.Fatalf("%s: %d", path, p.StatusCode)
		}
		if !strings.Contains(p.Text("title"), i18n.In("en", "staff.removed.title")) {
			t.Fatalf("%s: title %q should say the access was removed", path, p.Text("title"))
		}
	}
	_, gid := e.grant(t, identity.RoleOfficer, "Pending Person")
	if p := admin.Post("/en/staff/members/"+strconv.FormatInt(otherID, 10)+"/revoke", nil); p.StatusCode != http.StatusForbidden {
		t.Fatalf("revoking as a removed administrator: %d", p.StatusCode)
	}
	if p := admin.Post("/en/staff/grants/"+strconv.FormatInt(gid, 10)+"/revoke", nil); p.StatusCode != http.StatusForbidden {
		t.Fatalf("withdrawing as a removed administrator: %d", p.StatusCode)
	}
	var open int
	if err := e.DB.R.Get(&open, `SELECT COUNT(*) FROM staff_members WHERE revoked_at IS NULL`); err != nil || open != 1 {
		t.Fatalf("active members: %d %v", open, err)
	}
	if err := e.DB.R.Get(&open, `SELECT COUNT(*) FROM staff_grants WHERE revoked_at IS NULL AND redeemed_at IS NULL`); err != nil || open != 1 {
		t.Fatalf("open grants: %d %v", open, err)
	}
}

// The members page's forms are state-changing: without the session's CSRF
// token nothing happens.
func TestRevokingNeedsTheCSRFToken(t *testing.T) {
	e := setup(t)
	_, officerID := e.member(t, "en", identity.RoleOfficer, "Olive Officer")
	admin, _ := e.member(t, "en", identity.RoleAdministrator, "Ada Admin")
	_, gid := e.grant(t, identity.RoleOfficer, "Pending Person")
	admin.Get("/en/staff/members")
	bad := url.Values{"csrf_token": {"not-the-token"}}
	if p := admin.Post("/en/staff/members/"+strconv.FormatInt(officerID, 10)+"/revoke", bad); p.StatusCode != http.StatusForbidden {
		t.Fatalf("revoke without the token: %d", p.StatusCode)
	}
	if p := admin.Post("/en/staff/grants/"+strconv.FormatInt(gid, 10)+"/revoke", url.Values{"csrf_token": {""}}); p.StatusCode != http.StatusForbidden {
		t.Fatalf("withdraw without the token: %d", p.StatusCode)
	}
	var revoked int
	if err := e.DB.R.Get(&revoked, `SELECT (SELECT COUNT(*) FROM staff_members WHERE revoked_at IS NOT NULL) + (SELECT COUNT(*) FROM staff_grants WHERE revoked_at IS NOT NULL)`); err != nil || revoked != 0 {
		t.Fatalf("changed without the token: %d %v", revoked, err)
	}
}

// The console's own administrator pages refuse an applicant (signed in to
// the secure account, not to staff) like any staff page: they are sent to
// the staff sign-in, and their posts change nothing.
func TestAdministratorPagesRefuseAnApplicant(t *testing.T) {
	e := setup(t)
	_, officerID := e.member(t, "en", identity.RoleOfficer, "Olive Officer")
	_, gid := e.grant(t, identity.RoleOfficer, "Pending Person")
	applicant := e.Client(t)
	applicant.Get("/en/test/password-verified?service=ircc")
	applicant.Get("/en/test/second-factor?factor=app")
	applicant.Get("/en/ircc/")
	for _, lang := range []string{"en", "fr"} {
		for _, path := range []string{"/staff/members", "/staff/activity"} {
			if p := applicant.Get("/" + lang + path); p.StatusCode != http.StatusSeeOther || location(p) != "/"+lang+"/staff/" {
				t.Fatalf("applicant at %s: %d %q", path, p.StatusCode, location(p))
			}
		}
		for _, path := range []string{"/staff/members/" + strconv.FormatInt(officerID, 10) + "/revoke", "/staff/grants/" + strconv.FormatInt(gid, 10) + "/revoke"} {
			if p := applicant.Post("/"+lang+path, nil); p.StatusCode != http.StatusSeeOther || location(p) != "/"+lang+"/staff/" {
				t.Fatalf("applicant posting %s: %d %q", path, p.StatusCode, location(p))
			}
		}
	}
	var revoked int
	if err := e.DB.R.Get(&revoked, `SELECT (SELECT COUNT(*) FROM staff_members WHERE revoked_at IS NOT NULL) + (SELECT COUNT(*) FROM staff_grants WHERE revoked_at IS NOT NULL)`); err != nil || revoked != 0 {
		t.Fatalf("an applicant changed staff access: %d %v", revoked, err)
	}
}

// The confirmation page carries the code in a hidden field until it is
// used, so no cache may keep it.
func TestConfirmationIsNotCached(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Careful Person")
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	p := c.Post("/en/staff/redeem", url.Values{"code": {code}})
	if p.StatusCode != http.StatusOK || p.Doc.Find(`form[data-testid="confirm-form"] input[name="code"]`).AttrOr("value", "") != code {
		t.Fatalf("confirmation: %d", p.StatusCode)
	}
	if got := p.Header.Get("Cache-Control"); got != "no-store" {
		t.Fatalf("Cache-Control %q, want no-store", got)
	}
}

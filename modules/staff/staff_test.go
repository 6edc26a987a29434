package staff_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/identity"
	"guichet/modules/staff"
)

// env is a running application with the staff module and two test pages
// behind RequireRole.
type env struct {
	*apptest.App
	mod *staff.Module
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{}
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		e.mod = staff.New(staff.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity,
			Codes: k.Codes, Throttle: k.Throttle, Audit: k.Audit,
			Sections: []staff.Section{{NameKey: "service.ircc.title", Path: "/staff/ircc/", Roles: []string{identity.RoleOfficer}}},
		})
		e.mod.AddSections(staff.Section{NameKey: "service.pt.title", Path: "/staff/rounds/", Roles: []string{identity.RoleAdministrator}})
		s.Mount(e.mod)
		var gate identity.RoleGate = e.mod.RequireRole
		who := func(c echo.Context) error {
			s, ok := identity.StaffOf(c)
			if !ok {
				return c.String(http.StatusInternalServerError, "no staff")
			}
			return c.String(http.StatusOK, strconv.FormatInt(s.ID, 10)+"|"+s.Name+"|"+s.Role)
		}
		for _, g := range s.Langs {
			g.GET("/staff/test/officer", who, gate(identity.RoleOfficer))
			g.GET("/staff/test/admin", who, gate(identity.RoleAdministrator))
			// A Sign-In Partner sign-in that reported a second factor.
			g.GET("/test/partner-verified", func(c echo.Context) error {
				ref, err := identity.NewRef(identity.KindPartner)
				if err != nil {
					return err
				}
				if err := k.Identity.PartnerVerified(c.Request().Context(), ref, true, k.Clock.Now()); err != nil {
					return err
				}
				return c.String(http.StatusOK, "partner")
			})
		}
	}})
	return e
}

func location(p *apptest.Page) string { return p.Header.Get("Location") }

// signIn signs a fresh GCKey in with factor and takes it to the staff
// service's entry, confirming enrolment with the service on first arrival.
// cred reuses a credential ("" for a new one).
func (e *env) signIn(t *testing.T, lang, factor, cred string) (*apptest.Client, string) {
	t.Helper()
	c := e.Client(t)
	cred = c.Get("/" + lang + "/test/password-verified?service=staff&cred=" + url.QueryEscape(cred)).Body
	c.Get("/" + lang + "/test/second-factor?factor=" + factor)
	c.Get("/" + lang + "/staff/")
	if p := c.Post("/"+lang+"/staff/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("continue: %d", p.StatusCode)
	}
	return c, cred
}

func (e *env) grant(t *testing.T, role, name string) (string, int64) {
	t.Helper()
	code, id, err := e.mod.Grant(context.Background(), role, name)
	if err != nil {
		t.Fatal(err)
	}
	return code, id
}

// redeem goes through both steps with code and returns the last page.
func redeem(t *testing.T, c *apptest.Client, lang, code string) *apptest.Page {
	t.Helper()
	p := c.Post("/"+lang+"/staff/redeem", url.Values{"code": {code}})
	if p.StatusCode != http.StatusOK {
		return p
	}
	return c.Post("/"+lang+"/staff/redeem/confirm", url.Values{"code": {code}})
}

// member makes a staff member of a new GCKey and returns their client and
// number.
func (e *env) member(t *testing.T, lang, role, name string) (*apptest.Client, int64) {
	t.Helper()
	code, _ := e.grant(t, role, name)
	c, _ := e.signIn(t, lang, identity.FactorApp, "")
	c.Get("/" + lang + "/staff/")
	if p := redeem(t, c, lang, code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("redeem: %d %s", p.StatusCode, p.Text("main"))
	}
	var id int64
	if err := e.DB.R.Get(&id, `SELECT id FROM staff_members WHERE name = ?`, name); err != nil {
		t.Fatal(err)
	}
	return c, id
}

type auditRow struct {
	Subject string `db:"subject"`
	Event   string `db:"event"`
	Detail  string `db:"detail"`
	IP      string `db:"ip"`
}

func (e *env) audit(t *testing.T, subject string) []auditRow {
	t.Helper()
	var out []auditRow
	if err := e.DB.R.Select(&out, `SELECT subject, event, detail, ip FROM app_audit WHERE scope = 'service' AND subject = ? ORDER BY id`, subject); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGrantRedeemConsole(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			e := setup(t)
			code, gid := e.grant(t, identity.RoleOfficer, "Jeanne Tremblay")
			if len(code) < 22 {
				t.Fatalf("code %q is shorter than 128 bits", code)
			}
			c, _ := e.signIn(t, lang, identity.FactorApp, "")
			p := c.Get("/" + lang + "/staff/")
			if p.StatusCode != http.StatusOK || p.Doc.Find(`[data-testid="staff-redeem"]`).Length() != 1 || p.Doc.Find(`form[data-testid="redeem-form"] input[name="code"]`).Length() != 1 {
				t.Fatalf("a new person should be asked for a code: %d %s", p.StatusCode, p.Text("main"))
			}
			if p.Doc.Find(`html[lang="`+lang+`"]`).Length() != 1 {
				t.Fatal("wrong page language")
			}

			p = c.Post("/"+lang+"/staff/redeem", url.Values{"code": {"  " + code + " "}})
			if p.StatusCode != http.StatusOK || p.Text(`[data-testid="grant-name"]`) != "Jeanne Tremblay" {
				t.Fatalf("the confirmation should name the person: %d %s", p.StatusCode, p.Text("main"))
			}
			wantRole := map[string]string{"en": "Officer", "fr": "Agent ou agente"}[lang]
			if got := p.Text(`[data-testid="grant-role"]`); got != wantRole {
				t.Fatalf("role shown %q, want %q", got, wantRole)
			}
			if e.Count(t, "staff_members") != 0 {
				t.Fatal("checking a code must not enrol")
			}

			before := c.Cookie("guichet_session")
			p = c.Post("/"+lang+"/staff/redeem/confirm", url.Values{"code": {code}})
			if p.StatusCode != http.StatusSeeOther || location(p) != "/"+lang+"/staff/?enrolled=1" {
				t.Fatalf("confirm: %d %q", p.StatusCode, location(p))
			}
			if after := c.Cookie("guichet_session"); after == "" || after == before {
				t.Fatal("enrolling should renew the session token")
			}
			p = c.Get(location(p))
			if p.StatusCode != http.StatusOK || p.Text(`[data-testid="staff-name"]`) != "Jeanne Tremblay" || p.Text(`[data-testid="staff-role"]`) != wantRole {
				t.Fatalf("console: %d %s", p.StatusCode, p.Text("main"))
			}
			if p.Doc.Find(`[data-testid="enrolled"]`).Length() != 1 {
				t.Fatal("the console should welcome the new member")
			}
			links := p.Doc.Find(`[data-testid="staff-sections"] a`)
			if links.Length() != 1 || links.AttrOr("href", "") != "/"+lang+"/staff/ircc/" {
				t.Fatalf("an officer should see the officer section only, got %d links", links.Length())
			}

			var mem staff.Member
			if err := e.DB.R.Get(&mem, `SELECT id, pairwise_id, name, role, granted_at, enrolled_at, revoked_at FROM staff_members`); err != nil {
				t.Fatal(err)
			}
			if mem.Role != identity.RoleOfficer || mem.Name != "Jeanne Tremblay" || !mem.Active() {
				t.Fatalf("member %+v", mem)
			}
			var redeemedBy int64
			if err := e.DB.R.Get(&redeemedBy, `SELECT member_id FROM staff_grants WHERE id = ? AND redeemed_at IS NOT NULL`, gid); err != nil || redeemedBy != mem.ID {
				t.Fatalf("grant not marked redeemed by the member: %v %d", err, redeemedBy)
			}
			if rows := e.audit(t, "staff:cli"); len(rows) != 1 || rows[0].Event != "staff_action" || !strings.Contains(rows[0].Detail, "Jeanne Tremblay") {
				t.Fatalf("grant audit: %+v", rows)
			}
			rows := e.audit(t, "staff:"+strconv.FormatInt(mem.ID, 10))
			if len(rows) != 1 || rows[0].Event != "staff_action" || !strings.Contains(rows[0].Detail, "enrolled") || rows[0].IP == "" {
				t.Fatalf("enrolment audit: %+v", rows)
			}

			// Signing in again later goes straight to the console.
			d, _ := e.signIn(t, lang, identity.FactorApp, "")
			if p := d.Get("/" + lang + "/staff/"); p.Doc.Find(`[data-testid="staff-redeem"]`).Length() != 1 {
				t.Fatal("another GCKey is not the member")
			}
		})
	}
}

func TestAdministratorSeesEverySection(t *testing.T) {
	e := setup(t)
	c, _ := e.member(t, "en", identity.RoleAdministrator, "Alex Admin")
	p := c.Get("/en/staff/")
	for _, href := range []string{"/en/staff/ircc/", "/en/staff/rounds/", "/en/staff/members", "/en/staff/activity"} {
		if p.Doc.Find(`[data-testid="staff-sections"] a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("administrator console lacks %s", href)
		}
	}
}

func TestReturningMemberGoesStraightToTheConsole(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Sam Officer")
	c, cred := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	redeem(t, c, "en", code)
	d, _ := e.signIn(t, "fr", identity.FactorApp, cred)
	if p := d.Get("/fr/staff/"); p.Text(`[data-testid="staff-name"]`) != "Sam Officer" || p.Doc.Find(`[data-testid="enrolled"]`).Length() != 0 {
		t.Fatalf("returning member: %s", p.Text("main"))
	}
}

func TestEmptyCodeIsAFormError(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		e := setup(t)
		c, _ := e.signIn(t, lang, identity.FactorApp, "")
		c.Get("/" + lang + "/staff/")
		for _, path := range []string{"/staff/redeem", "/staff/redeem/confirm"} {
			p := c.Post("/"+lang+path, url.Values{"code": {"   "}})
			if p.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s %s: %d", lang, path, p.StatusCode)
			}
			if p.Doc.Find(`#error-summary a[href="#code"]`).Length() != 1 || p.Doc.Find(`#code[aria-invalid="true"]`).Length() != 1 {
				t.Fatalf("%s %s: the summary should link to the code field", lang, path)
			}
		}
		if e.Count(t, "staff_members") != 0 || e.Count(t, "app_throttle") != 0 {
			t.Fatal("an empty code changed something")
		}
	}
}

// wrongCode posts code to both steps and checks each is refused with the
// one generic message.
func wrongCode(t *testing.T, c *apptest.Client, lang, code string) {
	t.Helper()
	want := map[string]string{"en": "This code cannot be used.", "fr": "Ce code ne peut pas être utilisé."}[lang]
	for _, path := range []string{"/staff/redeem", "/staff/redeem/confirm"} {
		p := c.Post("/"+lang+path, url.Values{"code": {code}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", path, p.StatusCode, p.Text("main"))
		}
		if msg := p.Text(`#error-summary li`); !strings.HasPrefix(msg, want) {
			t.Fatalf("%s: message %q", path, msg)
		}
	}
}

func TestCodeWorksOnce(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "First Person")
	a, _ := e.signIn(t, "en", identity.FactorApp, "")
	a.Get("/en/staff/")
	if p := redeem(t, a, "en", code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", p.StatusCode)
	}
	b, _ := e.signIn(t, "fr", identity.FactorApp, "")
	b.Get("/fr/staff/")
	wrongCode(t, b, "fr", code)
	if e.Count(t, "staff_members") != 1 {
		t.Fatal("a used code made a second member")
	}
	// The member posting a code again is just sent to the console.
	if p := a.Post("/en/staff/redeem", url.Values{"code": {code}}); p.StatusCode != http.StatusSeeOther || location(p) != "/en/staff/" {
		t.Fatalf("member redeeming again: %d %q", p.StatusCode, location(p))
	}
}

func TestExpiredCode(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Late Person")
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	// Checked while valid, then confirmed too late.
	if p := c.Post("/en/staff/redeem", url.Values{"code": {code}}); p.StatusCode != http.StatusOK {
		t.Fatalf("check: %d", p.StatusCode)
	}
	e.Fake.Advance(25 * time.Hour)
	c, _ = e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	wrongCode(t, c, "en", code)
	if e.Count(t, "staff_members") != 0 {
		t.Fatal("an expired code enrolled someone")
	}
}

func TestRevokedGrantCode(t *testing.T) {
	e := setup(t)
	code, gid := e.grant(t, identity.RoleAdministrator, "Withdrawn Person")
	if err := e.mod.RevokeGrant(context.Background(), gid); err != nil {
		t.Fatal(err)
	}
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	wrongCode(t, c, "en", code)
	if e.Count(t, "staff_members") != 0 {
		t.Fatal("a withdrawn code enrolled someone")
	}
	if err := e.mod.RevokeGrant(context.Background(), gid); err != staff.ErrNotFound {
		t.Fatalf("revoking twice: %v", err)
	}
	if rows := e.audit(t, "staff:cli"); len(rows) != 2 || rows[1].Detail != audit.Described("staff.audit.revoked_grant", strconv.FormatInt(gid, 10), "Withdrawn Person", "@staff.role.administrator") {
		t.Fatalf("audit: %+v", rows)
	}
}

func TestWrongCodesLockTheForm(t *testing.T) {
	e := setup(t)
	code, _ := e.grant(t, identity.RoleOfficer, "Patient Person")
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	for i := 0; i < 4; i++ {
		if p := c.Post("/en/staff/redeem", url.Values{"code": {"wrong-" + strconv.Itoa(i)}}); p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d", i, p.StatusCode)
		}
	}
	if p := c.Post("/en/staff/redeem", url.Values{"code": {"wrong-5"}}); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fifth wrong code: %d", p.StatusCode)
	}
	// Locked: even the right code waits.
	if p := c.Post("/en/staff/redeem", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code while locked: %d", p.StatusCode)
	}
	if p := c.Post("/en/staff/redeem/confirm", url.Values{"code": {code}}); p.StatusCode != http.StatusTooManyRequests || e.Count(t, "staff_members") != 0 {
		t.Fatalf("confirm while locked: %d", p.StatusCode)
	}
	e.Fake.Advance(16 * time.Minute)
	if p := redeem(t, c, "en", code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d", p.StatusCode)
	}
}

func TestStaffEntryTakesOnlyTheAuthenticatorApp(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		e := setup(t)
		code, _ := e.grant(t, identity.RoleAdministrator, "Email User")

		// Email code.
		c := e.Client(t)
		c.Get("/" + lang + "/test/password-verified?service=staff")
		c.Get("/" + lang + "/test/second-factor?factor=" + identity.FactorEmail)
		if p := c.Get("/" + lang + "/staff/"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-testid="app-only-refused"]`).Length() != 1 {
			t.Fatalf("email code at the entry: %d", p.StatusCode)
		}
		c.Post("/"+lang+"/staff/continue", url.Values{"enrol": {"yes"}})
		if p := c.Post("/"+lang+"/staff/redeem", url.Values{"code": {code}}); p.StatusCode != http.StatusSeeOther || location(p) != "/"+lang+"/staff/" {
			t.Fatalf("email code redeeming: %d %q", p.StatusCode, location(p))
		}
		if p := c.Get("/" + lang + "/staff/test/officer"); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("email code at a staff page: %d", p.StatusCode)
		}

		// Sign-In Partner, even one that reported a second factor.
		d := e.Client(t)
		d.Get("/" + lang + "/test/partner-verified")
		if p := d.Get("/" + lang + "/staff/"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-testid="app-only-refused"]`).Length() != 1 {
			t.Fatalf("partner at the entry: %d", p.StatusCode)
		}
		d.Post("/"+lang+"/staff/continue", url.Values{"enrol": {"yes"}})
		if p := d.Post("/"+lang+"/staff/redeem/confirm", url.Values{"code": {code}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner redeeming: %d", p.StatusCode)
		}
		if e.Count(t, "staff_members") != 0 {
			t.Fatal("someone without the app was enrolled")
		}
	}
}

func TestRequireRole(t *testing.T) {
	e := setup(t)
	officer, officerID := e.member(t, "en", identity.RoleOfficer, "Olive Officer")
	admin, adminID := e.member(t, "en", identity.RoleAdministrator, "Ada Admin")

	// An applicant: nobody, or someone signed in to another service.
	anon := e.Client(t)
	if p := anon.Get("/fr/staff/test/officer"); p.StatusCode != http.StatusSeeOther || location(p) != "/fr/staff/" {
		t.Fatalf("anonymous: %d %q", p.StatusCode, location(p))
	}
	applicant := e.Client(t)
	applicant.Get("/en/test/password-verified?service=ircc")
	applicant.Get("/en/test/second-factor?factor=app")
	applicant.Get("/en/ircc/")
	if p := applicant.Get("/en/staff/test/officer"); p.StatusCode != http.StatusSeeOther || location(p) != "/en/staff/" {
		t.Fatalf("applicant: %d %q", p.StatusCode, location(p))
	}

	// Signed in to staff, never enrolled.
	stranger, _ := e.signIn(t, "fr", identity.FactorApp, "")
	if p := stranger.Get("/fr/staff/test/officer"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-reason="not_enrolled"]`).Length() != 1 {
		t.Fatalf("not enrolled: %d", p.StatusCode)
	}

	// Officer: officer pages yes, administrator pages no.
	if p := officer.Get("/en/staff/test/officer"); p.StatusCode != http.StatusOK || p.Body != strconv.FormatInt(officerID, 10)+"|Olive Officer|officer" {
		t.Fatalf("officer page: %d %q", p.StatusCode, p.Body)
	}
	for _, path := range []string{"/en/staff/test/admin", "/en/staff/activity", "/en/staff/members"} {
		if p := officer.Get(path); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-reason="no_role"]`).Length() != 1 {
			t.Fatalf("officer at %s: %d", path, p.StatusCode)
		}
	}
	officer.Get("/en/staff/")
	if p := officer.Post("/en/staff/members/"+strconv.FormatInt(adminID, 10)+"/revoke", nil); p.StatusCode != http.StatusForbidden {
		t.Fatalf("officer revoking: %d", p.StatusCode)
	}

	// Administrator passes every role.
	for _, path := range []string{"/en/staff/test/officer", "/en/staff/test/admin"} {
		if p := admin.Get(path); p.StatusCode != http.StatusOK || !strings.HasSuffix(p.Body, "|administrator") {
			t.Fatalf("admin at %s: %d", path, p.StatusCode)
		}
	}

	// Revoked: refused on the very next request.
	if err := e.mod.RevokeMember(context.Background(), officerID); err != nil {
		t.Fatal(err)
	}
	if p := officer.Get("/en/staff/test/officer"); p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-reason="removed"]`).Length() != 1 {
		t.Fatalf("revoked member: %d", p.StatusCode)
	}
	p := officer.Get("/en/staff/")
	if p.StatusCode != http.StatusForbidden || p.Doc.Find(`[data-testid="staff-removed"]`).Length() != 1 {
		t.Fatalf("revoked member's home: %d", p.StatusCode)
	}
	if err := e.mod.RevokeMember(context.Background(), officerID); err != staff.ErrNotFound {
		t.Fatalf("revoking twice: %v", err)
	}

	// A new grant restores them, with its name and role.
	code, _ := e.grant(t, identity.RoleAdministrator, "Olive Officer-Admin")
	if p := redeem(t, officer, "en", code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("restoring: %d %s", p.StatusCode, p.Text("main"))
	}
	if p := officer.Get("/en/staff/test/admin"); p.StatusCode != http.StatusOK || p.Body != strconv.FormatInt(officerID, 10)+"|Olive Officer-Admin|administrator" {
		t.Fatalf("restored: %d %q", p.StatusCode, p.Body)
	}
}

func TestMembersPage(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			e := setup(t)
			officer, officerID := e.member(t, lang, identity.RoleOfficer, "Olive Officer")
			admin, adminID := e.member(t, lang, identity.RoleAdministrator, "Ada Admin")
			_, gid := e.grant(t, identity.RoleOfficer, "Pending Person")
			oid, aid, gs := strconv.FormatInt(officerID, 10), strconv.FormatInt(adminID, 10), strconv.FormatInt(gid, 10)

			p := admin.Get("/" + lang + "/staff/members")
			if p.StatusCode != http.StatusOK || p.Doc.Find(`[data-testid="revoke-member-`+oid+`"]`).Length() != 1 || p.Doc.Find(`[data-testid="revoke-member-`+aid+`"]`).Length() != 0 {
				t.Fatalf("members page: %d", p.StatusCode)
			}
			if p.Doc.Find(`[data-testid="revoke-grant-`+gs+`"]`).Length() != 1 {
				t.Fatal("the open grant should be listed with a way to withdraw it")
			}

			// Not themselves.
			p = admin.Post("/"+lang+"/staff/members/"+aid+"/revoke", nil)
			if location(p) != "/"+lang+"/staff/members?done=self" {
				t.Fatalf("self revoke: %q", location(p))
			}
			if admin.Get(location(p)).Doc.Find(`[data-testid="refused"]`).Length() != 1 {
				t.Fatal("self revoke should be explained")
			}

			p = admin.Post("/"+lang+"/staff/members/"+oid+"/revoke", nil)
			if location(p) != "/"+lang+"/staff/members?done=member" {
				t.Fatalf("revoke: %q", location(p))
			}
			if officer.Get("/"+lang+"/staff/test/officer").StatusCode != http.StatusForbidden {
				t.Fatal("the revoked officer still got in")
			}
			if p := admin.Post("/"+lang+"/staff/members/"+oid+"/revoke", nil); location(p) != "/"+lang+"/staff/members?done=gone" {
				t.Fatalf("revoke twice: %q", location(p))
			}
			if p := admin.Post("/"+lang+"/staff/members/999/revoke", nil); location(p) != "/"+lang+"/staff/members?done=gone" {
				t.Fatalf("revoke nobody: %q", location(p))
			}
			if p := admin.Post("/"+lang+"/staff/members/abc/revoke", nil); p.StatusCode != http.StatusNotFound {
				t.Fatalf("revoke abc: %d", p.StatusCode)
			}
			if p := admin.Post("/"+lang+"/staff/grants/"+gs+"/revoke", nil); location(p) != "/"+lang+"/staff/members?done=grant" {
				t.Fatalf("withdraw grant: %q", location(p))
			}
			rows := e.audit(t, "staff:"+aid)
			if len(rows) != 3 || rows[1].Detail != audit.Described("staff.audit.revoked_member", oid, "Olive Officer", "@staff.role.officer") ||
				rows[2].Detail != audit.Described("staff.audit.revoked_grant", gs, "Pending Person", "@staff.role.officer") {
				t.Fatalf("admin's audit: %+v", rows)
			}

			p = admin.Get("/" + lang + "/staff/activity")
			if p.StatusCode != http.StatusOK || p.Doc.Find(`[data-testid="staff-activity"] tbody tr`).Length() != 7 {
				t.Fatalf("activity: %d, %d rows", p.StatusCode, p.Doc.Find(`[data-testid="staff-activity"] tbody tr`).Length())
			}
			if !strings.Contains(p.Text(`[data-testid="staff-activity"] tbody tr`), "Ada Admin") {
				t.Fatalf("newest row should name the admin: %s", p.Text(`[data-testid="staff-activity"] tbody tr`))
			}
			if p.Doc.Find(`th[scope="col"]`).Length() != 4 {
				t.Fatal("activity table headings")
			}
		})
	}
}

func TestCommand(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	run := func(args ...string) (string, error) {
		var b strings.Builder
		err := staff.Command(ctx, e.mod, args, &b)
		return b.String(), err
	}
	out, err := run("grant", "--role", "officer", "--name", "Jeanne Tremblay")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Jeanne Tremblay", "officer", "24 hours", "once", "/en/staff/", "/fr/staff/", "authenticator app", "2024-01-24 15:00 UTC", "revoke --grant 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("grant output lacks %q:\n%s", want, out)
		}
	}
	var code string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "    ") {
			code = strings.TrimSpace(line)
		}
	}
	c, _ := e.signIn(t, "en", identity.FactorApp, "")
	c.Get("/en/staff/")
	if p := redeem(t, c, "en", code); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("the printed code did not work: %d", p.StatusCode)
	}
	if _, err := run("grant", "--role=administrator", "--name=Pat Pending"); err != nil {
		t.Fatal(err)
	}

	out, err = run("list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Staff members", "Jeanne Tremblay", "active", "Grants", "redeemed by member 1", "Pat Pending", "pending until"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}

	if out, err = run("revoke", "--grant", "2"); err != nil || !strings.Contains(out, "Grant 2 was withdrawn") {
		t.Fatalf("revoke --grant: %v %q", err, out)
	}
	if out, err = run("revoke", "1"); err != nil || !strings.Contains(out, "member 1") {
		t.Fatalf("revoke: %v %q", err, out)
	}
	if c.Get("/en/staff/").StatusCode != http.StatusForbidden {
		t.Fatal("revoked on the command line but still let in")
	}
	if out, _ = run("list"); !strings.Contains(out, "removed") || !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoking:\n%s", out)
	}

	bad := []struct {
		args []string
		want string
	}{
		{nil, "say what to do"},
		{[]string{"promote"}, "unknown command"},
		{[]string{"grant", "--name", "X"}, "--role is required"},
		{[]string{"grant", "--role", "boss", "--name", "X"}, "officer or administrator"},
		{[]string{"grant", "--role", "officer"}, "--name is required"},
		{[]string{"grant", "--role", "officer", "--name", strings.Repeat("a", 101)}, "1 to 100"},
		{[]string{"grant", "--role", "officer", "--name", "Ana\u202eLopez"}, "printable characters"},
		{[]string{"grant", "--role", "officer", "--name", "  "}, "--name is required"},
		{[]string{"grant", "--role", "officer", "--name", "Jo", "Smith"}, "quote a name"},
		{[]string{"grant", "--colour", "red"}, "flag provided but not defined"},
		{[]string{"revoke"}, "give one number"},
		{[]string{"revoke", "x"}, "not a number"},
		{[]string{"revoke", "42"}, "no active staff member 42"},
		{[]string{"revoke", "1"}, "no active staff member 1"},
		{[]string{"revoke", "--grant", "1"}, "no open grant 1"},
		{[]string{"list", "all"}, "takes no arguments"},
	}
	before := e.Count(t, "staff_grants")
	for _, b := range bad {
		_, err := run(b.args...)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.args, err, b.want)
		}
	}
	if e.Count(t, "staff_grants") != before {
		t.Fatal("a refused command made a grant")
	}
	var ue *staff.UsageError
	if _, err := run("grant"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "Usage:") {
		t.Fatalf("usage errors should carry the usage: %v", err)
	}
	if out, err := run("help"); err != nil || !strings.Contains(out, "guichet staff grant") {
		t.Fatalf("help: %v %q", err, out)
	}
}

func TestServiceValidation(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, _, err := e.mod.Grant(ctx, "boss", "Name"); err != staff.ErrRole {
		t.Fatalf("bad role: %v", err)
	}
	// Invisible characters would let one name pass for another on the
	// confirmation page: a bidi override, a zero-width space, a line
	// separator.
	for _, name := range []string{"", "   ", strings.Repeat("é", 101), "tab\tname", "Ana\u202eLopez", "Ana\u200bLopez", "Ana\u2028Lopez", "esc\x1b[2J"} {
		if _, _, err := e.mod.Grant(ctx, identity.RoleOfficer, name); err != staff.ErrName {
			t.Fatalf("name %q: %v", name, err)
		}
	}
	if _, _, err := e.mod.Grant(ctx, identity.RoleOfficer, strings.Repeat("é", 100)); err != nil {
		t.Fatalf("100 characters: %v", err)
	}
	if _, _, err := e.mod.Grant(ctx, identity.RoleOfficer, "Zoë O'Brien-Nguyễn Thị"); err != nil {
		t.Fatalf("a name with accents and punctuation: %v", err)
	}
	if e.Count(t, "staff_grants") != 2 || e.Count(t, "app_codes") != 2 {
		t.Fatal("refused grants were recorded")
	}
	var hash []byte
	if err := e.DB.R.Get(&hash, `SELECT code_hash FROM app_codes LIMIT 1`); err != nil || len(hash) != 32 {
		t.Fatalf("the code should be stored as an HMAC: %v", err)
	}
}

func TestSplitArgs(t *testing.T) {
	own, rest := staff.SplitArgs([]string{"grant", "--db", "x.db", "--role", "officer", "--name=Jo Smith", "--allow-remote-dev", "--env=dev"})
	if strings.Join(own, ",") != "grant,--role,officer,--name=Jo Smith" || strings.Join(rest, ",") != "--db,x.db,--allow-remote-dev,--env=dev" {
		t.Fatalf("own %q rest %q", own, rest)
	}
	own, rest = staff.SplitArgs([]string{"revoke", "--db", "5", "--grant", "7"})
	if strings.Join(own, ",") != "revoke,--grant,7" || strings.Join(rest, ",") != "--db,5" {
		t.Fatalf("own %q rest %q", own, rest)
	}
}

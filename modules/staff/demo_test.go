package staff_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"guichet/app/identity"
	"guichet/modules/staff"
)

func TestCreateDemoMemberEnrolsAtOnce(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	cred, err := identity.NewRef(identity.KindGCKey)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := e.Pairwise.Pairwise(ctx, cred, staff.Service)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.mod.CreateDemoMember(ctx, pw, "  Dana Officer ", identity.RoleAdministrator)
	if err != nil {
		t.Fatal(err)
	}

	// Signed in with that GCKey, the person is an administrator without
	// any code to redeem.
	c, _ := e.signIn(t, "en", identity.FactorApp, string(cred))
	p := c.Get("/en/staff/test/admin")
	if p.StatusCode != http.StatusOK || p.Body != strconv.FormatInt(id, 10)+"|Dana Officer|administrator" {
		t.Fatalf("admin page: %d %q", p.StatusCode, p.Body)
	}

	var mem staff.Member
	if err := e.DB.R.Get(&mem, `SELECT id, pairwise_id, name, role, granted_at, enrolled_at, revoked_at FROM staff_members`); err != nil {
		t.Fatal(err)
	}
	if mem.ID != id || mem.PairwiseID != pw || !mem.Active() {
		t.Fatalf("member %+v", mem)
	}
	var redeemedBy int64
	if err := e.DB.R.Get(&redeemedBy, `SELECT member_id FROM staff_grants WHERE redeemed_at IS NOT NULL AND role = 'administrator'`); err != nil || redeemedBy != id {
		t.Fatalf("grant not redeemed by the member: %v %d", err, redeemedBy)
	}
	if rows := e.audit(t, "staff:cli"); len(rows) != 1 || !strings.Contains(rows[0].Detail, `"Dana Officer"`) || !strings.Contains(rows[0].Detail, "demo") {
		t.Fatalf("grant audit: %+v", rows)
	}
	if rows := e.audit(t, "staff:"+strconv.FormatInt(id, 10)); len(rows) != 1 || rows[0].Event != "staff_action" || !strings.Contains(rows[0].Detail, "enrolled") {
		t.Fatalf("enrolment audit: %+v", rows)
	}

	// Again: refused, and nothing more is written.
	if _, err := e.mod.CreateDemoMember(ctx, pw, "Dana Officer", identity.RoleAdministrator); !errors.Is(err, staff.ErrAlreadyMember) {
		t.Fatalf("second time: %v", err)
	}
	if e.Count(t, "staff_members") != 1 || e.Count(t, "staff_grants") != 1 || len(e.audit(t, "staff:cli")) != 1 {
		t.Fatal("a refused demo member left rows behind")
	}
}

func TestCreateDemoMemberChecksItsArguments(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.mod.CreateDemoMember(ctx, "pw-1", "Dana", "boss"); !errors.Is(err, staff.ErrRole) {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := e.mod.CreateDemoMember(ctx, "pw-1", " ", identity.RoleOfficer); !errors.Is(err, staff.ErrName) {
		t.Fatalf("empty name: %v", err)
	}
	if _, err := e.mod.CreateDemoMember(ctx, "", "Dana", identity.RoleOfficer); err == nil {
		t.Fatal("a member without a pairwise id")
	}
	if e.Count(t, "staff_members") != 0 || e.Count(t, "staff_grants") != 0 {
		t.Fatal("refused demo members left rows behind")
	}
	// A revoked member is restored, as redeeming a new grant would.
	id, err := e.mod.CreateDemoMember(ctx, "pw-1", "Dana", identity.RoleOfficer)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.mod.RevokeMember(ctx, id); err != nil {
		t.Fatal(err)
	}
	again, err := e.mod.CreateDemoMember(ctx, "pw-1", "Dana", identity.RoleAdministrator)
	if err != nil || again != id {
		t.Fatalf("restoring: %d %v", again, err)
	}
	var role string
	if err := e.DB.R.Get(&role, `SELECT role FROM staff_members WHERE id = ? AND revoked_at IS NULL`, id); err != nil || role != identity.RoleAdministrator {
		t.Fatalf("restored member: %q %v", role, err)
	}
}

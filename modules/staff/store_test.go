package staff_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/modules/staff"
)

func TestStore(t *testing.T) {
	d := apptest.OpenDB(t)
	s := staff.NewStore(d)
	ctx := context.Background()
	now := apptest.Start
	var gid, gid2, mid int64
	err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if gid, err = s.AddGrant(ctx, tx, "Jo Smith", "officer", now, now.Add(staff.CodeTTL)); err != nil {
			return err
		}
		if gid2, err = s.AddGrant(ctx, tx, "Jo Smith", "administrator", now, now.Add(staff.CodeTTL)); err != nil {
			return err
		}
		g, err := s.Grant(ctx, tx, gid)
		if err != nil {
			return err
		}
		if mid, err = s.Enrol(ctx, tx, "pw-1", g, now); err != nil {
			return err
		}
		return s.RedeemGrant(ctx, tx, gid, mid, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		g2, _ := s.Grant(ctx, tx, gid2)
		if _, err := s.Enrol(ctx, tx, "pw-1", g2, now); err != staff.ErrNotFound {
			t.Errorf("enrolling an active member again: %v", err)
		}
		if err := s.RedeemGrant(ctx, tx, gid, mid, now); err != staff.ErrNotFound {
			t.Errorf("redeeming twice: %v", err)
		}
		if err := s.RevokeGrant(ctx, tx, gid, now); err != staff.ErrNotFound {
			t.Errorf("revoking a redeemed grant: %v", err)
		}
		if err := s.RevokeMember(ctx, tx, mid, now); err != nil {
			return err
		}
		// A revoked member is restored by a new grant, keeping their number.
		id, err := s.Enrol(ctx, tx, "pw-1", g2, now.Add(time.Hour))
		if err != nil || id != mid {
			t.Errorf("restoring: %d %v", id, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.MemberByPairwise(ctx, "pw-1")
	if err != nil || m.Role != "administrator" || !m.Active() || !m.EnrolledAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("restored member %+v %v", m, err)
	}
	if _, err := s.MemberByPairwise(ctx, "pw-2"); err != staff.ErrNotFound {
		t.Fatalf("unknown: %v", err)
	}
	g, _ := s.Grant(ctx, d.R, gid2)
	if g.State(now) != staff.GrantPending || g.State(now.Add(staff.CodeTTL)) != staff.GrantExpired {
		t.Fatal("grant states")
	}

	// Activity reads staff events only.
	log := audit.New(d, clock.NewFake(now))
	for _, svc := range []string{"staff", "ircc", "stafff"} {
		if err := log.Service(ctx, d.W, svc, "1", audit.StaffAction, "", "", svc); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := log.ServiceRecent(ctx, "staff", 10)
	if err != nil || len(rows) != 1 || rows[0].Subject != "staff:1" {
		t.Fatalf("activity: %+v %v", rows, err)
	}
}

package staff

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
)

// CreateDemoMember makes the person known to the staff service by
// pairwiseID an active member with role straight away, for `guichet demo`:
// a grant and its redemption in one transaction, audited as the command
// line's grant and the member's enrolment are, without an enrolment code
// to hand over. ErrAlreadyMember if they are one already. It is never
// reachable from a page.
func (m *Module) CreateDemoMember(ctx context.Context, pairwiseID, name, role string) (int64, error) {
	if !ValidRole(role) {
		return 0, ErrRole
	}
	name, err := CleanName(name)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(pairwiseID) == "" {
		return 0, errors.New("staff: demo member without a pairwise id")
	}
	now := m.clock.Now()
	var id int64
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		gid, err := m.store.AddGrant(ctx, tx, name, role, now, now.Add(CodeTTL))
		if err != nil {
			return err
		}
		if err := m.record(ctx, tx, cli, audit.Described("staff.audit.granted_demo", strconv.FormatInt(gid, 10), name, roleArg(role))); err != nil {
			return err
		}
		g, err := m.store.Grant(ctx, tx, gid)
		if err != nil {
			return err
		}
		id, err = m.store.Enrol(ctx, tx, pairwiseID, g, now)
		if errors.Is(err, ErrNotFound) {
			return ErrAlreadyMember
		}
		if err != nil {
			return err
		}
		if err := m.store.RedeemGrant(ctx, tx, gid, id, now); err != nil {
			return err
		}
		return m.record(ctx, tx, actor{subject: strconv.FormatInt(id, 10)},
			audit.Described("staff.audit.enrolled_demo", strconv.FormatInt(gid, 10), roleArg(role)))
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

package staff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/codes"
	"guichet/app/identity"
)

// Errors the service functions return.
var (
	// ErrRole is a role other than officer or administrator.
	ErrRole = errors.New("staff: the role must be officer or administrator")
	// ErrName is an empty, too long or unprintable name.
	ErrName = fmt.Errorf("staff: the name must be 1 to %d printable characters", MaxName)
	// ErrInvalidCode is an enrolment code that is unknown, used, expired
	// or whose grant was revoked; the reason is never told.
	ErrInvalidCode = errors.New("staff: invalid enrolment code")
	// ErrAlreadyMember is a person who is already an active member.
	ErrAlreadyMember = errors.New("staff: already a member")
)

// cliSubject is the audit subject of changes made on the command line.
const cliSubject = "cli"

// actor is who makes a change, as the audit log records it.
type actor struct {
	subject string // a member's number, or cliSubject
	ip, ua  string
}

var cli = actor{subject: cliSubject}

// roleArg is a role in an audit detail, named in the reader's language.
func roleArg(role string) string { return "@staff.role." + role }

func (m *Module) record(ctx context.Context, tx *sqlx.Tx, a actor, detail string) error {
	return m.audit.Service(ctx, tx, Service, a.subject, audit.StaffAction, a.ip, a.ua, detail)
}

// ValidRole tells whether r is a staff role.
func ValidRole(r string) bool {
	return r == identity.RoleOfficer || r == identity.RoleAdministrator
}

// CleanName trims a name and checks it: 1 to MaxName characters, all
// graphic. The name is what the confirmation page, the members page and the
// terminal show to say whom a code is for, so invisible characters (bidi
// overrides, zero-width spaces, line separators) are refused as well as
// control characters: they would let one name pass for another.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxName || !utf8.ValidString(name) || strings.IndexFunc(name, notGraphic) >= 0 {
		return "", ErrName
	}
	return name, nil
}

func notGraphic(r rune) bool { return !unicode.IsGraphic(r) }

// Grant makes a grant of role for the person named, and returns the
// enrolment code to give them (valid CodeTTL, single use) and the grant's
// number. It is the command line's "staff grant", audited as such.
func (m *Module) Grant(ctx context.Context, role, name string) (code string, grantID int64, err error) {
	if !ValidRole(role) {
		return "", 0, ErrRole
	}
	name, err = CleanName(name)
	if err != nil {
		return "", 0, err
	}
	now := m.clock.Now()
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := m.store.AddGrant(ctx, tx, name, role, now, now.Add(CodeTTL))
		if err != nil {
			return err
		}
		c, err := m.codes.Issue(ctx, tx, CodePurpose, strconv.FormatInt(id, 10), codes.Token, CodeTTL)
		if err != nil {
			return err
		}
		code, grantID = c, id
		return m.record(ctx, tx, cli, audit.Described("staff.audit.granted", strconv.FormatInt(id, 10), name, roleArg(role)))
	})
	if err != nil {
		return "", 0, err
	}
	return code, grantID, nil
}

// RevokeMember removes an active member's access, from the command line.
// Their next request is refused. ErrNotFound if there is no active member
// with that number.
func (m *Module) RevokeMember(ctx context.Context, memberID int64) error {
	return m.revokeMember(ctx, cli, memberID)
}

// RevokeGrant withdraws a grant not yet redeemed, from the command line:
// its code stops working. ErrNotFound if it was redeemed or revoked.
func (m *Module) RevokeGrant(ctx context.Context, grantID int64) error {
	return m.revokeGrant(ctx, cli, grantID)
}

func (m *Module) revokeMember(ctx context.Context, a actor, id int64) error {
	return m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		mem, err := m.store.Member(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := m.store.RevokeMember(ctx, tx, id, m.clock.Now()); err != nil {
			return err
		}
		return m.record(ctx, tx, a, audit.Described("staff.audit.revoked_member", strconv.FormatInt(id, 10), mem.Name, roleArg(mem.Role)))
	})
}

func (m *Module) revokeGrant(ctx context.Context, a actor, id int64) error {
	return m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		g, err := m.store.Grant(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := m.store.RevokeGrant(ctx, tx, id, m.clock.Now()); err != nil {
			return err
		}
		if err := m.codes.Revoke(ctx, tx, CodePurpose, strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		return m.record(ctx, tx, a, audit.Described("staff.audit.revoked_grant", strconv.FormatInt(id, 10), g.Name, roleArg(g.Role)))
	})
}

// List returns every member and every grant, for "staff list".
func (m *Module) List(ctx context.Context) ([]Member, []Grant, error) {
	members, err := m.store.Members(ctx)
	if err != nil {
		return nil, nil, err
	}
	grants, err := m.store.Grants(ctx)
	if err != nil {
		return nil, nil, err
	}
	return members, grants, nil
}

// openGrant is the grant a code is for, if the code and the grant are
// both still good; it uses nothing (the confirmation page shows the name).
func (m *Module) openGrant(ctx context.Context, code string) (Grant, error) {
	code = codes.Normalize(codes.Token, code)
	if code == "" {
		return Grant{}, ErrInvalidCode
	}
	subject, err := m.codes.Lookup(ctx, CodePurpose, code)
	if errors.Is(err, codes.ErrInvalid) {
		return Grant{}, ErrInvalidCode
	}
	if err != nil {
		return Grant{}, err
	}
	id, err := strconv.ParseInt(subject, 10, 64)
	if err != nil {
		return Grant{}, ErrInvalidCode
	}
	g, err := m.store.Grant(ctx, m.db.R, id)
	if errors.Is(err, ErrNotFound) {
		return Grant{}, ErrInvalidCode
	}
	if err != nil {
		return Grant{}, err
	}
	if g.State(m.clock.Now()) != GrantPending {
		return Grant{}, ErrInvalidCode
	}
	return g, nil
}

// redeem uses code for the person known by pairwiseID and makes them a
// member (or restores them), in one transaction with the code's use, the
// grant's redemption and the audit entry.
func (m *Module) redeem(ctx context.Context, pairwiseID, code, ip, ua string) (Member, error) {
	code = codes.Normalize(codes.Token, code)
	if code == "" {
		return Member{}, ErrInvalidCode
	}
	now := m.clock.Now()
	var mem Member
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		subject, err := m.codes.ConsumeToken(ctx, tx, CodePurpose, code)
		if errors.Is(err, codes.ErrInvalid) {
			return ErrInvalidCode
		}
		if err != nil {
			return err
		}
		gid, err := strconv.ParseInt(subject, 10, 64)
		if err != nil {
			return ErrInvalidCode
		}
		g, err := m.store.Grant(ctx, tx, gid)
		if errors.Is(err, ErrNotFound) {
			return ErrInvalidCode
		}
		if err != nil {
			return err
		}
		if g.State(now) != GrantPending {
			return ErrInvalidCode
		}
		id, err := m.store.Enrol(ctx, tx, pairwiseID, g, now)
		if errors.Is(err, ErrNotFound) {
			return ErrAlreadyMember
		}
		if err != nil {
			return err
		}
		if err := m.store.RedeemGrant(ctx, tx, gid, id, now); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrInvalidCode
			}
			return err
		}
		if mem, err = m.store.Member(ctx, tx, id); err != nil {
			return err
		}
		return m.record(ctx, tx, actor{subject: strconv.FormatInt(id, 10), ip: ip, ua: ua},
			audit.Described("staff.audit.enrolled", strconv.FormatInt(gid, 10), roleArg(g.Role)))
	})
	return mem, err
}

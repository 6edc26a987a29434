package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/password"
	"guichet/db"
)

// ExpireUnused marks every open GCKey unused for two years as expired and
// records it; a job calls it. It returns how many it marked. The rows stay,
// so their usernames stay reserved. (Sign-in also checks, so a credential
// the job has not reached yet cannot be used either.)
func (m *Module) ExpireUnused(ctx context.Context) (int64, error) {
	now := m.clock.Now()
	stale, err := m.store.Stale(ctx, now.Add(-expireAfter))
	if err != nil {
		return 0, err
	}
	var n int64
	for _, cred := range stale {
		marked, err := m.expire(ctx, cred, now)
		if err != nil {
			return n, fmt.Errorf("expire %s: %w", cred, err)
		}
		if marked {
			n++
		}
	}
	return n, nil
}

// Cleanup deletes sign-ups that ran out of time and known browsers whose
// cookie has expired; a job calls it.
func (m *Module) Cleanup(ctx context.Context) (int64, error) {
	now := m.clock.Now()
	return m.store.Cleanup(ctx, now.Add(-signupTTL), now.Add(-deviceTTL))
}

// CreateDemo creates a ready GCKey (recovery email verified, language
// English) for the demo command. The username and password must meet the
// policy like any other.
func (m *Module) CreateDemo(ctx context.Context, username, pw, email string) (identity.Ref, error) {
	f := detailsForm{Username: strings.TrimSpace(username), Password: pw, Confirm: pw, Email: strings.TrimSpace(email)}
	if errs := f.validate(); len(errs) > 0 {
		keys := make([]string, 0, len(errs))
		for _, e := range errs {
			keys = append(keys, e.Key)
		}
		return "", fmt.Errorf("demo GCKey %q: %s", username, strings.Join(keys, ", "))
	}
	hash, err := m.hasher.Hash(ctx, pw)
	if err != nil {
		return "", err
	}
	ref, err := identity.NewRef(identity.KindGCKey)
	if err != nil {
		return "", err
	}
	now := m.clock.Now()
	cr := Credential{
		Cred: string(ref), Username: f.Username, UsernameNorm: password.NormalizeUsername(f.Username),
		PasswordHash: hash, Email: f.Email, EmailNorm: normEmail(f.Email), EmailVerifiedAt: &now,
		Lang: i18n.EN, CreatedAt: now,
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.store.Create(ctx, tx, cr); err != nil {
			return err
		}
		return m.audit.Credential(ctx, tx, cr.Cred, audit.SignUp, "", "", "demo")
	})
	if err != nil {
		return "", fmt.Errorf("demo GCKey %q: %w", username, err)
	}
	return ref, nil
}

// ErrNotGCKey is returned by Email for a subject that is not a GCKey.
var ErrNotGCKey = errors.New("auth: not a GCKey subject")

// Email returns the recovery email of a GCKey subject and the language
// its owner last used, for the two-factor module's email codes. id is the
// credential reference ("gckey:…"); the bare UUID is accepted too.
func (m *Module) Email(ctx context.Context, kind, id string) (addr, lang string, err error) {
	return emailOf(ctx, m.store, kind, id)
}

// Contacts answers Email from the database alone. The two-factor and
// recovery modules need it before auth can be built (auth needs them in
// turn), so main can hand them this instead of the module.
type Contacts struct {
	store *Store
}

// NewContacts returns Email over d.
func NewContacts(d *db.DB) *Contacts { return &Contacts{store: NewStore(d)} }

// Email is Module.Email.
func (c *Contacts) Email(ctx context.Context, kind, id string) (addr, lang string, err error) {
	return emailOf(ctx, c.store, kind, id)
}

func emailOf(ctx context.Context, s *Store, kind, id string) (addr, lang string, err error) {
	if kind != identity.KindGCKey {
		return "", "", ErrNotGCKey
	}
	if !strings.HasPrefix(id, identity.KindGCKey+":") {
		id = identity.KindGCKey + ":" + id
	}
	cr, err := s.ByCred(ctx, id)
	if err != nil {
		return "", "", err
	}
	return cr.Email, cr.Lang, nil
}

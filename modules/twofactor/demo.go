package twofactor

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// CreateDemoAuthenticator gives a subject an active authenticator-app
// factor straight away and returns its secret, so `guichet demo` can print
// a sign-in that works at once. It is never reachable from a page.
func (m *Module) CreateDemoAuthenticator(ctx context.Context, kind, id string) (string, error) {
	subj := Subject{Kind: kind, ID: id}
	secret, err := newSecret(m.issuer, kind)
	if err != nil {
		return "", err
	}
	sealed, err := m.sealSecret(subj, secret)
	if err != nil {
		return "", err
	}
	now := m.clock.Now()
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		fid, err := m.store.PutPending(ctx, tx, subj, MethodTOTP, sealed, now)
		if err != nil {
			return err
		}
		return m.store.Activate(ctx, tx, subj, Factor{ID: fid, Method: MethodTOTP, CreatedAt: now.UTC()}, now)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

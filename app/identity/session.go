package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"guichet/app/web"
)

// Session keys owned by identity. The token is renewed whenever the
// assurance level changes, so a session fixed before sign-in is useless.
const (
	keyCred    = web.KeyCred
	keyAAL     = "aal"
	keyMFAAt   = "mfa_at"
	keyFactor  = "mfa_factor"
	keyMethod  = "method"
	keyPending = "pending_service"
	keyPrefix  = "principal."
)

// Sessions reads and changes the signed-in state of the request's session.
type Sessions struct {
	sm    *web.Sessions
	store *Store
	// entries are the mounted entry pages by service, so a hand-over that
	// does not pass through the entry page still obeys what it admits.
	entriesMu sync.RWMutex
	entries   map[string]Entry
}

// NewSessions ties the session manager to the pairwise store.
func NewSessions(sm *web.Sessions, store *Store) *Sessions {
	return &Sessions{sm: sm, store: store, entries: map[string]Entry{}}
}

// State is the signed-in state of a session.
type State struct {
	Cred   Ref
	AAL    int
	MFAAt  time.Time
	Method string
	// Factor is the second factor last passed (FactorApp, FactorEmail,
	// FactorRecovery, FactorPartner), empty below level 2.
	Factor string
}

// SignedIn tells whether anyone is signed in.
func (st State) SignedIn() bool { return st.Cred != "" }

// MFAWithin tells whether the second factor was checked within d of now
// (changing a factor, recovery codes or password needs it within 20 min).
func (st State) MFAWithin(now time.Time, d time.Duration) bool {
	return st.AAL >= AAL2 && !st.MFAAt.IsZero() && now.Sub(st.MFAAt) <= d
}

// Current returns the session's signed-in state.
func (s *Sessions) Current(ctx context.Context) State {
	return State{
		Cred:   Ref(s.sm.GetString(ctx, keyCred)),
		AAL:    s.sm.GetInt(ctx, keyAAL),
		MFAAt:  s.sm.GetTime(ctx, keyMFAAt),
		Method: s.sm.GetString(ctx, keyMethod),
		Factor: s.sm.GetString(ctx, keyFactor),
	}
}

// begin renews the token and clears the session, keeping the pending
// service (the person came from that service's entry page).
func (s *Sessions) begin(ctx context.Context) error {
	pending := s.sm.GetString(ctx, keyPending)
	if err := s.sm.Clear(ctx); err != nil {
		return err
	}
	if err := s.sm.RenewToken(ctx); err != nil {
		return err
	}
	if pending != "" {
		s.sm.Put(ctx, keyPending, pending)
	}
	return nil
}

// PasswordVerified starts a GCKey session at level 1.
func (s *Sessions) PasswordVerified(ctx context.Context, cred Ref) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	s.sm.Put(ctx, keyCred, string(cred))
	s.sm.Put(ctx, keyAAL, AAL1)
	s.sm.Put(ctx, keyMethod, KindGCKey)
	return nil
}

// Second factors, as Principals record them. Some services accept only
// some (IRCC staff: the authenticator app).
const (
	FactorApp      = "app"
	FactorEmail    = "email"
	FactorRecovery = "recovery"
	FactorPartner  = "partner"
)

// SecondFactorVerified raises the session to level 2 and records when and
// with which factor.
func (s *Sessions) SecondFactorVerified(ctx context.Context, now time.Time, factor string) error {
	if s.sm.GetString(ctx, keyCred) == "" {
		return fmt.Errorf("identity: second factor without a signed-in credential")
	}
	if err := s.sm.RenewToken(ctx); err != nil {
		return err
	}
	s.sm.Put(ctx, keyAAL, AAL2)
	s.sm.Put(ctx, keyMFAAt, now.UTC())
	s.sm.Put(ctx, keyFactor, factor)
	return nil
}

// PartnerVerified starts a session for a Sign-In Partner credential; it is
// level 2 only when the partner reported multi-factor authentication.
func (s *Sessions) PartnerVerified(ctx context.Context, cred Ref, mfa bool, now time.Time) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	s.sm.Put(ctx, keyCred, string(cred))
	s.sm.Put(ctx, keyMethod, KindPartner)
	if mfa {
		s.sm.Put(ctx, keyAAL, AAL2)
		s.sm.Put(ctx, keyMFAAt, now.UTC())
		s.sm.Put(ctx, keyFactor, FactorPartner)
	} else {
		s.sm.Put(ctx, keyAAL, AAL1)
	}
	return nil
}

// Renew gives the session a new token without changing it (after a code
// is redeemed).
func (s *Sessions) Renew(ctx context.Context) error { return s.sm.RenewToken(ctx) }

// SignOut ends the whole session.
func (s *Sessions) SignOut(ctx context.Context) error { return s.sm.Destroy(ctx) }

// SetPending remembers which service the person is signing in for. Only a
// known service name is kept, never a URL.
func (s *Sessions) SetPending(ctx context.Context, service string) {
	if ValidService(service) {
		s.sm.Put(ctx, keyPending, service)
	}
}

// ClearPending forgets the service a sign-in was for: a sign-in started
// for no service must not land on one chosen earlier and abandoned.
func (s *Sessions) ClearPending(ctx context.Context) { s.sm.Remove(ctx, keyPending) }

// Pending returns the service the person is signing in for, if any.
func (s *Sessions) Pending(ctx context.Context) string {
	return s.sm.GetString(ctx, keyPending)
}

// Issue hands the signed-in credential to a service as a Principal. A
// GCKey credential must have passed its second factor.
func (s *Sessions) Issue(ctx context.Context, service string) (Principal, error) {
	st := s.Current(ctx)
	if !st.SignedIn() {
		return Principal{}, fmt.Errorf("identity: nobody is signed in")
	}
	if st.Method == KindGCKey && st.AAL < AAL2 {
		return Principal{}, fmt.Errorf("identity: GCKey sign-in not complete")
	}
	id, err := s.store.Pairwise(ctx, st.Cred, service)
	if err != nil {
		return Principal{}, err
	}
	p := Principal{Service: service, PairwiseID: id, Method: st.Method, AAL: st.AAL, MFAAt: st.MFAAt, Factor: st.Factor}
	s.sm.Put(ctx, keyPrefix+service, encodePrincipal(p))
	if s.sm.GetString(ctx, keyPending) == service {
		s.sm.Remove(ctx, keyPending)
	}
	return p, nil
}

// Land hands a fresh sign-in to the service it was for when the credential
// already has an account there. A first arrival is not issued here: the
// service's entry page first shows the enrolment warning and asks.
func (s *Sessions) Land(ctx context.Context, service string) error {
	st := s.Current(ctx)
	if !s.usable(st) || !ValidService(service) {
		return nil
	}
	s.entriesMu.RLock()
	e, mounted := s.entries[service]
	s.entriesMu.RUnlock()
	if !mounted || !e.admits(st) {
		return nil
	}
	known, err := s.store.Known(ctx, st.Cred, service)
	if err != nil || !known {
		return err
	}
	_, err = s.Issue(ctx, service)
	return err
}

// Raise records that a service checked its own second factor for its
// Principal (a partner sign-in that reported none), bringing that
// Principal, and only it, to level 2.
func (s *Sessions) Raise(ctx context.Context, service string, now time.Time, factor string) error {
	p, ok := s.Principal(ctx, service)
	if !ok {
		return fmt.Errorf("identity: no principal for %s", service)
	}
	if err := s.sm.RenewToken(ctx); err != nil {
		return err
	}
	p.AAL = AAL2
	p.MFAAt = now.UTC()
	p.Factor = factor
	s.sm.Put(ctx, keyPrefix+service, encodePrincipal(p))
	return nil
}

// Principal returns the Principal already issued to a service in this
// session.
func (s *Sessions) Principal(ctx context.Context, service string) (Principal, bool) {
	raw := s.sm.GetString(ctx, keyPrefix+service)
	if raw == "" {
		return Principal{}, false
	}
	p, ok := decodePrincipal(service, raw)
	if !ok {
		return Principal{}, false
	}
	// A Principal lasts as long as the credential's sign-in it came from.
	if st := s.Current(ctx); !st.SignedIn() {
		return Principal{}, false
	}
	return p, true
}

func encodePrincipal(p Principal) string {
	mfa := int64(0)
	if !p.MFAAt.IsZero() {
		mfa = p.MFAAt.Unix()
	}
	return strings.Join([]string{p.PairwiseID, p.Method, strconv.Itoa(p.AAL), strconv.FormatInt(mfa, 10), p.Factor}, "|")
}

func decodePrincipal(service, raw string) (Principal, bool) {
	parts := strings.Split(raw, "|")
	if len(parts) != 5 {
		return Principal{}, false
	}
	aal, err1 := strconv.Atoi(parts[2])
	mfa, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil {
		return Principal{}, false
	}
	p := Principal{Service: service, PairwiseID: parts[0], Method: parts[1], AAL: aal, Factor: parts[4]}
	if mfa > 0 {
		p.MFAAt = time.Unix(mfa, 0).UTC()
	}
	return p, true
}

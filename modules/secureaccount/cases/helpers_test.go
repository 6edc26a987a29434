package cases_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
)

// accounts stands in for the secure account module: accounts by pairwise
// id, UCIs handed out in order.
type accounts struct {
	id   *identity.Sessions
	mu   sync.Mutex
	byPW map[string]*account.Account
	byID map[int64]*account.Account
	next int64
	uci  int64
}

func (a *accounts) Current(c echo.Context) (account.Account, bool) {
	p, ok := a.id.Principal(c.Request().Context(), "ircc")
	if !ok {
		return account.Account{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.byPW[p.PairwiseID]
	if !ok {
		return account.Account{}, false
	}
	return *acc, true
}

func (a *accounts) Get(_ context.Context, id int64) (account.Account, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.byID[id]
	if !ok {
		return account.Account{}, errors.New("no such account")
	}
	return *acc, nil
}

func (a *accounts) EnsureUCI(_ context.Context, _ *sqlx.Tx, id int64) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.byID[id]
	if !ok {
		return "", errors.New("no such account")
	}
	if acc.UCI == "" {
		a.uci++
		acc.UCI = fmt.Sprintf("%010d", 1000000000+a.uci)
	}
	return acc.UCI, nil
}

// enrol creates an account for a pairwise id (or none, for an account
// nobody signs in to).
func (a *accounts) enrol(pairwise, family, lang string) account.Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	acc := &account.Account{ID: a.next, PairwiseID: pairwise, GivenName: "Ana", FamilyName: family, BirthDate: "1990-05-17", Email: family + "@example.com", Lang: lang}
	if pairwise != "" {
		a.byPW[pairwise] = acc
	}
	a.byID[acc.ID] = acc
	return *acc
}

// letter is a posted letter, with the account holding it now.
type letter struct {
	ID        int64
	AccountID int64
	account.Letter
}

// mailbox stands in for correspondence: it keeps letters in memory and
// moves them with their application. fail makes Post fail for a kind.
type mailbox struct {
	mu      sync.Mutex
	letters []letter
	fail    string
	moves   [][3]int64
}

func (m *mailbox) Post(_ context.Context, _ *sqlx.Tx, accountID int64, l account.Letter) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != "" && m.fail == l.Kind {
		return 0, errors.New("mailbox broken")
	}
	id := int64(len(m.letters) + 1)
	m.letters = append(m.letters, letter{ID: id, AccountID: accountID, Letter: l})
	return id, nil
}

func (m *mailbox) ForAccount(_ context.Context, accountID int64) ([]account.MessageView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []account.MessageView
	for _, l := range m.letters {
		if l.AccountID == accountID {
			mv := account.MessageView{ID: l.ID, Kind: l.Kind, Subject: l.Subject, Body: l.Body, ApplicationID: l.ApplicationID, Sent: apptest.Start}
			if l.NeedsReply {
				mv.Replies = []account.Reply{{ID: 1, Body: "reply to " + l.Subject, Sent: apptest.Start,
					Documents: []account.Document{{ID: 99, Filename: "reply.pdf", RequestLabel: "Passport", Size: 2048, Uploaded: apptest.Start}}}}
			}
			out = append(out, mv)
		}
	}
	return out, nil
}

func (m *mailbox) MoveApplication(_ context.Context, _ *sqlx.Tx, applicationID, from, to int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moves = append(m.moves, [3]int64{applicationID, from, to})
	for i := range m.letters {
		if m.letters[i].ApplicationID == applicationID && m.letters[i].AccountID == from {
			m.letters[i].AccountID = to
		}
	}
	return nil
}

// of returns the letters an account holds now.
func (m *mailbox) of(accountID int64) []letter {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []letter
	for _, l := range m.letters {
		if l.AccountID == accountID {
			out = append(out, l)
		}
	}
	return out
}

// documents stands in for uploads: one PDF and one file that claims to be
// HTML.
type documents struct{}

var docs = map[int64]account.Document{
	99:  {ID: 99, Filename: "reply.pdf", ContentType: "application/pdf", Size: 8, RequestLabel: "Passport", Uploaded: apptest.Start},
	100: {ID: 100, Filename: "évil\".html", ContentType: "text/html", Size: 20, RequestLabel: "Photo", Uploaded: apptest.Start},
}

func (documents) ForApplication(_ context.Context, applicationID int64) ([]account.Document, error) {
	return []account.Document{docs[99], docs[100]}, nil
}

func (documents) ForAccount(_ context.Context, accountID int64) ([]account.Document, error) {
	return nil, nil
}

func (documents) Open(_ context.Context, id int64) (account.Document, []byte, error) {
	d, ok := docs[id]
	if !ok {
		return d, nil, errors.New("no such document")
	}
	if id == 100 {
		return d, []byte("<script>alert(1)</script>"), nil
	}
	return d, []byte("%PDF-1.4"), nil
}

// staffHeader names the role the fake RoleGate lets through.
const staffHeader = "X-Test-Staff-Role"

// roleGate stands in for the staff module's RequireRole: the role comes
// from a test header; without one, or with a role not listed, 403.
func roleGate(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			role := c.Request().Header.Get(staffHeader)
			for _, r := range roles {
				if role != "" && r == role {
					identity.WithStaff(c, identity.Staff{ID: 7, Name: "Test Officer", Role: role})
					return next(c)
				}
			}
			return echo.ErrForbidden
		}
	}
}

type env struct {
	*apptest.App
	m        *cases.Module
	accounts *accounts
	mailbox  *mailbox
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{mailbox: &mailbox{}}
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		e.accounts = &accounts{id: k.Identity, byPW: map[string]*account.Account{}, byID: map[int64]*account.Account{}}
		e.m = cases.New(cases.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions, Audit: k.Audit,
			Codes: k.Codes, Throttle: k.Throttle, MailDomain: "guichet.test", Jobs: k.Jobs,
			Accounts: e.accounts, Mailbox: e.mailbox, Documents: documents{}, Correspondence: e.mailbox,
			RoleGate: roleGate,
		})
		s.Mount(e.m)
		for _, g := range s.Langs {
			g.GET("/test/ircc-issue", func(c echo.Context) error {
				p, err := k.Identity.Issue(c.Request().Context(), "ircc")
				if err != nil {
					return err
				}
				return c.String(http.StatusOK, p.PairwiseID)
			})
		}
	}})
	return e
}

// person is a signed-in applicant with an account.
type person struct {
	*apptest.Client
	acc account.Account
}

// signIn gives a new client the ircc Principal and, unless enrol is
// false, an account.
func (e *env) signIn(t *testing.T, family string, enrol bool) person {
	t.Helper()
	c := e.Client(t)
	expect(t, c.Get("/en/test/password-verified"), http.StatusOK, "")
	expect(t, c.Get("/en/test/second-factor"), http.StatusOK, "")
	p := c.Get("/en/test/ircc-issue")
	expect(t, p, http.StatusOK, "")
	pw := strings.TrimSpace(p.Body)
	var acc account.Account
	if enrol {
		acc = e.accounts.enrol(pw, family, "en")
		// A page with a form, for the CSRF token.
		expect(t, c.Get("/en/ircc/link"), http.StatusOK, "")
	}
	return person{Client: c, acc: acc}
}

func expect(t *testing.T, p *apptest.Page, status int, location string) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d (location %q)\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, status, p.Header.Get("Location"), p.Body)
	}
	if location != "" && p.Header.Get("Location") != location {
		t.Fatalf("location %q, want %q", p.Header.Get("Location"), location)
	}
}

// staffGet and staffPost act with a role ("" for none).
func staffGet(t *testing.T, a *apptest.App, c *apptest.Client, role, path string) *apptest.Page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set(staffHeader, role)
	}
	return c.Do(req)
}

func staffPost(t *testing.T, a *apptest.App, c *apptest.Client, role, path string, v url.Values) *apptest.Page {
	t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["csrf_token"]; !ok {
		v.Set("csrf_token", c.CSRF)
	}
	req, err := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	if role != "" {
		req.Header.Set(staffHeader, role)
	}
	return c.Do(req)
}

// submit records an application through account.Applications.
func (e *env) submit(t *testing.T, a account.NewApplication) (int64, string) {
	t.Helper()
	var id int64
	var number string
	err := e.DB.Tx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		id, number, err = e.m.Applications().Submit(context.Background(), tx, a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, number
}

func online(accountID int64, family string) account.NewApplication {
	return account.NewApplication{
		AccountID: accountID, Kind: account.KindPRExpressEntry, Program: "Express Entry: permanent residence",
		GivenName: "Ana", FamilyName: family, BirthDate: "1990-05-17", Email: strings.ToLower(family) + "@example.com",
		Data: `{"answers":true}`,
	}
}

func paper(family, email string) account.NewApplication {
	return account.NewApplication{
		Kind: account.KindPaper, Program: "Family sponsorship", GivenName: "Jean", FamilyName: family,
		BirthDate: "1985-11-02", Email: email, StaffID: 7,
	}
}

var officer = cases.Actor{Staff: identity.Staff{ID: 7, Name: "Test Officer", Role: identity.RoleOfficer}, IP: "192.0.2.1", UA: "test"}

func lastMail(t *testing.T, e *env) mail.Record {
	t.Helper()
	recs, err := mail.List(context.Background(), e.DB, 1)
	if err != nil || len(recs) == 0 {
		t.Fatalf("no mail (%v)", err)
	}
	return recs[0]
}

func (e *env) status(t *testing.T, id int64) string {
	t.Helper()
	var s string
	if err := e.DB.R.Get(&s, `SELECT status FROM ircc_applications WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) holder(t *testing.T, id int64) int64 {
	t.Helper()
	var h *int64
	if err := e.DB.R.Get(&h, `SELECT account_id FROM ircc_applications WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if h == nil {
		return 0
	}
	return *h
}

func (e *env) staffActions(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE event = 'staff_action' AND subject = 'staff:7'`); err != nil {
		t.Fatal(err)
	}
	return n
}

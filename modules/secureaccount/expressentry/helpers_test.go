package expressentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/crs"
	"guichet/modules/secureaccount/expressentry"
)

// accounts stands in for the secure account: a Principal's first visit
// creates its account, as enrolment would.
type accounts struct {
	k          *app.Kernel
	mu         sync.Mutex
	byPairwise map[string]int64
	all        map[int64]*account.Account
	ucis       int
}

func (f *accounts) Current(c echo.Context) (account.Account, bool) {
	p, ok := f.k.Identity.Principal(c.Request().Context(), "ircc")
	if !ok {
		return account.Account{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byPairwise[p.PairwiseID]
	if !ok {
		id = f.add(account.Account{PairwiseID: p.PairwiseID, GivenName: "Ana", FamilyName: "Silva", BirthDate: "1994-03-10",
			Email: "ana@example.com", Lang: web.Lang(c)})
		f.byPairwise[p.PairwiseID] = id
	}
	return *f.all[id], true
}

// add creates an account (the caller holds mu, or no handler runs).
func (f *accounts) add(a account.Account) int64 {
	a.ID = int64(len(f.all) + 1)
	f.all[a.ID] = &a
	return a.ID
}

func (f *accounts) Get(_ context.Context, id int64) (account.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.all[id]
	if !ok {
		return account.Account{}, errors.New("no such account")
	}
	return *a, nil
}

func (f *accounts) EnsureUCI(_ context.Context, _ *sqlx.Tx, id int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.all[id]
	if !ok {
		return "", errors.New("no such account")
	}
	if a.UCI == "" {
		f.ucis++
		a.UCI = fmt.Sprintf("%010d", 1000000000+f.ucis)
	}
	return a.UCI, nil
}

type posted struct {
	AccountID int64
	Letter    account.Letter
}

// mailbox records letters.
type mailbox struct {
	mu      sync.Mutex
	letters []posted
}

func (f *mailbox) Post(_ context.Context, _ *sqlx.Tx, accountID int64, l account.Letter) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.letters = append(f.letters, posted{accountID, l})
	return int64(len(f.letters)), nil
}

func (f *mailbox) all() []posted {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]posted(nil), f.letters...)
}

// applications records submitted applications.
type applications struct {
	mu  sync.Mutex
	got []account.NewApplication
}

func (f *applications) Submit(_ context.Context, _ *sqlx.Tx, a account.NewApplication) (int64, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, a)
	n := len(f.got)
	return int64(n), fmt.Sprintf("W%09d", n), nil
}

const staffKey = "test.staff"

// roleGate stands in for the staff module's RequireRole: the session's
// "role:id", set by /test/as-staff.
func roleGate(k *app.Kernel) identity.RoleGate {
	return func(roles ...string) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				v := k.Sessions.GetString(c.Request().Context(), staffKey)
				role, id, ok := strings.Cut(v, ":")
				if !ok {
					return web.Redirect(c, web.URL(c, "/staff/"))
				}
				for _, r := range roles {
					if r == role {
						n, _ := strconv.ParseInt(id, 10, 64)
						identity.WithStaff(c, identity.Staff{ID: n, Name: "Staff " + id, Role: role})
						return next(c)
					}
				}
				return echo.NewHTTPError(http.StatusForbidden)
			}
		}
	}
}

type env struct {
	*apptest.App
	mod      *expressentry.Module
	accounts *accounts
	mailbox  *mailbox
	apps     *applications
}

func start(t testing.TB) *env {
	t.Helper()
	e := &env{mailbox: &mailbox{}, apps: &applications{}}
	e.App = apptest.New(t, apptest.Options{Mount: func(k *app.Kernel, s *app.Server) {
		e.accounts = &accounts{k: k, byPairwise: map[string]int64{}, all: map[int64]*account.Account{}}
		e.mod = expressentry.New(expressentry.Deps{
			DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions, Audit: k.Audit,
			Accounts: e.accounts, Mailbox: e.mailbox, Applications: e.apps, RoleGate: roleGate(k), Jobs: k.Jobs,
		})
		for _, g := range s.Langs {
			k.Identity.MountEntry(g, identity.Entry{Service: "ircc", NameKey: "service.ircc.title",
				Home: func(c echo.Context) error { return c.String(http.StatusOK, "ircc home") }})
			e.mod.Routes(g)
			g.GET("/test/as-staff", func(c echo.Context) error {
				k.Sessions.Put(c.Request().Context(), staffKey, c.QueryParam("as"))
				return c.String(http.StatusOK, "ok")
			})
		}
	}})
	return e
}

// applicant signs a new person in to the secure account.
func (e *env) applicant(t testing.TB) *apptest.Client {
	t.Helper()
	c := e.Client(t)
	if p := c.Get("/en/test/password-verified"); p.StatusCode != http.StatusOK {
		t.Fatalf("password-verified: %d", p.StatusCode)
	}
	if p := c.Get("/en/test/second-factor"); p.StatusCode != http.StatusOK {
		t.Fatalf("second-factor: %d", p.StatusCode)
	}
	c.Get("/en/ircc/")
	if p := c.Post("/en/ircc/continue", url.Values{"enrol": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrol: %d", p.StatusCode)
	}
	if p := c.Get("/en/ircc/express-entry/"); p.StatusCode != http.StatusOK {
		t.Fatalf("express entry home: %d", p.StatusCode)
	}
	return c
}

func expect(t testing.TB, p *apptest.Page, status int, location string) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", p.StatusCode, status, p.Header.Get("Location"), p.Body)
	}
	if location != "" && p.Header.Get("Location") != location {
		t.Fatalf("location %q, want %q", p.Header.Get("Location"), location)
	}
}

// startProfile starts a draft and returns its path, /en/ircc/express-entry/N.
func startProfile(t testing.TB, c *apptest.Client) string {
	t.Helper()
	p := c.Post("/en/ircc/express-entry/", nil)
	expect(t, p, http.StatusSeeOther, "")
	loc := p.Header.Get("Location")
	base, ok := strings.CutSuffix(loc, "/step/1")
	if !ok {
		t.Fatalf("start went to %q", loc)
	}
	return base
}

// goodSteps are valid answers for every step of a person without a
// spouse: 29 on the fake clock's day, IELTS CLB 10/9/10/10, a foreign
// master's, 1 year in Canada and 3 abroad.
var goodSteps = map[int]url.Values{
	1: {"birth_date": {"1994-03-10"}, "marital": {"never_married"}},
	2: {"first_test": {"ielts"}, "first_reading": {"8"}, "first_writing": {"7"}, "first_listening": {"8.5"},
		"first_speaking": {"7.5"}, "first_date": {"2023-06-01"}, "has_second": {"no"}},
	3: {"level": {"master"}, "canadian": {"none"}, "foreign": {"yes"}, "eca_org": {"wes"}, "eca_date": {"2022-05-01"}},
	4: {"canadian_years": {"1"}, "foreign_years": {"3"}, "noc": {"21232"}, "teer": {"1"}},
	6: {"sibling": {"no"}, "certificate": {"no"}},
	7: {"provinces": {"ON", "BC"}},
}

// goodProfile is goodSteps as the calculator's input.
func goodProfile() crs.Profile {
	return crs.Profile{Age: 29, Education: crs.Master, English: &crs.Levels{Reading: 10, Writing: 9, Listening: 10, Speaking: 10},
		First: crs.English, CanadianWorkYears: 1, ForeignWorkYears: 3}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// fill saves every step with goodSteps.
func fill(t testing.TB, c *apptest.Client, base string) {
	t.Helper()
	for _, n := range []int{1, 2, 3, 4, 6, 7} {
		p := c.Post(base+"/step/"+strconv.Itoa(n), clone(goodSteps[n]))
		expect(t, p, http.StatusSeeOther, "")
	}
}

// submitted starts, fills and submits a profile; it returns its path.
func submitted(t testing.TB, c *apptest.Client) string {
	t.Helper()
	base := startProfile(t, c)
	fill(t, c, base)
	c.Get(base + "/review")
	expect(t, c.Post(base+"/submit", nil), http.StatusSeeOther, base+"/confirmation")
	return base
}

func idOf(t testing.TB, base string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(base[strings.LastIndexByte(base, '/')+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type row struct {
	Status      string     `db:"status"`
	Answers     string     `db:"answers"`
	Number      *string    `db:"number"`
	JSVC        string     `db:"jsvc"`
	UCI         string     `db:"uci"`
	Score       int        `db:"score"`
	Breakdown   string     `db:"breakdown"`
	Interests   string     `db:"interests"`
	NOC         string     `db:"noc"`
	TEER        int        `db:"teer"`
	Language    int        `db:"first_language_min"`
	Education   int        `db:"education"`
	Canadian    int        `db:"canadian_work"`
	Foreign     int        `db:"foreign_work"`
	NominatedBy string     `db:"nominated_by"`
	UpdatedAt   time.Time  `db:"updated_at"`
	Submitted   *time.Time `db:"submitted_at"`
	Expires     *time.Time `db:"expires_at"`
}

func (e *env) profileRow(t testing.TB, id int64) row {
	t.Helper()
	var r row
	err := e.DB.R.Get(&r, `SELECT status, answers, number, jsvc, uci, score, breakdown, interests, noc, teer, first_language_min,
		education, canadian_work, foreign_work, nominated_by, updated_at, submitted_at, expires_at FROM ircc_profiles WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seed puts a submitted profile straight into the pool, for the rounds
// and the provinces' API: account, score from p, submission time and
// interests.
func (e *env) seed(t testing.TB, accountID int64, number string, p crs.Profile, submittedAt time.Time, interests string) int64 {
	t.Helper()
	b, err := crs.Score(p)
	if err != nil {
		t.Fatal(err)
	}
	pj, _ := json.Marshal(p)
	bj, _ := json.Marshal(b)
	id := e.seedRaw(t, accountID, number, b.Total, string(pj), string(bj), submittedAt, interests)
	lmin := 0
	if p.English != nil {
		lmin = p.English.Min()
	}
	_, err = e.DB.W.Exec(`UPDATE ircc_profiles SET education = ?, first_language_min = ?, canadian_work = ?, foreign_work = ? WHERE id = ?`,
		int(p.Education), lmin, p.CanadianWorkYears, p.ForeignWorkYears, id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) seedRaw(t testing.TB, accountID int64, number string, score int, profile, breakdown string, submittedAt time.Time, interests string) int64 {
	t.Helper()
	var id int64
	err := e.DB.W.Get(&id, `INSERT INTO ircc_profiles (account_id, status, answers, number, jsvc, uci, crs_profile, breakdown, score,
		first_language_min, education, canadian_work, foreign_work, noc, teer, interests, created_at, updated_at, submitted_at, expires_at)
		VALUES (?, 'submitted', '{}', ?, 'ABCDEFGHJKMN', '', ?, ?, ?, 9, 6, 1, 3, '21232', 1, ?, ?, ?, ?, ?) RETURNING id`,
		accountID, number, profile, breakdown, score, interests, submittedAt, submittedAt, submittedAt, submittedAt.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// person makes an account the fake knows, for seeded profiles.
func (e *env) person(lang string) int64 {
	e.accounts.mu.Lock()
	defer e.accounts.mu.Unlock()
	return e.accounts.add(account.Account{GivenName: "Seed", FamilyName: "Person", Lang: lang})
}

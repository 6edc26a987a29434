package auth_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/app/password"
	"guichet/app/throttle"
)

func TestSigninSucceedsRenewsSessionAndRemembersBrowser(t *testing.T) {
	e := start(t)
	u := e.demo(t, "Marie.Tremblay", "marie@example.com")
	c := e.Client(t)

	c.Get("/en/gckey/signin?service=pt")
	before := c.Cookie("guichet_session")
	if before == "" {
		t.Fatal("no session holds the pending service")
	}
	p := c.Post("/en/gckey/signin", url.Values{"username": {"  marie.TREMBLAY "}, "password": {u.password}})
	if p.StatusCode != http.StatusSeeOther || locate(p) != "/en/gckey/welcome" {
		t.Fatalf("sign-in: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	after := c.Cookie("guichet_session")
	if after == "" || after == before {
		t.Fatal("session token not renewed at sign-in")
	}
	if got := c.Get("/en/test/pending").Body; got != "pt|"+u.cred+"|1" {
		t.Fatalf("session: %q", got)
	}
	var device string
	for _, h := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "guichet_device=") {
			device = h
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Max-Age=31536000", "Path=/"} {
		if !strings.Contains(device, want) {
			t.Errorf("device cookie %q lacks %s", device, want)
		}
	}
	id := c.Cookie("guichet_device")
	if len(id) != 43 {
		t.Fatalf("device id %q", id)
	}
	var stored int
	if err := e.DB.R.Get(&stored, `SELECT COUNT(*) FROM auth_devices WHERE cred = ? AND device_hash <> ?`, u.cred, []byte(id)); err != nil || stored != 1 {
		t.Fatalf("device row (hash only): %d %v", stored, err)
	}
	var used *time.Time
	if err := e.DB.R.Get(&used, `SELECT last_used_at FROM auth_credentials WHERE cred = ?`, u.cred); err != nil || used == nil || !used.Equal(e.Clock.Now()) {
		t.Fatalf("last_used_at %v %v", used, err)
	}
	var ip, ua string
	if err := e.DB.R.QueryRow(`SELECT ip, user_agent FROM app_audit WHERE subject = ? AND event = 'signin'`, u.cred).Scan(&ip, &ua); err != nil || ip != "127.0.0.1" || ua == "" {
		t.Fatalf("signin audit: %q %q %v", ip, ua, err)
	}

	w := c.Get("/en/gckey/welcome")
	if w.Doc.Find(`a[data-testid="continue"][href="/en/gckey/2fa/"]`).Length() != 1 ||
		w.Doc.Find(`a[data-testid="manage-2fa"][href="/en/gckey/2fa/?next=manage"]`).Length() != 1 {
		t.Fatalf("welcome links: %s", w.Text("main"))
	}
	// A GCKey without a method is told to set one up.
	e.factors.mu.Lock()
	e.factors.active[u.cred] = false
	e.factors.mu.Unlock()
	if w := c.Get("/fr/gckey/welcome"); w.Doc.Find(`[data-testid="no-factor"]`).Length() != 1 || w.Doc.Find(`[data-testid="manage-2fa"]`).Length() != 0 {
		t.Fatal("welcome without a factor")
	}

	// Sign out ends the whole session.
	p = c.Post("/en/gckey/signout", nil)
	if locate(p) != "/en/signed-out" {
		t.Fatalf("sign out: %d %q", p.StatusCode, locate(p))
	}
	if got := c.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("after sign out: %q", got)
	}
	if p := e.Client(t).Get("/en/gckey/welcome"); locate(p) != "/en/gckey/signin" {
		t.Fatalf("welcome signed out: %q", locate(p))
	}
}

func TestSigninRehashesWhenCostChanges(t *testing.T) {
	e := start(t)
	u := e.demo(t, "old.hash.user", "old@example.com")
	// A hash made when the cost was different.
	old, err := password.NewHasher(password.Params{MemoryKiB: 32, Time: 2, Threads: 1}, 1).Hash(t.Context(), u.password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.W.Exec(`UPDATE auth_credentials SET password_hash = ? WHERE cred = ?`, old, u.cred); err != nil {
		t.Fatal(err)
	}
	if p := signin(e.Client(t), "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("sign-in: %q", locate(p))
	}
	var now string
	if err := e.DB.R.Get(&now, `SELECT password_hash FROM auth_credentials WHERE cred = ?`, u.cred); err != nil {
		t.Fatal(err)
	}
	if now == old || !strings.Contains(now, "$m=64,t=1,p=1$") {
		t.Fatalf("hash not renewed at the current cost: %q", now)
	}
	if p := signin(e.Client(t), "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("sign-in with the new hash: %q", locate(p))
	}
}

func TestSigninSameAnswerForUnknownUsernameAndWrongPassword(t *testing.T) {
	e := start(t)
	e.demo(t, "known.person", "known@example.com")
	closed := e.demo(t, "closed.person", "closed@example.com")
	if _, err := e.DB.W.Exec(`UPDATE auth_credentials SET closed_at = ? WHERE cred = ?`, e.Clock.Now(), closed.cred); err != nil {
		t.Fatal(err)
	}

	answer := func(username string) (string, int, int64, int64) {
		d0, v0 := e.hasher.dummies.Load(), e.hasher.verifies.Load()
		c := e.Client(t)
		p := signin(c, "en", username, "not the right password")
		body := strings.ReplaceAll(p.Body, c.CSRF, "CSRF")
		body = strings.ReplaceAll(body, username, "USERNAME")
		return body, p.StatusCode, e.hasher.dummies.Load() - d0, e.hasher.verifies.Load() - v0
	}
	wrong, ws, wd, wv := answer("known.person")
	unknown, us, ud, uv := answer("nobody.at.all")
	closedBody, cs, cd, cv := answer("closed.person")
	if ws != http.StatusUnprocessableEntity || us != ws || cs != ws {
		t.Fatalf("statuses %d %d %d", ws, us, cs)
	}
	if wrong != unknown || wrong != closedBody {
		t.Fatalf("answers differ:\n%s\n----\n%s", wrong, unknown)
	}
	if !strings.Contains(wrong, "The username or password is not right") {
		t.Fatal("generic message missing")
	}
	// The unknown username cost a dummy verification; the others a real one.
	if wd != 0 || wv != 1 || ud != 1 || uv != 0 || cd != 0 || cv != 1 {
		t.Fatalf("argon2 work: wrong %d/%d unknown %d/%d closed %d/%d", wd, wv, ud, uv, cd, cv)
	}
}

func TestSigninLockout(t *testing.T) {
	e := start(t)
	u := e.demo(t, "locked.out", "lock@example.com")

	// The owner signed in with this browser before, in French.
	owner := e.Client(t)
	if p := signin(owner, "fr", u.username, u.password); locate(p) != "/fr/gckey/welcome" {
		t.Fatalf("owner: %q", locate(p))
	}
	owner.Get("/fr/gckey/welcome")
	owner.Post("/fr/gckey/signout", nil)

	attacker := e.Client(t)
	for i := 1; i <= 4; i++ {
		p := signin(attacker, "en", "LOCKED.OUT", "guess number "+strconv.Itoa(i))
		if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary(p), "not right") {
			t.Fatalf("failure %d: %d %q", i, p.StatusCode, summary(p))
		}
	}
	p := signin(attacker, "en", "locked.out", "guess number 5")
	if p.StatusCode != http.StatusTooManyRequests || !strings.Contains(summary(p), "paused") {
		t.Fatalf("fifth failure: %d %q", p.StatusCode, summary(p))
	}
	wantErrors(t, p, "username")
	lockedMsg := summary(p)
	// Even the right password is refused now.
	p = signin(attacker, "en", u.username, u.password)
	if p.StatusCode != http.StatusTooManyRequests || summary(p) != lockedMsg {
		t.Fatalf("right password during the lock: %d %q", p.StatusCode, summary(p))
	}
	// A username nobody has locks the same way, with the same words.
	for i := 1; i <= 5; i++ {
		p = signin(attacker, "en", "ghost.person", "guess")
	}
	if p.StatusCode != http.StatusTooManyRequests || summary(p) != lockedMsg {
		t.Fatalf("unknown username lock: %d %q / %q", p.StatusCode, summary(p), lockedMsg)
	}

	// The lock is a database row: a restart (a new store) still sees it.
	var until time.Time
	if err := e.DB.R.Get(&until, `SELECT locked_until FROM app_throttle WHERE key = 'signin:user:locked.out'`); err != nil || !until.Equal(e.Clock.Now().Add(15*time.Minute)) {
		t.Fatalf("stored lock: %v %v", until, err)
	}
	if _, locked, err := throttle.New(e.DB, e.Clock).Locked(t.Context(), "signin:user:locked.out"); err != nil || !locked {
		t.Fatalf("a new throttle store does not see the lock: %v %v", locked, err)
	}

	// One email, in the owner's language, and a Locked event.
	ms := e.mails(t, "lock@example.com")
	if len(ms) != 1 || ms[0].Lang != "fr" || !strings.Contains(ms[0].Subject, "suspendue") {
		t.Fatalf("lockout mail: %+v", ms)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'locked'`, u.cred); err != nil || n != 1 {
		t.Fatalf("locked audit: %d %v", n, err)
	}
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'signin_failed'`, u.cred); err != nil || n != 5 {
		t.Fatalf("failed audit: %d %v", n, err)
	}

	// The owner's browser is exempt from the username lock.
	if p := signin(owner, "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("known browser during the lock: %d %q", p.StatusCode, summary(p))
	}
	owner.Get("/en/gckey/welcome")
	owner.Post("/en/gckey/signout", nil)

	// Locked again the same day: no second email.
	for i := 1; i <= 5; i++ {
		p = signin(attacker, "en", u.username, "again "+strconv.Itoa(i))
	}
	if p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second lock: %d", p.StatusCode)
	}
	if ms := e.mails(t, "lock@example.com"); len(ms) != 1 {
		t.Fatalf("%d lockout mails the same day", len(ms))
	}
	// A known browser with the wrong password is told so, not "locked".
	if p := signin(owner, "en", u.username, "wrong"); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary(p), "not right") {
		t.Fatalf("known browser, wrong password: %d %q", p.StatusCode, summary(p))
	}

	// Fifteen minutes later the username opens again.
	e.Fake.Advance(15*time.Minute + time.Second)
	if p := signin(attacker, "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("after the lock: %d %q", p.StatusCode, summary(p))
	}

	// A day later, a new lockout sends a new email.
	e.Fake.Advance(24 * time.Hour)
	x := e.Client(t)
	for i := 1; i <= 5; i++ {
		signin(x, "en", u.username, "later "+strconv.Itoa(i))
	}
	if ms := e.mails(t, "lock@example.com"); len(ms) != 2 {
		t.Fatalf("%d lockout mails after a day", len(ms))
	}
}

func TestSigninAddressSlowedDown(t *testing.T) {
	e := start(t)
	u := e.demo(t, "busy.network", "busy@example.com")
	owner := e.Client(t)
	signin(owner, "en", u.username, u.password)
	owner.Get("/en/gckey/welcome")
	owner.Post("/en/gckey/signout", nil)

	c := e.Client(t)
	c.Get("/en/gckey/signin")
	for i := 0; i < 50; i++ {
		p := c.Post("/en/gckey/signin", url.Values{"username": {"user.number." + strconv.Itoa(i)}, "password": {"wrong password"}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, p.StatusCode)
		}
	}
	// Every browser at this address is slowed down, known or not, right
	// password or not.
	for _, who := range []struct {
		name string
		p    func() *http.Response
	}{
		{"stranger", func() *http.Response { return signin(c, "en", u.username, u.password).Response }},
		{"known browser", func() *http.Response { return signin(owner, "en", u.username, u.password).Response }},
	} {
		res := who.p()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: %d", who.name, res.StatusCode)
		}
		if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 890 || ra > 901 {
			t.Fatalf("%s: Retry-After %q", who.name, res.Header.Get("Retry-After"))
		}
	}
	p := signin(c, "fr", u.username, u.password)
	if p.Doc.Find(`[data-testid="too-many"]`).Length() != 1 || !strings.Contains(p.Text(`[data-testid="too-many"]`), "heure de l'Est") {
		t.Fatalf("slowed-down page: %q", p.Text("main"))
	}
	noMissingKeys(t, "too many fr", p)
	e.Fake.Advance(15*time.Minute + time.Second)
	if p := signin(c, "en", u.username, u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("after the slow-down: %d", p.StatusCode)
	}
}

func TestSigninExpiredAnnouncedOnlyAfterRightPassword(t *testing.T) {
	e := start(t)
	u := e.demo(t, "long.gone", "gone@example.com")
	other := e.demo(t, "also.gone", "also@example.com")
	recent := e.demo(t, "still.here", "here@example.com")
	e.Fake.Advance(2*365*24*time.Hour - time.Hour)
	signinFull(t, e.Client(t), recent) // used: it will not expire
	e.Fake.Advance(2 * time.Hour)

	c := e.Client(t)
	p := signin(c, "en", u.username, "wrong password entirely")
	if p.StatusCode != http.StatusUnprocessableEntity || strings.Contains(p.Body, "expired") {
		t.Fatalf("wrong password on an expired GCKey: %d", p.StatusCode)
	}
	p = signin(c, "en", u.username, u.password)
	if p.StatusCode != http.StatusOK || p.Doc.Find(`h1[data-testid="expired"]`).Length() != 1 || p.Doc.Find(`a[href="/en/gckey/signup"]`).Length() == 0 {
		t.Fatalf("expired page: %d %q", p.StatusCode, p.Text("h1"))
	}
	if got := c.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("expired GCKey signed in: %q", got)
	}
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_audit WHERE subject = ? AND event = 'credential_expired'`, u.cred); err != nil || n != 1 {
		t.Fatalf("expired audit: %d %v", n, err)
	}
	// The job marks the other one, once.
	if got, err := e.mod.ExpireUnused(t.Context()); err != nil || got != 1 {
		t.Fatalf("expire job: %d %v", got, err)
	}
	if got, err := e.mod.ExpireUnused(t.Context()); err != nil || got != 0 {
		t.Fatalf("expire job again: %d %v", got, err)
	}
	var expired *time.Time
	if err := e.DB.R.Get(&expired, `SELECT expired_at FROM auth_credentials WHERE cred = ?`, other.cred); err != nil || expired == nil {
		t.Fatalf("other not expired: %v %v", expired, err)
	}
	if err := e.DB.R.Get(&expired, `SELECT expired_at FROM auth_credentials WHERE cred = ?`, recent.cred); err != nil || expired != nil {
		t.Fatalf("recently used GCKey expired: %v %v", expired, err)
	}
	// Expired, the username stays taken.
	if _, err := e.mod.CreateDemo(t.Context(), "LONG.GONE", goodPassword, "x@example.com"); err == nil {
		t.Fatal("expired username reused")
	}
}

func TestSigninBadInput(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	c.Get("/en/gckey/signin")
	before := e.snapshot(t)
	p := c.Post("/en/gckey/signin", url.Values{"username": {"  "}, "password": {""}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.StatusCode)
	}
	wantErrors(t, p, "username", "password")
	p = c.Post("/en/gckey/signin", url.Values{"username": {"someone.typed"}, "password": {""}})
	wantErrors(t, p, "password")
	if p.Doc.Find("#username").AttrOr("value", "") != "someone.typed" {
		t.Fatal("username not kept")
	}
	e.unchanged(t, before, "empty sign-in")
	var n int
	if err := e.DB.R.Get(&n, `SELECT COUNT(*) FROM app_throttle`); err != nil || n != 0 {
		t.Fatalf("empty form counted as an attempt: %d %v", n, err)
	}
}

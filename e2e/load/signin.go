package main

// The signin flow: complete GCKey sign-ins (password, then authenticator
// code) by many concurrent browsers, against a server started fresh on its
// own database of seeded GCKeys, compared with the bound password hashing
// alone sets (NumCPU divided by one argon2id hash at the server's cost).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp/totp"

	"guichet/app"
	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/password"
	"guichet/modules"
	"guichet/modules/auth"
)

// Targets of the signin flow.
const (
	signinMinOfBound = 0.85
	signinMaxPeakKB  = 200 * 1000 * 1000 / 1024 // 200 MB (10^6 bytes) in KiB, VmHWM's unit
	// Each user signs in at most once per 30-second TOTP step (the replay
	// guard refuses a step already used), so the users must number at least
	// this many times the sign-in rate.
	signinUsersPerRate = 30
)

// The seeded GCKeys share this password (it meets the policy: CreateDemo
// checks it for the first one).
const signinPassword = "load bench maple syrup on fresh snow"

func signinUsername(i int) string { return fmt.Sprintf("bench.signin.%05d", i) }

// signinUser is one seeded GCKey.
type signinUser struct {
	Username string
	Secret   string // authenticator secret (base32)
}

// signinReport is the signin flow's part of the report.
type signinReport struct {
	URL         string  `json:"url"`
	Users       int     `json:"users"`
	SeedSeconds float64 `json:"seed_seconds"`
	Conns       int     `json:"concurrent_signins"`
	Warmup      string  `json:"warmup"`
	Duration    string  `json:"measured_window"`
	Argon2      string  `json:"argon2"`
	// Hash is one argon2id hash at the server's cost, timed in this process
	// before and after the flow (sequential hashes that did not wait for a
	// CPU; the median is "one hash"); Bound is NumCPU divided by it.
	// HashCPUMS is the CPU this process spent per hash (the garbage
	// collector's share included).
	HashMS      float64 `json:"hash_ms_median"`
	HashMeanMS  float64 `json:"hash_ms_mean"`
	HashMinMS   float64 `json:"hash_ms_min"`
	HashCPUMS   float64 `json:"hash_cpu_ms"`
	Hashes      int     `json:"hashes_timed"`
	Preempted   int     `json:"hashes_left_out_preempted"`
	HashQuiet   bool    `json:"hash_timing_quiet"`
	BoundPerSec float64 `json:"bound_signins_per_s"`
	// ParallelHashPerSec is NumCPU hashers running at once, for comparison:
	// the hashing rate when all cores hash and nothing else runs.
	ParallelHashPerSec float64 `json:"parallel_hashes_per_s"`

	SignIns      int64    `json:"signins_in_window"`
	Seconds      float64  `json:"window_seconds"`
	PerSec       float64  `json:"signins_per_s"`
	OfBound      float64  `json:"ratio_to_bound"`
	P50us        float64  `json:"p50_us"`
	P90us        float64  `json:"p90_us"`
	P99us        float64  `json:"p99_us"`
	MaxUS        float64  `json:"max_us"`
	Total        int64    `json:"signins_total"`
	Requests     int64    `json:"http_requests_total"`
	Errors       int64    `json:"errors"`
	ErrorKinds   []string `json:"error_kinds,omitempty"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	// Reuses counts sign-ins of a user who had signed in before in the run;
	// MinReuseGap is the shortest time between two of one user's.
	Reuses       int64   `json:"user_reuses"`
	MinReuseGapS float64 `json:"min_reuse_gap_s"`
	ServerCPUus  int64   `json:"server_cpu_us"`
	CPUPerSignin float64 `json:"server_cpu_ms_per_signin"`
	SysPerSignin float64 `json:"server_sys_cpu_ms_per_signin"`
	FaultsPer    float64 `json:"server_minor_faults_per_signin"`
	ClientCPUPer float64 `json:"loadgen_cpu_ms_per_signin"`
	// CPUShare is the CPU the server and the load generator used over the
	// run divided by NumCPU times its length: near 100% when they had the
	// machine to themselves and kept it busy.
	CPUShare float64 `json:"cpu_share"`
	// CPUEfficiency is one hash over the CPU a sign-in costs
	// the server and the load generator: about the share of the bound idle
	// CPUs would allow, whatever else ran during this run.
	CPUEfficiency float64 `json:"cpu_efficiency"`
	IdleRSSKB     int64   `json:"server_idle_rss_kb"`
	PeakKB        int64   `json:"server_peak_rss_kb"`
	ErrorLogs     int     `json:"server_error_log_lines"`
	CanceledLogs  int     `json:"server_error_log_lines_client_gone"`
	SessionsAfter int     `json:"app_sessions_rows_after"`
}

// runSignin seeds the GCKeys into a new database, times the hash, starts a
// fresh server on that database and drives the sign-ins.
func runSignin(ctx context.Context, o options, bin, dir string, env []string) (*signinReport, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	base := "http://" + addr
	dbPath := filepath.Join(dir, "signin.db")
	logPath := filepath.Join(dir, "signin.log")
	args := []string{"serve", "--addr", addr, "--db", dbPath}
	sr := &signinReport{URL: base + "/en/gckey/signin", Conns: o.signinConns,
		Warmup: o.signinWarmup.String(), Duration: o.signinDuration.String()}

	// The server's own configuration, read the way it reads it, so the
	// seeded hashes, the timed hash and the server share one cost.
	cfg, err := app.LoadConfig(args[1:], envLookup(env), io.Discard)
	if err != nil {
		return nil, fmt.Errorf("server configuration: %w", err)
	}
	params := cfg.Argon2.Params()
	sr.Argon2 = fmt.Sprintf("m=%d,t=%d,p=%d", params.MemoryKiB, params.Time, params.Threads)

	// The hash is timed just before and just after the flow; the bound
	// is made from both.
	const hashesEach = 20
	logf("timing argon2id (%s) in this process", sr.Argon2)
	hs, err := newHashSampler(ctx, params)
	if err != nil {
		return nil, err
	}
	if err := hs.sample(ctx, hashesEach); err != nil {
		return nil, err
	}
	before := hs.timing(hashesEach)
	sr.ParallelHashPerSec = parallelHashes(ctx, params)

	users := o.signinUsers
	if users == 0 {
		// Twice what the replay guard needs at the bound made from the
		// fastest hash (other work on the machine slows some hashes, never
		// the sign-ins' ceiling); so every user signs in at most once in a
		// run shorter than a minute.
		users = max(o.signinConns*2, int(math.Ceil(2*signinUsersPerRate*float64(numCPU())/before.min.Seconds())))
	}
	logf("seeding %d GCKeys with an authenticator app", users)
	t0 := time.Now()
	seeded, err := seedSigninUsers(ctx, cfg, users)
	if err != nil {
		return nil, fmt.Errorf("seeding: %w", err)
	}
	sr.SeedSeconds = time.Since(t0).Seconds()
	sr.Users = len(seeded)

	srv, err := startChild("guichet-signin", bin, args, env, logPath)
	if err != nil {
		return nil, err
	}
	if _, err := waitOK(ctx, srv, base+"/en/gckey/signin", 2*time.Millisecond, 30*time.Second); err != nil {
		return nil, err
	}
	// One sign-in before the load proves the conversation works (and
	// warms the templates); its user is not used again.
	probe, err := newSigninClient(base)
	if err != nil {
		return nil, err
	}
	err = probe.signIn(ctx, seeded[len(seeded)-1])
	probe.close()
	if err != nil {
		return nil, fmt.Errorf("a first sign-in failed: %w", err)
	}
	seeded = seeded[:len(seeded)-1]
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Second):
	}
	if sr.IdleRSSKB, err = memKB(srv.pid(), "VmRSS"); err != nil {
		return nil, err
	}

	logf("flow signin: %d concurrent sign-ins over %d users, %s warm-up then %s measured", o.signinConns, len(seeded), o.signinWarmup, o.signinDuration)
	resetPeak(srv.pid())
	st0, err := readProcStat(srv.pid())
	if err != nil {
		return nil, err
	}
	// The load generator waits on the server almost all the time: one P
	// spares the CPUs it shares with the server the wake-ups and spinning
	// of idle Ps.
	procs := runtime.GOMAXPROCS(o.signinProcs)
	self0 := selfCPU()
	res, err := driveSignins(ctx, base, seeded, o)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		return nil, err
	}
	st1, err := readProcStat(srv.pid())
	if err != nil {
		return nil, err
	}
	self := selfCPU() - self0
	if sr.PeakKB, err = memKB(srv.pid(), "VmHWM"); err != nil {
		return nil, err
	}
	res.fill(sr)
	logf("timing argon2id again")
	if err := hs.sample(ctx, hashesEach); err != nil {
		return nil, err
	}
	hm := hs.timing(2 * hashesEach)
	sr.HashMS, sr.HashMeanMS, sr.HashMinMS, sr.HashCPUMS = ms(hm.median), ms(hm.mean), ms(hm.min), ms(hm.cpu)
	sr.Hashes, sr.Preempted, sr.HashQuiet = hm.n, hm.preempted, hm.quiet
	sr.BoundPerSec = float64(numCPU()) / hm.median.Seconds()
	server := st1.User + st1.Sys - st0.User - st0.Sys
	sr.ServerCPUus = server.Microseconds()
	if n := float64(sr.Total); n > 0 {
		sr.CPUPerSignin = ms(server) / n
		sr.SysPerSignin = ms(st1.Sys-st0.Sys) / n
		sr.FaultsPer = float64(st1.MinFlt-st0.MinFlt) / n
		sr.ClientCPUPer = ms(self) / n
		sr.CPUEfficiency = sr.HashMS / (sr.CPUPerSignin + sr.ClientCPUPer)
	}
	if res.elapsed > 0 {
		sr.CPUShare = (server + self).Seconds() / (res.elapsed.Seconds() * float64(numCPU()))
	}
	if sr.BoundPerSec > 0 {
		sr.OfBound = sr.PerSec / sr.BoundPerSec
	}
	if err := srv.stop(30 * time.Second); err != nil {
		return nil, err
	}
	if sr.ErrorLogs, sr.CanceledLogs, err = countErrorLogs(logPath); err != nil {
		return nil, err
	}
	if sr.SessionsAfter, _, err = sessionsDigest(ctx, dbPath); err != nil {
		return nil, err
	}
	if o.verbose {
		fmt.Println("signin server log:", logPath)
	}
	return sr, nil
}

// envLookup is getenv over an environment list (the last setting wins).
func envLookup(env []string) func(string) string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// hashSampler times argon2id through the app's Hasher, one hash after
// another, in this process. It keeps apart the hashes this process had a
// CPU for all along (its CPU time at least 90% of the wall time): a hash
// that waited for a CPU says nothing of the hash.
type hashSampler struct {
	h          *password.Hasher
	p          password.Params
	clean, all []time.Duration
	cleanCPU   time.Duration
	allCPU     time.Duration
}

// hashTiming is what the samples say.
type hashTiming struct {
	median, mean, min time.Duration
	cpu               time.Duration // process CPU per timed hash
	n                 int           // hashes timed
	preempted         int           // hashes left out: other work took the CPU meanwhile
	quiet             bool          // enough hashes had a CPU all along
}

func newHashSampler(ctx context.Context, p password.Params) (*hashSampler, error) {
	hs := &hashSampler{h: password.NewHasher(p, 1), p: p}
	for range 3 { // warm-up
		if _, err := hs.h.Hash(ctx, signinPassword); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// sample hashes until want more hashes ran undisturbed, or 10 times that
// many were tried.
func (hs *hashSampler) sample(ctx context.Context, want int) error {
	goal := len(hs.clean) + want
	for i := 0; i < 10*want && len(hs.clean) < goal; i++ {
		t, c := time.Now(), selfCPU()
		if _, err := hs.h.Hash(ctx, signinPassword); err != nil {
			return err
		}
		dw, dc := time.Since(t), selfCPU()-c
		hs.all, hs.allCPU = append(hs.all, dw), hs.allCPU+dc
		if float64(dc) >= 0.9*float64(dw) {
			hs.clean, hs.cleanCPU = append(hs.clean, dw), hs.cleanCPU+dc
		}
	}
	return nil
}

// timing summarizes the undisturbed hashes (all of them when fewer than
// want ran undisturbed); the median is "one hash".
func (hs *hashSampler) timing(want int) hashTiming {
	var ht hashTiming
	d, cpu := slices.Clone(hs.clean), hs.cleanCPU
	ht.quiet = len(d) >= want
	if !ht.quiet {
		d, cpu = slices.Clone(hs.all), hs.allCPU
	}
	ht.preempted = len(hs.all) - len(hs.clean)
	ht.n = len(d)
	if ht.n == 0 {
		return ht
	}
	ht.cpu = cpu / time.Duration(ht.n)
	var total time.Duration
	for _, x := range d {
		total += x
	}
	slices.Sort(d)
	ht.mean, ht.min = total/time.Duration(ht.n), d[0]
	ht.median = d[ht.n/2]
	if ht.n%2 == 0 {
		ht.median = (d[ht.n/2-1] + d[ht.n/2]) / 2
	}
	return ht
}

// parallelHashes is the hashing rate of NumCPU hashers at once, for
// comparison with the bound: what hashing alone reaches on all CPUs.
func parallelHashes(ctx context.Context, p password.Params) float64 {
	cpus := numCPU()
	hp := password.NewHasher(p, cpus)
	var wg sync.WaitGroup
	var count atomic.Int64
	start := time.Now()
	stop := start.Add(2 * time.Second)
	for range cpus {
		wg.Go(func() {
			for time.Now().Before(stop) && ctx.Err() == nil {
				if _, err := hp.Hash(ctx, signinPassword); err == nil {
					count.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(count.Load()) / time.Since(start).Seconds()
}

// seedSigninUsers creates n GCKeys with an active authenticator app in the
// database cfg names, which no server may have open. The first goes
// through CreateDemo (policy checked, password hashed); the others are
// written through auth's store with the same password hash, so seeding
// costs one argon2id hash instead of n. Each sign-in still verifies a full
// hash at the server's cost.
func seedSigninUsers(ctx context.Context, cfg app.Config, n int) ([]signinUser, error) {
	k, err := app.OpenKernel(ctx, cfg, clock.Real{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer k.DB.Close()
	set, err := modules.Build(k)
	if err != nil {
		return nil, err
	}
	store := auth.NewStore(k.DB)

	users := make([]signinUser, n)
	refs := make([]identity.Ref, n)
	for i := range users {
		users[i].Username = signinUsername(i)
	}
	first, err := set.Auth.CreateDemo(ctx, users[0].Username, signinPassword, users[0].Username+"@example.com")
	if err != nil {
		return nil, err
	}
	refs[0] = first
	cr, err := store.ByUsername(ctx, password.NormalizeUsername(users[0].Username))
	if err != nil {
		return nil, err
	}
	hash := cr.PasswordHash
	now := k.Clock.Now()
	const batch = 500
	for lo := 1; lo < n; lo += batch {
		hi := min(n, lo+batch)
		err := k.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			for i := lo; i < hi; i++ {
				ref, err := identity.NewRef(identity.KindGCKey)
				if err != nil {
					return err
				}
				refs[i] = ref
				u := users[i].Username
				c := auth.Credential{
					Cred: string(ref), Username: u, UsernameNorm: password.NormalizeUsername(u),
					PasswordHash: hash, Email: u + "@example.com", EmailNorm: u + "@example.com",
					EmailVerifiedAt: &now, Lang: "en", CreatedAt: now,
				}
				if err := store.Create(ctx, tx, c); err != nil {
					return fmt.Errorf("GCKey %s: %w", u, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range users {
		s, err := set.TwoFactor.CreateDemoAuthenticator(ctx, identity.KindGCKey, string(refs[i]))
		if err != nil {
			return nil, fmt.Errorf("authenticator of %s: %w", users[i].Username, err)
		}
		users[i].Secret = s
	}
	return users, nil
}

// signinClient is a browser: one keep-alive connection of its own, and a
// new cookie jar for each sign-in. It speaks HTTP/1.1 over the connection
// itself (net/http writes the requests and parses the answers) rather than
// through an http.Transport, whose two goroutines per connection cost the
// CPUs it shares with the server about as much again; redirects are not
// followed, so every step's answer is checked.
type signinClient struct {
	addr     string // host:port
	base     *url.URL
	jar      http.CookieJar
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	requests int64
}

func newSigninClient(base string) (*signinClient, error) {
	u, err := url.Parse(base + "/")
	if err != nil {
		return nil, err
	}
	return &signinClient{addr: u.Host, base: u}, nil
}

func (sc *signinClient) close() {
	if sc.conn != nil {
		sc.conn.Close()
		sc.conn = nil
	}
}

// do sends one request and reads the whole answer. A request on a reused
// connection the server had closed, answered by nothing at all, is sent
// once more on a new one.
func (sc *signinClient) do(ctx context.Context, method, path string, form url.Values) (*http.Response, string, error) {
	for attempt := 0; ; attempt++ {
		reused := sc.conn != nil
		resp, body, err := sc.once(ctx, method, path, form)
		if err == nil {
			return resp, body, nil
		}
		sc.close()
		var ne net.Error
		if !reused || attempt > 0 || ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) ||
			!(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
			return nil, "", err
		}
	}
}

func (sc *signinClient) once(ctx context.Context, method, path string, form url.Values) (*http.Response, string, error) {
	if sc.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", sc.addr)
		if err != nil {
			return nil, "", err
		}
		sc.conn, sc.br, sc.bw = c, bufio.NewReaderSize(c, 16<<10), bufio.NewWriterSize(c, 4<<10)
	}
	deadline := time.Now().Add(60 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := sc.conn.SetDeadline(deadline); err != nil {
		return nil, "", err
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	u := sc.base.ResolveReference(&url.URL{Path: path})
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range sc.jar.Cookies(sc.base) {
		req.AddCookie(ck)
	}
	sc.requests++
	if err := req.Write(sc.bw); err != nil {
		return nil, "", err
	}
	if err := sc.bw.Flush(); err != nil {
		return nil, "", err
	}
	resp, err := http.ReadResponse(sc.br, req)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return nil, "", err
	}
	if cks := resp.Cookies(); len(cks) > 0 {
		sc.jar.SetCookies(sc.base, cks)
	}
	if resp.Close {
		sc.close()
	}
	return resp, string(b), nil
}

// stepError is a sign-in that went wrong at one step.
type stepError struct {
	Step   string
	Status int
	Detail string
}

func (e *stepError) Error() string {
	s := e.Step
	if e.Status != 0 {
		s += fmt.Sprintf(": status %d", e.Status)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// kind groups errors for the report.
func (e *stepError) kind() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: status %d", e.Step, e.Status)
	}
	return e.Step
}

// signIn is one complete sign-in by a new browser: the sign-in page, the
// password, the welcome page, the two-factor page, the code, and the
// authentication success page.
func (sc *signinClient) signIn(ctx context.Context, u signinUser) error {
	sc.jar, _ = cookiejar.New(nil)
	fail := func(step string, resp *http.Response, err error, detail string) error {
		if err != nil {
			return &stepError{Step: step, Detail: err.Error()}
		}
		return &stepError{Step: step, Status: resp.StatusCode, Detail: detail}
	}
	expectRedirect := func(step string, resp *http.Response, err error, to string) error {
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			return fail(step, resp, err, "want 303 to "+to)
		}
		if loc := resp.Header.Get("Location"); loc != to {
			return &stepError{Step: step, Detail: fmt.Sprintf("redirect to %q, want %q", loc, to)}
		}
		return nil
	}

	resp, body, err := sc.do(ctx, http.MethodGet, "/en/gckey/signin", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fail("GET signin", resp, err, "")
	}
	tok, ok := csrfToken(body)
	if !ok {
		return &stepError{Step: "GET signin", Detail: "no csrf_token in the form"}
	}
	resp, _, err = sc.do(ctx, http.MethodPost, "/en/gckey/signin", url.Values{
		"username": {u.Username}, "password": {signinPassword}, "csrf_token": {tok}})
	if err := expectRedirect("POST signin", resp, err, "/en/gckey/welcome"); err != nil {
		return err
	}
	resp, body, err = sc.do(ctx, http.MethodGet, "/en/gckey/welcome", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fail("GET welcome", resp, err, "")
	}
	if !strings.Contains(body, `data-testid="continue"`) || strings.Contains(body, `data-testid="no-factor"`) {
		return &stepError{Step: "GET welcome", Detail: "not the welcome page of a GCKey with a second factor"}
	}
	resp, _, err = sc.do(ctx, http.MethodGet, "/en/gckey/2fa/", nil)
	if err := expectRedirect("GET 2fa", resp, err, "/en/gckey/2fa/verify"); err != nil {
		return err
	}
	resp, body, err = sc.do(ctx, http.MethodGet, "/en/gckey/2fa/verify", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fail("GET verify", resp, err, "")
	}
	if tok, ok = csrfToken(body); !ok || !strings.Contains(body, `name="code"`) {
		return &stepError{Step: "GET verify", Detail: "no code form"}
	}
	code, err := totp.GenerateCode(u.Secret, time.Now())
	if err != nil {
		return &stepError{Step: "TOTP", Detail: err.Error()}
	}
	resp, _, err = sc.do(ctx, http.MethodPost, "/en/gckey/2fa/verify", url.Values{"code": {code}, "csrf_token": {tok}})
	if err := expectRedirect("POST verify", resp, err, "/en/gckey/2fa/done"); err != nil {
		return err
	}
	resp, body, err = sc.do(ctx, http.MethodGet, "/en/gckey/2fa/done", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fail("GET done", resp, err, "")
	}
	if !strings.Contains(body, `action="/en/gckey/2fa/done"`) || !strings.Contains(body, `data-testid="next"`) {
		return &stepError{Step: "GET done", Detail: "not the authentication success page"}
	}
	return nil
}

// csrfToken finds the form's CSRF token.
func csrfToken(body string) (string, bool) {
	const marker = `name="csrf_token" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(marker):]
	j := strings.IndexByte(rest, '"')
	if j <= 0 {
		return "", false
	}
	return rest[:j], true
}

// signinResult is what the workers measured.
type signinResult struct {
	elapsed      time.Duration // the whole run, warm-up and drain included
	window       time.Duration
	inWindow     int64
	total        int64
	requests     int64
	errors       int64
	kinds        map[string]int64
	samples      []string
	lat          []time.Duration
	reuses       int64
	minReuseGap  time.Duration
	hasReuseSeen bool
}

func (r *signinResult) fill(sr *signinReport) {
	sr.SignIns, sr.Total, sr.Requests, sr.Errors = r.inWindow, r.total, r.requests, r.errors
	sr.Seconds = r.window.Seconds()
	if sr.Seconds > 0 {
		sr.PerSec = float64(r.inWindow) / sr.Seconds
	}
	for k, n := range r.kinds {
		sr.ErrorKinds = append(sr.ErrorKinds, fmt.Sprintf("%s (%d)", k, n))
	}
	slices.Sort(sr.ErrorKinds)
	sr.ErrorSamples = r.samples
	sr.Reuses = r.reuses
	if r.hasReuseSeen {
		sr.MinReuseGapS = r.minReuseGap.Seconds()
	}
	if len(r.lat) > 0 {
		all := r.lat
		slices.Sort(all)
		pct := func(p float64) float64 {
			i := min(len(all)-1, int(p/100*float64(len(all))))
			return float64(all[i].Nanoseconds()) / 1e3
		}
		sr.P50us, sr.P90us, sr.P99us = pct(50), pct(90), pct(99)
		sr.MaxUS = float64(all[len(all)-1].Nanoseconds()) / 1e3
	}
}

// driveSignins runs o.signinConns browsers signing in one after another,
// each taking the next user of a shared counter, for the warm-up and then
// the measured window; sign-ins under way at the end finish (their errors
// count) but only those completed inside the window make the rate and the
// latencies.
func driveSignins(ctx context.Context, base string, users []signinUser, o options) (*signinResult, error) {
	var next atomic.Int64
	last := make([]atomic.Int64, len(users)) // unix ns of each user's last sign-in start
	start := time.Now()
	winStart := start.Add(o.signinWarmup)
	winEnd := winStart.Add(o.signinDuration)
	// In-flight sign-ins get this long past the window to finish.
	hard, cancel := context.WithDeadline(ctx, winEnd.Add(time.Minute))
	defer cancel()

	type worker struct {
		inWindow, total, requests, errors, reuses int64
		minGap                                    time.Duration
		kinds                                     map[string]int64
		samples                                   []string
		lat                                       []time.Duration
	}
	workers := make([]worker, o.signinConns)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			w := &workers[i]
			w.kinds = map[string]int64{}
			w.minGap = time.Duration(math.MaxInt64)
			sc, err := newSigninClient(base)
			if err != nil {
				w.errors++
				w.kinds[err.Error()]++
				return
			}
			defer sc.close()
			// A small random start spread, as browsers do not arrive at once.
			time.Sleep(time.Duration(rand.Int64N(int64(50 * time.Millisecond))))
			for hard.Err() == nil && time.Now().Before(winEnd) {
				n := next.Add(1) - 1
				if o.signinMax > 0 && n >= int64(o.signinMax) {
					break
				}
				ui := int(n % int64(len(users)))
				t0 := time.Now()
				if prev := last[ui].Swap(t0.UnixNano()); prev != 0 {
					w.reuses++
					w.minGap = min(w.minGap, time.Duration(t0.UnixNano()-prev))
				}
				err := sc.signIn(hard, users[ui])
				t1 := time.Now()
				if err != nil {
					if ctx.Err() != nil {
						break // interrupted: the run is abandoned
					}
					w.errors++
					k := err.Error()
					var se *stepError
					if errors.As(err, &se) {
						k = se.kind()
					}
					w.kinds[k]++
					if len(w.samples) < 3 {
						w.samples = append(w.samples, fmt.Sprintf("%s: %v", users[ui].Username, err))
					}
					continue
				}
				w.total++
				if !t1.Before(winStart) && !t1.After(winEnd) {
					w.inWindow++
					w.lat = append(w.lat, t1.Sub(t0))
				}
			}
			w.requests = sc.requests
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &signinResult{kinds: map[string]int64{}, minReuseGap: time.Duration(math.MaxInt64), elapsed: time.Since(start)}
	r.window = o.signinDuration
	if o.signinMax > 0 {
		// A count-bounded run may end before the window does.
		if end := time.Now(); end.Before(winEnd) {
			r.window = max(0, end.Sub(winStart))
		}
	}
	for _, w := range workers {
		r.inWindow += w.inWindow
		r.total += w.total
		r.requests += w.requests
		r.errors += w.errors
		r.reuses += w.reuses
		if w.reuses > 0 {
			r.hasReuseSeen = true
			r.minReuseGap = min(r.minReuseGap, w.minGap)
		}
		for k, n := range w.kinds {
			r.kinds[k] += n
		}
		if len(r.samples) < 5 {
			r.samples = append(r.samples, w.samples[:min(len(w.samples), 5-len(r.samples))]...)
		}
		r.lat = append(r.lat, w.lat...)
	}
	if r.total == 0 {
		return r, errors.New("no sign-in completed")
	}
	return r, nil
}

func numCPU() int { return runtime.NumCPU() }

// signinChecks are the signin flow's targets.
func signinChecks(sr *signinReport, add func(name, value, target string, pass bool)) {
	add("signin errors", fmt.Sprintf("%d of %d sign-ins", sr.Errors, sr.Total+sr.Errors), "0", sr.Errors == 0 && sr.Total > 0)
	add("signin rate / hashing bound", fmt.Sprintf("%s (%.1f/s of %.1f/s)", pct(sr.OfBound), sr.PerSec, sr.BoundPerSec),
		fmt.Sprintf(">= %.0f%%", signinMinOfBound*100), sr.OfBound >= signinMinOfBound)
	add("signin server peak RSS (VmHWM)", fmt.Sprintf("%.1f MB (%s)", float64(sr.PeakKB)*1024/1e6, fmtKB(sr.PeakKB)),
		"< 200 MB", sr.PeakKB > 0 && sr.PeakKB < signinMaxPeakKB)
	need := int(math.Ceil(signinUsersPerRate * sr.PerSec))
	add("signin users / replay guard", fmt.Sprintf("%d users, %d needed", sr.Users, need),
		fmt.Sprintf(">= %dx rate", signinUsersPerRate), sr.Users >= need)
	add("signin server ERROR log lines", fmt.Sprintf("%d (+%d client gone)", sr.ErrorLogs, sr.CanceledLogs), "0", sr.ErrorLogs == 0)
}

func printSignin(w io.Writer, sr *signinReport) {
	fmt.Fprintf(w, "\nsignin: %d concurrent complete GCKey sign-ins (7 requests each: sign-in page, password, welcome, 2fa, code page, code, success page)\n", sr.Conns)
	fmt.Fprintf(w, "  %s, fresh server, %d users seeded in %.1f s, %s warm-up, %s measured\n", sr.URL, sr.Users, sr.SeedSeconds, sr.Warmup, sr.Duration)
	fmt.Fprintf(w, "  argon2id %s: one hash %.1f ms (median of %d before and after the flow, %d preempted ones left out; mean %.1f, min %.1f, CPU %.1f ms) -> bound %d CPUs / hash = %.1f sign-ins/s\n",
		sr.Argon2, sr.HashMS, sr.Hashes, sr.Preempted, sr.HashMeanMS, sr.HashMinMS, sr.HashCPUMS, numCPU(), sr.BoundPerSec)
	fmt.Fprintf(w, "  %d hashers at once: %.1f hashes/s (%s of the bound)\n", numCPU(), sr.ParallelHashPerSec, pct(sr.ParallelHashPerSec/sr.BoundPerSec))
	fmt.Fprintf(w, "  sign-ins/s %.1f (%s of the bound), %d in the window, %d in all, %d HTTP requests, %d errors\n",
		sr.PerSec, pct(sr.OfBound), sr.SignIns, sr.Total, sr.Requests, sr.Errors)
	fmt.Fprintf(w, "  whole sign-in p50 %s, p90 %s, p99 %s, max %s\n", fmtUS(sr.P50us), fmtUS(sr.P90us), fmtUS(sr.P99us), fmtUS(sr.MaxUS))
	fmt.Fprintf(w, "  server CPU %.2f ms per sign-in (%.2f ms system, %.0f minor faults); load generator %.2f ms\n",
		sr.CPUPerSignin, sr.SysPerSignin, sr.FaultsPer, sr.ClientCPUPer)
	fmt.Fprintf(w, "  server and load generator used %s of %d CPUs over the run; one hash / their CPU per sign-in = %.1f / (%.2f + %.2f) ms = %s\n",
		pct(sr.CPUShare), numCPU(), sr.HashMS, sr.CPUPerSignin, sr.ClientCPUPer, pct(sr.CPUEfficiency))
	if sr.CPUShare < 0.9 {
		fmt.Fprintf(w, "  -- the flow had less than 90%% of the CPUs: other work ran meanwhile, so the rate is unreliable (the efficiency above is not)\n")
	}
	if !sr.HashQuiet {
		fmt.Fprintf(w, "  -- fewer than 20 hashes ran without waiting for a CPU: the bound is unreliable\n")
	}
	fmt.Fprintf(w, "  server RSS %s idle, peak %s during the flow\n", fmtKB(sr.IdleRSSKB), fmtKB(sr.PeakKB))
	if sr.Reuses > 0 {
		fmt.Fprintf(w, "  users signed in again: %d, at least %.1f s apart\n", sr.Reuses, sr.MinReuseGapS)
	} else {
		fmt.Fprintf(w, "  no user signed in twice\n")
	}
	fmt.Fprintf(w, "  app_sessions rows after the flow: %d\n", sr.SessionsAfter)
	for _, k := range sr.ErrorKinds {
		fmt.Fprintf(w, "  error: %s\n", k)
	}
	for _, s := range sr.ErrorSamples {
		fmt.Fprintf(w, "  e.g. %s\n", s)
	}
}

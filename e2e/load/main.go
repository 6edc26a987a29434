// Command load is Guichet's load benchmark. It builds the server, starts it
// on a fresh database, times restarts on the existing database (exec to the
// first 200 on /en/), reads its idle memory, then drives four flows with
// wrk (or a Go load generator when wrk is missing), and a fifth with its
// own Go load generator:
//
//   - reference: a bare net/http server answering "ok\n", run in a child
//     process (this binary with -reference-server);
//   - landing: GET /en/;
//   - session: GET /en/help signed in, with sessions written straight into
//     app_sessions before the server starts, each request carrying one of
//     them plus the CSRF cookie a browser would have been given;
//   - dashboard: GET /en/ircc/, the IRCC secure account dashboard, signed
//     in, for accounts seeded before the server starts (each with 20
//     applications and 50 unread messages by default, made through the
//     app's own services) and sessions holding their ircc Principal;
//   - signin: complete GCKey sign-ins (sign-in page, password, welcome,
//     two-factor page, authenticator code, success page), each by a new
//     browser with its own cookies, 64 at once, over thousands of GCKeys
//     seeded into a database of its own, against a server started fresh at
//     the production argon2id cost. Its rate is compared with the bound
//     hashing alone sets (NumCPU / one argon2id hash, timed in this
//     process); it reports p50/p99 of a whole sign-in, the server's CPU per
//     sign-in and its peak memory.
//
// For each flow it prints requests/s and its ratio to the reference, p50,
// p90, p99, errors, the serving process's CPU per request and peak memory,
// checks the targets (PASS/FAIL) and exits 1 if one fails, unless -no-fail.
// It also checks that the session page really reads the session (no-store,
// the timeout dialog), that the dashboard really is the dashboard (200, its
// marker, every application listed and the unread count, for each
// session), and that the signed-in GETs wrote nothing to app_sessions.
//
//	go run ./e2e/load                      # 10 s per flow
//	go run ./e2e/load -duration 3s -json results.json -no-fail
//	go run ./e2e/load -rounds 3            # interleave; medians of rounds
//	go run ./e2e/load -server-env GOGC=400 # try a runtime setting
//	go run ./e2e/load -flows signin -signin-duration 20s
//	go run ./e2e/load -flows dashboard     # brings the reference along
//
// It is a package main, not a test, so "go test ./..." never runs it.
// Everything listens on and connects to loopback only.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"guichet/app"
)

// Targets.
const (
	landingMinRatio = 0.35
	landingMaxP99   = 25 * time.Millisecond
	sessionMinRatio = 0.15
	sessionMaxP99   = 50 * time.Millisecond
	idleMaxKB       = 40 * 1024
	startMax        = 100 * time.Millisecond
)

type options struct {
	duration time.Duration
	conns    int
	threads  int
	sessions int
	restarts int
	rounds   int
	idle     time.Duration
	jsonPath string
	noFail   bool
	loadgen  string
	verbose  bool
	keep     bool
	env      []string // extra environment for the guichet server
	flows    map[string]bool

	signinDuration time.Duration
	signinWarmup   time.Duration
	signinConns    int
	signinUsers    int
	signinMax      int
	signinProcs    int

	dashAccounts int
	dashApps     int
	dashMsgs     int
}

// allFlows are the flows -flows chooses from, in the order they run.
var allFlows = []string{"reference", "landing", "session", "dashboard", "signin"}

func parseFlows(v string) (map[string]bool, error) {
	m := map[string]bool{}
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "all" {
			for _, a := range allFlows {
				m[a] = true
			}
			continue
		}
		if !slices.Contains(allFlows, f) {
			return nil, fmt.Errorf("unknown flow %q (want %s)", f, strings.Join(allFlows, ", "))
		}
		m[f] = true
	}
	if len(m) == 0 {
		return nil, errors.New("no flow chosen")
	}
	// The landing, session and dashboard targets are ratios to the
	// reference.
	if m["landing"] || m["session"] || m["dashboard"] {
		m["reference"] = true
	}
	return m, nil
}

func main() {
	var o options
	var refAddr string
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long the reference, landing, session and dashboard flows each run (signin: -signin-duration)")
	flag.IntVar(&o.conns, "connections", 64, "concurrent connections")
	flag.IntVar(&o.threads, "threads", 2, "wrk threads")
	flag.IntVar(&o.sessions, "sessions", 64, "signed-in sessions to create")
	flag.IntVar(&o.rounds, "rounds", 1, "run the reference, landing, session and dashboard flows this many times in turn (ratios and percentiles are then medians of the rounds; signin runs once)")
	flag.IntVar(&o.restarts, "restarts", 3, "restarts on the existing database to time (the median is checked)")
	flag.DurationVar(&o.idle, "idle", 3*time.Second, "how long the server idles before its idle memory is read")
	flag.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	flag.BoolVar(&o.noFail, "no-fail", false, "exit 0 even when a target fails")
	flag.StringVar(&o.loadgen, "loadgen", "auto", "load generator: auto (wrk if installed), wrk or go")
	flag.BoolVar(&o.verbose, "v", false, "print wrk's own report and the server's log location")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binary, database, logs)")
	flag.Func("server-env", "KEY=VALUE added to the guichet server's environment, e.g. GOGC=400 (repeatable)", func(v string) error {
		if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
			return errors.New("want KEY=VALUE")
		}
		o.env = append(o.env, v)
		return nil
	})
	flows := flag.String("flows", strings.Join(allFlows, ","), "comma-separated flows to run: "+strings.Join(allFlows, ", ")+" (landing, session and dashboard bring the reference along)")
	flag.DurationVar(&o.signinDuration, "signin-duration", 20*time.Second, "signin flow: measured window")
	flag.DurationVar(&o.signinWarmup, "signin-warmup", 3*time.Second, "signin flow: warm-up before the window (not measured)")
	flag.IntVar(&o.signinConns, "signin-conns", 64, "signin flow: concurrent sign-ins")
	flag.IntVar(&o.signinUsers, "signin-users", 0, "signin flow: GCKeys to seed (0: 60 s of sign-ins at the hashing bound, twice what the replay guard needs)")
	flag.IntVar(&o.signinMax, "signin-max", 0, "signin flow: stop after this many sign-ins (0: no limit)")
	flag.IntVar(&o.signinProcs, "signin-loadgen-procs", 1, "signin flow: GOMAXPROCS of the load generator while it runs")
	flag.IntVar(&o.dashAccounts, "dashboard-accounts", 64, "dashboard flow: IRCC accounts to seed, each with its own signed-in session")
	flag.IntVar(&o.dashApps, "dashboard-applications", 20, "dashboard flow: applications per account")
	flag.IntVar(&o.dashMsgs, "dashboard-messages", 50, "dashboard flow: unread messages per account")
	flag.StringVar(&refAddr, "reference-server", "", "internal: serve the bare reference on this loopback address")
	flag.Parse()

	if refAddr != "" {
		if err := serveReference(refAddr); err != nil {
			fmt.Fprintln(os.Stderr, "reference server:", err)
			os.Exit(1)
		}
		return
	}
	var err error
	if o.flows, err = parseFlows(*flows); err != nil {
		fmt.Fprintln(os.Stderr, "load: -flows:", err)
		os.Exit(2)
	}
	if o.signinDuration <= 0 || o.signinDuration > time.Hour || o.signinWarmup < 0 || o.signinWarmup > 10*time.Minute ||
		o.signinConns < 1 || o.signinConns > 4096 || o.signinUsers < 0 || (o.signinUsers > 0 && o.signinUsers < 2) ||
		o.signinUsers > 1000000 || o.signinMax < 0 || o.signinProcs < 1 || o.signinProcs > 256 {
		fmt.Fprintln(os.Stderr, "load: a -signin flag is out of range")
		os.Exit(2)
	}
	if o.dashAccounts < 1 || o.dashAccounts > 100000 || o.dashApps < 0 || o.dashApps > 1000 || o.dashMsgs < 0 || o.dashMsgs > 10000 {
		fmt.Fprintln(os.Stderr, "load: a -dashboard flag is out of range")
		os.Exit(2)
	}
	if o.duration <= 0 || o.duration > time.Hour || o.conns < 1 || o.conns > 10000 ||
		o.threads < 1 || o.threads > o.conns || o.sessions < 1 || o.sessions > 100000 ||
		o.restarts < 1 || o.restarts > 50 || o.rounds < 1 || o.rounds > 100 || o.idle < 0 || o.idle > 10*time.Minute {
		fmt.Fprintln(os.Stderr, "load: a flag is out of range")
		os.Exit(2)
	}
	os.Exit(run(o))
}

// flowSpec is one flow: a URL, the process serving it, the cookies sent.
type flowSpec struct {
	Name    string
	URL     string
	PID     int
	Cookies []string
}

// roundResult is one run of one flow.
type roundResult struct {
	loadResult
	Ratio     float64 `json:"ratio_to_reference"`
	CPUPerReq float64 `json:"server_cpu_us_per_request"`
	CPUus     int64   `json:"server_cpu_us"`
	PeakKB    int64   `json:"peak_rss_kb"`
	// PeakOfFlow is false when VmHWM could not be reset, so PeakKB is the
	// peak since the process started.
	PeakOfFlow bool `json:"peak_is_per_flow"`
}

// flowResult is one flow over all rounds: counts and CPU are totals,
// ratio and latency percentiles the median of the rounds (with one round,
// simply that round's), max and peak memory the largest.
type flowResult struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	roundResult
	Rounds []roundResult `json:"rounds,omitempty"`
}

type check struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Target string `json:"target"`
	Pass   bool   `json:"pass"`
}

type report struct {
	Time        time.Time `json:"time"`
	GoVersion   string    `json:"go_version"`
	CPUs        int       `json:"cpus"`
	Tool        string    `json:"tool"`
	Duration    string    `json:"duration_per_flow"`
	Rounds      int       `json:"rounds"`
	Connections int       `json:"connections"`
	ServerEnv   []string  `json:"server_env,omitempty"`
	FlowsRun    []string  `json:"flows_run"`
	// LoadAvg is the machine's 1-minute load average before and after the
	// run: other work on a shared machine shows there.
	LoadAvg [2]float64 `json:"loadavg_before_after"`
	Startup struct {
		FreshMS         float64   `json:"fresh_db_to_healthz_ms"`
		RestartMS       []float64 `json:"restart_to_first_200_ms"`
		RestartMedianMS float64   `json:"restart_median_ms"`
	} `json:"startup"`
	IdleRSSKB int64        `json:"idle_rss_kb"`
	IdleWait  string       `json:"idle_wait"`
	Flows     []flowResult `json:"flows"`
	Sessions  struct {
		Seeded       int    `json:"seeded"`
		RowsBefore   int    `json:"rows_before"`
		RowsAfter    int    `json:"rows_after"`
		DigestBefore string `json:"digest_before"`
		DigestAfter  string `json:"digest_after"`
		Unchanged    bool   `json:"unchanged"`
	} `json:"sessions"`
	ServerErrorLogs int `json:"server_error_log_lines"`
	// ServerCanceledLogs are ERROR lines about requests cut off by the
	// client closing its connection (not counted as errors).
	ServerCanceledLogs int              `json:"server_error_log_lines_client_gone"`
	Dashboard          *dashboardReport `json:"dashboard,omitempty"`
	Signin             *signinReport    `json:"signin,omitempty"`
	Checks             []check          `json:"checks"`
	Pass               bool             `json:"pass"`
}

func run(o options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer killAll()
	rep, err := bench(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		return 1
	}
	if o.jsonPath != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonPath, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			return 1
		}
		fmt.Println("results written to", o.jsonPath)
	}
	if !rep.Pass && !o.noFail {
		return 1
	}
	return 0
}

func bench(ctx context.Context, o options) (*report, error) {
	rep := &report{Time: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Duration: o.duration.String(), Rounds: o.rounds, Connections: o.conns, ServerEnv: o.env}
	for _, f := range allFlows {
		if o.flows[f] {
			rep.FlowsRun = append(rep.FlowsRun, f)
		}
	}
	rep.LoadAvg[0] = loadAvg()
	tool, wrkBin, err := pickLoadgen(o.loadgen)
	if err != nil {
		return nil, err
	}
	rep.Tool = tool

	root, err := findRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "guichet-load-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Println("keeping", dir)
	} else {
		defer func() {
			killAll() // the servers write there until they stop
			os.RemoveAll(dir)
		}()
	}
	logf("building guichet in %s", root)
	bin, err := buildGuichet(ctx, root, dir)
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	base := "http://" + addr
	dbPath := filepath.Join(dir, "guichet.db")
	logPath := filepath.Join(dir, "guichet.log")
	env := serverEnv(append([]string{"GUICHET_ENV=dev"}, o.env...)...)
	args := []string{"serve", "--addr", addr, "--db", dbPath}
	start := func() (*child, time.Time, error) {
		t0 := time.Now()
		c, err := startChild("guichet", bin, args, env, logPath)
		return c, t0, err
	}

	// A fresh database: migrations run, the development secret is made.
	srv, t0, err := start()
	if err != nil {
		return nil, err
	}
	t1, err := waitOK(ctx, srv, base+"/healthz", 2*time.Millisecond, 30*time.Second)
	if err != nil {
		return nil, err
	}
	rep.Startup.FreshMS = ms(t1.Sub(t0))
	if err := srv.stop(30 * time.Second); err != nil {
		return nil, err
	}

	// Signed-in sessions, written while no server has the database open.
	var sessions []benchSession
	if o.flows["session"] {
		logf("creating %d signed-in sessions", o.sessions)
		if sessions, err = seedSessions(ctx, dbPath, o.sessions, 12*time.Hour); err != nil {
			return nil, err
		}
		rep.Sessions.Seeded = len(sessions)
	}
	// IRCC accounts with their applications and letters, and a signed-in
	// session for each.
	var dashSessions []benchSession
	if o.flows["dashboard"] {
		logf("seeding %d IRCC accounts with %d applications and %d messages each", o.dashAccounts, o.dashApps, o.dashMsgs)
		cfg, err := app.LoadConfig(args[1:], envLookup(env), io.Discard)
		if err != nil {
			return nil, fmt.Errorf("server configuration: %w", err)
		}
		if dashSessions, rep.Dashboard, err = seedDashboard(ctx, cfg, o, 12*time.Hour); err != nil {
			return nil, fmt.Errorf("flow dashboard: seeding: %w", err)
		}
		rep.Sessions.Seeded += len(dashSessions)
	}
	if rep.Sessions.Seeded > 0 {
		if rep.Sessions.RowsBefore, rep.Sessions.DigestBefore, err = sessionsDigest(ctx, dbPath); err != nil {
			return nil, err
		}
	}

	// Start to first answered page on the existing database; the last
	// start is the server the flows run against.
	for i := range o.restarts {
		if srv, t0, err = start(); err != nil {
			return nil, err
		}
		t1, err := waitOK(ctx, srv, base+"/en/", 2*time.Millisecond, 30*time.Second)
		if err != nil {
			return nil, err
		}
		rep.Startup.RestartMS = append(rep.Startup.RestartMS, ms(t1.Sub(t0)))
		if i < o.restarts-1 {
			if err := srv.stop(30 * time.Second); err != nil {
				return nil, err
			}
		}
	}
	rep.Startup.RestartMedianMS = median(rep.Startup.RestartMS)

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(o.idle):
	}
	rep.IdleWait = o.idle.String()
	if rep.IdleRSSKB, err = memKB(srv.pid(), "VmRSS"); err != nil {
		return nil, err
	}

	logf("checking the pages")
	cookies, err := verifyPages(ctx, base, sessions)
	if err != nil {
		return nil, err
	}
	var dashCookies []string
	if o.flows["dashboard"] {
		if dashCookies, rep.Dashboard.PageBytes, err = verifyDashboard(ctx, base, dashSessions, o.dashApps, o.dashMsgs); err != nil {
			return nil, err
		}
	}

	// The reference, in its own process.
	var flows []flowSpec
	var ref *child
	if o.flows["reference"] {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		refAddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		ref, err = startChild("reference", self, []string{"-reference-server", refAddr}, os.Environ(), filepath.Join(dir, "reference.log"))
		if err != nil {
			return nil, err
		}
		if _, err := waitOK(ctx, ref, "http://"+refAddr+"/", 2*time.Millisecond, 30*time.Second); err != nil {
			return nil, err
		}
		flows = append(flows, flowSpec{Name: "reference", URL: "http://" + refAddr + "/", PID: ref.pid()})
	}
	if o.flows["landing"] {
		flows = append(flows, flowSpec{Name: "landing", URL: base + "/en/", PID: srv.pid()})
	}
	if o.flows["session"] {
		flows = append(flows, flowSpec{Name: "session", URL: base + "/en/help", PID: srv.pid(), Cookies: cookies})
	}
	if o.flows["dashboard"] {
		flows = append(flows, flowSpec{Name: "dashboard", URL: base + dashboardPath, PID: srv.pid(), Cookies: dashCookies})
	}
	rounds := make([][]roundResult, len(flows))
	for r := range o.rounds {
		for i, f := range flows {
			if o.rounds > 1 {
				logf("round %d/%d, flow %s: %s for %s", r+1, o.rounds, f.Name, f.URL, o.duration)
			} else {
				logf("flow %s: %s for %s", f.Name, f.URL, o.duration)
			}
			rr, err := drive(ctx, o, tool, wrkBin, dir, f)
			if err != nil {
				return nil, fmt.Errorf("flow %s: %w", f.Name, err)
			}
			if o.verbose && rr.Raw != "" {
				fmt.Print(indent(rr.Raw))
			}
			rounds[i] = append(rounds[i], rr)
		}
		// Each round's rates are compared with the same round's reference,
		// run just before, so a change in the machine's background load
		// shifts both alike.
		for i := range flows {
			if ref != nil && rounds[0][r].RPS > 0 {
				rounds[i][r].Ratio = rounds[i][r].RPS / rounds[0][r].RPS
			}
		}
	}
	if ref != nil {
		if err := ref.stop(10 * time.Second); err != nil {
			return nil, err
		}
	}
	for i, f := range flows {
		rep.Flows = append(rep.Flows, summarize(f, rounds[i]))
	}

	// Still signed in after the load, then stop the server and check the
	// GETs wrote nothing to the session table.
	if o.flows["session"] {
		if err := checkSignedIn(ctx, base, cookies[0]); err != nil {
			return nil, fmt.Errorf("after the load: %w", err)
		}
	}
	if o.flows["dashboard"] {
		if err := checkDashboard(ctx, base, dashCookies[0], o.dashApps, o.dashMsgs); err != nil {
			return nil, fmt.Errorf("after the load: %w", err)
		}
	}
	if err := srv.stop(30 * time.Second); err != nil {
		return nil, err
	}
	if rep.Sessions.Seeded > 0 {
		if rep.Sessions.RowsAfter, rep.Sessions.DigestAfter, err = sessionsDigest(ctx, dbPath); err != nil {
			return nil, err
		}
		rep.Sessions.Unchanged = rep.Sessions.RowsAfter == rep.Sessions.RowsBefore &&
			rep.Sessions.DigestAfter == rep.Sessions.DigestBefore
	}
	if rep.ServerErrorLogs, rep.ServerCanceledLogs, err = countErrorLogs(logPath); err != nil {
		return nil, err
	}
	if o.verbose {
		fmt.Println("server log:", logPath)
	}

	// Complete sign-ins, on a server of their own started fresh.
	if o.flows["signin"] {
		if rep.Signin, err = runSignin(ctx, o, bin, dir, env); err != nil {
			return nil, fmt.Errorf("flow signin: %w", err)
		}
	}

	rep.LoadAvg[1] = loadAvg()
	rep.Checks = checks(rep)
	rep.Pass = true
	for _, c := range rep.Checks {
		rep.Pass = rep.Pass && c.Pass
	}
	printReport(os.Stdout, rep)
	return rep, nil
}

// drive runs one flow once and reads the serving process's CPU and peak
// memory around it.
func drive(ctx context.Context, o options, tool, wrkBin, dir string, f flowSpec) (roundResult, error) {
	spec := loadSpec{URL: f.URL, Cookies: f.Cookies, Duration: o.duration, Conns: o.conns, Threads: o.threads}
	var rr roundResult
	rr.PeakOfFlow = resetPeak(f.PID)
	cpu0, err := cpuTime(f.PID)
	if err != nil {
		return rr, err
	}
	if tool == "wrk" {
		rr.loadResult, err = runWrk(ctx, wrkBin, dir, spec)
	} else {
		rr.loadResult, err = runGo(ctx, spec)
	}
	if err != nil {
		return rr, err
	}
	cpu1, err := cpuTime(f.PID)
	if err != nil {
		return rr, err
	}
	rr.CPUus = (cpu1 - cpu0).Microseconds()
	if rr.Requests > 0 {
		rr.CPUPerReq = float64(rr.CPUus) / float64(rr.Requests)
	}
	if rr.PeakKB, err = memKB(f.PID, "VmHWM"); err != nil {
		return rr, err
	}
	return rr, ctx.Err()
}

// summarize folds the rounds of one flow into one line.
func summarize(f flowSpec, rounds []roundResult) flowResult {
	fr := flowResult{Name: f.Name, URL: f.URL}
	fr.Tool = rounds[0].Tool
	fr.PeakOfFlow = true
	for _, r := range rounds {
		fr.Requests += r.Requests
		fr.Seconds += r.Seconds
		fr.Non2xx += r.Non2xx
		fr.SocketErrors += r.SocketErrors
		fr.CPUus += r.CPUus
		fr.MaxUS = max(fr.MaxUS, r.MaxUS)
		fr.PeakKB = max(fr.PeakKB, r.PeakKB)
		fr.PeakOfFlow = fr.PeakOfFlow && r.PeakOfFlow
	}
	if fr.Seconds > 0 {
		fr.RPS = float64(fr.Requests) / fr.Seconds
	}
	if fr.Requests > 0 {
		fr.CPUPerReq = float64(fr.CPUus) / float64(fr.Requests)
	}
	med := func(get func(roundResult) float64) float64 {
		v := make([]float64, len(rounds))
		for i, r := range rounds {
			v[i] = get(r)
		}
		return median(v)
	}
	fr.Ratio = med(func(r roundResult) float64 { return r.Ratio })
	fr.P50us = med(func(r roundResult) float64 { return r.P50us })
	fr.P90us = med(func(r roundResult) float64 { return r.P90us })
	fr.P99us = med(func(r roundResult) float64 { return r.P99us })
	if len(rounds) > 1 {
		fr.Rounds = rounds
	}
	return fr
}

// median of v (the mean of the middle two for an even count).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func pickLoadgen(choice string) (tool, bin string, err error) {
	switch choice {
	case "go":
		return "go", "", nil
	case "wrk", "auto":
		path, err := exec.LookPath("wrk")
		if err == nil {
			return "wrk", path, nil
		}
		if choice == "wrk" {
			return "", "", errors.New("wrk is not installed (apt-get install wrk)")
		}
		return "go", "", nil
	}
	return "", "", fmt.Errorf("-loadgen %q: want auto, wrk or go", choice)
}

// verifyPages checks, before any load, that each page answers exactly 200
// and that the session page really reads the session; it returns the
// Cookie headers a browser would send for each session (session plus the
// CSRF cookie the first signed-in page sets).
func verifyPages(ctx context.Context, base string, sessions []benchSession) ([]string, error) {
	resp, body, err := get(ctx, base+"/en/", "")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
		return nil, fmt.Errorf("GET /en/: status %d, want 200 and a page", resp.StatusCode)
	}
	resp, body, err = get(ctx, base+"/en/help", "")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /en/help: status %d, want 200", resp.StatusCode)
	}
	if strings.Contains(body, `id="session-timeout"`) || resp.Header.Get("Cache-Control") == "no-store" {
		return nil, errors.New("GET /en/help without a session looks signed in; the session check would prove nothing")
	}
	cookies := make([]string, 0, len(sessions))
	for i, s := range sessions {
		first := "guichet_session=" + s.Token
		resp, body, err := get(ctx, base+"/en/help", first)
		if err != nil {
			return nil, err
		}
		if err := signedIn(resp, body); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		for _, ck := range resp.Cookies() {
			switch ck.Name {
			case "guichet_csrf":
				sessions[i].CSRF = ck.Value
			case "guichet_session":
				return nil, fmt.Errorf("session %d: a GET reissued the session cookie", i)
			}
		}
		c := first
		if sessions[i].CSRF != "" {
			c += "; guichet_csrf=" + sessions[i].CSRF
		}
		// The steady state a browser reaches: nothing set on the next page.
		resp, body, err = get(ctx, base+"/en/help", c)
		if err != nil {
			return nil, err
		}
		if err := signedIn(resp, body); err != nil {
			return nil, fmt.Errorf("session %d, second page: %w", i, err)
		}
		if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
			return nil, fmt.Errorf("session %d, second page: unexpected Set-Cookie %q", i, sc)
		}
		cookies = append(cookies, c)
	}
	return cookies, nil
}

func checkSignedIn(ctx context.Context, base, cookie string) error {
	resp, body, err := get(ctx, base+"/en/help", cookie)
	if err != nil {
		return err
	}
	return signedIn(resp, body)
}

func signedIn(resp *http.Response, body string) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /en/help: status %d, want 200", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		return fmt.Errorf("GET /en/help signed in: Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(body, `id="session-timeout"`) {
		return errors.New(`GET /en/help signed in: no id="session-timeout" dialog`)
	}
	return nil
}

var checkClient = &http.Client{
	Timeout:       5 * time.Second,
	Transport:     &http.Transport{Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(ctx context.Context, url, cookie string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := checkClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp, string(b), err
}

// countErrorLogs counts the server's log lines at level ERROR, apart from
// those about a request whose client went away: wrk closes its connections
// at the end of a run with requests in flight, which the server logs as a
// 500 with "context canceled".
func countErrorLogs(path string) (errs, canceled int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			continue
		}
		if bytes.Contains(line, []byte(`"err":"context canceled"`)) {
			canceled++
		} else {
			errs++
		}
	}
	return errs, canceled, sc.Err()
}

func checks(rep *report) []check {
	var cs []check
	add := func(name, value, target string, pass bool) {
		cs = append(cs, check{name, value, target, pass})
	}
	for _, f := range rep.Flows {
		add(f.Name+" errors", fmt.Sprintf("%d non-2xx, %d socket", f.Non2xx, f.SocketErrors), "0",
			f.Non2xx == 0 && f.SocketErrors == 0 && f.Requests > 0)
	}
	for _, f := range rep.Flows {
		switch f.Name {
		case "landing":
			add("landing rps / reference", pct(f.Ratio), fmt.Sprintf(">= %.0f%%", landingMinRatio*100), f.Ratio >= landingMinRatio)
			add("landing p99", fmtUS(f.P99us), "< "+landingMaxP99.String(), f.P99us < us(landingMaxP99))
		case "session":
			add("session rps / reference", pct(f.Ratio), fmt.Sprintf(">= %.0f%%", sessionMinRatio*100), f.Ratio >= sessionMinRatio)
			add("session p99", fmtUS(f.P99us), "< "+sessionMaxP99.String(), f.P99us < us(sessionMaxP99))
		case "dashboard":
			add("dashboard rps / reference", pct(f.Ratio), fmt.Sprintf(">= %.0f%%", dashboardMinRatio*100), f.Ratio >= dashboardMinRatio)
			add("dashboard p99", fmtUS(f.P99us), "< "+dashboardMaxP99.String(), f.P99us < us(dashboardMaxP99))
		}
	}
	add("idle memory (VmRSS)", fmtKB(rep.IdleRSSKB), fmt.Sprintf("< %d MiB", idleMaxKB/1024), rep.IdleRSSKB < idleMaxKB)
	add("start to first 200 on /en/ (median)", fmt.Sprintf("%.1f ms", rep.Startup.RestartMedianMS),
		"< "+startMax.String(), rep.Startup.RestartMedianMS < ms(startMax))
	if rep.Sessions.Seeded > 0 {
		add("session rows unchanged by GETs", fmt.Sprintf("%d -> %d rows, %s -> %s", rep.Sessions.RowsBefore,
			rep.Sessions.RowsAfter, rep.Sessions.DigestBefore, rep.Sessions.DigestAfter), "no write", rep.Sessions.Unchanged)
	}
	add("server ERROR log lines", fmt.Sprintf("%d (+%d client gone)", rep.ServerErrorLogs, rep.ServerCanceledLogs), "0", rep.ServerErrorLogs == 0)
	if rep.Signin != nil {
		signinChecks(rep.Signin, add)
	}
	return cs
}

func printReport(w io.Writer, rep *report) {
	fmt.Fprintf(w, "\nGuichet load benchmark  %s  %s, %d CPUs, %s, %d connections, %s per flow",
		rep.Time.Format(time.RFC3339), rep.GoVersion, rep.CPUs, rep.Tool, rep.Connections, rep.Duration)
	if len(rep.ServerEnv) > 0 {
		fmt.Fprintf(w, ", server env %s", strings.Join(rep.ServerEnv, " "))
	}
	if rep.Rounds > 1 {
		fmt.Fprintf(w, " x %d rounds (ratio and percentiles: median of rounds)", rep.Rounds)
	}
	fmt.Fprintf(w, "; flows %s\n\n", strings.Join(rep.FlowsRun, ", "))
	if len(rep.Flows) > 0 {
		fmt.Fprintf(w, "%-10s %-30s %9s %10s %7s %9s %9s %9s %9s %7s %11s %10s\n",
			"flow", "url", "requests", "req/s", "ratio", "p50", "p90", "p99", "max", "errors", "cpu/req", "peak RSS")
		for _, f := range rep.Flows {
			peak := fmtKB(f.PeakKB)
			if !f.PeakOfFlow {
				peak += "*"
			}
			fmt.Fprintf(w, "%-10s %-30s %9d %10.0f %7s %9s %9s %9s %9s %7d %8.1f µs %10s\n",
				f.Name, f.URL, f.Requests, f.RPS, pct(f.Ratio), fmtUS(f.P50us), fmtUS(f.P90us), fmtUS(f.P99us),
				fmtUS(f.MaxUS), f.Non2xx+f.SocketErrors, f.CPUPerReq, peak)
		}
		fmt.Fprintf(w, "\ncpu/req and peak RSS are the server's (the reference's for the reference flow).\n")
	}
	fmt.Fprintf(w, "machine load average (1 min): %.2f before, %.2f after", rep.LoadAvg[0], rep.LoadAvg[1])
	// "after" includes the benchmark's own load (server and wrk keep about
	// two threads busy); "before" shows other work.
	if rep.LoadAvg[0] > float64(rep.CPUs) {
		fmt.Fprint(w, "  -- the machine was busy before the run: expect inflated latencies and noisy ratios")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "start on a fresh database to /healthz: %.1f ms; restarts on the existing database to first 200 on /en/: %s ms\n",
		rep.Startup.FreshMS, joinMS(rep.Startup.RestartMS))
	fmt.Fprintf(w, "idle memory (VmRSS after the last start and %s idle, before any load): %s\n", rep.IdleWait, fmtKB(rep.IdleRSSKB))
	if rep.Sessions.Seeded > 0 {
		fmt.Fprintf(w, "sessions: %d seeded; app_sessions %d rows (digest %s) before, %d rows (digest %s) after\n",
			rep.Sessions.Seeded, rep.Sessions.RowsBefore, rep.Sessions.DigestBefore, rep.Sessions.RowsAfter, rep.Sessions.DigestAfter)
	}
	if rep.Dashboard != nil {
		printDashboard(w, rep.Dashboard)
	}
	if rep.Signin != nil {
		printSignin(w, rep.Signin)
	}
	fmt.Fprintln(w)
	for _, c := range rep.Checks {
		verdict := "PASS"
		if !c.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s  %-38s %-44s target %s\n", verdict, c.Name, c.Value, c.Target)
	}
	if rep.Pass {
		fmt.Fprintln(w, "\nall targets met")
	} else {
		fmt.Fprintln(w, "\nsome targets failed")
	}
}

// loadAvg is the 1-minute load average, 0 if unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var v float64
	if _, err := fmt.Sscan(string(b), &v); err != nil {
		return 0
	}
	return v
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", a...)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
func pct(r float64) string       { return fmt.Sprintf("%.1f%%", r*100) }

func fmtUS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f ms", v/1000)
	}
	return fmt.Sprintf("%.0f µs", v)
}

func fmtKB(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

func joinMS(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, ", ")
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Command guichet serves Guichet's online services from one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"guichet/app"
	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/password"
	"guichet/app/release"
	"guichet/modules"
	"guichet/modules/auth"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases"
	"guichet/modules/staff"

	"github.com/pquerna/otp/totp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "guichet:", err)
		}
		os.Exit(1)
	}
}

const usage = `Usage: guichet [command] [flags]

Commands:
  serve      start the web server (the default)
  migrate    apply database migrations and exit
  mail       list mail parked after repeated failures; "mail retry ID" sends one again
  demo       create demo accounts and print how to sign in (not in prod)
  staff      IRCC staff: "staff grant --role officer|administrator --name N" prints
             a one-time enrolment code; "staff revoke ID" removes a member,
             "staff revoke --grant ID" withdraws an unused code; "staff list"
  version    print the version

Run "guichet serve -h" for the server's flags.
`

// run is main without the process: tests call it with their own arguments,
// environment and context.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "mail":
		return mailCmd(ctx, args, getenv, stdout, stderr)
	case "demo":
		return demo(ctx, args, getenv, stdout, stderr)
	case "staff":
		return staffCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "guichet %s (%s)\n", release.Version, release.Date)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// quietLogger is for one-shot commands, whose output is for a person.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := app.LoadConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	// The live heap is small and short-lived (one page at a time), so the
	// default GC target collects constantly: 400 cut CPU per request by a
	// fifth in the load benchmark, and 1000 halved the secure account
	// dashboard's p99 (GC pauses were its tail) for about 30 MB more at
	// peak; the soft limit below still bounds the heap. GOGC set in the
	// environment wins.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(1000)
	}
	// With that target, the 19 MiB of each argon2id hash would let the heap
	// grow past 300 MB under a wave of sign-ins; a soft limit sized to the
	// hashes that can run at once keeps it near what they need.
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64<<20 + 2*int64(runtime.NumCPU())*int64(cfg.Argon2.MemoryKiB)<<10)
	}
	k, err := app.OpenKernel(ctx, cfg, clock.Real{}, log)
	if err != nil {
		return err
	}
	defer k.DB.Close()

	srv := k.Server()
	if _, err := modules.Setup(k, srv); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return &app.ConfigError{Setting: "--addr / GUICHET_ADDR", Problem: err.Error()}
	}
	jobCtx, stopJobs := context.WithCancel(context.Background())
	k.Jobs.Start(jobCtx)
	go k.Maintenance.Run(jobCtx)
	go reloadOnHangup(jobCtx, k)

	httpSrv := srv.Echo.Server
	httpSrv.Handler = srv.Echo
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	log.Info("listening", "addr", "http://"+ln.Addr().String()+"/", "env", cfg.Env, "db", cfg.DB, "version", release.Version)

	select {
	case err := <-errc:
		stopJobs()
		k.Jobs.Stop()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Stop accepting, let requests in flight finish, then stop jobs; the
	// deferred Close shuts the database last.
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = httpSrv.Shutdown(shutCtx)
	stopJobs()
	k.Jobs.Stop()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// openKernel is what one-shot commands share: read the settings, open the
// database (applying migrations) and check the secret.
func openKernel(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) (*app.Kernel, error) {
	cfg, err := app.LoadConfig(args, getenv, stderr)
	if err != nil {
		return nil, err
	}
	return app.OpenKernel(ctx, cfg, clock.Real{}, quietLogger(stderr))
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	k, err := openKernel(ctx, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer k.DB.Close()
	fmt.Fprintln(stdout, "database is up to date:", k.Config.DB)
	return nil
}

func mailCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub := "failed"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	var id int64
	if sub == "retry" {
		if len(args) == 0 {
			return errors.New("usage: guichet mail retry ID [flags]")
		}
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a message number", args[0])
		}
		id, args = n, args[1:]
	} else if sub != "failed" {
		return fmt.Errorf("unknown mail command %q (failed, retry)", sub)
	}
	k, err := openKernel(ctx, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer k.DB.Close()
	if sub == "retry" {
		if err := mail.Requeue(ctx, k.DB, k.Clock.Now(), id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "message %d will be sent again\n", id)
		return nil
	}
	recs, err := mail.ListFailed(ctx, k.DB)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintln(stdout, "no failed messages")
		return nil
	}
	for _, r := range recs {
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%d attempts\t%s\n", r.ID, r.ToAddr, r.Subject, r.Attempts, r.LastError)
	}
	return nil
}

// The demo GCKeys. The passwords are passphrases, as the policy welcomes.
const (
	demoUsername = "demo.person"
	demoPassword = "maple syrup on fresh snow"
	demoEmail    = "demo.person@example.com"
	// demoBankCustomer is the demo bank's ready-made test customer.
	demoBankCustomer = "Sam Tremblay"

	// The applicant's IRCC secure account.
	demoGivenName  = "Alex"
	demoFamilyName = "Martin"

	// The IRCC staff member, an administrator.
	demoOfficerUsername = "demo.officer"
	demoOfficerPassword = "northern lights above a frozen lake"
	demoOfficerEmail    = "demo.officer@example.com"
	demoOfficerName     = "Dana Officer"
)

// demoLogin is how to sign in with a demo GCKey. Secret and Code are
// empty for a GCKey an earlier run made: its secret cannot be read back.
type demoLogin struct {
	Username, Password, Secret, Code string
	Fresh                            bool
}

// demoGCKey creates a GCKey with an authenticator app, or finds the one an
// earlier run made.
func demoGCKey(ctx context.Context, k *app.Kernel, set *modules.Set, username, pw, email string) (identity.Ref, demoLogin, error) {
	login := demoLogin{Username: username, Password: pw}
	cred, err := set.Auth.CreateDemo(ctx, username, pw, email)
	if errors.Is(err, auth.ErrUsernameTaken) {
		cr, err := auth.NewStore(k.DB).ByUsername(ctx, password.NormalizeUsername(username))
		if err != nil {
			return "", login, fmt.Errorf("demo GCKey %q: %w", username, err)
		}
		return identity.Ref(cr.Cred), login, nil
	}
	if err != nil {
		return "", login, err
	}
	secret, err := set.TwoFactor.CreateDemoAuthenticator(ctx, identity.KindGCKey, string(cred))
	if err != nil {
		return "", login, err
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		return "", login, err
	}
	login.Secret, login.Code, login.Fresh = secret, code, true
	return cred, login, nil
}

// demoApplicant is what the demo applicant has in the secure account.
type demoApplicant struct {
	Profile, JSVC string
	Score         int
	Application   string
}

func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	k, err := openKernel(ctx, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer k.DB.Close()
	if k.Config.Env == app.EnvProd {
		return errors.New("demo accounts cannot be created in prod")
	}
	set, err := modules.Build(k)
	if err != nil {
		return err
	}

	// The staff member first: the applicant's application is recorded
	// and moved along by them. Every step below finds what an earlier run
	// made instead of making it twice.
	officerCred, officer, err := demoGCKey(ctx, k, set, demoOfficerUsername, demoOfficerPassword, demoOfficerEmail)
	if err != nil {
		return err
	}
	staffID, err := k.Pairwise.Pairwise(ctx, officerCred, staff.Service)
	if err != nil {
		return err
	}
	memberID, err := set.Staff.CreateDemoMember(ctx, staffID, demoOfficerName, identity.RoleAdministrator)
	if errors.Is(err, staff.ErrAlreadyMember) {
		var mem staff.Member
		mem, err = staff.NewStore(k.DB).MemberByPairwise(ctx, staffID)
		memberID = mem.ID
	}
	if err != nil {
		return fmt.Errorf("demo staff member: %w", err)
	}
	who := cases.Actor{Staff: identity.Staff{ID: memberID, Name: demoOfficerName, Role: identity.RoleAdministrator}}

	applicantCred, applicant, err := demoGCKey(ctx, k, set, demoUsername, demoPassword, demoEmail)
	if err != nil {
		return err
	}
	irccID, err := k.Pairwise.Pairwise(ctx, applicantCred, secureaccount.Service)
	if err != nil {
		return err
	}
	accountID, _, err := set.Account.CreateDemoAccount(ctx, account.Account{PairwiseID: irccID,
		GivenName: demoGivenName, FamilyName: demoFamilyName, BirthDate: k.Clock.Now().UTC().AddDate(-29, -3, 0).Format(time.DateOnly),
		Email: demoEmail, Lang: "en"})
	if err != nil {
		return err
	}
	var data demoApplicant
	if data.Profile, data.JSVC, data.Score, err = set.ExpressEntry.CreateDemoProfile(ctx, accountID); err != nil {
		return err
	}
	if data.Application, err = set.Cases.CreateDemoApplication(ctx, accountID, who); err != nil {
		return err
	}

	if applicant.Fresh || officer.Fresh {
		fmt.Fprintf(stdout, "Demo data created in %s.\n", k.Config.DB)
	}
	for _, l := range []demoLogin{applicant, officer} {
		if !l.Fresh {
			fmt.Fprintf(stdout, "The demo GCKey %q already exists in %s, with its demo data; its authenticator secret was printed when it was made.\n", l.Username, k.Config.DB)
		}
	}
	if !applicant.Fresh || !officer.Fresh {
		fmt.Fprintln(stdout, "Delete the database (and its .secret file) to make fresh ones.")
	}
	fmt.Fprintf(stdout, "\nStart the server (go run .), open the address below and sign in with GCKey.\n")
	fmt.Fprintf(stdout, "\nThe applicant, %s %s, with an IRCC secure account:\n", demoGivenName, demoFamilyName)
	printDemoLogin(stdout, "http://"+k.Config.Addr+"/en/ircc/", applicant)
	fmt.Fprintf(stdout, `  Express Entry profile: %s, in the pool with %d points (job seeker validation code %s)
  application:           %s (%s), in progress; a letter in Messages asks for a document to upload
`, data.Profile, data.Score, data.JSVC, data.Application, cases.DemoProgram)
	fmt.Fprintf(stdout, "\nThe IRCC staff member, %s, an administrator:\n", demoOfficerName)
	printDemoLogin(stdout, "http://"+k.Config.Addr+"/en/staff/", officer)
	fmt.Fprintf(stdout, "  The console finds application %s under Applications, and runs rounds of invitations.\n", data.Application)
	fmt.Fprintf(stdout, "\nEmail codes and links appear in the development outbox: http://%s/en/dev/outbox\n", k.Config.Addr)

	if set.DemoBank == nil {
		fmt.Fprintln(stdout, "\nThe demo Sign-In Partner is off (--demo-partner=false).")
		return nil
	}
	if applicant.Fresh {
		if _, err := set.DemoBank.CreateCustomer(ctx, demoBankCustomer); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, `
To sign in through the demo Sign-In Partner instead:
  1. open http://%s/en/ircc/ (or /fr/ircc/) and choose "Demo Bank" under Sign-In Partners;
  2. continue to the bank, pick the test customer %q (or create another);
  3. enter the second-step code the bank shows (or skip it), and you are back, signed in;
  4. confirm the new account on the enrolment page.
The bank never learns the service, and the service never learns the bank.
`, k.Config.Addr, demoBankCustomer)
	return nil
}

// printDemoLogin prints where to start and how to sign in with a demo GCKey.
func printDemoLogin(w io.Writer, start string, l demoLogin) {
	fmt.Fprintf(w, "  start at:              %s\n  username:              %s\n  password:              %s\n", start, l.Username, l.Password)
	if !l.Fresh {
		fmt.Fprintln(w, "  authenticator:         the app you added it to when it was made")
		return
	}
	fmt.Fprintf(w, `  authenticator secret:  %s   (add it to an authenticator app)
  current code:          %s   (changes every 30 seconds; each code works once)
`, l.Secret, l.Code)
}

// staffCmd grants and revokes IRCC staff access. Its own arguments come
// first; server flags such as --db may follow.
func staffCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	own, rest := staff.SplitArgs(args)
	if !staff.NeedsDatabase(own) {
		return staff.Command(ctx, nil, own, stdout)
	}
	k, err := openKernel(ctx, rest, getenv, stderr)
	if err != nil {
		return err
	}
	defer k.DB.Close()
	set, err := modules.Build(k)
	if err != nil {
		return err
	}
	return staff.Command(ctx, set.Staff, own, stdout)
}

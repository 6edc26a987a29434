package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"guichet/app/audit"
	"guichet/app/clock"
	"guichet/app/codes"
	"guichet/app/identity"
	"guichet/app/jobs"
	"guichet/app/keys"
	"guichet/app/mail"
	"guichet/app/maintenance"
	"guichet/app/password"
	"guichet/app/session"
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/db"
)

// Kernel is everything modules are built from: the opened database, keys,
// sessions, maintenance schedule, mail and jobs.
type Kernel struct {
	Config      Config
	DB          *db.DB
	Clock       clock.Clock
	Log         *slog.Logger
	Keys        *keys.Ring
	Sessions    *web.Sessions
	Maintenance *maintenance.Watcher
	Jobs        *jobs.Runner
	Mailer      *mail.Deliverer
	Identity    *identity.Sessions
	Pairwise    *identity.Store
	Codes       *codes.Store
	Throttle    *throttle.Store
	Audit       *audit.Log
	Hasher      *password.Hasher
}

// AuditRetention is how long IP addresses and browsers stay in the
// security history; the events themselves stay.
const AuditRetention = 90 * 24 * time.Hour

// OpenKernel opens the database, applies migrations, checks the secret and
// prepares sessions, maintenance windows, mail delivery and jobs. The
// caller closes the database.
func OpenKernel(ctx context.Context, cfg Config, clk clock.Clock, log *slog.Logger) (*Kernel, error) {
	secret := cfg.Secret
	if secret == "" && cfg.Env == EnvDev {
		s, err := DevSecret(cfg.SecretFile)
		if err != nil {
			return nil, err
		}
		secret = s
	}
	ring, err := keys.New([]byte(secret))
	if err != nil {
		return nil, &ConfigError{"GUICHET_SECRET", err.Error()}
	}
	watcher, err := maintenance.NewWatcher(cfg.Maintenance, log)
	if err != nil {
		return nil, &ConfigError{"--maintenance / GUICHET_MAINTENANCE", err.Error()}
	}
	d, err := db.Open(cfg.DB)
	if err != nil {
		return nil, &ConfigError{"--db / GUICHET_DB", err.Error()}
	}
	fail := func(err error) (*Kernel, error) {
		d.Close()
		return nil, err
	}
	if ran, err := d.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrate: %w", err))
	} else if len(ran) > 0 {
		log.Info("migrations applied", "names", ran)
	}
	if err := ring.Verify(ctx, d, clk.Now()); err != nil {
		return fail(err)
	}
	var sender mail.Sender = mail.DevSender{}
	if !cfg.DevOutbox {
		s, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return fail(&ConfigError{"GUICHET_SMTP_URL", err.Error()})
		}
		sender = s
	}
	// scs measures session deadlines with the wall clock, so the store
	// must judge expiry by the same clock, whatever clock the app uses.
	store := session.NewStore(d, clock.Real{})
	k := &Kernel{
		Config: cfg, DB: d, Clock: clk, Log: log, Keys: ring,
		Sessions:    web.NewSessions(store, clock.Real{}, log, cfg.SessionIdle, cfg.SessionMax, cfg.Secure()),
		Maintenance: watcher,
		Jobs:        jobs.New(log),
		Mailer:      &mail.Deliverer{DB: d, Clock: clk, Sender: sender, Log: log},
		Pairwise:    identity.NewStore(d, clk),
		Codes:       codes.New(d, clk, ring),
		Throttle:    throttle.New(d, clk),
		Audit:       audit.New(d, clk),
		Hasher:      password.NewHasher(cfg.Argon2.Params(), 0),
	}
	k.Identity = identity.NewSessions(k.Sessions, k.Pairwise)
	k.Jobs.Add(jobs.Job{Name: "mail", Every: 10 * time.Second, Run: k.Mailer.RunOnce})
	k.Jobs.Add(jobs.Job{Name: "codes-cleanup", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := k.Codes.Cleanup(ctx)
		return err
	}})
	k.Jobs.Add(jobs.Job{Name: "throttle-cleanup", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := k.Throttle.Cleanup(ctx)
		return err
	}})
	k.Jobs.Add(jobs.Job{Name: "audit-purge", Every: 6 * time.Hour, Run: func(ctx context.Context) error {
		_, err := k.Audit.Purge(ctx, AuditRetention)
		return err
	}})
	k.Jobs.Add(jobs.Job{Name: "sessions-cleanup", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
		_, err := store.Cleanup(ctx)
		return err
	}})
	return k, nil
}

// Server builds the web server over the kernel.
func (k *Kernel) Server() *Server {
	return NewServer(Deps{
		Config: k.Config, DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys,
		Maintenance: k.Maintenance, Sessions: k.Sessions,
	})
}

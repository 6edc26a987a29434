package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"guichet/app/password"
)

// Environments.
const (
	EnvDev  = "dev"
	EnvProd = "prod"
)

// Argon2 holds the argon2id cost. It lives in the configuration so tests can
// run cheaply while production refuses anything below the floor.
type Argon2 struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Params converts the configured cost to the hasher's parameters.
func (a Argon2) Params() password.Params {
	return password.Params{MemoryKiB: a.MemoryKiB, Time: a.Time, Threads: a.Threads, KeyLen: password.DefaultKeyLen, SaltLen: password.DefaultSaltLen}
}

// Argon2Floor is the weakest cost production accepts (OWASP's first
// recommended argon2id setting: 19 MiB, 2 passes, 1 lane).
var Argon2Floor = Argon2{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Argon2Default is what Guichet uses unless told otherwise.
var Argon2Default = Argon2{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Config is everything Guichet reads from flags and GUICHET_* variables.
type Config struct {
	Env            string
	Addr           string
	DB             string
	Maintenance    string
	Secret         string
	SecretFile     string // where the development secret is kept
	SMTPURL        string
	MailFrom       string
	BaseURL        string
	TrustedProxies []netip.Prefix
	AllowRemoteDev bool
	DevOutbox      bool
	DemoPartner    bool
	// PartnersFile lists the Sign-In Partners; Partners is what it says,
	// or the default ten (unconnected) without a file.
	PartnersFile string
	Partners     []PartnerSettings
	SessionIdle  time.Duration
	SessionWarn  time.Duration
	SessionMax   time.Duration
	Argon2       Argon2
}

// Secure tells whether cookies must carry the Secure flag and HSTS is sent.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// MailDomain is the host part used in Message-IDs.
func (c Config) MailDomain() string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "guichet.local"
}

// ConfigError names the setting that is wrong.
type ConfigError struct {
	Setting string
	Problem string
}

func (e *ConfigError) Error() string { return e.Setting + ": " + e.Problem }

// LoadConfig reads flags from args and defaults from getenv. A flag given on
// the command line wins over the environment.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("guichet serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.Env, "env", env("GUICHET_ENV", EnvDev), "environment: dev or prod (GUICHET_ENV)")
	fs.StringVar(&c.Addr, "addr", env("GUICHET_ADDR", "127.0.0.1:8080"), "listen address (GUICHET_ADDR)")
	fs.StringVar(&c.DB, "db", env("GUICHET_DB", "guichet.db"), "SQLite file (GUICHET_DB)")
	fs.StringVar(&c.PartnersFile, "partners", env("GUICHET_PARTNERS", ""), "Sign-In Partners TOML file (GUICHET_PARTNERS)")
	fs.StringVar(&c.Maintenance, "maintenance", env("GUICHET_MAINTENANCE", ""), "maintenance windows TOML file (GUICHET_MAINTENANCE)")
	proxies := fs.String("trusted-proxies", env("GUICHET_TRUSTED_PROXIES", ""), "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (GUICHET_TRUSTED_PROXIES)")
	fs.BoolVar(&c.AllowRemoteDev, "allow-remote-dev", false, "let dev listen on a non-loopback address")
	idle := fs.String("session-idle", env("GUICHET_SESSION_IDLE", "20m"), "sign out after this long without activity (GUICHET_SESSION_IDLE)")
	warn := fs.String("session-warn", env("GUICHET_SESSION_WARN", "3m"), "how long before the idle sign-out the dialog warns (GUICHET_SESSION_WARN)")
	maxLife := fs.String("session-max", env("GUICHET_SESSION_MAX", "12h"), "longest session (GUICHET_SESSION_MAX)")
	devOutbox := fs.String("dev-outbox", env("GUICHET_DEV_OUTBOX", ""), "keep mail in the dev outbox page instead of sending it (GUICHET_DEV_OUTBOX; default true in dev)")
	demo := fs.String("demo-partner", env("GUICHET_DEMO_PARTNER", ""), "enable the built-in demo Sign-In Partner (GUICHET_DEMO_PARTNER; default true in dev)")
	argon := fs.String("argon2", env("GUICHET_ARGON2", ""), "argon2id cost as memoryKiB,time,threads (GUICHET_ARGON2)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, &ConfigError{"arguments", fmt.Sprintf("unexpected %q", fs.Args())}
	}
	c.Secret = getenv("GUICHET_SECRET")
	c.SMTPURL = getenv("GUICHET_SMTP_URL")
	c.MailFrom = env("GUICHET_MAIL_FROM", "Guichet <no-reply@guichet.local>")
	c.BaseURL = strings.TrimRight(getenv("GUICHET_BASE_URL"), "/")

	var err error
	if c.SessionIdle, err = positiveDuration(*idle); err != nil {
		return c, &ConfigError{"--session-idle / GUICHET_SESSION_IDLE", err.Error()}
	}
	if c.SessionWarn, err = positiveDuration(*warn); err != nil {
		return c, &ConfigError{"--session-warn / GUICHET_SESSION_WARN", err.Error()}
	}
	if c.SessionMax, err = positiveDuration(*maxLife); err != nil {
		return c, &ConfigError{"--session-max / GUICHET_SESSION_MAX", err.Error()}
	}
	if c.TrustedProxies, err = ParseProxies(*proxies); err != nil {
		return c, &ConfigError{"--trusted-proxies / GUICHET_TRUSTED_PROXIES", err.Error()}
	}
	if c.DevOutbox, err = boolDefault(*devOutbox, c.Env == EnvDev); err != nil {
		return c, &ConfigError{"--dev-outbox / GUICHET_DEV_OUTBOX", err.Error()}
	}
	if c.DemoPartner, err = boolDefault(*demo, c.Env == EnvDev); err != nil {
		return c, &ConfigError{"--demo-partner / GUICHET_DEMO_PARTNER", err.Error()}
	}
	c.Argon2 = Argon2Default
	if *argon != "" {
		if c.Argon2, err = parseArgon2(*argon); err != nil {
			return c, &ConfigError{"--argon2 / GUICHET_ARGON2", err.Error()}
		}
	}
	c.SecretFile = c.DB + ".secret"
	if err := c.Validate(); err != nil {
		return c, err
	}
	c.Partners = DefaultPartners()
	if c.PartnersFile != "" {
		if c.Partners, err = LoadPartners(c.PartnersFile, getenv, c.Env); err != nil {
			return c, &ConfigError{"--partners / GUICHET_PARTNERS", c.PartnersFile + ": " + err.Error()}
		}
	}
	return c, nil
}

// Validate refuses settings that are wrong or unsafe for the environment.
func (c Config) Validate() error {
	switch c.Env {
	case EnvDev, EnvProd:
	default:
		return &ConfigError{"--env / GUICHET_ENV", fmt.Sprintf("%q is not dev or prod", c.Env)}
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &ConfigError{"--addr / GUICHET_ADDR", fmt.Sprintf("%q is not host:port", c.Addr)}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return &ConfigError{"--addr / GUICHET_ADDR", fmt.Sprintf("port %q is not a number from 0 to 65535", port)}
	}
	if c.DB == "" {
		return &ConfigError{"--db / GUICHET_DB", "must name a database file"}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ConfigError{"GUICHET_BASE_URL", fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)}
		}
	}
	if err := c.Argon2.Params().Validate(); err != nil {
		return &ConfigError{"--argon2 / GUICHET_ARGON2", err.Error()}
	}
	if c.SessionWarn >= c.SessionIdle {
		return &ConfigError{"--session-warn / GUICHET_SESSION_WARN", "must be shorter than the idle timeout"}
	}
	if c.SessionIdle > c.SessionMax {
		return &ConfigError{"--session-idle / GUICHET_SESSION_IDLE", "is longer than the session maximum"}
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		return &ConfigError{"GUICHET_SECRET", "must be at least 32 characters (for example 64 hex digits from `openssl rand -hex 32`)"}
	}
	if c.Env == EnvDev {
		if !c.AllowRemoteDev && !isLoopback(host) {
			return &ConfigError{"--addr / GUICHET_ADDR", fmt.Sprintf("dev listens on loopback only; %q is not loopback (pass --allow-remote-dev to override)", host)}
		}
		return nil
	}
	switch {
	case c.Secret == "":
		return &ConfigError{"GUICHET_SECRET", "is required in prod"}
	case c.SMTPURL == "":
		return &ConfigError{"GUICHET_SMTP_URL", "is required in prod"}
	case c.BaseURL == "":
		return &ConfigError{"GUICHET_BASE_URL", "is required in prod"}
	case c.DevOutbox:
		return &ConfigError{"--dev-outbox / GUICHET_DEV_OUTBOX", "the dev outbox cannot be enabled in prod"}
	case c.DemoPartner:
		return &ConfigError{"--demo-partner / GUICHET_DEMO_PARTNER", "the demo partner cannot be enabled in prod"}
	case c.Argon2.MemoryKiB < Argon2Floor.MemoryKiB || c.Argon2.Time < Argon2Floor.Time || c.Argon2.Threads < Argon2Floor.Threads:
		return &ConfigError{"--argon2 / GUICHET_ARGON2", fmt.Sprintf("below the production floor of %d KiB, %d passes, %d thread", Argon2Floor.MemoryKiB, Argon2Floor.Time, Argon2Floor.Threads)}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func positiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 20m or 12h", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

func boolDefault(s string, def bool) (bool, error) {
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", s)
	}
	return b, nil
}

// ParseProxies reads a comma-separated list of addresses and CIDRs.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR", part)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func parseArgon2(s string) (Argon2, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Argon2{}, fmt.Errorf("%q is not memoryKiB,time,threads", s)
	}
	m, err1 := strconv.ParseUint(parts[0], 10, 32)
	t, err2 := strconv.ParseUint(parts[1], 10, 32)
	p, err3 := strconv.ParseUint(parts[2], 10, 8)
	if err := errors.Join(err1, err2, err3); err != nil || m == 0 || t == 0 || p == 0 {
		return Argon2{}, fmt.Errorf("%q is not three positive whole numbers", s)
	}
	return Argon2{MemoryKiB: uint32(m), Time: uint32(t), Threads: uint8(p)}, nil
}

// DevSecret reads the development secret kept beside the database,
// generating it on first use, so sealed data survives restarts in dev.
func DevSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return "", &ConfigError{path, "the development secret file is too short; delete it together with the database to start afresh"}
		}
		return s, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create development secret %s: %w", path, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return s, f.Close()
}

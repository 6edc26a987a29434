package app

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsWorkWithNothingSet(t *testing.T) {
	c, err := LoadConfig(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != EnvDev || c.Addr != "127.0.0.1:8080" || c.DB != "guichet.db" || !c.DevOutbox || !c.DemoPartner {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.SessionIdle.Minutes() != 20 || c.SessionMax.Hours() != 12 {
		t.Fatalf("session timeouts %v / %v", c.SessionIdle, c.SessionMax)
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	c, err := LoadConfig([]string{"--addr", "127.0.0.1:9000"}, envOf(map[string]string{"GUICHET_ADDR": "127.0.0.1:7000"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Fatalf("addr = %s", c.Addr)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	prod := map[string]string{
		"GUICHET_ENV":          "prod",
		"GUICHET_SECRET":       strings.Repeat("s", 40),
		"GUICHET_SMTP_URL":     "smtp://mail.example:587",
		"GUICHET_BASE_URL":     "https://guichet.example",
		"GUICHET_DEV_OUTBOX":   "false",
		"GUICHET_DEMO_PARTNER": "false",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range prod {
			m[a] = b
		}
		m[k] = v
		return m
	}
	if _, err := LoadConfig(nil, envOf(prod), io.Discard); err != nil {
		t.Fatalf("good prod config refused: %v", err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad env", nil, map[string]string{"GUICHET_ENV": "staging"}, "GUICHET_ENV"},
		{"bad addr", []string{"--addr", "nonsense"}, nil, "GUICHET_ADDR"},
		{"remote dev", []string{"--addr", "0.0.0.0:8080"}, nil, "--allow-remote-dev"},
		{"bad idle", nil, map[string]string{"GUICHET_SESSION_IDLE": "soon"}, "GUICHET_SESSION_IDLE"},
		{"bad proxy", []string{"--trusted-proxies", "10.0.0.0/8,banana"}, nil, "GUICHET_TRUSTED_PROXIES"},
		{"prod no secret", nil, with("GUICHET_SECRET", ""), "GUICHET_SECRET"},
		{"prod short secret", nil, with("GUICHET_SECRET", "short"), "GUICHET_SECRET"},
		{"prod no smtp", nil, with("GUICHET_SMTP_URL", ""), "GUICHET_SMTP_URL"},
		{"prod no base", nil, with("GUICHET_BASE_URL", ""), "GUICHET_BASE_URL"},
		{"prod dev outbox", nil, with("GUICHET_DEV_OUTBOX", "true"), "GUICHET_DEV_OUTBOX"},
		{"prod demo", nil, with("GUICHET_DEMO_PARTNER", "true"), "GUICHET_DEMO_PARTNER"},
		{"prod cheap argon", nil, with("GUICHET_ARGON2", "1024,1,1"), "GUICHET_ARGON2"},
		{"bad argon", nil, map[string]string{"GUICHET_ARGON2": "a,b"}, "GUICHET_ARGON2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = map[string]string{}
			}
			_, err := LoadConfig(tc.args, envOf(env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %s", err, tc.want)
			}
		})
	}
}

func TestRemoteDevAllowedWhenAsked(t *testing.T) {
	if _, err := LoadConfig([]string{"--addr", "0.0.0.0:8080", "--allow-remote-dev"}, envOf(nil), io.Discard); err != nil {
		t.Fatal(err)
	}
}

func TestDevSecretIsKept(t *testing.T) {
	p := filepath.Join(t.TempDir(), "g.db.secret")
	a, err := DevSecret(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DevSecret(p)
	if err != nil || a != b || len(a) < 32 {
		t.Fatalf("secret not kept: %q %q %v", a, b, err)
	}
}

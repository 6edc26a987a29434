package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePartners(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "partners.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPartnersFile(t *testing.T) {
	env := map[string]string{"RBC_SECRET": "from-the-environment"}
	getenv := func(k string) string { return env[k] }
	path := writePartners(t, `
[[partner]]
id = "rbc"
name_en = "RBC Royal Bank"
name_fr = "RBC Banque Royale"
issuer = "https://auth.rbc.example"
client_id = "guichet"
client_secret_env = "RBC_SECRET"
mfa_acr = ["urn:rbc:loa2"]

[[partner]]
id = "td"
name_en = "TD Bank Group"
name_fr = "Groupe Banque TD"

[[partner]]
id = "off"
name_en = "Off"
name_fr = "Éteint"
enabled = false
`)
	got, err := LoadPartners(path, getenv, EnvProd)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ClientSecret != "from-the-environment" || !got[0].Available() || got[0].MFAACR[0] != "urn:rbc:loa2" {
		t.Fatalf("partners %+v", got)
	}
	if got[1].Available() || !got[1].On() {
		t.Fatal("a partner without an issuer is listed but unavailable")
	}
	if got[2].On() {
		t.Fatal("enabled = false is ignored")
	}
}

func TestPartnersFileMistakes(t *testing.T) {
	getenv := func(string) string { return "" }
	head := "[[partner]]\nid = \"rbc\"\nname_en = \"RBC\"\nname_fr = \"RBC\"\n"
	for name, tc := range map[string]struct{ body, env, want string }{
		"syntax":            {"[[partner]\n", EnvDev, "line "},
		"unknown key":       {head + "issuer_url = \"https://x\"\n", EnvDev, "unknown setting"},
		"bad id":            {"[[partner]]\nid = \"RBC Bank\"\nname_en = \"a\"\nname_fr = \"b\"\n", EnvDev, "id must be"},
		"reserved id":       {"[[partner]]\nid = \"demo\"\nname_en = \"a\"\nname_fr = \"b\"\n", EnvDev, "reserved"},
		"duplicate":         {head + head, EnvDev, "used twice"},
		"no french name":    {"[[partner]]\nid = \"x\"\nname_en = \"a\"\n", EnvDev, "name_fr"},
		"http in prod":      {head + "issuer = \"http://auth.example\"\nclient_id = \"c\"\nclient_secret = \"s\"\n", EnvProd, "https"},
		"no client":         {head + "issuer = \"https://auth.example\"\n", EnvDev, "client_id"},
		"empty env":         {head + "issuer = \"https://auth.example\"\nclient_id = \"c\"\nclient_secret_env = \"NOPE\"\n", EnvDev, "NOPE is empty"},
		"both secrets":      {head + "client_secret = \"s\"\nclient_secret_env = \"S\"\n", EnvDev, "not both"},
		"issuer with query": {head + "issuer = \"https://auth.example/?a=b\"\nclient_id = \"c\"\nclient_secret = \"s\"\n", EnvDev, "not a URL"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadPartners(writePartners(t, tc.body), getenv, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	// http is tolerated in dev, for a local provider.
	if _, err := LoadPartners(writePartners(t, head+"issuer = \"http://127.0.0.1:9000\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"), getenv, EnvDev); err != nil {
		t.Fatal(err)
	}
}

func TestConfigNamesThePartnersFile(t *testing.T) {
	dir := t.TempDir()
	getenv := func(string) string { return "" }
	c, err := LoadConfig([]string{"--db", filepath.Join(dir, "g.db")}, getenv, os.Stderr)
	if err != nil || len(c.Partners) != 10 || c.Partners[0].Available() {
		t.Fatalf("default partners: %v %d", err, len(c.Partners))
	}
	bad := writePartners(t, "[[partner]]\nid = \"x\"\n")
	_, err = LoadConfig([]string{"--db", filepath.Join(dir, "g.db"), "--partners", bad}, getenv, os.Stderr)
	if err == nil || !strings.Contains(err.Error(), "--partners / GUICHET_PARTNERS") {
		t.Fatalf("error %v should name the setting", err)
	}
}

package app

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// PartnerSettings is one Sign-In Partner as the configuration lists it. A
// partner without an issuer is still listed on the chooser, as unavailable.
type PartnerSettings struct {
	ID     string `toml:"id"`
	NameEN string `toml:"name_en"`
	NameFR string `toml:"name_fr"`
	// Issuer is the partner's OpenID Connect issuer URL; its discovery
	// document is fetched on first use, never at start-up.
	Issuer       string `toml:"issuer"`
	ClientID     string `toml:"client_id"`
	ClientSecret string `toml:"client_secret"`
	// ClientSecretEnv names an environment variable holding the secret, so
	// the file itself can be kept without secrets.
	ClientSecretEnv string `toml:"client_secret_env"`
	// MFAACR are acr values by which this partner says the person passed a
	// second factor (an "mfa" amr value always counts).
	MFAACR  []string `toml:"mfa_acr"`
	Enabled *bool    `toml:"enabled"`
}

// Available tells whether the partner has what a sign-in needs.
func (p PartnerSettings) Available() bool {
	return p.Issuer != "" && p.ClientID != "" && p.ClientSecret != ""
}

// On tells whether the partner is listed at all (enabled unless said
// otherwise).
func (p PartnerSettings) On() bool { return p.Enabled == nil || *p.Enabled }

// DefaultPartners are the ten partners the chooser lists when no partners
// file is given. They have no connection settings, so they show as
// unavailable until a deployment configures them.
func DefaultPartners() []PartnerSettings {
	return []PartnerSettings{
		{ID: "affinity", NameEN: "Affinity Credit Union", NameFR: "Affinity Credit Union"},
		{ID: "atb", NameEN: "Alberta Treasury Branches", NameFR: "Alberta Treasury Branches"},
		{ID: "bmo", NameEN: "BMO Financial Group", NameFR: "BMO Groupe financier"},
		{ID: "cibc", NameEN: "CIBC Canadian Imperial Bank of Commerce", NameFR: "CIBC Banque Canadienne Impériale de Commerce"},
		{ID: "desjardins", NameEN: "Desjardins Group", NameFR: "Mouvement Desjardins"},
		{ID: "national", NameEN: "National Bank of Canada", NameFR: "Banque Nationale du Canada"},
		{ID: "rbc", NameEN: "RBC Royal Bank", NameFR: "RBC Banque Royale"},
		{ID: "scotiabank", NameEN: "Scotiabank", NameFR: "Banque Scotia"},
		{ID: "tangerine", NameEN: "Tangerine", NameFR: "Tangerine"},
		{ID: "td", NameEN: "TD Bank Group", NameFR: "Groupe Banque TD"},
	}
}

// DemoPartnerID is the id of the built-in demo partner; a partners file
// cannot use it.
const DemoPartnerID = "demo"

var partnerID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

type partnersFile struct {
	Partner []PartnerSettings `toml:"partner"`
}

// LoadPartners reads a partners file. Every mistake names the partner and
// the setting; an unknown key is a mistake too, so a typo never silently
// leaves a partner half-configured.
func LoadPartners(path string, getenv func(string) string, env string) ([]PartnerSettings, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f partnersFile
	md, err := toml.Decode(string(raw), &f)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("line %d: %s", perr.Position.Line, perr.Message)
		}
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("unknown setting %q", und[0].String())
	}
	seen := map[string]bool{}
	for i := range f.Partner {
		p := &f.Partner[i]
		where := fmt.Sprintf("partner %d", i+1)
		if p.ID != "" {
			where += fmt.Sprintf(" (%s)", p.ID)
		}
		switch {
		case !partnerID.MatchString(p.ID):
			return nil, fmt.Errorf("%s: id must be 1 to 32 lower-case letters, digits or hyphens", where)
		case p.ID == DemoPartnerID:
			return nil, fmt.Errorf("%s: the id %q is reserved for the built-in demo partner", where, p.ID)
		case seen[p.ID]:
			return nil, fmt.Errorf("%s: the id is used twice", where)
		case strings.TrimSpace(p.NameEN) == "" || strings.TrimSpace(p.NameFR) == "":
			return nil, fmt.Errorf("%s: name_en and name_fr are both required", where)
		}
		seen[p.ID] = true
		if p.ClientSecretEnv != "" {
			if p.ClientSecret != "" {
				return nil, fmt.Errorf("%s: give client_secret or client_secret_env, not both", where)
			}
			p.ClientSecret = getenv(p.ClientSecretEnv)
			if p.ClientSecret == "" && p.On() && p.Issuer != "" {
				return nil, fmt.Errorf("%s: the environment variable %s is empty", where, p.ClientSecretEnv)
			}
		}
		if p.Issuer == "" {
			continue
		}
		u, err := url.Parse(p.Issuer)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%s: issuer %q is not a URL", where, p.Issuer)
		}
		// OpenID Connect requires https; plain http is tolerated in dev so
		// a local provider can be tried.
		if u.Scheme != "https" && !(env == EnvDev && u.Scheme == "http") {
			return nil, fmt.Errorf("%s: issuer must be an https URL", where)
		}
		if p.ClientID == "" || p.ClientSecret == "" {
			return nil, fmt.Errorf("%s: an issuer needs client_id and client_secret (or client_secret_env)", where)
		}
	}
	return f.Partner, nil
}

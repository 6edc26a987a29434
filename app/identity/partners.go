package identity

// Partner is a Sign-In Partner as the chooser lists it.
type Partner struct {
	ID     string
	NameEN string
	NameFR string
}

// Name returns the partner's name in lang.
func (p Partner) Name(lang string) string {
	if lang == "fr" && p.NameFR != "" {
		return p.NameFR
	}
	return p.NameEN
}

// DefaultPartners are the partners the chooser lists when the
// configuration names none (the Sign-In Partner issue makes this list
// configurable and connects each partner).
var DefaultPartners = []Partner{
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

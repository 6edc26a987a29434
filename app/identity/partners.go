package identity

// Partner is a Sign-In Partner as the chooser lists it.
type Partner struct {
	ID     string
	NameEN string
	NameFR string
	// Available is false for a partner listed without connection
	// settings: the chooser shows it greyed out instead of a dead link.
	Available bool
	// Test marks the built-in demo partner, labelled as such.
	Test bool
}

// Name returns the partner's name in lang.
func (p Partner) Name(lang string) string {
	if lang == "fr" && p.NameFR != "" {
		return p.NameFR
	}
	return p.NameEN
}

package audit

import (
	"encoding/json"
	"strings"

	"guichet/app/i18n"
)

// describedPrefix marks a detail written by Described. A detail without it
// is free text, recorded in English by older code or by hand.
const describedPrefix = "i18n:"

// described is how a Described detail is stored: language-neutral, so a
// staff member reads it in the language of their page.
type described struct {
	Key  string   `json:"k"`
	Args []string `json:"a,omitempty"`
}

// Described is a detail pages show in either language: a catalog key and
// the values that fill its verbs (%s). An argument written "@key" is
// itself a catalog key, translated when shown (a role, a status).
func Described(key string, args ...string) string {
	b, err := json.Marshal(described{Key: key, Args: args})
	if err != nil {
		// Strings always marshal; keep the key readable if not.
		return key
	}
	return describedPrefix + string(b)
}

// DetailIn is a detail as lang's page shows it. A Described detail comes
// from the catalog and translated is true; anything else is returned as
// recorded, in English.
func DetailIn(lang, detail string) (text string, translated bool) {
	rest, ok := strings.CutPrefix(detail, describedPrefix)
	if !ok {
		return detail, false
	}
	var d described
	if err := json.Unmarshal([]byte(rest), &d); err != nil || !i18n.Has(lang, d.Key) {
		return detail, false
	}
	args := make([]any, len(d.Args))
	for i, a := range d.Args {
		if k, isKey := strings.CutPrefix(a, "@"); isKey && i18n.Has(lang, k) {
			args[i] = i18n.In(lang, k)
		} else {
			args[i] = a
		}
	}
	return i18n.In(lang, d.Key, args...), true
}

package password

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	// Only the data package: the zxcvbn-go root and frequency packages
	// decode several megabytes of word lists in init(), at every start-up,
	// whereas this one only holds the compressed assets.
	"github.com/nbutton23/zxcvbn-go/data"
)

// Problem is an i18n catalog key naming one way a username or password
// breaks the policy.
type Problem string

// Password problems.
const (
	TooShort         Problem = "password.too_short"
	TooLong          Problem = "password.too_long"
	Common           Problem = "password.common"
	ContainsUsername Problem = "password.contains_username"
	Repeats          Problem = "password.repeats"
	Sequence         Problem = "password.sequence"
)

// Username problems.
const (
	UsernameTooShort   Problem = "username.too_short"
	UsernameTooLong    Problem = "username.too_long"
	UsernameCharacters Problem = "username.characters"
)

// Lengths from DOMAIN.md, counted in characters (runes), not bytes, so a
// French passphrase with accents is not penalised.
const (
	MinLength   = 12
	MaxLength   = 128
	UsernameMin = 8
	UsernameMax = 64
)

// Check returns the policy problems of password for the account username,
// nil when there are none. There are no composition rules (NIST SP 800-63B):
// length, and refusing what attackers try first, is what protects. Spaces
// count like any character so passphrases are welcome.
func Check(username, password string) []Problem {
	n := utf8.RuneCountInString(password)
	if n > MaxLength {
		// The person must shorten it anyway; stopping here also bounds the
		// work done on an arbitrarily long input.
		return []Problem{TooLong}
	}
	var out []Problem
	if n < MinLength {
		out = append(out, TooShort)
	}
	lower := strings.ToLower(password)
	if isCommon(lower) {
		out = append(out, Common)
	}
	if u := NormalizeUsername(username); utf8.RuneCountInString(u) >= 3 && strings.Contains(lower, u) {
		out = append(out, ContainsUsername)
	}
	r := []rune(lower)
	if isShortRepeat(r) {
		out = append(out, Repeats)
	}
	if isSequence(r) || isKeyboardRun(r) {
		out = append(out, Sequence)
	}
	return out
}

// CheckUsername returns the problems of username u as given, nil when there
// are none. Only ASCII letters, digits and . _ - @ are allowed, so two
// usernames cannot look alike through look-alike letters from other scripts.
// Callers trim surrounding spaces first (NormalizeUsername does); a space
// left inside is reported as a character problem.
func CheckUsername(u string) []Problem {
	var out []Problem
	n := utf8.RuneCountInString(u)
	if n < UsernameMin {
		out = append(out, UsernameTooShort)
	}
	if n > UsernameMax {
		out = append(out, UsernameTooLong)
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@", c)) {
			out = append(out, UsernameCharacters)
			break
		}
	}
	return out
}

// NormalizeUsername is the uniqueness key: usernames are unique without
// regard to case, and stray spaces from a paste must not make a new one.
func NormalizeUsername(u string) string {
	return strings.ToLower(strings.TrimSpace(u))
}

// common is the lower-cased set of zxcvbn-go's ~7,100 most common
// passwords. It is the package's only global state: built on the first Check
// rather than at start-up, so programs that never check a password (and
// tests of other packages) do not pay for decoding it, and read-only after.
var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonSet() map[string]struct{} {
	commonOnce.Do(func() {
		raw, err := data.Asset("data/Passwords.json")
		if err != nil {
			// The list is compiled into the binary; failing to read it means
			// a broken dependency, which must not silently allow everything.
			panic("password: common password list: " + err.Error())
		}
		var doc struct{ List []string }
		if err := json.Unmarshal(raw, &doc); err != nil || len(doc.List) == 0 {
			panic("password: common password list is not {\"List\": [...]}")
		}
		common = make(map[string]struct{}, len(doc.List))
		for _, w := range doc.List {
			common[strings.ToLower(w)] = struct{}{}
		}
	})
	return common
}

// isCommon reports whether lower (already lower-cased) is a listed password,
// a listed password of at least 4 characters followed by digits or
// punctuation ("password1234!!", "sunshine2024"), or a listed password
// repeated ("passwordpassword"): the decorations people add to satisfy old
// composition rules, which guessing tools try first.
func isCommon(lower string) bool {
	set := commonSet()
	if _, ok := set[lower]; ok || isRepeatOf(set, lower) {
		return true
	}
	stem := strings.TrimRightFunc(lower, func(c rune) bool {
		return unicode.IsDigit(c) || unicode.IsPunct(c) || unicode.IsSymbol(c) || unicode.IsSpace(c)
	})
	if stem == lower || utf8.RuneCountInString(stem) < 4 {
		return false
	}
	_, ok := set[stem]
	return ok || isRepeatOf(set, stem)
}

// isRepeatOf reports whether s is two or more copies of a member of set.
func isRepeatOf(set map[string]struct{}, s string) bool {
	r := []rune(s)
	for size := 1; size <= len(r)/2; size++ {
		if len(r)%size != 0 {
			continue
		}
		unit := string(r[:size])
		if strings.Repeat(unit, len(r)/size) == s {
			if _, ok := set[unit]; ok {
				return true
			}
		}
	}
	return false
}

// isShortRepeat reports whether r is one character repeated, or two or more
// copies of a unit of up to 4 characters ("abcabcabcabc").
func isShortRepeat(r []rune) bool {
	for size := 1; size <= 4 && 2*size <= len(r); size++ {
		if len(r)%size != 0 {
			continue
		}
		same := true
		for i := size; i < len(r) && same; i++ {
			same = r[i] == r[i-size]
		}
		if same {
			return true
		}
	}
	return false
}

// isSequence reports whether r (lower-cased) is a run of digits or of latin
// letters going up or down by one, wrapping around ("789012", "xyzabc"), as
// people type when asked for a long password.
func isSequence(r []rune) bool {
	if len(r) < 3 {
		return false
	}
	var alphabet string
	switch {
	case r[0] >= '0' && r[0] <= '9':
		alphabet = "0123456789"
	case r[0] >= 'a' && r[0] <= 'z':
		alphabet = "abcdefghijklmnopqrstuvwxyz"
	default:
		return false
	}
	return isRunIn(alphabet, r)
}

// unshift maps shifted symbols to their key, so "!@#$%^&*()_+" is seen as
// the digit row. Letters are already lower-cased.
var unshift = strings.NewReplacer(
	"!", "1", "@", "2", "#", "3", "$", "4", "%", "5", "^", "6", "&", "7", "*", "8", "(", "9", ")", "0", "_", "-", "+", "=",
	"{", "[", "}", "]", ":", ";", `"`, "'", "<", ",", ">", ".", "?", "/",
)

// isKeyboardRun reports whether r (lower-cased) walks along one keyboard row,
// left or right, wrapping at the row's end ("qwertyuiop[]", "asdfghjkl;'a").
// Wrapping lets the shorter rows count too: without it no run of 12 could be
// found on them.
func isKeyboardRun(r []rune) bool {
	if len(r) < 3 {
		return false
	}
	k := []rune(unshift.Replace(string(r)))
	// The rows of a US/Canadian QWERTY keyboard, unshifted.
	for _, row := range [...]string{"1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"} {
		if isRunIn(row, k) {
			return true
		}
	}
	return false
}

// isRunIn reports whether every rune of r is in alphabet (all distinct, ASCII)
// and each is the next one, or each the previous one, cyclically.
func isRunIn(alphabet string, r []rune) bool {
	n := len(alphabet)
	for _, step := range [...]int{1, n - 1} {
		prev := strings.IndexRune(alphabet, r[0])
		if prev < 0 {
			return false
		}
		ok := true
		for _, c := range r[1:] {
			i := strings.IndexRune(alphabet, c)
			if i < 0 {
				return false
			}
			if i != (prev+step)%n {
				ok = false
				break
			}
			prev = i
		}
		if ok {
			return true
		}
	}
	return false
}

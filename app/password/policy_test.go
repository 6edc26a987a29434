package password

import (
	"slices"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const user = "Jean.Tremblay"
	for _, tc := range []struct {
		pw   string
		want []Problem
	}{
		// Welcome: passphrases, spaces, accents, random strings.
		{"correct horse battery staple", nil},
		{"Mon chien s'appelle Biscuit", nil},
		{"Xq7#mP2v!Lk9", nil},
		{"v8Kd2pQz4Wn1", nil},
		{"été à la cabane à sucre", nil},
		{"           a", nil},                               // spaces count and are not trimmed
		{strings.Repeat("ab", MaxLength/2-2) + "xyzw", nil}, // exactly 128

		// Length, in runes.
		{"", []Problem{TooShort}},
		{"Xq7#mP2v!Lk", []Problem{TooShort}},
		{"éééééééééééb", nil},                // 12 runes, 23 bytes
		{"ééééééééééb", []Problem{TooShort}}, // 11 runes, 21 bytes
		{strings.Repeat("ab", MaxLength/2) + "c", []Problem{TooLong}},
		{strings.Repeat("a", 10000), []Problem{TooLong}},

		// Common, with the usual decorations.
		{"password", []Problem{TooShort, Common}},
		{"trustno1", []Problem{TooShort, Common}},
		{"Password1234!!", []Problem{Common}},
		{"sunshine20242024", []Problem{Common}},
		{"SUNSHINE 2024 !", []Problem{Common}},
		{"passwordpassword", []Problem{Common}},
		{"DragonDragonDragon", []Problem{Common}},
		{"passwordpassword2024", []Problem{Common}},
		{"1234" + strings.Repeat("x", 8), nil}, // a listed stem is only a prefix here
		{"abc123abc123", []Problem{Common}},    // "abc123" repeated
		{"monkey is my best friend", nil},      // listed word inside a phrase is fine

		// Username, case-insensitively.
		{"i am jean.tremblay!", []Problem{ContainsUsername}},
		{"JEAN.TREMBLAY 2024", []Problem{ContainsUsername}},

		// Repeats.
		{"aaaaaaaaaaaa", []Problem{Common, Repeats}}, // "aaaaaa" is listed
		{"%%%%%%%%%%%%", []Problem{Repeats}},
		{"QpQpQpQpQpQp", []Problem{Repeats}},
		{"abcabcabcabc", []Problem{Common, Repeats}}, // "abcabc" is listed
		{"kqvkqvkqvkqv", []Problem{Repeats}},
		{"xk9!xk9!xk9!", []Problem{Repeats}},
		{"            ", []Problem{Repeats}},
		{"xk9!zxk9!zxk9!z", nil}, // unit of 5: not caught, by design

		// Sequences.
		{"123456789012", []Problem{Sequence}},
		{"abcdefghijkl", []Problem{Sequence}},
		{"ABCDEFGHIJKLM", []Problem{Sequence}},
		{"xyzabcdefghi", []Problem{Sequence}},
		{"lkjihgfedcba", []Problem{Sequence}},
		{"210987654321", []Problem{Sequence}},
		{"qwertyuiop[]", []Problem{Common, Sequence}}, // "qwertyuiop" is listed
		{"WERTYUIOP{}Q", []Problem{Sequence}},
		{"][poiuytrewq", []Problem{Sequence}},
		{"1234567890-=", []Problem{Sequence}},
		{"!@#$%^&*()_+", []Problem{Sequence}},
		{"asdfghjkl;'a", []Problem{Sequence}},
		{"zxcvbnm,./zx", []Problem{Sequence}},
		{"/.,mnbvcxz/.", []Problem{Sequence}},
	} {
		if got := Check(user, tc.pw); !slices.Equal(got, tc.want) {
			t.Errorf("Check(%q) = %q; want %q", tc.pw, got, tc.want)
		}
	}
}

func TestCheckUsernameInPassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		want     []Problem
	}{
		{"  Bob  ", "my name is BOB indeed", []Problem{ContainsUsername}},
		{"al", "al is a fine fellow", nil}, // too short to judge
		{"", "no username given yet", nil},
		{"jean_t", "jean-t is not the same", nil},
	} {
		if got := Check(tc.user, tc.pw); !slices.Equal(got, tc.want) {
			t.Errorf("Check(%q, %q) = %q; want %q", tc.user, tc.pw, got, tc.want)
		}
	}
}

func TestCommonSet(t *testing.T) {
	set := commonSet()
	if len(set) < 7000 {
		t.Fatalf("common set has %d entries; want ~7,100", len(set))
	}
	for _, w := range []string{"password", "123456", "qwerty", "letmein", "sunshine"} {
		if _, ok := set[w]; !ok {
			t.Errorf("%q not in the common set", w)
		}
	}
	for w := range set {
		if w != strings.ToLower(w) {
			t.Fatalf("%q is not lower-cased", w)
		}
	}
}

func TestCheckUsername(t *testing.T) {
	for _, tc := range []struct {
		u    string
		want []Problem
	}{
		{"jean.tremblay", nil},
		{"Jean_Tremblay-1977", nil},
		{"jean@example.ca", nil},
		{"12345678", nil},
		{strings.Repeat("a", UsernameMax), nil},
		{"", []Problem{UsernameTooShort}},
		{"jeanlui", []Problem{UsernameTooShort}},
		{strings.Repeat("a", UsernameMax+1), []Problem{UsernameTooLong}},
		{"jean tremblay", []Problem{UsernameCharacters}},
		{"jean+tremblay", []Problem{UsernameCharacters}},
		{"jéantremblay", []Problem{UsernameCharacters}},
		{"jeаntremblay", []Problem{UsernameCharacters}}, // Cyrillic а
		{"ｊｅａｎｔｒｅｍｂｌａｙ", []Problem{UsernameCharacters}}, // full-width
		{" jean.tremblay", []Problem{UsernameCharacters}},
		{"é", []Problem{UsernameTooShort, UsernameCharacters}},
		{"jean\x00tremblay", []Problem{UsernameCharacters}},
	} {
		if got := CheckUsername(tc.u); !slices.Equal(got, tc.want) {
			t.Errorf("CheckUsername(%q) = %q; want %q", tc.u, got, tc.want)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{
		"Jean.Tremblay":      "jean.tremblay",
		"  JEAN@Example.CA ": "jean@example.ca",
		"\tjean_t\n":         "jean_t",
	} {
		if got := NormalizeUsername(in); got != want {
			t.Errorf("NormalizeUsername(%q) = %q; want %q", in, got, want)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	commonSet()
	for b.Loop() {
		Check("jean.tremblay", "Mon chien s'appelle Biscuit")
	}
}

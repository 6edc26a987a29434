package i18n

import (
	"context"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	for _, a := range Langs {
		for _, b := range Langs {
			for _, k := range Keys(a) {
				if !Has(b, k) {
					t.Errorf("key %q is in %s but missing from %s", k, a, b)
				}
			}
		}
	}
}

func TestNoEmptyMessagesAndSameVerbs(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)
	for _, k := range Keys(EN) {
		en, fr := In(EN, k), In(FR, k)
		if strings.TrimSpace(en) == "" || strings.TrimSpace(fr) == "" {
			t.Errorf("key %q has an empty message", k)
		}
		if len(verb.FindAllString(en, -1)) != len(verb.FindAllString(fr, -1)) {
			t.Errorf("key %q: English and French take different arguments", k)
		}
	}
}

// Every key written literally in Go or templ source must exist, so a typo
// in a template fails here rather than showing [brackets] to a person.
func TestEveryKeyUsedExists(t *testing.T) {
	root := filepath.Join("..", "..")
	use := regexp.MustCompile(`(?:i18n\.T|i18n\.In|\bT)\((?:ctx|[a-zA-Z."]+), "([a-z0-9_.-]+)"\s*[,)]`)
	msg := regexp.MustCompile(`\bMsg\("([a-z0-9_.-]+)"\)`)
	keyField := regexp.MustCompile(`\b(?:Key|TitleKey|DescKey|IntroKey|HeadingKey)\s*[:=]\s*"([a-z][a-z0-9_]*\.[a-z0-9_.-]+)"`)
	seen := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(p, "_templ.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".templ")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{use, msg, keyField} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen++
				for _, l := range Langs {
					if !Has(l, m[1]) {
						t.Errorf("%s uses key %q missing from %s", p, m[1], l)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("found no key uses: the scanner is broken")
	}
}

// HTML is the same message as T, escaped for a page; a missing key shows
// itself as T's does.
func TestHTMLIsTheEscapedMessage(t *testing.T) {
	for _, lang := range Langs {
		ctx := WithLang(context.Background(), lang)
		for _, k := range Keys(lang) {
			if got, want := HTML(ctx, k), html.EscapeString(T(ctx, k)); got != want {
				t.Fatalf("%s %s: %q, want %q", lang, k, got, want)
			}
		}
		if got := HTML(ctx, `no.such<key>`); got != "[no.such&lt;key&gt;]" {
			t.Errorf("missing key: %q", got)
		}
	}
}

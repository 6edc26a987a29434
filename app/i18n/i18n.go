// Package i18n holds Guichet's English and French message catalogs and the
// request's language.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
	"time"
)

// The two languages, as they appear in URLs and in <html lang>.
const (
	EN = "en"
	FR = "fr"
)

// Langs lists the supported languages in display order.
var Langs = []string{EN, FR}

//go:embed locales/*.json
var files embed.FS

// catalogs maps language -> key -> message. Each language's messages may be
// split over several files, "en.json" and "<area>.en.json", so modules keep
// their own; a key defined twice is a build mistake. Loaded once at
// start-up from the embedded files; a malformed file panics.
var catalogs = mustLoad()

// escaped is every message HTML-escaped once, for pages: a message without
// arguments is then written as it is, not escaped again on every request.
var escaped = escapeAll(catalogs)

func escapeAll(c map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(c))
	for lang, msgs := range c {
		out[lang] = make(map[string]string, len(msgs))
		for k, v := range msgs {
			out[lang][k] = html.EscapeString(v)
		}
	}
	return out
}

func mustLoad() map[string]map[string]string {
	out, err := load()
	if err != nil {
		panic(err)
	}
	return out
}

func load() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	entries, err := files.ReadDir("locales")
	if err != nil {
		return nil, err
	}
	for _, l := range Langs {
		out[l] = map[string]string{}
	}
	for _, e := range entries {
		name := e.Name()
		lang := ""
		for _, l := range Langs {
			if name == l+".json" || strings.HasSuffix(name, "."+l+".json") {
				lang = l
			}
		}
		if lang == "" {
			return nil, fmt.Errorf("i18n: locales/%s is not <lang>.json or <area>.<lang>.json", name)
		}
		b, err := files.ReadFile("locales/" + name)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: locales/%s: %v", name, err)
		}
		for k, v := range m {
			if _, dup := out[lang][k]; dup {
				return nil, fmt.Errorf("i18n: key %q is defined twice in the %s catalogs (again in %s)", k, lang, name)
			}
			out[lang][k] = v
		}
	}
	return out, nil
}

// Valid tells whether lang is a supported language.
func Valid(lang string) bool { return lang == EN || lang == FR }

// Other returns the other language: the target of the language toggle.
func Other(lang string) string {
	if lang == FR {
		return EN
	}
	return FR
}

type ctxKey struct{}

// WithLang returns ctx carrying the page's language.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// LangOf returns the language in ctx, English when none was set.
func LangOf(ctx context.Context) string {
	if l, ok := ctx.Value(ctxKey{}).(string); ok {
		return l
	}
	return EN
}

// T translates key into the language carried by ctx. Arguments fill
// fmt-style verbs in the message. A missing key shows itself in brackets so
// it is noticed, and the catalog test fails on it before it ships.
func T(ctx context.Context, key string, args ...any) string {
	return In(LangOf(ctx), key, args...)
}

// In translates key into lang.
func In(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// HTML is the message key in ctx's language, HTML-escaped, for writing
// into a page as text. Messages with arguments go through T.
func HTML(ctx context.Context, key string) string {
	if msg, ok := escaped[LangOf(ctx)][key]; ok {
		return msg
	}
	return html.EscapeString("[" + key + "]")
}

// Has tells whether lang's catalog holds key.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Keys lists every key of lang's catalog, sorted.
func Keys(lang string) []string {
	out := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FormatDuration writes a duration as people say it: "20 minutes",
// "1 minute", "45 seconds" (whole minutes when it has any).
func FormatDuration(lang string, d time.Duration) string {
	if (d > 0 && d%time.Minute == 0) || d >= 10*time.Minute {
		m := int((d + 30*time.Second) / time.Minute)
		if m == 1 {
			return In(lang, "duration.minutes_one", m)
		}
		return In(lang, "duration.minutes_many", m)
	}
	s := int((d + time.Second/2) / time.Second)
	if s == 1 {
		return In(lang, "duration.seconds_one", s)
	}
	return In(lang, "duration.seconds_many", s)
}

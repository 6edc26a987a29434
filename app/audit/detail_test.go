package audit_test

import (
	"strings"
	"testing"

	"guichet/app/audit"
	"guichet/app/i18n"
)

func TestDescribedDetailReadsInEitherLanguage(t *testing.T) {
	d := audit.Described("help.session_p1", "@service.sign_out", "R-1")
	if len(d) > audit.MaxDetail {
		t.Fatalf("detail of %d bytes", len(d))
	}
	for _, lang := range []string{i18n.EN, i18n.FR} {
		got, ok := audit.DetailIn(lang, d)
		want := i18n.In(lang, "help.session_p1", i18n.In(lang, "service.sign_out"), "R-1")
		if !ok || got != want || strings.Contains(got, "@") {
			t.Errorf("%s: %q, %v; want %q", lang, got, ok, want)
		}
	}
}

func TestFreeTextDetailIsShownAsRecorded(t *testing.T) {
	for _, d := range []string{"revoked member 3", "i18n:{not json", `i18n:{"k":"no.such.key"}`, ""} {
		if got, ok := audit.DetailIn(i18n.FR, d); ok || got != d {
			t.Errorf("%q: %q, %v", d, got, ok)
		}
	}
}

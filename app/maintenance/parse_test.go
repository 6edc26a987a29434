package maintenance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeFile puts text in dir/maintenance.toml and returns its path.
func writeFile(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "maintenance.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t *testing.T, text string) (*Schedule, error) {
	t.Helper()
	return Load(writeFile(t, t.TempDir(), text))
}

func mustLoad(t *testing.T, text string) *Schedule {
	t.Helper()
	s, err := load(t, text)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseGoodFile(t *testing.T) {
	s := mustLoad(t, `# Windows announced on the sites.

[[window]]
id = "later"
services = ["all"]
start = 2024-02-10T22:00:00-05:00
end = 2024-02-11T08:00:00Z

[[window]]
id = "gckey-2024-01"
services = ["gckey", "ircc"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
notice = "72h"
message_en = "You can still apply on paper."
message_fr = """
Vous pouvez toujours présenter une demande papier.
"""
`)
	if len(s.Windows) != 2 {
		t.Fatalf("got %d windows, want 2", len(s.Windows))
	}
	first, second := s.Windows[0], s.Windows[1]
	if first.ID != "gckey-2024-01" || second.ID != "later" {
		t.Fatalf("windows not sorted by start: %q, %q", first.ID, second.ID)
	}
	if !first.Start.Equal(utc("2024-01-30T05:00:00Z")) || !first.End.Equal(utc("2024-01-30T10:30:00Z")) {
		t.Errorf("first window %v..%v, want 05:00Z..10:30Z (EST)", first.Start, first.End)
	}
	if first.Start.Location() != time.UTC || second.End.Location() != time.UTC {
		t.Errorf("times not in UTC: %v, %v", first.Start.Location(), second.End.Location())
	}
	if first.Notice != 72*time.Hour || second.Notice != DefaultNotice || DefaultNotice != 168*time.Hour {
		t.Errorf("notices %v, %v", first.Notice, second.Notice)
	}
	if first.Message("en") != "You can still apply on paper." ||
		first.Message("fr") != "Vous pouvez toujours présenter une demande papier." {
		t.Errorf("messages %q / %q", first.Message("en"), first.Message("fr"))
	}
	if !second.Start.Equal(utc("2024-02-11T03:00:00Z")) || !second.End.Equal(utc("2024-02-11T08:00:00Z")) {
		t.Errorf("second window %v..%v, want 03:00Z..08:00Z", second.Start, second.End)
	}
	if !first.Affects("gckey") || !first.Affects("ircc") || first.Affects("pt") {
		t.Errorf("first window services %v", first.Services)
	}
	for _, svc := range knownServices {
		if !second.Affects(svc) {
			t.Errorf("\"all\" does not affect %s", svc)
		}
	}
}

func TestParseEmpty(t *testing.T) {
	for _, text := range []string{"", "# nothing planned\n"} {
		s := mustLoad(t, text)
		if len(s.Windows) != 0 {
			t.Errorf("%q: %d windows", text, len(s.Windows))
		}
	}
	s, err := Load("")
	if err != nil || s == nil || len(s.Windows) != 0 {
		t.Errorf(`Load("") = %v, %v`, s, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("missing file accepted")
	}
}

const okWindow = `[[window]]
id = "ok"
services = ["pt"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // expected in the message, after the file's path
	}{
		{"end before start", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30T05:30:00
end = 2024-01-30T00:00:00
`, `maintenance.toml:5: window "x": end must be after start`},
		{"end equal to start", okWindow + `
[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30T05:30:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:11: window "x": end must be after start`},
		{"missing id", okWindow + `
[[window]]
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:7: window #2: id is required`},
		{"empty id", `[[window]]
id = " "
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:2: window #1: id must not be empty`},
		{"invalid date", okWindow + `
[[window]]
services = ["gckey"]
id = "ok"
start = 2024-02-30T00:00:00
end = 2024-02-30T05:30:00
`, "maintenance.toml:10: "}, // the decoder's own message, with our file name
		{"duplicate id, valid dates", okWindow + `
[[window]]
services = ["gckey"]
id = "ok"
start = 2024-02-01T00:00:00
end = 2024-02-01T05:30:00
`, `maintenance.toml:9: window "ok": id already used by the window at line 2`},
		{"id not a string", `[[window]]
id = 7
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:2: window #1: id must be a string`},
		{"missing services", `[[window]]
id = "x"
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:1: window "x": services is required`},
		{"empty services", `[[window]]
id = "x"
services = []
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:3: window "x": services must name at least one service`},
		{"unknown service", `[[window]]
id = "x"
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
services = ["gckey", "passport"]
`, `maintenance.toml:5: window "x": unknown service "passport" (known: gckey, partners, ircc, pt, pr, cipo, staff, or "all" alone)`},
		{"all with others", `[[window]]
id = "x"
services = ["all", "gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:3: window "x": "all" must be alone in services`},
		{"service twice", `[[window]]
id = "x"
services = ["ircc", "ircc"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:3: window "x": service "ircc" is listed twice`},
		{"services not a list", `[[window]]
id = "x"
services = "gckey"
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:3: window "x": services must be a list`},
		{"missing start", `[[window]]
id = "x"
services = ["gckey"]
end = 2024-01-30T05:30:00
`, `maintenance.toml:1: window "x": start is required`},
		{"start as a string", `[[window]]
id = "x"
services = ["gckey"]
start = "2024-01-30T00:00:00"
end = 2024-01-30T05:30:00
`, `maintenance.toml:4: window "x": start must be a date-time such as 2024-01-30T00:00:00, without quotes`},
		{"date without time", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30
end = 2024-01-30T05:30:00
`, `maintenance.toml:4: window "x": start needs a time of day, such as 2024-01-30T00:00:00`},
		{"time without date", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 05:30:00
`, `maintenance.toml:5: window "x": end needs a date, such as 2024-01-30T05:30:00`},
		{"notice not a duration", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
notice = "3 days"
`, `maintenance.toml:6: window "x": notice "3 days" is not a duration`},
		{"negative notice", `[[window]]
id = "x"
services = ["gckey"]
notice = "-1h"
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:4: window "x": notice must not be negative`},
		{"notice as a number", `[[window]]
id = "x"
services = ["gckey"]
notice = 72
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:4: window "x": notice must be a duration in quotes`},
		{"english message only", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
message_en = "Sorry."
`, `maintenance.toml:6: window "x": message_fr is missing`},
		{"unknown key in a window", okWindow + `
[[window]]
id = "x"
servics = ["gckey"]
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`, `maintenance.toml:9: unknown key "servics" in [[window]]`},
		{"unknown top-level key", `version = 2

` + okWindow, `maintenance.toml:1: unknown key "version"`},
		{"unknown table", okWindow + `
[defaults]
notice = "1h"
`, `maintenance.toml:7: unknown key "defaults"`},
		{"syntax error", okWindow + `
[[window]]
id = "x
`, `maintenance.toml:8: `},
		{"header inside a multi-line string does not shift lines", `[[window]]
id = "first"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
message_en = """
[[window]]
id = "not a window"
"""
message_fr = '''
[[window]]
'''

[[window]]
id = "second"
services = ["gckey"]
start = 2024-01-30T05:30:00
end = 2024-01-30T00:00:00
`, `maintenance.toml:18: window "second": end must be after start`},
		{"spring-forward gap", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-03-10T02:30:00
end = 2024-03-10T05:00:00
`, `maintenance.toml:4: window "x": start 2024-03-10T02:30:00 does not exist in Eastern time (clocks spring forward that night): write it with an explicit offset`},
		{"fall-back overlap", `[[window]]
id = "x"
services = ["gckey"]
start = 2024-11-02T23:00:00
end = 2024-11-03T01:30:00
`, `maintenance.toml:5: window "x": end 2024-11-03T01:30:00 happens twice in Eastern time (clocks fall back that night): write it with an explicit offset, 2024-11-03T01:30:00-04:00 for the first or 2024-11-03T01:30:00-05:00 for the second`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := load(t, tt.text)
			if err == nil {
				t.Fatalf("accepted: %+v", s.Windows)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%v\ndoes not contain\n%s", err, tt.want)
			}
		})
	}
}

func TestParseReportsEveryMistakeInFileOrder(t *testing.T) {
	_, err := Parse("maintenance.toml", []byte(`[[window]]
id = "a"
services = ["nope"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00

[[window]]
id = "b"
services = ["gckey"]
start = 2024-01-30T05:30:00
end = 2024-01-30T00:00:00
`))
	if err == nil {
		t.Fatal("accepted")
	}
	want := `maintenance.toml:3: window "a": unknown service "nope" (known: gckey, partners, ircc, pt, pr, cipo, staff, or "all" alone)
maintenance.toml:11: window "b": end must be after start`
	if err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseDaylightSaving(t *testing.T) {
	tests := []struct {
		name       string
		start, end string // TOML values
		wantStart  string // RFC 3339, UTC
		wantEnd    string
		duration   time.Duration
	}{
		{"across the March change (EST then EDT)",
			"2024-03-10T01:00:00", "2024-03-10T04:00:00",
			"2024-03-10T06:00:00Z", "2024-03-10T08:00:00Z", 2 * time.Hour},
		{"across the November change (EDT then EST)",
			"2024-11-03T00:30:00", "2024-11-03T03:00:00",
			"2024-11-03T04:30:00Z", "2024-11-03T08:00:00Z", 3*time.Hour + 30*time.Minute},
		{"overlap with explicit offsets: the first 1:30, then the second",
			"2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00",
			"2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z", time.Hour},
		{"gap avoided with an offset",
			"2024-03-10T02:30:00-05:00", "2024-03-10T05:00:00",
			"2024-03-10T07:30:00Z", "2024-03-10T09:00:00Z", 90 * time.Minute},
		{"summer local time is EDT",
			"2024-07-01T00:00:00", "2024-07-01T05:30:00",
			"2024-07-01T04:00:00Z", "2024-07-01T09:30:00Z", 5*time.Hour + 30*time.Minute},
		{"just before the gap and just after it",
			"2024-03-10T01:59:59", "2024-03-10T03:00:00",
			"2024-03-10T06:59:59Z", "2024-03-10T07:00:00Z", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, `[[window]]
id = "dst"
services = ["all"]
start = `+tt.start+`
end = `+tt.end+"\n")
			w := s.Windows[0]
			if !w.Start.Equal(utc(tt.wantStart)) || !w.End.Equal(utc(tt.wantEnd)) {
				t.Errorf("got %v..%v, want %s..%s", w.Start, w.End, tt.wantStart, tt.wantEnd)
			}
			if d := w.End.Sub(w.Start); d != tt.duration {
				t.Errorf("duration %v, want %v", d, tt.duration)
			}
		})
	}
}

func TestFromEasternRefusesOnlyTheAmbiguousHours(t *testing.T) {
	// Every quarter hour of 2024 in local time: exactly the hour 2:00-2:59
	// on March 10 is missing and 1:00-1:59 on November 3 is doubled.
	var gaps, overlaps int
	for m := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() == 2024; m = m.Add(15 * time.Minute) {
		_, reason := fromEastern(m)
		switch {
		case strings.Contains(reason, "does not exist"):
			gaps++
			if m.Month() != time.March || m.Day() != 10 || m.Hour() != 2 {
				t.Fatalf("gap at %v", m)
			}
		case strings.Contains(reason, "twice"):
			overlaps++
			if m.Month() != time.November || m.Day() != 3 || m.Hour() != 1 {
				t.Fatalf("overlap at %v", m)
			}
		case reason != "":
			t.Fatalf("%v: %s", m, reason)
		}
	}
	if gaps != 4 || overlaps != 4 {
		t.Errorf("gaps %d, overlaps %d, want 4 each", gaps, overlaps)
	}
}

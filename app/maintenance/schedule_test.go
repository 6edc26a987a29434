package maintenance

import (
	"testing"
	"time"
)

func TestActiveMergesOverlappingAndAdjacentWindows(t *testing.T) {
	s := mustLoad(t, `
[[window]]
id = "a"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T02:00:00

[[window]]
id = "b"    # overlaps a
services = ["gckey", "ircc"]
start = 2024-01-30T01:30:00
end = 2024-01-30T03:00:00

[[window]]
id = "c"    # starts when b ends
services = ["all"]
start = 2024-01-30T03:00:00
end = 2024-01-30T04:00:00

[[window]]
id = "d"    # after a gap
services = ["gckey"]
start = 2024-01-30T05:00:00
end = 2024-01-30T06:00:00

[[window]]
id = "e"    # inside a, for another service
services = ["pt"]
start = 2024-01-30T00:30:00
end = 2024-01-30T07:00:00
`)
	at := func(hhmm string) time.Time {
		t, err := time.ParseInLocation("2006-01-02T15:04", "2024-01-30T"+hhmm, eastern)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		now, service string
		until        string // "" = not active
	}{
		{"00:00", "gckey", "04:00"}, // a's start is inside; a+b+c chain
		{"00:30", "gckey", "04:00"},
		{"01:59", "gckey", "04:00"},
		{"02:30", "gckey", "04:00"}, // only b and c
		{"03:00", "gckey", "04:00"}, // c alone, by its start
		{"00:30", "ircc", ""},       // b not started, c is later
		{"02:00", "ircc", "04:00"},
		{"03:30", "cipo", "04:00"}, // "all"
		{"04:00", "gckey", ""},     // end is exclusive
		{"04:30", "gckey", ""},
		{"05:00", "gckey", "06:00"},
		{"05:00", "pt", "07:00"},
		{"23:59", "gckey", ""},
	}
	for _, tt := range tests {
		until, ok := s.Active(at(tt.now), tt.service)
		switch {
		case tt.until == "" && ok:
			t.Errorf("%s %s: active until %v, want inactive", tt.now, tt.service, until)
		case tt.until != "" && (!ok || !until.Equal(at(tt.until))):
			t.Errorf("%s %s: (%v, %v), want until %s", tt.now, tt.service, until.In(eastern), ok, tt.until)
		}
	}
}

func TestBannersHonourNotice(t *testing.T) {
	s := mustLoad(t, `
[[window]]
id = "soon"
services = ["ircc"]
notice = "72h"
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00

[[window]]
id = "default"
services = ["all"]
start = 2024-02-10T00:00:00
end = 2024-02-10T02:00:00

[[window]]
id = "surprise"
services = ["pt"]
notice = "0s"
start = 2024-01-30T01:00:00
end = 2024-01-30T02:00:00
`)
	start := utc("2024-01-30T05:00:00Z") // "soon" starts
	ids := func(ws []Window) string {
		var out string
		for _, w := range ws {
			out += w.ID + ","
		}
		return out
	}
	tests := []struct {
		now      time.Time
		service  string
		banners  string
		upcoming string
	}{
		{start.Add(-72*time.Hour - time.Second), "ircc", "", ""},
		{start.Add(-72 * time.Hour), "ircc", "soon,", "soon,"},
		{start.Add(-72 * time.Hour), "gckey", "", "soon,"},
		{start, "ircc", "soon,", "soon,"},
		{start.Add(time.Hour), "pt", "surprise,", "soon,surprise,"},
		{start.Add(time.Hour), "ircc", "soon,", "soon,surprise,"},
		{start.Add(5*time.Hour + 29*time.Minute), "ircc", "soon,", "soon,"},
		{start.Add(5*time.Hour + 30*time.Minute), "ircc", "", ""},
		// "default" shows 168h ahead, for every service.
		{utc("2024-02-03T05:00:00Z").Add(-time.Second), "cipo", "", ""},
		{utc("2024-02-03T05:00:00Z"), "cipo", "default,", "default,"},
	}
	for i, tt := range tests {
		if got := ids(s.Banners(tt.now, tt.service)); got != tt.banners {
			t.Errorf("%d: Banners(%v, %s) = %q, want %q", i, tt.now, tt.service, got, tt.banners)
		}
		if got := ids(s.Upcoming(tt.now)); got != tt.upcoming {
			t.Errorf("%d: Upcoming(%v) = %q, want %q", i, tt.now, got, tt.upcoming)
		}
	}
}

func TestEmptySchedules(t *testing.T) {
	now := utc("2024-01-30T05:00:00Z")
	for name, s := range map[string]*Schedule{"nil": nil, "zero": {}} {
		if _, ok := s.Active(now, "gckey"); ok {
			t.Errorf("%s: active", name)
		}
		if s.Banners(now, "gckey") != nil || s.Upcoming(now) != nil {
			t.Errorf("%s: banners", name)
		}
	}
}

func TestWindowHelpers(t *testing.T) {
	w := Window{Services: []string{"pt"}, MessageEN: "en", MessageFR: "fr"}
	if w.Message("en") != "en" || w.Message("fr") != "fr" || w.Message("") != "en" {
		t.Error("Message")
	}
	if !w.Affects("pt") || w.Affects("pr") || (Window{}).Affects("pt") {
		t.Error("Affects")
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	w, err := NewWatcher(writeFile(t, t.TempDir(), okWindow), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := utc("2024-01-30T06:00:00Z")
	var nilWatcher *Watcher
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := w.Schedule().Active(now, "pt"); !ok {
			t.Fatal("not active")
		}
		_ = w.Schedule().Banners(now, "gckey")
		_ = nilWatcher.Schedule().Banners(now, "gckey")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request", allocs)
	}
}

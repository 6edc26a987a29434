// Package maintenance reads the maintenance windows of the configuration file
// and answers, for a service and an instant, whether a banner shows and
// whether the service is closed.
//
// Times are instants in UTC; the file writes them in Eastern time
// (America/Toronto) unless an offset is given, because that is how the
// notices announce them.
//
// An empty schedule is valid everywhere: a nil *Schedule, a nil *Watcher and
// a Watcher made from the path "" all answer "no window", so a deployment
// without a maintenance file needs no special case.
package maintenance

import (
	"os"
	"slices"
	"time"

	// The file's local times are Eastern; embedded so that a container
	// without zoneinfo reads them the same way.
	_ "time/tzdata"
)

// eastern is also i18n.Eastern; it is loaded here so that reading the file
// does not depend on the message catalogs.
var eastern = func() *time.Location {
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		panic("maintenance: " + err.Error())
	}
	return loc
}()

// All in a window's services closes every service.
const All = "all"

// knownServices are the services a window may name, in the order the error
// message lists them.
var knownServices = []string{"gckey", "partners", "ircc", "pt", "pr", "cipo", "staff"}

// DefaultNotice is how long before its start a window's banner shows when the
// file does not say.
const DefaultNotice = 7 * 24 * time.Hour

// Window is one maintenance period. Treat it as read-only: schedules are
// shared between requests.
type Window struct {
	ID        string
	Services  []string // service names, or just All
	Start     time.Time
	End       time.Time // exclusive
	Notice    time.Duration
	MessageEN string
	MessageFR string
}

// Affects reports whether the window closes service.
func (w Window) Affects(service string) bool {
	for _, s := range w.Services {
		if s == All || s == service {
			return true
		}
	}
	return false
}

// Message returns the window's extra sentence in lang ("en" or "fr"), or "".
func (w Window) Message(lang string) string {
	if lang == "fr" {
		return w.MessageFR
	}
	return w.MessageEN
}

func (w Window) inside(now time.Time) bool {
	return !now.Before(w.Start) && now.Before(w.End)
}

func (w Window) announced(now time.Time) bool {
	return !now.Before(w.Start.Add(-w.Notice)) && now.Before(w.End)
}

// Schedule is the parsed file. Its methods accept a nil receiver, which is
// the empty schedule.
type Schedule struct {
	Windows []Window // sorted by Start
}

// Load reads and parses the file at path. The path "" means "no maintenance
// file" and gives an empty schedule.
func Load(path string) (*Schedule, error) {
	if path == "" {
		return &Schedule{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Active reports whether service is closed at now. until is the end of the
// closure: windows that overlap or touch are merged, so that Retry-After does
// not send clients back in the middle of a longer closure.
func (s *Schedule) Active(now time.Time, service string) (until time.Time, ok bool) {
	if s == nil {
		return time.Time{}, false
	}
	for _, w := range s.Windows {
		if w.Affects(service) && w.inside(now) && (!ok || w.End.After(until)) {
			until, ok = w.End, true
		}
	}
	if !ok {
		return time.Time{}, false
	}
	// Windows are sorted by Start, so one pass finds every window that
	// continues the closure: an earlier one was already seen with a smaller
	// until, and until only grows.
	for _, w := range s.Windows {
		if w.Affects(service) && !w.Start.After(until) && w.End.After(until) {
			until = w.End
		}
	}
	return until, true
}

// Banners returns the windows affecting service whose banner shows at now
// (from Start-Notice until End), sorted by Start. It returns nil, without
// allocating, when there are none.
func (s *Schedule) Banners(now time.Time, service string) []Window {
	if s == nil {
		return nil
	}
	var out []Window
	for _, w := range s.Windows {
		if w.Affects(service) && w.announced(now) {
			out = append(out, w)
		}
	}
	return out
}

// Upcoming returns every window announced at now, whatever its services, for
// pages that belong to no single service.
func (s *Schedule) Upcoming(now time.Time) []Window {
	if s == nil {
		return nil
	}
	var out []Window
	for _, w := range s.Windows {
		if w.announced(now) {
			out = append(out, w)
		}
	}
	return out
}

func sortWindows(ws []Window) {
	slices.SortStableFunc(ws, func(a, b Window) int {
		return a.Start.Compare(b.Start)
	})
}

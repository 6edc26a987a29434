package maintenance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// rawWindow takes every value as any so that a wrong type is reported by
// us, with the line of the key, instead of by the decoder, which cannot tell
// one [[window]] from another.
type rawWindow struct {
	ID        any `toml:"id"`
	Services  any `toml:"services"`
	Start     any `toml:"start"`
	End       any `toml:"end"`
	Notice    any `toml:"notice"`
	MessageEN any `toml:"message_en"`
	MessageFR any `toml:"message_fr"`
}

type rawFile struct {
	Window []rawWindow `toml:"window"`
}

// Zone names BurntSushi/toml gives to values written without an offset.
const (
	tomlLocalDateTime = "datetime-local"
	tomlLocalDate     = "date-local"
	tomlLocalTime     = "time-local"
)

// lineError is one refusal, kept apart so that all of a file's mistakes are
// reported at once, in file order.
type lineError struct {
	line int
	msg  string
}

// Parse reads a maintenance file. name is used in error messages
// ("maintenance.toml:7: window "x": end must be after start"). Every mistake
// in the file is reported, one per line of the error.
func Parse(name string, data []byte) (*Schedule, error) {
	var raw rawFile
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) && pe.Position.Line > 0 {
			return nil, fmt.Errorf("%s:%d: %s", name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}

	lines := scanLines(data)
	p := parser{name: name, lines: lines, nwin: len(raw.Window)}

	p.unknownKeys(md.Undecoded())

	s := &Schedule{Windows: make([]Window, 0, len(raw.Window))}
	firstID := map[string]int{} // id -> line where it was first used
	for i, rw := range raw.Window {
		if w, ok := p.window(i, rw, firstID); ok {
			s.Windows = append(s.Windows, w)
		}
	}
	if len(p.errs) > 0 {
		return nil, p.err()
	}
	sortWindows(s.Windows)
	return s, nil
}

type parser struct {
	name  string
	lines fileLines
	nwin  int
	errs  []lineError
}

func (p *parser) add(line int, label, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if label != "" {
		msg = label + ": " + msg
	}
	p.errs = append(p.errs, lineError{line, msg})
}

func (p *parser) err() error {
	slices.SortStableFunc(p.errs, func(a, b lineError) int { return a.line - b.line })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		if e.line > 0 {
			errs[i] = fmt.Errorf("%s:%d: %s", p.name, e.line, e.msg)
		} else {
			errs[i] = fmt.Errorf("%s: %s", p.name, e.msg)
		}
	}
	return errors.Join(errs...)
}

// line returns the line of key in window i, falling back to the window's
// header: a semantic mistake is best shown where it was written.
func (p *parser) line(i int, key string) int {
	return p.lines.windowKey(i, p.nwin, key)
}

// unknownKeys refuses keys the program does not read: a misspelt "notice" or
// "servics" would otherwise be silently ignored.
func (p *parser) unknownKeys(keys []toml.Key) {
	var done []toml.Key
	for _, k := range keys {
		if slices.ContainsFunc(done, func(d toml.Key) bool { return hasPrefix(k, d) }) {
			continue // inside a table already refused
		}
		done = append(done, k)
		if len(k) >= 2 && k[0] == "window" {
			found := false
			for i := 0; i < p.nwin; i++ {
				if l := p.lines.windowOwnKey(i, p.nwin, k[1]); l > 0 {
					p.add(l, "", "unknown key %q in [[window]]", k[1])
					found = true
				}
			}
			if !found {
				p.add(p.lines.topKey("window"), "", "unknown key %q in [[window]]", k[1])
			}
			continue
		}
		p.add(p.lines.topKey(k[0]), "", "unknown key %q", k.String())
	}
}

func hasPrefix(k, prefix toml.Key) bool {
	return len(k) > len(prefix) && slices.Equal(k[:len(prefix)], prefix)
}

func (p *parser) window(i int, rw rawWindow, firstID map[string]int) (Window, bool) {
	before := len(p.errs)
	w := Window{Notice: DefaultNotice}

	label := fmt.Sprintf("window #%d", i+1)
	switch id := rw.ID.(type) {
	case nil:
		p.add(p.line(i, "id"), label, "id is required")
	case string:
		if strings.TrimSpace(id) == "" {
			p.add(p.line(i, "id"), label, "id must not be empty")
			break
		}
		label = fmt.Sprintf("window %q", id)
		w.ID = id
		if at, dup := firstID[id]; dup {
			if at > 0 {
				p.add(p.line(i, "id"), label, "id already used by the window at line %d", at)
			} else {
				p.add(p.line(i, "id"), label, "id already used by another window")
			}
		} else {
			firstID[id] = p.line(i, "id")
		}
	default:
		p.add(p.line(i, "id"), label, "id must be a string")
	}

	w.Services = p.services(i, label, rw.Services)

	var startOK, endOK bool
	w.Start, startOK = p.instant(i, label, "start", rw.Start)
	w.End, endOK = p.instant(i, label, "end", rw.End)
	if startOK && endOK && !w.End.After(w.Start) {
		p.add(p.line(i, "end"), label, "end must be after start")
	}

	switch n := rw.Notice.(type) {
	case nil:
	case string:
		d, err := time.ParseDuration(n)
		switch {
		case err != nil:
			p.add(p.line(i, "notice"), label, "notice %q is not a duration such as \"72h\" or \"30m\"", n)
		case d < 0:
			p.add(p.line(i, "notice"), label, "notice must not be negative")
		default:
			w.Notice = d
		}
	default:
		p.add(p.line(i, "notice"), label, "notice must be a duration in quotes, such as \"72h\"")
	}

	var hasEN, hasFR bool
	w.MessageEN, hasEN = p.text(i, label, "message_en", rw.MessageEN)
	w.MessageFR, hasFR = p.text(i, label, "message_fr", rw.MessageFR)
	// Every sentence shown to people exists in both official languages.
	if hasEN != hasFR {
		present, missing := "message_en", "message_fr"
		if !hasEN {
			present, missing = missing, present
		}
		p.add(p.line(i, present), label, "%s is missing: message_en and message_fr go together", missing)
	}
	return w, len(p.errs) == before
}

func (p *parser) services(i int, label string, v any) []string {
	line := p.line(i, "services")
	if v == nil {
		p.add(line, label, "services is required (service names, or [\"all\"])")
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		p.add(line, label, "services must be a list such as [\"gckey\", \"ircc\"] or [\"all\"]")
		return nil
	}
	if len(list) == 0 {
		p.add(line, label, "services must name at least one service, or [\"all\"]")
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		switch {
		case !ok:
			p.add(line, label, "services must be a list of strings")
			return nil
		case s == All && len(list) > 1:
			p.add(line, label, "\"all\" must be alone in services")
			return nil
		case s != All && !slices.Contains(knownServices, s):
			p.add(line, label, "unknown service %q (known: %s, or \"all\" alone)", s, strings.Join(knownServices, ", "))
			return nil
		case slices.Contains(out, s):
			p.add(line, label, "service %q is listed twice", s)
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) text(i int, label, key string, v any) (string, bool) {
	switch s := v.(type) {
	case nil:
		return "", false
	case string:
		s = strings.TrimSpace(s)
		return s, s != ""
	default:
		p.add(p.line(i, key), label, "%s must be a string", key)
		return "", false
	}
}

func (p *parser) instant(i int, label, key string, v any) (time.Time, bool) {
	line := p.line(i, key)
	if v == nil {
		p.add(line, label, "%s is required", key)
		return time.Time{}, false
	}
	t, ok := v.(time.Time)
	if !ok {
		p.add(line, label, "%s must be a date-time such as 2024-01-30T00:00:00, without quotes", key)
		return time.Time{}, false
	}
	switch t.Location().String() {
	case tomlLocalDate:
		p.add(line, label, "%s needs a time of day, such as %sT00:00:00", key, t.Format(time.DateOnly))
		return time.Time{}, false
	case tomlLocalTime:
		p.add(line, label, "%s needs a date, such as 2024-01-30T%s", key, t.Format(time.TimeOnly))
		return time.Time{}, false
	case tomlLocalDateTime:
		u, reason := fromEastern(t)
		if reason != "" {
			p.add(line, label, "%s %s", key, reason)
			return time.Time{}, false
		}
		return u, true
	default:
		return t.UTC(), true
	}
}

// fromEastern reads the wall clock of a TOML local date-time as Eastern time.
// A wall time that does not exist (spring forward) or happens twice (fall
// back) is refused rather than guessed: a window an hour off closes a service
// when nobody expects it. reason is "" on success.
func fromEastern(t time.Time) (time.Time, string) {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)

	// America/Toronto changes offset at most once in any two days, so the
	// offsets a day either side cover every reading of this wall time.
	var found []time.Time
	var offsets []int
	for _, probe := range []time.Time{wall.Add(-24 * time.Hour), wall, wall.Add(24 * time.Hour)} {
		_, off := probe.In(eastern).Zone()
		if slices.Contains(offsets, off) {
			continue
		}
		offsets = append(offsets, off)
		c := wall.Add(-time.Duration(off) * time.Second)
		y2, mo2, d2 := c.In(eastern).Date()
		h2, mi2, s2 := c.In(eastern).Clock()
		if y2 == y && mo2 == mo && d2 == d && h2 == h && mi2 == mi && s2 == s {
			found = append(found, c)
		}
	}
	local := wall.Format("2006-01-02T15:04:05")
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return time.Time{}, fmt.Sprintf("%s does not exist in Eastern time (clocks spring forward that night): "+
			"write it with an explicit offset, such as %s%s", local, local, formatOffset(offsets[0]))
	default:
		slices.SortFunc(found, func(a, b time.Time) int { return a.Compare(b) })
		_, first := found[0].In(eastern).Zone()
		_, second := found[1].In(eastern).Zone()
		return time.Time{}, fmt.Sprintf("%s happens twice in Eastern time (clocks fall back that night): "+
			"write it with an explicit offset, %s%s for the first or %s%s for the second",
			local, local, formatOffset(first), local, formatOffset(second))
	}
}

func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec%3600/60)
}

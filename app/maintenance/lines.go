package maintenance

import "strings"

// fileLines tells where keys were written, for error messages.
// BurntSushi/toml v1.6 keeps key positions private and names the keys of an
// array of tables without their index, so the [[window]] tables are found by
// a light scan of the text. The decoder has already accepted the file, so the
// scan only has to follow valid TOML; when it loses track (inline tables,
// for instance) messages fall back to a coarser line, or none.
type fileLines struct {
	top     map[string]int // top-level key or table name -> first line
	windows []section      // one per [[window]] header, in file order
}

type section struct {
	line int            // the [[window]] header
	keys map[string]int // key -> first line inside this window
}

func scanLines(data []byte) fileLines {
	f := fileLines{top: map[string]int{}}
	keys := f.top   // where the keys of the current table go; nil = not tracked
	multiline := "" // closing delimiter while inside a multi-line string
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		if multiline != "" {
			if strings.Count(line, multiline)%2 == 1 {
				multiline = ""
			}
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		if t[0] == '[' {
			array := strings.HasPrefix(t, "[[")
			path := headerPath(t, array)
			keys = nil
			switch {
			case len(path) == 0:
			case path[0] == "window" && len(path) == 1 && array:
				f.windows = append(f.windows, section{line: n, keys: map[string]int{}})
				keys = f.windows[len(f.windows)-1].keys
			case path[0] == "window" && len(f.windows) > 0:
				// A sub-table of the last window: report it on its header.
				setFirst(f.windows[len(f.windows)-1].keys, path[1], n)
			default:
				setFirst(f.top, path[0], n)
			}
			continue
		}
		k, value, ok := strings.Cut(t, "=")
		if !ok {
			continue // continuation of a multi-line array
		}
		if name := firstKeySegment(k); name != "" && keys != nil {
			setFirst(keys, name, n)
		}
		for _, delim := range []string{`"""`, `'''`} {
			if strings.Count(value, delim)%2 == 1 {
				multiline = delim
				break
			}
		}
	}
	return f
}

func setFirst(m map[string]int, key string, line int) {
	if _, ok := m[key]; !ok {
		m[key] = line
	}
}

// headerPath returns the dotted name of a [table] or [[array]] header.
func headerPath(t string, array bool) []string {
	open, closing := "[", "]"
	if array {
		open, closing = "[[", "]]"
	}
	end := strings.Index(t, closing)
	if end < len(open) {
		return nil
	}
	var path []string
	for _, seg := range strings.Split(t[len(open):end], ".") {
		path = append(path, unquote(strings.TrimSpace(seg)))
	}
	return path
}

// firstKeySegment returns the first part of a (possibly dotted) key, or ""
// when the text before "=" does not look like a key, as inside a multi-line
// array of strings that contain "=".
func firstKeySegment(k string) string {
	k = strings.TrimSpace(k)
	if k == "" {
		return ""
	}
	if q := k[0]; q == '"' || q == '\'' {
		end := strings.IndexByte(k[1:], q)
		if end < 0 {
			return ""
		}
		return k[1 : end+1]
	}
	seg, _, _ := strings.Cut(k, ".")
	seg = strings.TrimSpace(seg)
	for _, r := range seg {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return ""
		}
	}
	return seg
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// trusted reports whether the scan found exactly the windows the decoder did;
// otherwise the i-th header may not be the i-th window.
func (f fileLines) trusted(nwin int) bool { return len(f.windows) == nwin }

// windowKey returns the line of key in window i, else the window's header,
// else the line of a top-level "window" key (inline tables), else 0.
func (f fileLines) windowKey(i, nwin int, key string) int {
	if f.trusted(nwin) {
		if l := f.windows[i].keys[key]; l > 0 {
			return l
		}
		return f.windows[i].line
	}
	return f.top["window"]
}

// windowOwnKey returns the line of key in window i, or 0 when that window
// does not have it.
func (f fileLines) windowOwnKey(i, nwin int, key string) int {
	if !f.trusted(nwin) {
		return 0
	}
	return f.windows[i].keys[key]
}

// topKey returns the line of a top-level key or table, or 0.
func (f fileLines) topKey(key string) int { return f.top[key] }

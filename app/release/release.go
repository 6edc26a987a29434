// Package release names the running build: its version and the date shown
// as "Date modified" on every page.
package release

import (
	"runtime/debug"
	"strings"
)

// Version is the release; the build can set it with
// -ldflags "-X guichet/app/release.Version=1.2.3".
var Version = "0.1.0"

// Date is "Date modified" on every page: the commit date when the
// binary was built from a checkout, otherwise the date of this release.
var Date = "2026-11-22"

func init() {
	// Reading build information once here keeps callers simple; it cannot
	// fail in a way that matters (absent info keeps the defaults).
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" && len(s.Value) >= 10 {
				Date = s.Value[:10]
			}
			if s.Key == "vcs.revision" && len(s.Value) >= 7 && !strings.Contains(Version, "+") {
				Version += "+" + s.Value[:7]
			}
		}
	}
}

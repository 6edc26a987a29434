package maintenance

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// empty is what a Watcher without a file serves. Shared, so read-only.
var empty = &Schedule{}

const (
	defaultPoll = 2 * time.Second
	// settle lets an editor finish writing before the file is read, so that
	// one save is one reload rather than a failed read of half a file.
	settle = 100 * time.Millisecond
)

// Watcher keeps the current schedule of a maintenance file and reloads it
// when the file changes, so operators can announce a window without a
// restart.
//
// A nil *Watcher, or one made with the path "", serves the empty schedule
// and Reload and Run do nothing: callers need not check whether a file was
// configured.
type Watcher struct {
	path string
	log  *slog.Logger
	cur  atomic.Pointer[Schedule]

	mu   sync.Mutex  // one reload at a time: SIGHUP and Run may both ask
	last os.FileInfo // the file at the last load attempt, nil if it was missing; under mu

	poll     time.Duration
	notify   bool   // false in tests of the polling fallback
	watching func() // tests: called once Run is ready to see changes
}

// NewWatcher loads the file at path once. An unreadable or invalid file is
// returned as an error, so that a mistake stops start-up instead of running
// without the announced windows. path "" gives a Watcher of the empty
// schedule. log may be nil.
func NewWatcher(path string, log *slog.Logger) (*Watcher, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{path: path, log: log, poll: defaultPoll, notify: true}
	if path == "" {
		w.cur.Store(empty)
		return w, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.load()
	if err != nil {
		return nil, err
	}
	w.cur.Store(s)
	return w, nil
}

// Schedule returns the current schedule, never nil. It is called on every
// request, so it only loads a pointer.
func (w *Watcher) Schedule() *Schedule {
	if w == nil {
		return empty
	}
	if s := w.cur.Load(); s != nil {
		return s
	}
	return empty
}

// Reload reads the file again. When the new file is unreadable or invalid the
// previous schedule stays in force (a typo must not cancel announced
// windows), the error is logged and returned.
func (w *Watcher) Reload() error {
	if w == nil || w.path == "" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.load()
	if err != nil {
		w.log.Error("maintenance file not reloaded; keeping the previous schedule", "path", w.path, "err", err)
		return err
	}
	w.cur.Store(s)
	w.log.Info("maintenance file loaded", "path", w.path, "windows", len(s.Windows))
	return nil
}

// load must be called with mu held.
func (w *Watcher) load() (*Schedule, error) {
	// Stat before reading: if the file changes in between, the next poll sees
	// a newer file than the one recorded and reads it again.
	fi, err := os.Stat(w.path)
	w.last = fi
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		return nil, err
	}
	return Parse(w.path, data)
}

// changed reports whether the file differs from the one last attempted.
// Comparing the attempt, not the last success, keeps a broken file from being
// re-read and re-logged at every poll.
func (w *Watcher) changed() bool {
	fi, err := os.Stat(w.path)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		// Gone or unreadable: worth one reload, which reports it once.
		return w.last != nil
	}
	if w.last == nil {
		return true
	}
	return !os.SameFile(fi, w.last) || !fi.ModTime().Equal(w.last.ModTime()) || fi.Size() != w.last.Size()
}

// Run reloads the file when it changes, until ctx ends. It watches the
// file's directory, not the file: editors and configuration tools replace a
// file by renaming another over it, which a watch on the old file never sees.
// A poll of the file's size and time every two seconds covers file systems
// without notifications and changes through symbolic links.
func (w *Watcher) Run(ctx context.Context) {
	if w == nil || w.path == "" {
		return
	}
	base := filepath.Base(w.path)

	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.notify {
		fw, err := fsnotify.NewWatcher()
		if err == nil {
			if err = fw.Add(filepath.Dir(w.path)); err != nil {
				fw.Close()
			}
		}
		if err != nil {
			w.log.Warn("maintenance file not watched; polling only", "path", w.path, "err", err)
		} else {
			defer fw.Close()
			events, errs = fw.Events, fw.Errors
		}
	}

	ticker := time.NewTicker(w.poll)
	defer ticker.Stop()
	if w.watching != nil {
		w.watching()
	}
	var timer *time.Timer
	var settled <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			// Events on the file itself always count (an in-place write can
			// keep size and, on coarse clocks, time); other names in the
			// directory count only when the file now looks different, which
			// catches symbolic link swaps.
			if (filepath.Base(ev.Name) == base && !ev.Has(fsnotify.Chmod)) || w.changed() {
				if timer == nil {
					timer = time.NewTimer(settle)
				} else {
					timer.Reset(settle)
				}
				settled = timer.C
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.log.Warn("maintenance file watch error", "path", w.path, "err", err)
		case <-settled:
			settled = nil
			_ = w.Reload() // already logged; the previous schedule stays
		case <-ticker.C:
			if settled == nil && w.changed() {
				_ = w.Reload()
			}
		}
	}
}

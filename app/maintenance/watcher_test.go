package maintenance

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// windowFile is a valid file whose only window has the given id.
func windowFile(id string) string {
	return `[[window]]
id = "` + id + `"
services = ["gckey"]
start = 2024-01-30T00:00:00
end = 2024-01-30T05:30:00
`
}

// logBuffer collects log output written from Run's goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventually polls cond until it holds or the deadline passes. Three seconds
// leaves room for the two-second poll should a notification be missed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func currentID(w *Watcher) string {
	ws := w.Schedule().Windows
	if len(ws) != 1 {
		return ""
	}
	return ws[0].ID
}

// startWatcher runs a watcher on a fresh file holding window "v1".
func startWatcher(t *testing.T, notify bool) (w *Watcher, path string, logs *logBuffer) {
	t.Helper()
	path = writeFile(t, t.TempDir(), windowFile("v1"))
	logs = &logBuffer{}
	w, err := NewWatcher(path, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !notify {
		w.notify, w.poll = false, 20*time.Millisecond
	}
	if currentID(w) != "v1" {
		t.Fatalf("initial schedule %+v", w.Schedule())
	}
	// Changes made before the directory is watched would wait for the poll.
	ready := make(chan struct{})
	w.watching = func() { close(ready) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx)
		close(done)
	}()
	<-ready
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return w, path, logs
}

func TestWatcherReloadsInPlaceWrite(t *testing.T) {
	w, path, _ := startWatcher(t, true)
	if err := os.WriteFile(path, []byte(windowFile("v2-in-place")), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "in-place write", func() bool { return currentID(w) == "v2-in-place" })
}

func TestWatcherReloadsRenameReplace(t *testing.T) {
	w, path, _ := startWatcher(t, true)
	// What editors and configuration tools do: write beside, rename over.
	tmp := filepath.Join(filepath.Dir(path), ".maintenance.toml.tmp")
	if err := os.WriteFile(tmp, []byte(windowFile("v2-renamed")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	eventually(t, "rename over the file", func() bool { return currentID(w) == "v2-renamed" })

	// The watch survives the replacement.
	if err := os.WriteFile(path, []byte(windowFile("v3")), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "write after the rename", func() bool { return currentID(w) == "v3" })
}

func TestWatcherPollingFallback(t *testing.T) {
	w, path, _ := startWatcher(t, false)
	if err := os.WriteFile(path, []byte(windowFile("v2-polled")), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "poll", func() bool { return currentID(w) == "v2-polled" })
}

func TestWatcherKeepsScheduleOnBrokenRewrite(t *testing.T) {
	w, path, logs := startWatcher(t, true)
	broken := strings.Replace(windowFile("v2"), "end = 2024-01-30T05:30:00", "end = 2024-01-29T05:30:00", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the error to be logged", func() bool {
		return strings.Contains(logs.String(), "level=ERROR")
	})
	if !strings.Contains(logs.String(), `maintenance.toml:5: window \"v2\": end must be after start`) {
		t.Errorf("log does not name the mistake:\n%s", logs)
	}
	if currentID(w) != "v1" {
		t.Fatalf("schedule replaced by a broken file: %+v", w.Schedule())
	}
	// Fixing the file is picked up.
	if err := os.WriteFile(path, []byte(windowFile("v3-fixed")), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the fix", func() bool { return currentID(w) == "v3-fixed" })
}

func TestWatcherReloadByHand(t *testing.T) {
	path := writeFile(t, t.TempDir(), windowFile("v1"))
	w, err := NewWatcher(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := w.Schedule()
	if err := os.WriteFile(path, []byte("[[window]]\nid = \"v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "maintenance.toml:2:") {
		t.Errorf("Reload of a broken file: %v", err)
	}
	if w.Schedule() != before {
		t.Error("broken file replaced the schedule")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err == nil || w.Schedule() != before {
		t.Errorf("Reload of a missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte(windowFile("v2")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil || currentID(w) != "v2" {
		t.Errorf("Reload: %v, %+v", err, w.Schedule())
	}
}

func TestNewWatcherRefusesBadFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewWatcher(filepath.Join(dir, "missing.toml"), nil); err == nil {
		t.Error("missing file accepted")
	}
	path := writeFile(t, dir, "[[window]]\nid = 1\n")
	if _, err := NewWatcher(path, nil); err == nil || !strings.Contains(err.Error(), "maintenance.toml:2:") {
		t.Errorf("invalid file: %v", err)
	}
}

func TestWatcherWithoutFile(t *testing.T) {
	var nilWatcher *Watcher
	noPath, err := NewWatcher("", nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]*Watcher{"nil": nilWatcher, "no path": noPath, "zero": {}} {
		if s := w.Schedule(); s == nil || len(s.Windows) != 0 {
			t.Errorf("%s: schedule %v", name, s)
		}
		if err := w.Reload(); err != nil {
			t.Errorf("%s: Reload: %v", name, err)
		}
		done := make(chan struct{})
		go func() {
			w.Run(context.Background()) // nothing to watch: returns at once
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(time.Second):
			t.Fatalf("%s: Run did not return", name)
		}
	}
}

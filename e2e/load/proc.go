package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux userland; Go cannot ask sysconf without cgo.
const clockTicks = 100

// findRoot walks up from the working directory to the directory holding
// go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no go.mod in the working directory or above it")
}

// buildGuichet compiles the server into dir.
func buildGuichet(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "guichet")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// child is a server process the benchmark started.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *os.File
}

// running lists the children still alive, for the cleanup on exit.
var running = map[*child]bool{}

// startChild starts bin with args; its output goes to logPath.
func startChild(name, bin string, args, env []string, logPath string) (*child, error) {
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = f
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{}), log: f}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	running[c] = true
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits; after the grace period it kills.
func (c *child) stop(grace time.Duration) error {
	defer func() {
		delete(running, c)
		c.log.Close()
	}()
	if c.exited() {
		return fmt.Errorf("%s had already exited: %v", c.name, c.err)
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("%s did not stop within %s after SIGTERM; killed", c.name, grace)
	}
	var ee *exec.ExitError
	if c.err != nil && !errors.As(c.err, &ee) {
		return c.err
	}
	if c.err != nil {
		return fmt.Errorf("%s exited with %v", c.name, c.err)
	}
	return nil
}

// killAll ends every child still running (on error paths and interrupts).
func killAll() {
	for c := range running {
		_ = c.cmd.Process.Kill()
		<-c.done
		c.log.Close()
		delete(running, c)
	}
}

// waitOK polls url every interval until it answers 200, the child exits,
// or limit passes. It returns the time of the first 200.
func waitOK(ctx context.Context, c *child, url string, interval, limit time.Duration) (time.Time, error) {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c.exited() {
			return time.Time{}, fmt.Errorf("%s exited before answering (%v); see %s", c.name, c.err, c.log.Name())
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		time.Sleep(interval)
	}
	return time.Time{}, fmt.Errorf("%s did not answer 200 on %s within %s", c.name, url, limit)
}

// cpuTime is the user plus system CPU the process has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc/PID/stat format")
	}
	// After the command name: field 3 (state) is index 0, so field N is
	// index N-3; utime is field 14 and stime field 15.
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// memKB reads a Vm* line (VmRSS, VmHWM) of /proc/PID/status in KiB.
func memKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// resetPeak resets VmHWM to the current RSS (Linux 4.0+), so the next
// reading is the peak of one flow. It reports whether that worked.
func resetPeak(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// serverEnv is the environment without any GUICHET_* setting of the
// caller's, plus the benchmark's own.
func serverEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GUICHET_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// procStat is a process's CPU, split into user and system time, and its
// page faults, from /proc/PID/stat.
type procStat struct {
	User, Sys     time.Duration
	MinFlt, MajFl int64
}

func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, errors.New("unexpected /proc/PID/stat format")
	}
	// Field N is index N-3: minflt 10, majflt 12, utime 14, stime 15.
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return procStat{}, errors.New("short /proc/PID/stat")
	}
	var v [4]int64
	for j, k := range []int{7, 9, 11, 12} {
		if v[j], err = strconv.ParseInt(f[k], 10, 64); err != nil {
			return procStat{}, err
		}
	}
	return procStat{
		MinFlt: v[0], MajFl: v[1],
		User: time.Duration(v[2]) * time.Second / clockTicks,
		Sys:  time.Duration(v[3]) * time.Second / clockTicks,
	}, nil
}

// selfCPU is this process's user plus system CPU, to the microsecond.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/app/jobs"
)

// wait is how long a test waits for something that should happen almost
// at once; it only matters when the code is broken.
const wait = 10 * time.Second

// logBuffer collects log output safely across goroutines.
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

func newRunner(t *testing.T) (*jobs.Runner, *logBuffer) {
	t.Helper()
	lb := &logBuffer{}
	r := jobs.New(slog.New(slog.NewTextHandler(lb, nil)))
	t.Cleanup(r.Stop)
	return r, lb
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func TestJobRunsAtStart(t *testing.T) {
	r, _ := newRunner(t)
	ran := make(chan struct{}, 10)
	r.Add(jobs.Job{Name: "hourly", Every: time.Hour, Run: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}})
	r.Start(context.Background())
	receive(t, ran, "the run at Start")
	// Starting again is a no-op: no second loop, no second immediate run.
	r.Start(context.Background())
	select {
	case <-ran:
		t.Fatal("second Start ran the job again")
	default:
	}
}

func TestJobRunsOnItsInterval(t *testing.T) {
	r, _ := newRunner(t)
	ran := make(chan time.Time, 100)
	r.Add(jobs.Job{Name: "fast", Every: 5 * time.Millisecond, Run: func(context.Context) error {
		select {
		case ran <- time.Now():
		default:
		}
		return nil
	}})
	r.Start(context.Background())
	for i := range 4 {
		receive(t, ran, fmt.Sprintf("run %d", i+1))
	}
}

func TestKickRunsTheJobPromptly(t *testing.T) {
	r, _ := newRunner(t)
	ran := make(chan struct{}, 10)
	r.Add(jobs.Job{Name: "mail", Every: time.Hour, Run: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}})
	other := make(chan struct{}, 10)
	r.Add(jobs.Job{Name: "other", Every: time.Hour, Run: func(context.Context) error {
		other <- struct{}{}
		return nil
	}})
	r.Start(context.Background())
	receive(t, ran, "the run at Start")
	receive(t, other, "the other job's run at Start")

	r.Kick("mail")
	receive(t, ran, "the kicked run")
	r.Kick("mail")
	receive(t, ran, "the second kicked run")

	// Kicks never block, even many at once, and collapse into at most one
	// pending run; unknown names are ignored.
	done := make(chan struct{})
	go func() {
		for range 100 {
			r.Kick("mail")
		}
		r.Kick("no-such-job")
		close(done)
	}()
	receive(t, done, "Kick to return")
	receive(t, ran, "the run after many kicks")

	// Kicking one job does not run another.
	select {
	case <-other:
		t.Fatal("kicking mail ran other")
	default:
	}
}

func TestKickBeforeStartDoesNotBlock(t *testing.T) {
	r, _ := newRunner(t)
	r.Add(jobs.Job{Name: "j", Every: time.Hour, Run: func(context.Context) error { return nil }})
	done := make(chan struct{})
	go func() {
		r.Kick("j")
		r.Kick("j")
		close(done)
	}()
	receive(t, done, "Kick before Start")
}

func TestPanickingJobIsLoggedAndTheRunnerKeepsGoing(t *testing.T) {
	r, logs := newRunner(t)
	runs := make(chan int, 10)
	n := 0
	r.Add(jobs.Job{Name: "boom", Every: time.Hour, Run: func(context.Context) error {
		n++
		runs <- n
		if n == 1 {
			panic("kaboom")
		}
		return nil
	}})
	steady := make(chan struct{}, 10)
	r.Add(jobs.Job{Name: "steady", Every: time.Hour, Run: func(context.Context) error {
		steady <- struct{}{}
		return nil
	}})
	r.Start(context.Background())
	if got := receive(t, runs, "the panicking run"); got != 1 {
		t.Fatalf("run %d", got)
	}
	receive(t, steady, "the other job")
	// The same job runs again when kicked: its loop survived the panic.
	r.Kick("boom")
	if got := receive(t, runs, "the run after the panic"); got != 2 {
		t.Fatalf("run %d", got)
	}
	r.Kick("steady")
	receive(t, steady, "the other job after the panic")

	// The panic was logged (before the second run began).
	out := logs.String()
	for _, want := range []string{"job panicked", "job=boom", "kaboom"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestFailingJobIsLogged(t *testing.T) {
	r, logs := newRunner(t)
	ran := make(chan struct{}, 10)
	r.Add(jobs.Job{Name: "fails", Every: time.Hour, Run: func(context.Context) error {
		defer func() { ran <- struct{}{} }()
		return errors.New("smtp unreachable")
	}})
	r.Start(context.Background())
	receive(t, ran, "the failing run")
	r.Stop() // the log line is written before Run's caller returns
	out := logs.String()
	if !strings.Contains(out, "job failed") || !strings.Contains(out, "smtp unreachable") || !strings.Contains(out, "job=fails") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestStopCancelsAndWaitsForTheJob(t *testing.T) {
	r, logs := newRunner(t)
	entered := make(chan struct{})
	cancelled := make(chan struct{})
	release := make(chan struct{})
	returned := make(chan struct{})
	r.Add(jobs.Job{Name: "slow", Every: time.Hour, Run: func(ctx context.Context) error {
		close(entered)
		<-ctx.Done()
		close(cancelled)
		<-release // still cleaning up after cancellation
		close(returned)
		return ctx.Err()
	}})
	r.Start(context.Background())
	receive(t, entered, "the job to start")

	stopped := make(chan struct{})
	go func() {
		r.Stop()
		close(stopped)
	}()
	receive(t, cancelled, "Stop to cancel the job's context")
	select {
	case <-stopped:
		t.Fatal("Stop returned while the job was still running")
	default:
	}
	close(release)
	receive(t, stopped, "Stop to return")
	select {
	case <-returned:
	default:
		t.Fatal("Stop returned before the job did")
	}
	// A job that ends because it was cancelled is not a failure.
	if out := logs.String(); strings.Contains(out, "job failed") {
		t.Fatalf("cancellation logged as a failure:\n%s", out)
	}
	// Stopping twice is harmless.
	r.Stop()
}

func TestStopWhenTheParentContextEnds(t *testing.T) {
	r, _ := newRunner(t)
	done := make(chan struct{})
	r.Add(jobs.Job{Name: "waits", Every: time.Hour, Run: func(ctx context.Context) error {
		<-ctx.Done()
		close(done)
		return ctx.Err()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	cancel()
	receive(t, done, "the job to see its parent's cancellation")
	stopped := make(chan struct{})
	go func() { r.Stop(); close(stopped) }()
	receive(t, stopped, "Stop after the parent ended")
}

func TestStopWithoutStart(t *testing.T) {
	r, _ := newRunner(t)
	r.Add(jobs.Job{Name: "never", Every: time.Hour, Run: func(context.Context) error {
		t.Error("ran without Start")
		return nil
	}})
	stopped := make(chan struct{})
	go func() { r.Stop(); close(stopped) }()
	receive(t, stopped, "Stop without Start")
}

// Package jobs runs Guichet's recurring background work (mail delivery,
// cleanups, later expiries and reminders) and stops it cleanly on shutdown.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Job is one recurring task. Run should return promptly when ctx ends.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Runner starts jobs and waits for them on Stop.
type Runner struct {
	log  *slog.Logger
	jobs []Job

	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	kick    map[string]chan struct{}
	started bool
}

// New returns a runner that logs to log.
func New(log *slog.Logger) *Runner {
	return &Runner{log: log, kick: map[string]chan struct{}{}}
}

// Add registers a job; it must be called before Start.
func (r *Runner) Add(j Job) {
	if j.Every <= 0 {
		panic("jobs: job " + j.Name + " needs a positive interval")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, j)
	r.kick[j.Name] = make(chan struct{}, 1)
}

// Start runs every job once straight away and then on its interval.
func (r *Runner) Start(parent context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return
	}
	r.started = true
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	for _, j := range r.jobs {
		r.wg.Add(1)
		go r.loop(ctx, j, r.kick[j.Name])
	}
}

// Kick asks a job to run now rather than at its next tick (for example mail
// delivery right after a message is queued). It never blocks.
func (r *Runner) Kick(name string) {
	r.mu.Lock()
	ch := r.kick[name]
	r.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (r *Runner) loop(ctx context.Context, j Job, kick <-chan struct{}) {
	defer r.wg.Done()
	t := time.NewTicker(j.Every)
	defer t.Stop()
	for {
		r.runOnce(ctx, j)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
	}
}

func (r *Runner) runOnce(ctx context.Context, j Job) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panicked", "job", j.Name, "panic", p)
		}
	}()
	if err := j.Run(ctx); err != nil && ctx.Err() == nil {
		r.log.Error("job failed", "job", j.Name, "err", err)
	}
}

// Stop cancels every job and waits until each has returned.
func (r *Runner) Stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

package executor

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// switchWriter forwards to the current activation's log. An Instance's log
// sinks are fixed when it is created; a pooled instance serves many
// activations, so its sinks are switchWriters retargeted per activation.
// Only the goroutine holding the instance touches it.
type switchWriter struct {
	w io.Writer
}

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// pooled is one Instance with its retargetable log sinks.
type pooled struct {
	inst           wowrt.Instance
	stdout, stderr *switchWriter
	idleSince      time.Time
}

// attach points the instance's logs at one activation's.
func (p *pooled) attach(logs ow.Logs) {
	p.stdout.w, p.stderr.w = orDiscard(logs.Stdout), orDiscard(logs.Stderr)
}

// detach drops the activation's logs: nothing may write to them after it ended.
func (p *pooled) detach() { p.stdout.w, p.stderr.w = io.Discard, io.Discard }

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// newInstance instantiates the action's module with logs attached.
func (a *action) newInstance(ctx context.Context, logs ow.Logs) (*pooled, error) {
	p := &pooled{stdout: &switchWriter{}, stderr: &switchWriter{}}
	p.attach(logs)
	inst, err := a.mod.mod.Instantiate(ctx, a.icfg.WithStdout(p.stdout).WithStderr(p.stderr))
	if err != nil {
		return nil, err
	}
	p.inst = inst
	a.e.m.liveInstances.Inc()
	return p, nil
}

// closeInstance closes p and accounts for it.
func (a *action) closeInstance(p *pooled) {
	_ = p.inst.Close(context.Background())
	a.e.m.liveInstances.Dec()
}

// take returns an idle warm instance (most recently used first, the
// warmest) or a new one, with logs attached.
func (a *action) take(ctx context.Context, logs ow.Logs) (*pooled, error) {
	if !a.e.opts.ForceFresh {
		a.mu.Lock()
		if n := len(a.idle); n > 0 {
			p := a.idle[n-1]
			a.idle[n-1] = nil
			a.idle = a.idle[:n-1]
			a.mu.Unlock()
			p.attach(logs)
			return p, nil
		}
		a.mu.Unlock()
	}
	return a.newInstance(ctx, logs)
}

// give returns p after an activation: to the pool when it is healthy and
// there is room, else it is closed.
func (a *action) give(p *pooled, healthy bool) {
	p.detach()
	if healthy && !a.e.opts.ForceFresh {
		a.mu.Lock()
		if !a.closed && len(a.idle) < a.e.opts.PoolSize {
			p.idleSince = time.Now()
			a.idle = append(a.idle, p)
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
	}
	a.closeInstance(p)
}

// shrink closes the instances idle since before cutoff and returns how many.
func (a *action) shrink(cutoff time.Time) int {
	a.mu.Lock()
	// idle is ordered by idleSince: the oldest come first.
	n := 0
	for n < len(a.idle) && a.idle[n].idleSince.Before(cutoff) {
		n++
	}
	old := make([]*pooled, n)
	copy(old, a.idle[:n])
	a.idle = slices.Delete(a.idle, 0, n)
	a.mu.Unlock()
	for _, p := range old {
		a.closeInstance(p)
	}
	return n
}

// idleCount returns the number of idle warm instances.
func (a *action) idleCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.idle)
}

package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// action is one loaded action: a shared compiled module, the instance
// configuration from its /init, and a bounded pool of idle instances.
type action struct {
	e    *Executor
	id   string
	name string
	mod  *cachedModule
	icfg wowrt.InstanceConfig
	// reusable: a failed activation poisons the instance (reactor, numeric).
	reusable bool
	// outcomes are the common outcome counters, resolved once per name.
	outcomes *outcomes

	mu       sync.Mutex
	idle     []*pooled // ordered by idleSince
	closed   bool
	inflight int
}

// Run runs one activation: wait for a concurrency slot, take a warm
// instance (or make one), invoke, return the instance to the pool.
func (a *action) Run(ctx context.Context, run *wowrt.RunPayload, logs ow.Logs) (*wowrt.Result, error) {
	start := time.Now()
	res, err := a.run(ctx, run, logs)
	a.e.m.runDuration.Observe(time.Since(start).Seconds())
	a.count(run, res, err)
	return res, err
}

func (a *action) run(ctx context.Context, run *wowrt.RunPayload, logs ow.Logs) (*wowrt.Result, error) {
	if err := a.e.adm.acquire(ctx, run.Deadline); err != nil {
		return nil, err
	}
	defer a.e.adm.release()
	if !a.enter() {
		return nil, fmt.Errorf("action %q: %w", a.id, wowrt.ErrClosed)
	}
	defer a.leave()
	p, err := a.take(ctx, logs)
	if err != nil {
		return nil, err
	}
	res, err := p.inst.Invoke(ctx, run)
	a.give(p, err == nil || !a.reusable || errors.Is(err, wowrt.ErrInvalidInput))
	return res, err
}

// count records the activation's outcome.
func (a *action) count(run *wowrt.RunPayload, res *wowrt.Result, err error) {
	switch o := ow.Outcome(res, err); o {
	case "success":
		a.outcomes.success.Inc()
	case "application_error":
		a.outcomes.appError.Inc()
	default:
		a.e.m.activations.WithLabelValues(a.name, o).Inc()
		a.e.log.Debug("activation failed", "id", a.id, "action", a.name, "outcome", o, "activation_id", run.ActivationID, "err", err)
	}
}

// enter registers an activation unless the action is closed.
func (a *action) enter() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.inflight++
	return true
}

// leave ends an activation; the last one after Close releases the module.
func (a *action) leave() {
	a.mu.Lock()
	a.inflight--
	release := a.closed && a.inflight == 0
	a.mu.Unlock()
	if release {
		a.e.modules.put(a.mod)
	}
}

// Close closes the idle instances and, once no activation runs, releases
// the compiled module.
func (a *action) Close(context.Context) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	idle := a.idle
	a.idle = nil
	release := a.inflight == 0
	a.mu.Unlock()
	for _, p := range idle {
		a.closeInstance(p)
	}
	if release {
		a.e.modules.put(a.mod)
	}
	a.e.forget(a)
	if a.e.log.Enabled(context.Background(), slog.LevelDebug) {
		a.e.log.Debug("action destroyed", "id", a.id, "action", a.name)
	}
	return nil
}

package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wowrt/wow/ow"
)

// admission bounds the activations running at once. A caller waits for a
// slot until its deadline, then gets ow.ErrOverloaded: waiting callers are
// the HTTP server's own request goroutines, never extra ones.
type admission struct {
	slots   chan struct{}
	wait    time.Duration // bound when the caller has no deadline
	queue   prometheus.Gauge
	running prometheus.Gauge
}

func newAdmission(n int, wait time.Duration, m *metrics) *admission {
	return &admission{slots: make(chan struct{}, n), wait: wait, queue: m.queueDepth, running: m.running}
}

// acquire takes a slot, waiting until ctx ends or deadline passes (or the
// default wait when deadline is zero).
func (a *admission) acquire(ctx context.Context, deadline time.Time) error {
	select {
	case a.slots <- struct{}{}:
		a.running.Inc()
		return nil
	default:
	}
	wait := a.wait
	if !deadline.IsZero() {
		wait = time.Until(deadline)
	}
	if wait <= 0 {
		return fmt.Errorf("%w: all %d slots are busy and the activation's deadline has passed", ow.ErrOverloaded, cap(a.slots))
	}
	a.queue.Inc()
	defer a.queue.Dec()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		a.running.Inc()
		return nil
	case <-t.C:
		return fmt.Errorf("%w: no slot of %d freed within %v", ow.ErrOverloaded, cap(a.slots), wait.Round(time.Millisecond))
	case <-ctx.Done():
		return fmt.Errorf("%w: %v while waiting for one of %d slots", ow.ErrOverloaded, ctx.Err(), cap(a.slots))
	}
}

// release frees a slot taken by acquire.
func (a *admission) release() {
	a.running.Dec()
	<-a.slots
}

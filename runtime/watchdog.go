package runtime

import (
	"context"
	"errors"
	"sync"
	"time"
)

// watchTick is how often the watchdog checks deadlines and cancellations:
// the precision of a watched activation's deadline.
const watchTick = time.Millisecond

// watchIdle is how long the watchdog goroutine outlives the last watch.
const watchIdle = 100 * time.Millisecond

// watchdog bounds warm activations on Interruptible sandboxes: one
// goroutine, ticking only while activations run, interrupts those past
// their deadline or whose ctx ended. Registering costs a mutex and a slice
// append; a deadline context costs a timer, a cancellation registration and
// four allocations, which on a warm activation of a few microseconds is
// most of the runtime's overhead.
type watchdog struct {
	mu      sync.Mutex
	active  []*watch
	running bool
}

// watch is one activation under the watchdog; an instance reuses its own.
type watch struct {
	deadline time.Time // zero: none
	ctx      context.Context
	sb       Interruptible
	// fired is the cause the watchdog interrupted with, nil if it did not.
	fired error
	idx   int
}

// add starts watching w.
func (d *watchdog) add(w *watch) {
	d.mu.Lock()
	w.fired = nil
	w.idx = len(d.active)
	d.active = append(d.active, w)
	if !d.running {
		d.running = true
		go d.loop()
	}
	d.mu.Unlock()
}

// remove stops watching w and returns the cause it was interrupted with.
// After remove returns, the watchdog does not touch w's sandbox.
func (d *watchdog) remove(w *watch) error {
	d.mu.Lock()
	last := len(d.active) - 1
	d.active[w.idx] = d.active[last]
	d.active[w.idx].idx = w.idx
	d.active[last] = nil
	d.active = d.active[:last]
	fired := w.fired
	w.ctx, w.sb = nil, nil
	d.mu.Unlock()
	return fired
}

func (d *watchdog) loop() {
	t := time.NewTicker(watchTick)
	defer t.Stop()
	var idleSince time.Time
	for now := range t.C {
		d.mu.Lock()
		if len(d.active) == 0 {
			if idleSince.IsZero() {
				idleSince = now
			} else if now.Sub(idleSince) >= watchIdle {
				d.running = false
				d.mu.Unlock()
				return
			}
		} else {
			idleSince = time.Time{}
		}
		for _, w := range d.active {
			if w.fired != nil {
				continue
			}
			switch {
			case !w.deadline.IsZero() && !now.Before(w.deadline):
				w.fired = wrapf(ErrTimeout, "the guest ran past its deadline")
			case w.ctx.Err() != nil:
				w.fired = ctxCause(w.ctx)
			default:
				continue
			}
			w.sb.Interrupt(w.fired)
		}
		d.mu.Unlock()
	}
}

// ctxCause is the typed error of an ended ctx.
func ctxCause(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return wrapf(ErrTimeout, "the activation's context passed its deadline")
	}
	return wrapf(ErrCanceled, "the activation was canceled")
}

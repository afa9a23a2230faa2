package runtime

import (
	"context"
	"errors"
	"sync"
	"time"
)

// watchPoll is how often the watchdog checks for cancelled contexts while
// activations run; it wakes for each deadline on time.
const watchPoll = 10 * time.Millisecond

// watchIdle is how long the watchdog goroutine outlives the last watch.
const watchIdle = 100 * time.Millisecond

// watchdog bounds warm activations on Interruptible sandboxes: one
// goroutine, running only while activations run, interrupts those past
// their deadline (waking for the earliest) or whose ctx ended (polled every
// watchPoll). Registering costs a mutex and a slice
// append; a deadline context costs a timer, a cancellation registration and
// four allocations, which on a warm activation of a few microseconds is
// most of the runtime's overhead.
type watchdog struct {
	mu      sync.Mutex
	active  []*watch
	running bool
	// next is when the loop wakes next; wake makes it recompute.
	next time.Time
	wake chan struct{}
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
		d.wake = make(chan struct{}, 1)
		d.wake <- struct{}{} // compute the first wake-up at once
		d.next = time.Time{}
		go d.loop(d.wake)
	} else if !w.deadline.IsZero() && w.deadline.Before(d.next) {
		select { // an earlier deadline than the loop sleeps to
		case d.wake <- struct{}{}:
		default:
		}
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

func (d *watchdog) loop(wake chan struct{}) {
	t := time.NewTimer(watchPoll)
	defer t.Stop()
	var idleSince time.Time
	for {
		select {
		case <-t.C:
		case <-wake:
		}
		now := time.Now()
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
		next := now.Add(watchPoll)
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
				if !w.deadline.IsZero() && w.deadline.Before(next) {
					next = w.deadline
				}
				continue
			}
			w.sb.Interrupt(w.fired)
		}
		d.next = next
		d.mu.Unlock()
		t.Reset(time.Until(next))
	}
}

// ctxCause is the typed error of an ended ctx.
func ctxCause(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return wrapf(ErrTimeout, "the activation's context passed its deadline")
	}
	return wrapf(ErrCanceled, "the activation was canceled")
}

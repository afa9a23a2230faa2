package wazero

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

// Stopping a running guest.
//
// wazero's WithCloseOnContextDone makes compiled code leave native code for
// Go at every loop iteration to check whether the module was closed, and
// starts a goroutine per call to close it when ctx ends. Measured on a warm
// activation (BenchmarkWazero/Invoke/reactor): 3.7 µs with it, 1.8 µs
// without, for the C add reactor; 132 µs and 48 µs for the Go one.
//
// The compiler engine therefore runs without it. Every module is
// instrumented instead (wasmbin.Instrument): a global checked at each
// function entry and loop header, a load and a branch. Sandbox.Call arms
// context.AfterFunc, which sets the global when ctx ends; the guest traps at
// its next check and the call reports ErrTimeout or ErrCanceled.
//
// The interpreter keeps wazero's mechanism: its checks cost no exit, and its
// globals are plain Go values another goroutine must not write. Its calls
// run under the sandbox's stopCtx, whose Done channel the interrupter
// closes, so an interpreted sandbox is Interruptible too: the runtime's
// watchdog bounds its warm activations without a deadline context (a timer
// and four allocations) per activation.

// interrupter stops one sandbox's guest when the ctx of its call ends, or
// when the runtime's watchdog says so (Sandbox.Interrupt). It lives inside
// its sandbox: an instantiation allocates nothing for it but, on the
// interpreter, the Done channel.
type interrupter struct {
	// stop is the compiled guest's stop global (nil when interpreted).
	stop api.MutableGlobal
	// sctx holds the ctx of the call in progress (parent), which fire
	// reports; interpreted calls run under sctx itself, and closeOnce
	// closes its Done channel.
	sctx      stopCtx
	closeOnce sync.Once
	// fn is fire, and fired receives once per fire; both are made by the
	// first call whose ctx can end.
	fn    func()
	fired chan struct{}
	// cause is set once the guest is stopped: why. It can run no more.
	cause atomic.Pointer[error]
}

// initCompiled sets it up for a compiled mod; false when mod has no
// interrupt global (it was not instrumented).
func (it *interrupter) initCompiled(mod api.Module) bool {
	g, ok := mod.ExportedGlobal(wasmbin.InterruptExport).(api.MutableGlobal)
	it.stop = g
	return ok
}

// initInterpreted sets it up for a module the interpreter compiled with
// WithCloseOnContextDone.
func (it *interrupter) initInterpreted() {
	it.sctx = stopCtx{done: make(chan struct{}), it: it}
}

// fire stops the guest because the call's ctx ended.
func (it *interrupter) fire() {
	it.interrupt(ctxError(it.sctx.parent, nil))
	it.fired <- struct{}{}
}

// interrupt stops the guest with cause, from any goroutine. The cause is
// set first: a stopCtx reports it as soon as its Done channel is closed.
func (it *interrupter) interrupt(cause error) {
	it.cause.CompareAndSwap(nil, &cause)
	if it.stop != nil {
		it.stop.Set(1)
		return
	}
	it.closeOnce.Do(func() { close(it.sctx.done) })
}

// interrupted returns why the guest was stopped, or nil.
func (it *interrupter) interrupted() error {
	if c := it.cause.Load(); c != nil {
		return *c
	}
	return nil
}

// call runs f under ctx. A call that returns after fire ran fails even if
// the guest finished first: its time was up, and the guest is stopped.
func (it *interrupter) call(ctx context.Context, f api.Function, stack []uint64) error {
	if err := it.interrupted(); err != nil {
		return err
	}
	if err := ctxError(ctx, nil); err != nil {
		return err
	}
	it.sctx.parent = ctx
	var stop func() bool
	if ctx.Done() != nil {
		if it.fn == nil {
			it.fn, it.fired = it.fire, make(chan struct{}, 1)
		}
		stop = context.AfterFunc(ctx, it.fn)
	}
	cctx := ctx
	if it.stop == nil {
		cctx = &it.sctx
	}
	err := f.CallWithStack(cctx, stack)
	if stop != nil && !stop() {
		<-it.fired // the guest is stopped for good
	}
	if err := it.interrupted(); err != nil {
		return err
	}
	if err != nil {
		return mapError(ctx, err)
	}
	return nil
}

// stopCtx is the ctx of an interpreted sandbox's calls: the call's own ctx
// for values and deadline, and a Done channel closed when the interrupter
// stops the guest (wazero's interpreter then closes the module, which the
// guest notices at its next loop header). Only the calling goroutine sets
// parent, before it arms fire; wazero's watcher goroutine reads only Done
// and Err.
type stopCtx struct {
	parent context.Context
	done   chan struct{}
	it     *interrupter
}

func (c *stopCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *stopCtx) Done() <-chan struct{}       { return c.done }
func (c *stopCtx) Value(key any) any           { return c.parent.Value(key) }

// Err is nil until the guest is stopped, then the context error of its
// cause (wazero picks the exit code from it).
func (c *stopCtx) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	if errors.Is(c.it.interrupted(), wowrt.ErrCanceled) {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

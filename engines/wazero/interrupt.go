package wazero

import (
	"context"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"
	"github.com/wowrt/wow/internal/wasmbin"
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
// its next check and the call reports ErrTimeout or ErrCanceled. The
// interpreter keeps wazero's mechanism: its checks cost no exit, and its
// globals are plain Go values another goroutine must not write.

// interrupter stops one sandbox's guest when the ctx of its call ends, or
// when the runtime's watchdog says so (Sandbox.Interrupt).
type interrupter struct {
	stop api.MutableGlobal
	fn   func()
	// fired receives once per fire.
	fired chan struct{}
	// cause is set once the guest is stopped: why. It can run no more.
	cause atomic.Pointer[error]
}

// newInterrupter returns the interrupter of mod, or nil when mod has no
// interrupt global.
func newInterrupter(mod api.Module) *interrupter {
	g, ok := mod.ExportedGlobal(wasmbin.InterruptExport).(api.MutableGlobal)
	if !ok {
		return nil
	}
	it := &interrupter{stop: g, fired: make(chan struct{}, 1)}
	it.fn = it.fire
	return it
}

func (it *interrupter) fire() {
	it.stop.Set(1)
	it.fired <- struct{}{}
}

// interrupt stops the guest with cause, from any goroutine.
func (it *interrupter) interrupt(cause error) {
	it.cause.CompareAndSwap(nil, &cause)
	it.stop.Set(1)
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
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, it.fn)
	}
	err := f.CallWithStack(ctx, stack)
	if stop != nil && !stop() {
		<-it.fired // the flag is set: the guest is stopped for good
		cause := ctxError(ctx, nil)
		it.cause.CompareAndSwap(nil, &cause)
	}
	if err := it.interrupted(); err != nil {
		return err
	}
	if err != nil {
		return mapError(ctx, err)
	}
	return nil
}

package wazero

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
	wowrt "github.com/wowrt/wow/runtime"
)

type sandbox struct {
	mod   api.Module
	alloc *allocator
	// funcs caches export lookups: wazero allocates a wrapper per lookup.
	funcs map[string]*export
	// stack holds a call's arguments, then its results (CallWithStack:
	// no allocation per call).
	stack []uint64
	// mem is the exported memory's adapter, nil when there is none.
	mem wowrt.Memory
	// it stops the guest when a call's ctx ends or the runtime interrupts
	// it (interrupt.go).
	it interrupter
}

// export is a looked-up exported function.
type export struct {
	f               api.Function
	params, results int
}

func newSandbox(mod api.Module, alloc *allocator) *sandbox {
	s := &sandbox{mod: mod, alloc: alloc}
	if m := mod.Memory(); m != nil {
		s.mem = memory{m}
	}
	return s
}

func (s *sandbox) lookup(name string) (*export, error) {
	if e := s.funcs[name]; e != nil {
		return e, nil
	}
	f := s.mod.ExportedFunction(name)
	if f == nil {
		return nil, fmt.Errorf("%w: the module exports no function %s", wowrt.ErrABI, name)
	}
	d := f.Definition()
	e := &export{f: f, params: len(d.ParamTypes()), results: len(d.ResultTypes())}
	if s.funcs == nil {
		s.funcs = make(map[string]*export, 4)
	}
	s.funcs[name] = e
	return e, nil
}

// Call implements runtime.Sandbox. The results are valid until the next Call.
func (s *sandbox) Call(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	e, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if len(args) != e.params {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", wowrt.ErrABI, name, e.params, len(args))
	}
	n := max(e.params, e.results)
	if len(s.stack) < n {
		s.stack = make([]uint64, n)
	}
	stack := s.stack[:n]
	copy(stack, args)
	if err := s.it.call(ctx, e.f, stack); err != nil {
		return nil, err
	}
	return stack[:e.results], nil
}

func (s *sandbox) Memory() wowrt.Memory { return s.mem }

// CanInterrupt implements runtime.Interruptible: compiled and interpreted
// sandboxes both can be interrupted (interrupt.go).
func (s *sandbox) CanInterrupt() bool { return true }

// Interrupt implements runtime.Interruptible.
func (s *sandbox) Interrupt(cause error) { s.it.interrupt(cause) }

func (s *sandbox) MemoryLimitHit() bool { return s.alloc.hit.Load() }

func (s *sandbox) Close(ctx context.Context) error { return s.mod.Close(ctx) }

// mapError turns wazero's errors into the runtime's typed errors.
func mapError(ctx context.Context, err error) error {
	var ep *exitPanic
	if errors.As(err, &ep) {
		return &wowrt.ExitError{Code: ep.code}
	}
	var se *sys.ExitError
	if errors.As(err, &se) {
		switch se.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return fmt.Errorf("%w: the guest ran past its deadline", wowrt.ErrTimeout)
		case sys.ExitCodeContextCanceled:
			return fmt.Errorf("%w: the guest was stopped", wowrt.ErrCanceled)
		}
		return &wowrt.ExitError{Code: se.ExitCode()}
	}
	if cerr := ctxError(ctx, err); cerr != nil {
		return cerr
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return &wowrt.TrapError{Message: strings.TrimPrefix(msg, "wasm error: ")}
}

// ctxError is the typed error of a call whose ctx ended (wrapping cause when
// not nil), or nil while ctx is live.
func ctxError(ctx context.Context, cause error) error {
	kind, what := wowrt.ErrTimeout, "the guest ran past its deadline"
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
	case errors.Is(ctx.Err(), context.Canceled):
		kind, what = wowrt.ErrCanceled, "the guest was stopped"
	default:
		return nil
	}
	if cause != nil {
		return fmt.Errorf("%w: %w", kind, cause)
	}
	return fmt.Errorf("%w: %s", kind, what)
}

// memory adapts wazero's api.Memory.
type memory struct{ m api.Memory }

func (m memory) Read(offset, n uint32) ([]byte, bool) { return m.m.Read(offset, n) }
func (m memory) Write(offset uint32, b []byte) bool   { return m.m.Write(offset, b) }

//go:build wasmtime

package wasmtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v25"
	"github.com/wowrt/wow/internal/memfd"
	wowrt "github.com/wowrt/wow/runtime"
)

type sandbox struct {
	e     *engine
	store *wasmtime.Store
	inst  *wasmtime.Instance
	mem   *wasmtime.Memory
	cs    *cState
	// ctx is the ctx of the call in progress, for host functions.
	ctx context.Context
	// exited and exitCode are set by proc_exit.
	exited   bool
	exitCode uint32
	// stdout and stderr capture WASI fds 1 and 2; nil when discarded.
	stdout, stderr *memfd.Capture
	funcs          map[string]*export
	closed         bool
}

// export is a cached exported function with its parameter kinds.
type export struct {
	f      *wasmtime.Func
	params []wasmtime.ValKind
}

func (s *sandbox) lookup(name string) (*export, error) {
	if x := s.funcs[name]; x != nil {
		return x, nil
	}
	f := s.inst.GetFunc(s.store, name)
	if f == nil {
		return nil, fmt.Errorf("%w: %s: no such exported function", wowrt.ErrABI, name)
	}
	x := &export{f: f}
	for _, p := range f.Type(s.store).Params() {
		x.params = append(x.params, p.Kind())
	}
	if s.funcs == nil {
		s.funcs = make(map[string]*export, 4)
	}
	s.funcs[name] = x
	return x, nil
}

func (s *sandbox) Call(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	if s.closed {
		return nil, fmt.Errorf("call %s: sandbox %w", name, wowrt.ErrClosed)
	}
	x, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if len(args) != len(x.params) {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", wowrt.ErrABI, name, len(x.params), len(args))
	}
	if err := ctx.Err(); err != nil {
		return nil, s.mapError(ctx, err)
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = wowrt.GoValue(wowType(x.params[i]), a)
	}
	s.ctx, s.exited = ctx, false
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	if ctx.Done() != nil {
		s.e.enter()
		stop := context.AfterFunc(ctx, func() { cancelCall(s.cs) })
		defer func() { stop(); s.e.leave() }()
	}
	res, err := x.f.Call(s.store, vals...)
	s.flush()
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	if ctx.Err() != nil {
		// Done, but past the deadline (a host call cut short by it, say).
		return nil, s.mapError(ctx, ctx.Err())
	}
	return rawResults(res), nil
}

// mapError turns wasmtime's errors into the runtime's typed errors.
func (s *sandbox) mapError(ctx context.Context, err error) error {
	if s.exited {
		return &wowrt.ExitError{Code: s.exitCode}
	}
	if interrupted(s.cs) || ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%w: the guest was stopped", wowrt.ErrCanceled)
		}
		return fmt.Errorf("%w: the guest ran past its deadline", wowrt.ErrTimeout)
	}
	var wErr *wasmtime.Error
	if errors.As(err, &wErr) {
		if code, ok := wErr.ExitStatus(); ok {
			return &wowrt.ExitError{Code: uint32(code)}
		}
	}
	return &wowrt.TrapError{Message: trapMessage(err.Error())}
}

// trapMessage picks the cause out of wasmtime's multi-line trap report
// ("error while executing at wasm backtrace: ... Caused by: wasm trap: X").
func trapMessage(s string) string {
	if _, cause, ok := strings.Cut(s, "Caused by:"); ok {
		s = strings.TrimSpace(cause)
	}
	if _, t, ok := strings.Cut(s, "wasm trap: "); ok {
		s = t
	}
	return firstLine(strings.TrimSpace(s))
}

func (s *sandbox) Memory() wowrt.Memory {
	if s.mem == nil {
		return nil
	}
	return memory{s}
}

func (s *sandbox) MemoryLimitHit() bool { return memHit(s.cs) }

func (s *sandbox) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	live.Delete(unsafe.Pointer(s.store.Context()))
	s.store.Close() // frees the memories, which point at cs
	freeCState(s.cs)
	s.stdout.Close()
	s.stderr.Close()
	return nil
}

// flush forwards what the guest wrote to stdout and stderr.
func (s *sandbox) flush() {
	s.stdout.Drain()
	s.stderr.Drain()
}

// memory is a sandbox's linear memory. It never moves (see wow_mem in
// shim.go), so a view stays valid until the next call into the sandbox.
type memory struct{ s *sandbox }

func (m memory) bytes() []byte { return m.s.mem.UnsafeData(m.s.store) }

func (m memory) Read(offset, n uint32) ([]byte, bool) { return wowrt.ReadSlice(m.bytes(), offset, n) }

func (m memory) Write(offset uint32, p []byte) bool { return wowrt.WriteSlice(m.bytes(), offset, p) }

func rawResults(res any) []uint64 {
	switch v := res.(type) {
	case nil:
		return nil
	case []wasmtime.Val:
		out := make([]uint64, len(v))
		for i, x := range v {
			out[i] = toRaw(x)
		}
		return out
	}
	if raw, ok := wowrt.RawValue(res); ok {
		return []uint64{raw}
	}
	return nil
}

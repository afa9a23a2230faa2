//go:build wasmer

package wasmer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/wasmerio/wasmer-go/wasmer"
	wowrt "github.com/wowrt/wow/runtime"
)

type sandbox struct {
	e     *engine
	store *wasmer.Store
	inst  *wasmer.Instance
	mem   *wasmer.Memory
	env   *wasmer.WasiEnvironment
	limit uint32
	// ctx is the ctx of the call in progress, for host functions.
	ctx context.Context
	// stdin is what fd 0 has left to read.
	stdin  []byte
	fdRead *wasmer.Function
	// pollOrig is wasmer's poll_oneoff, for descriptor-only polls.
	pollOrig *wasmer.Function
	funcs    []*wasmer.Function
	hit      bool
	stdout   io.Writer
	stderr   io.Writer
	exports  map[string]*wasmer.Function

	mu sync.Mutex
	// running is set while a quarantined guest still runs; closing then
	// only marks closeReq and the guest's goroutine frees the sandbox.
	running, closeReq, closed, quarantined bool
}

// outcome is what one call into the guest produced.
type outcome struct {
	res any
	err error
}

func (s *sandbox) Call(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	s.mu.Lock()
	dead := s.closed || s.quarantined
	s.mu.Unlock()
	if dead {
		return nil, fmt.Errorf("call %s: sandbox %w", name, wowrt.ErrClosed)
	}
	f, err := s.export(name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, s.stopped(ctx)
	}
	kinds := f.Type().Params()
	if len(kinds) != len(args) {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", wowrt.ErrABI, name, len(kinds), len(args))
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = wowrt.GoValue(wowType(kinds[i].Kind()), a)
	}
	s.ctx = ctx
	setPoints(s.inst, s.e.budget(ctx))
	var out outcome
	if ctx.Done() == nil {
		out.res, out.err = f.Call(vals...)
	} else {
		done := make(chan outcome, 1)
		s.mu.Lock()
		s.running = true
		s.mu.Unlock()
		go func() {
			r, err := f.Call(vals...)
			done <- outcome{r, err}
			s.finish()
		}()
		select {
		case out = <-done:
		case <-ctx.Done():
			// The guest cannot be interrupted: quarantine it. It runs on
			// until its metering budget (calibrated to the deadline) runs
			// out, then its goroutine frees it.
			s.mu.Lock()
			if !s.running {
				s.mu.Unlock()
				out = <-done
				break
			}
			s.quarantined = true
			s.mu.Unlock()
			runaways.Add(1)
			return nil, s.stopped(ctx)
		}
	}
	s.flush()
	s.checkMemory()
	if out.err != nil {
		return nil, s.mapError(ctx, out.err)
	}
	if ctx.Err() != nil {
		return nil, s.stopped(ctx)
	}
	return rawResults(out.res), nil
}

// finish runs on the guest's goroutine when its call returns.
func (s *sandbox) finish() {
	s.mu.Lock()
	s.running = false
	q, free := s.quarantined, s.closeReq
	s.mu.Unlock()
	if q {
		runaways.Add(-1)
		if free {
			s.free()
		}
	}
}

func (s *sandbox) export(name string) (*wasmer.Function, error) {
	if f := s.exports[name]; f != nil {
		return f, nil
	}
	f, err := s.inst.Exports.GetRawFunction(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: no such exported function", wowrt.ErrABI, name)
	}
	if s.exports == nil {
		s.exports = map[string]*wasmer.Function{}
	}
	s.exports[name] = f
	return f, nil
}

// checkMemory records that the guest reached its limit: its memory's
// declared maximum was rewritten to the limit, so wasmer refused to grow
// past it.
func (s *sandbox) checkMemory() {
	if s.mem != nil && s.limit > 0 && uint32(s.mem.Size()) >= s.limit {
		s.hit = true
	}
}

func (s *sandbox) stopped(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%w: the guest was stopped (and quarantined if still running)", wowrt.ErrCanceled)
	}
	return fmt.Errorf("%w: the guest ran past its deadline (and was quarantined if still running)", wowrt.ErrTimeout)
}

// mapError turns wasmer's errors into the runtime's typed errors.
func (s *sandbox) mapError(ctx context.Context, err error) error {
	if code, ok := exitCode(err); ok {
		return &wowrt.ExitError{Code: code}
	}
	if ctx.Err() != nil || (s.inst != nil && pointsExhausted(s.inst) && s.e.cfg.Fuel == 0) {
		return s.stopped(ctx)
	}
	msg := err.Error()
	if s.inst != nil && pointsExhausted(s.inst) {
		msg = "all fuel consumed: " + msg
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return &wowrt.TrapError{Message: msg}
}

// exitCode recognises WASI's proc_exit in a trap: "WASI exited with code: N".
func exitCode(err error) (uint32, bool) {
	const prefix = "WASI exited with code: "
	msg := err.Error()
	i := strings.Index(msg, prefix)
	if i < 0 {
		return 0, false
	}
	n, perr := strconv.ParseUint(strings.TrimSpace(msg[i+len(prefix):]), 10, 32)
	return uint32(n), perr == nil
}

// flush forwards captured stdout and stderr.
func (s *sandbox) flush() {
	if s.env == nil {
		return
	}
	if b := s.env.ReadStdout(); len(b) > 0 && s.stdout != nil {
		_, _ = s.stdout.Write(b)
	}
	if b := s.env.ReadStderr(); len(b) > 0 && s.stderr != nil {
		_, _ = s.stderr.Write(b)
	}
}

func (s *sandbox) Memory() wowrt.Memory {
	if s.mem == nil {
		return nil
	}
	return memory{s}
}

func (s *sandbox) MemoryLimitHit() bool { return s.hit }

func (s *sandbox) Close(context.Context) error {
	s.mu.Lock()
	if s.closed || s.closeReq {
		s.mu.Unlock()
		return nil
	}
	if s.running {
		s.closeReq = true // the guest's goroutine frees it when it ends
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.free()
	return nil
}

func (s *sandbox) free() {
	if s.inst != nil {
		s.inst.Close()
	}
}

// memory is a sandbox's linear memory.
type memory struct{ s *sandbox }

func (m memory) Read(offset, n uint32) ([]byte, bool) {
	return wowrt.ReadSlice(m.s.mem.Data(), offset, n)
}

func (m memory) Write(offset uint32, p []byte) bool {
	return wowrt.WriteSlice(m.s.mem.Data(), offset, p)
}

func rawResults(res any) []uint64 {
	switch v := res.(type) {
	case nil:
		return nil
	case []any:
		out := make([]uint64, 0, len(v))
		for _, x := range v {
			out = append(out, rawResults(x)...)
		}
		return out
	}
	if raw, ok := wowrt.RawValue(res); ok {
		return []uint64{raw}
	}
	return nil
}

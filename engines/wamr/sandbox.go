//go:build wamr

package wamr

/*
#include <stdlib.h>
#include <wasm_export.h>

void wow_thread(void);
uint8_t *wow_memory(wasm_module_inst_t inst, uint64_t *size);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	goruntime "runtime"
	"runtime/cgo"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/wowrt/wow/internal/memfd"
	wowrt "github.com/wowrt/wow/runtime"
	"golang.org/x/sys/unix"
)

type sandbox struct {
	m      *module
	inst   C.wasm_module_inst_t
	handle cgo.Handle
	// ctx is the ctx of the call in progress, for host functions.
	ctx            context.Context
	stdout, stderr *memfd.Capture
	hit            atomic.Bool
	stopped        atomic.Bool
	closed         bool
}

func (s *sandbox) Call(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	if s.closed {
		return nil, fmt.Errorf("call %s: sandbox %w", name, wowrt.ErrClosed)
	}
	var ft wowrt.FuncType
	found := false
	for _, e := range s.m.exports {
		if e.Name == name && e.Kind == wowrt.ExternFunc {
			ft, found = e.Type, true
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: %s: no such exported function", wowrt.ErrABI, name)
	}
	if len(args) != len(ft.Params) {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", wowrt.ErrABI, name, len(ft.Params), len(args))
	}
	if err := ctx.Err(); err != nil {
		return nil, stopErr(ctx)
	}
	if name == "_initialize" && s.m.wasi {
		// WAMR already ran it when instantiating a WASI reactor; a second
		// run would re-initialise the guest (Go's runtime traps).
		return nil, nil
	}
	lookup := name
	if s.m.renamed && name == "_start" {
		lookup = startAlias
	}
	cname := C.CString(lookup)
	defer C.free(unsafe.Pointer(cname))

	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	C.wow_thread()
	fn := C.wasm_runtime_lookup_function(s.inst, cname)
	if fn == nil {
		return nil, fmt.Errorf("%w: %s: not found by WAMR", wowrt.ErrABI, name)
	}
	// Cells: i32/f32 take one 32-bit cell, i64/f64 two.
	var cells []C.uint32_t
	for i, t := range ft.Params {
		if t == wowrt.ValueTypeI64 || t == wowrt.ValueTypeF64 {
			cells = append(cells, C.uint32_t(uint32(args[i])), C.uint32_t(uint32(args[i]>>32)))
		} else {
			cells = append(cells, C.uint32_t(uint32(args[i])))
		}
	}
	need := 0
	for _, t := range ft.Results {
		need++
		if t == wowrt.ValueTypeI64 || t == wowrt.ValueTypeF64 {
			need++
		}
	}
	for len(cells) < need || len(cells) == 0 {
		cells = append(cells, 0)
	}
	env := C.wasm_runtime_create_exec_env(s.inst, StackSize)
	if env == nil {
		return nil, fmt.Errorf("create exec env: out of memory")
	}
	defer C.wasm_runtime_destroy_exec_env(env)
	s.ctx = ctx
	s.stopped.Store(false)
	stop := context.AfterFunc(ctx, func() {
		s.stopped.Store(true)
		C.wasm_runtime_terminate(s.inst)
	})
	ok := C.wasm_runtime_call_wasm(env, fn, C.uint32_t(len(ft.Params)+countWide(ft.Params)), &cells[0])
	stop()
	s.stdout.Drain()
	s.stderr.Drain()
	if !ok {
		exc := C.GoString(C.wasm_runtime_get_exception(s.inst))
		C.wasm_runtime_clear_exception(s.inst)
		switch {
		case s.stopped.Load() || ctx.Err() != nil:
			return nil, stopErr(ctx)
		case strings.Contains(exc, "wasi proc exit"):
			return nil, &wowrt.ExitError{Code: uint32(C.wasm_runtime_get_wasi_exit_code(s.inst))}
		}
		return nil, &wowrt.TrapError{Message: strings.TrimPrefix(exc, "Exception: ")}
	}
	if ctx.Err() != nil {
		return nil, stopErr(ctx)
	}
	res := make([]uint64, len(ft.Results))
	c := 0
	for i, t := range ft.Results {
		if t == wowrt.ValueTypeI64 || t == wowrt.ValueTypeF64 {
			res[i] = uint64(cells[c]) | uint64(cells[c+1])<<32
			c += 2
		} else {
			res[i] = uint64(cells[c])
			c++
		}
	}
	return res, nil
}

func countWide(ts []wowrt.ValueType) int {
	n := 0
	for _, t := range ts {
		if t == wowrt.ValueTypeI64 || t == wowrt.ValueTypeF64 {
			n++
		}
	}
	return n
}

func stopErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%w: the guest was stopped", wowrt.ErrCanceled)
	}
	return fmt.Errorf("%w: the guest ran past its deadline", wowrt.ErrTimeout)
}

func (s *sandbox) Memory() wowrt.Memory {
	var size C.uint64_t
	if C.wow_memory(s.inst, &size) == nil {
		return nil
	}
	return memory{s}
}

func (s *sandbox) MemoryLimitHit() bool { return s.hit.Load() }

func (s *sandbox) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.inst != nil {
		goruntime.LockOSThread()
		C.wow_thread()
		C.wasm_runtime_deinstantiate(s.inst)
		goruntime.UnlockOSThread()
	}
	s.handle.Delete()
	s.stdout.Close()
	s.stderr.Close()
	return nil
}

// memory is the sandbox's default linear memory, looked up per access
// (growing may move it).
type memory struct{ s *sandbox }

func (m memory) bytes() []byte {
	var size C.uint64_t
	p := C.wow_memory(m.s.inst, &size)
	if p == nil || size == 0 || size > math.MaxInt32*2 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(size))
}

func (m memory) Read(offset, n uint32) ([]byte, bool) { return wowrt.ReadSlice(m.bytes(), offset, n) }

func (m memory) Write(offset uint32, p []byte) bool { return wowrt.WriteSlice(m.bytes(), offset, p) }

func dup(fd int) int {
	n, err := unix.Dup(fd)
	if err != nil {
		return -1
	}
	return n
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

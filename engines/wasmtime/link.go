//go:build wasmtime

package wasmtime

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v25"
	wowrt "github.com/wowrt/wow/runtime"
)

// live maps a store's context pointer to its sandbox, so that the host
// functions, defined once in the engine's Linker, find the sandbox (its
// call's ctx, its memory, its exit code) of the guest calling them.
var live sync.Map // unsafe.Pointer -> *sandbox

func sandboxOf(c *wasmtime.Caller) *sandbox {
	s, _ := live.Load(unsafe.Pointer(c.Context()))
	sb, _ := s.(*sandbox)
	return sb
}

// link defines WASI (with a proc_exit that keeps memory readable) and the
// runtime's host functions in the engine's Linker.
func (e *engine) link() error {
	l := wasmtime.NewLinker(e.eng)
	if err := l.DefineWasi(); err != nil {
		return fmt.Errorf("define WASI: %w", err)
	}
	l.AllowShadowing(true)
	i32 := wasmtime.NewValType(wasmtime.KindI32)
	exitType := wasmtime.NewFuncType([]*wasmtime.ValType{i32}, nil)
	if err := l.FuncNew("wasi_snapshot_preview1", "proc_exit", exitType, procExit); err != nil {
		return fmt.Errorf("define proc_exit: %w", err)
	}
	l.AllowShadowing(false)
	for _, h := range e.cfg.HostFuncs {
		ft := wasmtime.NewFuncType(valTypes(h.Type.Params), valTypes(h.Type.Results))
		if err := l.FuncNew(h.Module, h.Name, ft, hostFunc(h)); err != nil {
			return fmt.Errorf("define %s.%s: %w", h.Module, h.Name, err)
		}
	}
	e.linker = l
	return nil
}

// procExit ends the guest with a trap and records its code, unlike WASI's
// own proc_exit which tears the instance down: the memory-buffer ABI reads
// the result after _start, and Go guests end _start with proc_exit(0).
func procExit(c *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
	if sb := sandboxOf(c); sb != nil {
		sb.exited, sb.exitCode = true, uint32(args[0].I32())
	}
	return nil, wasmtime.NewTrap("proc_exit")
}

func hostFunc(h wowrt.HostFunc) func(*wasmtime.Caller, []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
	return func(c *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
		ctx := context.Background()
		var mem wowrt.Memory
		if sb := sandboxOf(c); sb != nil {
			ctx = sb.ctx
			if m := sb.Memory(); m != nil {
				mem = m
			}
		}
		raw := make([]uint64, len(args))
		for i, a := range args {
			raw[i] = toRaw(a)
		}
		res := h.Call(ctx, mem, raw)
		out := make([]wasmtime.Val, len(h.Type.Results))
		for i, t := range h.Type.Results {
			out[i] = fromRaw(t, res[i])
		}
		return out, nil
	}
}

func toRaw(v wasmtime.Val) uint64 {
	switch v.Kind() {
	case wasmtime.KindI32:
		return uint64(uint32(v.I32()))
	case wasmtime.KindI64:
		return uint64(v.I64())
	case wasmtime.KindF32:
		return uint64(math.Float32bits(v.F32()))
	case wasmtime.KindF64:
		return math.Float64bits(v.F64())
	}
	return 0
}

func fromRaw(t wowrt.ValueType, r uint64) wasmtime.Val {
	switch t {
	case wowrt.ValueTypeI64:
		return wasmtime.ValI64(int64(r))
	case wowrt.ValueTypeF32:
		return wasmtime.ValF32(math.Float32frombits(uint32(r)))
	case wowrt.ValueTypeF64:
		return wasmtime.ValF64(math.Float64frombits(r))
	}
	return wasmtime.ValI32(int32(uint32(r)))
}

func valTypes(ts []wowrt.ValueType) []*wasmtime.ValType {
	out := make([]*wasmtime.ValType, len(ts))
	for i, t := range ts {
		out[i] = wasmtime.NewValType(kind(t))
	}
	return out
}

func kind(t wowrt.ValueType) wasmtime.ValKind {
	switch t {
	case wowrt.ValueTypeI64:
		return wasmtime.KindI64
	case wowrt.ValueTypeF32:
		return wasmtime.KindF32
	case wowrt.ValueTypeF64:
		return wasmtime.KindF64
	case wowrt.ValueTypeFuncref:
		return wasmtime.KindFuncref
	case wowrt.ValueTypeExternref:
		return wasmtime.KindExternref
	}
	return wasmtime.KindI32
}

func wowType(k wasmtime.ValKind) wowrt.ValueType {
	switch k {
	case wasmtime.KindI64:
		return wowrt.ValueTypeI64
	case wasmtime.KindF32:
		return wowrt.ValueTypeF32
	case wasmtime.KindF64:
		return wowrt.ValueTypeF64
	case wasmtime.KindFuncref:
		return wowrt.ValueTypeFuncref
	case wasmtime.KindExternref:
		return wowrt.ValueTypeExternref
	}
	return wowrt.ValueTypeI32
}

//go:build wasmer

package wasmer

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/wasmerio/wasmer-go/wasmer"
	wowrt "github.com/wowrt/wow/runtime"
)

const wasiModule = "wasi_snapshot_preview1"

// WASI errno values the fd_read override returns.
const (
	errnoSuccess = 0
	errnoFault   = 21
)

// wasi builds the module's WASI imports: wasmer's own, with stdout and
// stderr captured, and fd_read and poll_oneoff replaced. proc_exit stays
// wasmer's: it unwinds without freeing the instance, so memory stays
// readable, and its code comes back in the trap message. (A Go host
// function must never fail in wasmer-go v1.0.4: the trap it makes of the
// error is freed twice, by wasmer and by a Go finalizer, and the process
// crashes.)
func (s *sandbox) wasi(m *module, sc *wowrt.SandboxConfig) (*wasmer.ImportObject, error) {
	prog := "action"
	if len(sc.Args) > 0 {
		prog = sc.Args[0]
	}
	b := wasmer.NewWasiStateBuilder(prog)
	for _, a := range sc.Args[min(1, len(sc.Args)):] {
		b = b.Argument(a)
	}
	for _, kv := range sc.Env {
		k, v, _ := cut(kv)
		b = b.Environment(k, v)
	}
	for _, d := range sc.Dirs {
		if d.ReadOnly {
			return nil, fmt.Errorf("read-only mount of %s: %w (wasmer-go preopens read-write only)", d.HostPath, wowrt.ErrUnsupported)
		}
		guest := d.GuestPath
		if guest == "" {
			guest = d.HostPath
		}
		b = b.MapDirectory(guest, d.HostPath)
	}
	env, err := b.CaptureStdout().CaptureStderr().Finalize()
	if err != nil {
		return nil, fmt.Errorf("WASI environment: %w", err)
	}
	s.env = env
	imports, err := env.GenerateImportObject(s.store, m.m)
	if err != nil {
		return nil, fmt.Errorf("WASI imports: %w", err)
	}
	if sc.Stdin != nil {
		if s.stdin, err = io.ReadAll(sc.Stdin); err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
	}
	own := map[string]wasmer.IntoExtern{}
	if orig, ok := importExterns(imports)[wasiModule]["fd_read"]; ok {
		s.fdRead = orig.IntoExtern().IntoFunction()
		own["fd_read"] = s.fn(wasmer.NewFunctionType(
			wasmer.NewValueTypes(wasmer.I32, wasmer.I32, wasmer.I32, wasmer.I32),
			wasmer.NewValueTypes(wasmer.I32)), (*sandbox).readFd)
	}
	if orig, ok := importExterns(imports)[wasiModule]["poll_oneoff"]; ok {
		s.pollOrig = orig.IntoExtern().IntoFunction()
		own["poll_oneoff"] = s.fn(wasmer.NewFunctionType(
			wasmer.NewValueTypes(wasmer.I32, wasmer.I32, wasmer.I32, wasmer.I32),
			wasmer.NewValueTypes(wasmer.I32)), (*sandbox).pollOneoff)
	}
	imports.Register(wasiModule, own)
	return imports, nil
}

// host registers the runtime's host functions.
func (s *sandbox) host(imports *wasmer.ImportObject) {
	byModule := map[string]map[string]wasmer.IntoExtern{}
	for _, h := range s.e.cfg.HostFuncs {
		if byModule[h.Module] == nil {
			byModule[h.Module] = map[string]wasmer.IntoExtern{}
		}
		params, results := make([]wasmer.ValueKind, len(h.Type.Params)), make([]wasmer.ValueKind, len(h.Type.Results))
		for i, t := range h.Type.Params {
			params[i] = kind(t)
		}
		for i, t := range h.Type.Results {
			results[i] = kind(t)
		}
		byModule[h.Module][h.Name] = s.fn(wasmer.NewFunctionType(wasmer.NewValueTypes(params...), wasmer.NewValueTypes(results...)),
			func(s *sandbox, args []wasmer.Value) ([]wasmer.Value, error) {
				raw := make([]uint64, len(args))
				for i, a := range args {
					raw[i] = toRaw(a)
				}
				var mem wowrt.Memory
				if s.mem != nil {
					mem = memory{s}
				}
				res := h.Call(s.ctx, mem, raw)
				out := make([]wasmer.Value, len(results))
				for i, k := range results {
					out[i] = fromRaw(k, res[i])
				}
				return out, nil
			})
	}
	for name, fns := range byModule {
		imports.Register(name, fns)
	}
}

// fn makes a host function bound to this sandbox.
func (s *sandbox) fn(t *wasmer.FunctionType, f func(*sandbox, []wasmer.Value) ([]wasmer.Value, error)) *wasmer.Function {
	hf := wasmer.NewFunctionWithEnvironment(s.store, t, s, func(env any, args []wasmer.Value) ([]wasmer.Value, error) {
		return f(env.(*sandbox), args)
	})
	s.funcs = append(s.funcs, hf) // keep them alive as long as the instance
	return hf
}

// readFd is WASI fd_read(fd, iovs, iovs_len, nread) -> errno: fd 0 reads the
// activation's stdin bytes, every other descriptor goes to wasmer's WASI.
func (s *sandbox) readFd(args []wasmer.Value) ([]wasmer.Value, error) {
	if args[0].I32() != 0 {
		return delegate(s.fdRead, args), nil
	}
	errno := func(e int32) []wasmer.Value { return []wasmer.Value{wasmer.NewI32(e)} }
	if s.mem == nil {
		return errno(errnoFault), nil
	}
	mem := s.mem.Data()
	iovs, n, nreadPtr := uint32(args[1].I32()), uint32(args[2].I32()), uint32(args[3].I32())
	if uint64(iovs)+8*uint64(n) > uint64(len(mem)) || uint64(nreadPtr)+4 > uint64(len(mem)) {
		return errno(errnoFault), nil
	}
	var total uint32
	for i := range n {
		buf := binary.LittleEndian.Uint32(mem[iovs+8*i:])
		l := binary.LittleEndian.Uint32(mem[iovs+8*i+4:])
		if uint64(buf)+uint64(l) > uint64(len(mem)) {
			return errno(errnoFault), nil
		}
		k := copy(mem[buf:buf+l], s.stdin)
		s.stdin = s.stdin[k:]
		total += uint32(k)
		if k < int(l) {
			break
		}
	}
	binary.LittleEndian.PutUint32(mem[nreadPtr:], total)
	return errno(errnoSuccess), nil
}

// delegate calls wasmer's own implementation of a WASI function; a failure
// (which must not become a trap here, see wasi) reads as EFAULT.
func delegate(f *wasmer.Function, args []wasmer.Value) []wasmer.Value {
	r, err := f.Call(args[0].I32(), args[1].I32(), args[2].I32(), args[3].I32())
	if n, ok := r.(int32); ok && err == nil {
		return []wasmer.Value{wasmer.NewI32(n)}
	}
	return []wasmer.Value{wasmer.NewI32(errnoFault)}
}

func toRaw(v wasmer.Value) uint64 {
	switch v.Kind() {
	case wasmer.I32:
		return uint64(uint32(v.I32()))
	case wasmer.I64:
		return uint64(v.I64())
	case wasmer.F32:
		return uint64(math.Float32bits(v.F32()))
	case wasmer.F64:
		return math.Float64bits(v.F64())
	}
	return 0
}

func fromRaw(k wasmer.ValueKind, r uint64) wasmer.Value {
	switch k {
	case wasmer.I64:
		return wasmer.NewI64(int64(r))
	case wasmer.F32:
		return wasmer.NewF32(math.Float32frombits(uint32(r)))
	case wasmer.F64:
		return wasmer.NewF64(math.Float64frombits(r))
	}
	return wasmer.NewI32(int32(uint32(r)))
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

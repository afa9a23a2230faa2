package wazero

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	wowrt "github.com/wowrt/wow/runtime"
)

// Name is the engine's registry name.
const Name = "wazero"

func init() { wowrt.Register(Name, New) }

type engine struct {
	r       wazero.Runtime
	pool    *reservationPool
	cache   wazero.CompilationCache
	version string
	cfg     wowrt.EngineConfig
	// loader is the runtime that loads precompiled artifacts (load.go),
	// created on first use.
	loader loader
}

// New creates the wazero engine. Fuel is not supported: wazero has no fuel
// metering, so a Config with fuel fails with runtime.ErrUnsupported.
func New(ctx context.Context, cfg wowrt.EngineConfig) (wowrt.Engine, error) {
	if cfg.Fuel > 0 {
		return nil, fmt.Errorf("fuel metering: %w (wazero stops guests by deadline only)", wowrt.ErrUnsupported)
	}
	e := &engine{pool: newReservationPool(), version: wowrt.ModuleVersion("github.com/tetratelabs/wazero", "v1.12.0"), cfg: cfg}
	if cfg.CompilationCacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cfg.CompilationCacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", cfg.CompilationCacheDir, err)
		}
		e.cache = c
	}
	r, err := newRuntime(ctx, cfg, e.cache)
	if err != nil {
		if e.cache != nil {
			_ = e.cache.Close(ctx)
		}
		return nil, err
	}
	e.r = r
	return e, nil
}

// newRuntime returns a wazero runtime configured for cfg, with the host
// modules linked, on cache when it is not nil. Every runtime of the engine
// (compiling, loading, precompiling) is made here, so they compile the
// same code.
func newRuntime(ctx context.Context, cfg wowrt.EngineConfig, cache wazero.CompilationCache) (wazero.Runtime, error) {
	rc := wazero.NewRuntimeConfig()
	if cfg.Interpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	// The memory limit is enforced per sandbox by the allocator (memory.go):
	// wazero's own limit would reject modules that merely declare a larger max.
	// Compiled code is stopped by instrumentation (interrupt.go), the
	// interpreter by wazero.
	rc = rc.WithCloseOnContextDone(cfg.Interpreter)
	// DWARF only adds source lines to the stack trace of a trap, which
	// mapError drops (a TrapError is the trap's first line), while wazero
	// decodes it for every module, even one without any: 0.5–1 µs and 7
	// allocations of an interpreted compile of a small module.
	rc = rc.WithDebugInfoEnabled(false)
	if cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	if err := instantiateHost(ctx, r, cfg.HostFuncs); err != nil {
		_ = r.Close(ctx)
		return nil, err
	}
	return r, nil
}

// Interpreted implements runtime.Interpreted: tiered runtimes pair an
// interpreting wazero engine with a compiling one.
func (e *engine) Interpreted() bool { return e.cfg.Interpreter }

func (e *engine) Name() string    { return Name }
func (e *engine) Version() string { return e.version }

func (e *engine) Compile(ctx context.Context, wasm []byte) (wowrt.EngineModule, error) {
	return e.compile(ctx, e.r, wasm)
}

func (e *engine) Close(ctx context.Context) error {
	err := e.r.Close(ctx)
	e.loader.close(ctx)
	e.pool.drain()
	if e.cache != nil {
		_ = e.cache.Close(ctx)
	}
	return err
}

// instantiateHost links WASI (with a proc_exit that keeps memory readable)
// and the runtime's host functions.
func instantiateHost(ctx context.Context, r wazero.Runtime, funcs []wowrt.HostFunc) error {
	wasi := r.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(wasi)
	wasi.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(procExit), []api.ValueType{api.ValueTypeI32}, nil).
		WithParameterNames("rval").
		Export("proc_exit")
	if _, err := wasi.Instantiate(ctx); err != nil {
		return fmt.Errorf("instantiate WASI: %w", err)
	}
	byModule := map[string][]wowrt.HostFunc{}
	var order []string
	for _, h := range funcs {
		if _, ok := byModule[h.Module]; !ok {
			order = append(order, h.Module)
		}
		byModule[h.Module] = append(byModule[h.Module], h)
	}
	for _, name := range order {
		b := r.NewHostModuleBuilder(name)
		for _, h := range byModule[name] {
			b.NewFunctionBuilder().
				WithGoModuleFunction(hostFunc(h), valueTypes(h.Type.Params), valueTypes(h.Type.Results)).
				Export(h.Name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return fmt.Errorf("instantiate host module %s: %w", name, err)
		}
	}
	return nil
}

func hostFunc(h wowrt.HostFunc) api.GoModuleFunction {
	n := len(h.Type.Params)
	return api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		var mem wowrt.Memory
		if m := mod.Memory(); m != nil {
			mem = memory{m}
		}
		copy(stack, h.Call(ctx, mem, stack[:n]))
	})
}

// exitPanic carries a guest's proc_exit code out of wazero without closing
// the module, unlike wazero's own proc_exit: the memory-buffer ABI reads the
// result after _start, and Go guests end _start with proc_exit(0).
type exitPanic struct{ code uint32 }

func (e *exitPanic) Error() string { return fmt.Sprintf("proc_exit(%d)", e.code) }

func procExit(_ context.Context, _ api.Module, stack []uint64) {
	panic(&exitPanic{code: uint32(stack[0])})
}

package wazero

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

type module struct {
	e *engine
	// r is the runtime that compiled (or loaded) cm and instantiates it.
	r       wazero.Runtime
	cm      wazero.CompiledModule
	imports []wowrt.Import
	exports []wowrt.Export
	// minPages is the declared initial memory, checked against the limit.
	minPages uint32
	// image, when set, is the initial memory mapped into every instance;
	// the compiled module then has no data segments.
	image *image
	// start is set when the module's start function is exported as
	// wasmbin.StartExport, for Instantiate to call.
	start bool
	// wasi is set when the module imports WASI: only then can it see its
	// args, env, streams and directories.
	wasi bool
}

func newModule(e *engine, r wazero.Runtime, cm wazero.CompiledModule) *module {
	m := &module{e: e, r: r, cm: cm}
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		m.imports = append(m.imports, wowrt.Import{Module: mod, Name: name, Kind: wowrt.ExternFunc, Type: funcType(f)})
		m.wasi = m.wasi || mod == wasi_snapshot_preview1.ModuleName
	}
	for _, mem := range cm.ImportedMemories() {
		mod, name, _ := mem.Import()
		m.imports = append(m.imports, wowrt.Import{Module: mod, Name: name, Kind: wowrt.ExternMemory})
		m.minPages = max(m.minPages, mem.Min())
	}
	for name, f := range cm.ExportedFunctions() { // a new map per call
		m.exports = append(m.exports, wowrt.Export{Name: name, Kind: wowrt.ExternFunc, Type: funcType(f)})
		m.start = m.start || name == wasmbin.StartExport
	}
	for name, mem := range cm.ExportedMemories() {
		m.exports = append(m.exports, wowrt.Export{Name: name, Kind: wowrt.ExternMemory})
		m.minPages = max(m.minPages, mem.Min())
	}
	return m
}

func (m *module) Imports() []wowrt.Import { return m.imports }
func (m *module) Exports() []wowrt.Export { return m.exports }

func (m *module) Instantiate(ctx context.Context, sc *wowrt.SandboxConfig) (wowrt.Sandbox, error) {
	if err := wowrt.CheckInitialMemory(m.minPages, sc.MemoryLimitPages); err != nil {
		return nil, err
	}
	alloc := newAllocator(sc.MemoryLimitPages, m.e.pool, m.image)
	mc := baseModuleConfig
	if m.wasi {
		mc = moduleConfig(sc)
	}
	mod, err := m.r.InstantiateModule(experimental.WithMemoryAllocator(ctx, alloc), m.cm, mc)
	if err != nil {
		if alloc.hit.Load() {
			return nil, fmt.Errorf("%w: %w", wowrt.ErrMemoryLimit, err)
		}
		return nil, fmt.Errorf("instantiate: %w", mapError(ctx, err))
	}
	s := newSandbox(mod, alloc)
	if m.e.cfg.Interpreter {
		s.it.initInterpreted()
	} else if !s.it.initCompiled(mod) {
		_ = s.Close(ctx)
		return nil, fmt.Errorf("%w: the module was not instrumented", wowrt.ErrInvalidModule)
	}
	if alloc.hit.Load() {
		_ = s.Close(ctx)
		return nil, fmt.Errorf("%w: the module's initial memory exceeds the limit of %d pages", wowrt.ErrMemoryLimit, sc.MemoryLimitPages)
	}
	if m.start {
		if _, err := s.Call(ctx, wasmbin.StartExport); err != nil {
			_ = s.Close(ctx)
			if s.alloc.hit.Load() {
				return nil, fmt.Errorf("%w: start function: %w", wowrt.ErrMemoryLimit, err)
			}
			return nil, fmt.Errorf("start function: %w", err)
		}
	}
	return s, nil
}

func (m *module) Close(ctx context.Context) error {
	m.image.close() // live instances keep their mappings
	return m.cm.Close(ctx)
}

// baseModuleConfig is what every sandbox shares: anonymous (so instances of
// one module coexist), no start functions, real clocks and randomness.
// wazero's configs are immutable, and each With copies one: building this
// part once saves six copies per instantiation.
var baseModuleConfig = wazero.NewModuleConfig().
	WithName("").
	WithStartFunctions().
	WithSysWalltime().
	WithSysNanotime().
	WithSysNanosleep().
	WithRandSource(rand.Reader)

// moduleConfig maps a SandboxConfig onto baseModuleConfig: only the given
// args, env, streams and directories. A module that imports no WASI cannot
// see any of them and is instantiated with baseModuleConfig itself (each
// With copies the config: six allocations per instantiation).
func moduleConfig(sc *wowrt.SandboxConfig) wazero.ModuleConfig {
	mc := baseModuleConfig.WithArgs(sc.Args...)
	for _, kv := range sc.Env {
		k, v, _ := strings.Cut(kv, "=")
		mc = mc.WithEnv(k, v)
	}
	if sc.Stdin != nil {
		mc = mc.WithStdin(sc.Stdin)
	}
	if sc.Stdout != nil {
		mc = mc.WithStdout(sc.Stdout)
	}
	if sc.Stderr != nil {
		mc = mc.WithStderr(sc.Stderr)
	}
	if len(sc.Dirs) > 0 {
		fs := wazero.NewFSConfig()
		for _, d := range sc.Dirs {
			if d.ReadOnly {
				fs = fs.WithReadOnlyDirMount(d.HostPath, d.GuestPath)
			} else {
				fs = fs.WithDirMount(d.HostPath, d.GuestPath)
			}
		}
		mc = mc.WithFSConfig(fs)
	}
	return mc
}

func funcType(f api.FunctionDefinition) wowrt.FuncType {
	return wowrt.FuncType{Params: wowTypes(f.ParamTypes()), Results: wowTypes(f.ResultTypes())}
}

func wowTypes(ts []api.ValueType) []wowrt.ValueType {
	if len(ts) == 0 {
		return nil
	}
	out := make([]wowrt.ValueType, len(ts))
	for i, t := range ts {
		out[i] = wowrt.ValueType(t) // wazero uses the binary encoding too
	}
	return out
}

func valueTypes(ts []wowrt.ValueType) []api.ValueType {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		out[i] = api.ValueType(t)
	}
	return out
}

package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/wowrt/wow/internal/wasmbin"
)

// Runtime is one engine: it compiles modules and loads precompiled ones.
// A Runtime is safe for concurrent use.
type Runtime interface {
	// Name is the engine's registry name.
	Name() string
	// Version is the engine library's version.
	Version() string
	// Config is the configuration the Runtime was opened with.
	Config() Config
	// Compile validates and compiles a .wasm module and detects its ABI.
	// Errors wrap ErrInvalidModule.
	Compile(ctx context.Context, wasm []byte) (Module, error)
	// Load loads a precompiled artifact produced for this engine. Engines
	// without precompilation return ErrUnsupported.
	Load(ctx context.Context, artifact []byte) (Module, error)
	// Close releases the engine. Close modules and instances first.
	Close(ctx context.Context) error
}

// Module is compiled code: immutable and safe to share across goroutines.
type Module interface {
	// ABI is the action ABI detected at compile time.
	ABI() ABI
	// Imports lists the module's imports.
	Imports() []Import
	// Exports lists the module's exports.
	Exports() []Export
	// Instantiate creates a sandbox for one action. For reusable ABIs the
	// guest is instantiated (and _initialize run) now; for single-shot ABIs
	// every Invoke instantiates afresh. A module importing a capability that
	// cfg does not grant fails with ErrCapability.
	Instantiate(ctx context.Context, cfg InstanceConfig) (Instance, error)
	// Close releases the compiled code. Close its instances first.
	Close(ctx context.Context) error
}

// Instance is one sandbox that runs one activation at a time.
type Instance interface {
	// Invoke runs one activation. The earliest of ctx's deadline,
	// run.Deadline and the Runtime's timeout stops it with ErrTimeout. A
	// second concurrent Invoke fails with ErrBusy. After a failure a reusable
	// instance discards its guest and instantiates a fresh one next time.
	Invoke(ctx context.Context, run *RunPayload) (*Result, error)
	// ABI is the module's ABI.
	ABI() ABI
	// Close releases the sandbox. It is safe to call more than once.
	Close(ctx context.Context) error
}

// Loader is implemented by engines that load precompiled artifacts.
type Loader interface {
	// Load turns an artifact into an EngineModule.
	Load(ctx context.Context, artifact []byte) (EngineModule, error)
}

type runtime struct {
	eng Engine
	cfg Config
	// memPages is the per-sandbox memory cap, read once from cfg.
	memPages uint32
	closed   atomic.Bool
}

// New wraps an engine adapter in a Runtime that implements the action ABIs.
// Most callers use Open with a registered engine name instead.
func New(eng Engine, cfg Config) Runtime {
	if cfg == nil {
		cfg = NewConfig()
	}
	return &runtime{eng: eng, cfg: cfg, memPages: cfg.Engine().MemoryLimitPages}
}

func (r *runtime) Name() string    { return r.eng.Name() }
func (r *runtime) Version() string { return r.eng.Version() }
func (r *runtime) Config() Config  { return r.cfg }

func (r *runtime) Compile(ctx context.Context, wasm []byte) (Module, error) {
	if r.closed.Load() {
		return nil, fmt.Errorf("compile: runtime %w", ErrClosed)
	}
	// Fewer data segments make every instantiation cheaper on every engine.
	wasm, _ = wasmbin.MergeDataSegments(wasm)
	em, err := r.eng.Compile(ctx, wasm)
	if err != nil {
		if !errors.Is(err, ErrInvalidModule) {
			err = fmt.Errorf("%w: %w", ErrInvalidModule, err)
		}
		return nil, fmt.Errorf("compile: %w", err)
	}
	return r.newModule(ctx, em)
}

func (r *runtime) Load(ctx context.Context, artifact []byte) (Module, error) {
	l, ok := r.eng.(Loader)
	if !ok {
		return nil, fmt.Errorf("load precompiled artifact: engine %s: %w", r.eng.Name(), ErrUnsupported)
	}
	em, err := l.Load(ctx, artifact)
	if err != nil {
		return nil, fmt.Errorf("load precompiled artifact: %w", err)
	}
	return r.newModule(ctx, em)
}

func (r *runtime) newModule(ctx context.Context, em EngineModule) (Module, error) {
	m, err := newModule(r, em)
	if err != nil {
		_ = em.Close(ctx)
		return nil, fmt.Errorf("compile: %w", err)
	}
	return m, nil
}

func (r *runtime) Close(ctx context.Context) error {
	if r.closed.Swap(true) {
		return nil
	}
	return r.eng.Close(ctx)
}

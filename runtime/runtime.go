package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
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
	// Precompile compiles a .wasm module into the engine's native artifact:
	// the bytes Load accepts on an engine of the same name, version,
	// configuration and CPU. It applies the same rewrites as Compile, so the
	// loaded module behaves exactly as the compiled one. Engines without
	// precompilation return ErrUnsupported. The artifact is native code:
	// load only artifacts you made or whose signature you verified (package
	// aot).
	Precompile(ctx context.Context, wasm []byte) (native []byte, err error)
	// Load loads a native artifact produced by Precompile for this engine.
	// Engines without precompilation return ErrUnsupported; bytes that are
	// not such an artifact fail with an error wrapping ErrInvalidModule.
	// Load runs the native code it is given: never pass untrusted bytes.
	Load(ctx context.Context, native []byte) (Module, error)
	// LoadFile is Load from a file. Engines that can memory-map an artifact
	// do (wasmtime); the others read the file. The file must not change
	// while the module lives.
	LoadFile(ctx context.Context, path string) (Module, error)
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
	// Compiled reports whether new instances run compiled code: false while
	// a tiered module (Config.WithTiering) is still on the interpreter.
	Compiled() bool
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
	// Load turns an artifact made by the engine's Precompile into an
	// EngineModule.
	Load(ctx context.Context, artifact []byte) (EngineModule, error)
}

// Precompiler is implemented by engines that make precompiled artifacts
// (together with Loader).
type Precompiler interface {
	// Precompile compiles wasm (already rewritten by the runtime) into the
	// artifact that the engine's Load accepts.
	Precompile(ctx context.Context, wasm []byte) ([]byte, error)
}

// FileLoader is implemented by engines that load an artifact from a file
// more cheaply than from bytes (by memory-mapping it).
type FileLoader interface {
	// LoadFile is Loader.Load from the file at path.
	LoadFile(ctx context.Context, path string) (EngineModule, error)
}

// CopyingLoader is implemented by Loaders that keep no reference to the
// artifact once Load returns (they copy what they keep), so that a caller
// may hand them memory it unmaps afterwards, such as a mapped file.
type CopyingLoader interface {
	Loader
	// LoadCopies reports whether Load copies; false makes the interface
	// moot.
	LoadCopies() bool
}

type runtime struct {
	eng Engine
	cfg Config
	// tiers, when set, makes Compile start modules on an interpreter.
	tiers *tiers
	// memPages is the per-sandbox memory cap, read once from cfg.
	memPages uint32
	closed   atomic.Bool
	// dog bounds warm activations on interruptible sandboxes.
	dog watchdog
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
	var (
		em  EngineModule
		err error
	)
	if r.tiers != nil {
		em, err = r.compileTiered(ctx, prepare(wasm))
	} else {
		em, err = r.eng.Compile(ctx, prepare(wasm))
	}
	if err != nil {
		if !errors.Is(err, ErrInvalidModule) {
			err = fmt.Errorf("%w: %w", ErrInvalidModule, err)
		}
		return nil, fmt.Errorf("compile: %w", err)
	}
	return r.newModule(ctx, em)
}

// prepare applies the rewrites every engine gets before compiling.
func prepare(wasm []byte) []byte {
	// Fewer data segments make every instantiation cheaper on every engine.
	wasm, _ = wasmbin.MergeDataSegments(wasm)
	return wasm
}

func (r *runtime) Precompile(ctx context.Context, wasm []byte) ([]byte, error) {
	if r.closed.Load() {
		return nil, fmt.Errorf("precompile: runtime %w", ErrClosed)
	}
	p, ok := r.eng.(Precompiler)
	if !ok {
		return nil, fmt.Errorf("precompile: engine %s: %w", r.eng.Name(), ErrUnsupported)
	}
	native, err := p.Precompile(ctx, prepare(wasm))
	if err != nil {
		if !errors.Is(err, ErrInvalidModule) && !errors.Is(err, ErrUnsupported) {
			err = fmt.Errorf("%w: %w", ErrInvalidModule, err)
		}
		return nil, fmt.Errorf("precompile: %w", err)
	}
	return native, nil
}

func (r *runtime) LoadFile(ctx context.Context, path string) (Module, error) {
	if r.closed.Load() {
		return nil, fmt.Errorf("load precompiled artifact: runtime %w", ErrClosed)
	}
	fl, ok := r.eng.(FileLoader)
	if !ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load precompiled artifact: %w", err)
		}
		return r.Load(ctx, b)
	}
	em, err := fl.LoadFile(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("load precompiled artifact: %w", err)
	}
	return r.newModule(ctx, em)
}

func (r *runtime) Load(ctx context.Context, artifact []byte) (Module, error) {
	if r.closed.Load() {
		return nil, fmt.Errorf("load precompiled artifact: runtime %w", ErrClosed)
	}
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

// LoadCopies reports whether rt's Load keeps no reference to the artifact
// once it returns (its engine is a CopyingLoader that copies).
func LoadCopies(rt Runtime) bool {
	r, ok := rt.(*runtime)
	if !ok {
		return false
	}
	cl, ok := r.eng.(CopyingLoader)
	return ok && cl.LoadCopies()
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
	if r.tiers != nil {
		r.tiers.close(ctx)
	}
	return r.eng.Close(ctx)
}

// LoadsFilesInPlace reports whether rt's LoadFile memory-maps the file
// (its engine is a FileLoader) rather than reading it into memory, i.e.
// whether handing it a file is cheaper than handing it bytes.
func LoadsFilesInPlace(rt Runtime) bool {
	r, ok := rt.(*runtime)
	if !ok {
		return false
	}
	_, ok = r.eng.(FileLoader)
	return ok
}

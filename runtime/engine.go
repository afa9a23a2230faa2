package runtime

import (
	"context"
	"io"
)

// ValueType is a WebAssembly value type, encoded as in the binary format.
type ValueType byte

// The WebAssembly value types wow's ABIs use.
const (
	ValueTypeI32       ValueType = 0x7f
	ValueTypeI64       ValueType = 0x7e
	ValueTypeF32       ValueType = 0x7d
	ValueTypeF64       ValueType = 0x7c
	ValueTypeV128      ValueType = 0x7b
	ValueTypeFuncref   ValueType = 0x70
	ValueTypeExternref ValueType = 0x6f
)

// String returns the text-format name of the type.
func (v ValueType) String() string {
	switch v {
	case ValueTypeI32:
		return "i32"
	case ValueTypeI64:
		return "i64"
	case ValueTypeF32:
		return "f32"
	case ValueTypeF64:
		return "f64"
	case ValueTypeV128:
		return "v128"
	case ValueTypeFuncref:
		return "funcref"
	case ValueTypeExternref:
		return "externref"
	}
	return "unknown"
}

// FuncType is a function signature.
type FuncType struct {
	Params  []ValueType
	Results []ValueType
}

// ExternKind is the kind of an import or export.
type ExternKind byte

// The import/export kinds.
const (
	ExternFunc ExternKind = iota
	ExternTable
	ExternMemory
	ExternGlobal
)

// Import describes one import of a module.
type Import struct {
	Module, Name string
	Kind         ExternKind
	// Type is the signature when Kind is ExternFunc.
	Type FuncType
}

// Export describes one export of a module.
type Export struct {
	Name string
	Kind ExternKind
	// Type is the signature when Kind is ExternFunc.
	Type FuncType
}

// Engine is the engine-facing surface an adapter implements: compile bytes
// into an EngineModule. Engines are safe for concurrent use.
type Engine interface {
	// Name is the registry name ("wazero", "wasmtime", ...).
	Name() string
	// Version is the engine library's version.
	Version() string
	// Compile validates and compiles wasm. Failures wrap ErrInvalidModule.
	Compile(ctx context.Context, wasm []byte) (EngineModule, error)
	// Close releases the engine; modules compiled by it become unusable.
	Close(ctx context.Context) error
}

// EngineModule is compiled code as the engine holds it. It must be safe for
// concurrent Instantiate calls.
type EngineModule interface {
	// Imports lists the module's imports.
	Imports() []Import
	// Exports lists the module's exports.
	Exports() []Export
	// Instantiate creates a sandbox. It runs no start function other than
	// the module's own start section: the runtime calls _initialize/_start.
	Instantiate(ctx context.Context, cfg *SandboxConfig) (Sandbox, error)
	// Close releases the compiled code.
	Close(ctx context.Context) error
}

// SandboxConfig is everything one sandbox needs from the host. The runtime
// builds it; engines apply it.
type SandboxConfig struct {
	// Args is WASI argv.
	Args []string
	// Env is the WASI environment as "KEY=value" entries: the only one the guest sees.
	Env []string
	// Stdin is WASI fd 0 (nil: empty).
	Stdin io.Reader
	// Stdout is WASI fd 1.
	Stdout io.Writer
	// Stderr is WASI fd 2.
	Stderr io.Writer
	// Dirs are preopened directories.
	Dirs []DirMount
	// MemoryLimitPages caps this sandbox's linear memory; engines report
	// hitting it through Sandbox.MemoryLimitHit.
	MemoryLimitPages uint32
}

// Sandbox is one instantiated module. It is used by one goroutine at a time.
type Sandbox interface {
	// Call invokes an exported function with raw-encoded arguments (i32/i64
	// as integers, f32/f64 as IEEE bits) and returns raw results. The ctx's
	// deadline must stop a running guest (ErrTimeout), ctx cancellation too
	// (ErrCanceled). A guest proc_exit returns *ExitError; a trap *TrapError.
	// The ctx is also what host functions receive. The results may be
	// valid only until the next Call.
	Call(ctx context.Context, name string, args ...uint64) ([]uint64, error)
	// Memory is the exported linear memory, or nil.
	Memory() Memory
	// MemoryLimitHit reports whether the guest tried to grow past its limit.
	MemoryLimitHit() bool
	// Close releases the sandbox. It is safe to call more than once.
	Close(ctx context.Context) error
}

// Memory is a sandbox's linear memory.
type Memory interface {
	// Read returns a view of n bytes at offset, valid until the next call
	// into the sandbox; ok is false when out of range.
	Read(offset, n uint32) (view []byte, ok bool)
	// Write copies b to offset; ok is false when out of range.
	Write(offset uint32, b []byte) (ok bool)
}

// HostFunc is a function the host offers for import. Engines link every
// HostFunc in EngineConfig.HostFuncs; the runtime refuses to instantiate a
// module importing one its instance was not granted.
type HostFunc struct {
	// Module and Name are the import's names.
	Module, Name string
	// Type is the signature.
	Type FuncType
	// Capability is what an instance needs to import it.
	Capability Capability
	// Call runs the function. ctx is the ctx given to Sandbox.Call; mem is
	// the caller's memory (may be nil). It returns raw-encoded results.
	Call func(ctx context.Context, mem Memory, args []uint64) []uint64
}

// Interruptible is an optional Sandbox interface: a sandbox the runtime can
// stop from another goroutine. The runtime then bounds warm activations with
// its watchdog (watchdog.go) instead of a deadline context per activation,
// which costs a timer and a cancellation registration every time.
type Interruptible interface {
	// CanInterrupt reports whether Interrupt works on this sandbox.
	CanInterrupt() bool
	// Interrupt stops the guest: the Call in progress, or the next one,
	// fails with an error wrapping cause (ErrTimeout or ErrCanceled), and so
	// does every later Call. It is safe to call from any goroutine.
	Interrupt(cause error)
}

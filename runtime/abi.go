package runtime

import (
	"fmt"
	"slices"
	"strings"
)

// ABI is how the host talks to an action. See ABI.md.
type ABI int

// The action ABIs, numbered as in ABI.md.
const (
	// ABIWASICommand: params on stdin, result on the last stdout line.
	ABIWASICommand ABI = 1
	// ABIMemoryBuffer: the seed runtime's memory-buffer exports.
	ABIMemoryBuffer ABI = 2
	// ABINumeric: plain numeric exports, {"args": [...]} → {"result": ...}.
	ABINumeric ABI = 3
	// ABIReactor: wow_alloc/wow_handle with JSON in memory, reusable.
	ABIReactor ABI = 4
)

// String names the ABI.
func (a ABI) String() string {
	switch a {
	case ABIWASICommand:
		return "wasi-command"
	case ABIMemoryBuffer:
		return "memory-buffer"
	case ABINumeric:
		return "numeric"
	case ABIReactor:
		return "reactor"
	}
	return fmt.Sprintf("ABI(%d)", int(a))
}

// Reusable reports whether an instance of this ABI survives its activation
// and may serve the next one of the same action (warm reuse).
func (a ABI) Reusable() bool { return a == ABINumeric || a == ABIReactor }

// The export names of the ABIs.
const (
	exportStart         = "_start"
	exportInitialize    = "_initialize"
	exportMemory        = "memory"
	exportMembufAlloc   = "wasm_memory_buffer_allocate_space"
	exportMembufPointer = "get_wasm_memory_buffer_pointer"
	exportMembufLen     = "get_wasm_memory_buffer_len"
	exportReactorAlloc  = "wow_alloc"
	exportReactorHandle = "wow_handle"
	wasiModule          = "wasi_snapshot_preview1"
)

var (
	sigNone     = FuncType{}
	sigI32ToI32 = FuncType{Params: []ValueType{ValueTypeI32}, Results: []ValueType{ValueTypeI32}}
	sigI32ToNil = FuncType{Params: []ValueType{ValueTypeI32}}
	sigNilToI32 = FuncType{Results: []ValueType{ValueTypeI32}}
	sigHandle   = FuncType{Params: []ValueType{ValueTypeI32, ValueTypeI32}, Results: []ValueType{ValueTypeI64}}
)

// abiExpectation is the message listing what each ABI needs.
const abiExpectation = "expected one of: " +
	"memory-buffer (exports wasm_memory_buffer_allocate_space, get_wasm_memory_buffer_pointer, get_wasm_memory_buffer_len, memory, _start); " +
	"reactor (exports wow_alloc, wow_handle, memory); " +
	"wasi-command (imports wasi_snapshot_preview1, exports _start); " +
	"numeric (no WASI imports, exports _start or main with only i32/i64/f32/f64 params and results)"

// DetectABI decides a module's ABI from its imports and exports, or returns
// an error wrapping ErrInvalidModule that says what was expected.
func DetectABI(imports []Import, exports []Export) (ABI, error) {
	for _, im := range imports {
		if im.Module == wasiModule {
			continue
		}
		h, ok := hostFuncFor(im.Module, im.Name)
		if !ok {
			return 0, wrapf(ErrInvalidModule, "unknown import %s.%s: wow provides only %s, platform.now and http.get", im.Module, im.Name, wasiModule)
		}
		if im.Kind != ExternFunc || !sameSig(im.Type, h.Type) {
			return 0, wrapf(ErrInvalidModule, "import %s.%s has the wrong type, want %s", im.Module, im.Name, sigString(h.Type))
		}
	}
	exp := func(name string) (Export, bool) {
		i := slices.IndexFunc(exports, func(e Export) bool { return e.Name == name })
		if i < 0 {
			return Export{}, false
		}
		return exports[i], true
	}
	fn := func(name string, sig FuncType) bool {
		e, ok := exp(name)
		return ok && e.Kind == ExternFunc && sameSig(e.Type, sig)
	}
	_, hasMemory := exp(exportMemory)
	usesWASI := slices.ContainsFunc(imports, func(im Import) bool { return im.Module == wasiModule })

	// Tolerate the seed's usize-as-i32 signatures exactly.
	if fn(exportMembufAlloc, sigI32ToNil) && fn(exportMembufPointer, sigNilToI32) && fn(exportMembufLen, sigNilToI32) {
		if !hasMemory || !fn(exportStart, sigNone) {
			return 0, wrapf(ErrInvalidModule, "memory-buffer ABI needs exports memory and _start: () -> ()")
		}
		return ABIMemoryBuffer, nil
	}
	if _, ok := exp(exportReactorHandle); ok {
		if !fn(exportReactorHandle, sigHandle) || !fn(exportReactorAlloc, sigI32ToI32) || !hasMemory {
			return 0, wrapf(ErrInvalidModule, "reactor ABI needs exports memory, wow_alloc: (i32) -> i32 and wow_handle: (i32, i32) -> i64")
		}
		return ABIReactor, nil
	}
	if usesWASI {
		if fn(exportStart, sigNone) {
			return ABIWASICommand, nil
		}
		return 0, wrapf(ErrInvalidModule, "module imports WASI but exports no _start: () -> () (%s)", abiExpectation)
	}
	if slices.ContainsFunc(exports, func(e Export) bool {
		return (e.Name == exportStart || e.Name == "main") && e.Kind == ExternFunc && numericSig(e.Type)
	}) {
		return ABINumeric, nil
	}
	return 0, wrapf(ErrInvalidModule, "module matches no action ABI: %s", abiExpectation)
}

func numericSig(t FuncType) bool {
	ok := func(v ValueType) bool {
		return v == ValueTypeI32 || v == ValueTypeI64 || v == ValueTypeF32 || v == ValueTypeF64
	}
	for _, v := range t.Params {
		if !ok(v) {
			return false
		}
	}
	for _, v := range t.Results {
		if !ok(v) {
			return false
		}
	}
	return true
}

func sameSig(a, b FuncType) bool {
	return slices.Equal(a.Params, b.Params) && slices.Equal(a.Results, b.Results)
}

func sigString(t FuncType) string {
	names := func(vs []ValueType) string {
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = v.String()
		}
		return strings.Join(s, ", ")
	}
	return "(" + names(t.Params) + ") -> (" + names(t.Results) + ")"
}

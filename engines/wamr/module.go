//go:build wamr

package wamr

/*
#include <stdlib.h>
#include <string.h>
#include <wasm_export.h>

void wow_thread(void);
void wow_set_custom(struct InstantiationArgs2 *p, uintptr_t h);
uint8_t *wow_memory(wasm_module_inst_t inst, uint64_t *size);
const char *wow_export_name(wasm_module_t m, int32_t i, int *kind, wasm_func_type_t *ft, uint32_t *min_pages);
const char *wow_import_name(wasm_module_t m, int32_t i, const char **module, int *kind, wasm_func_type_t *ft, uint32_t *min_pages);
*/
import "C"

import (
	"context"
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/cgo"
	"unsafe"

	"github.com/wowrt/wow/internal/memfd"
	wowrt "github.com/wowrt/wow/runtime"
)

// StackSize is each sandbox's WAMR stack (operand and frame) size.
const StackSize = 512 << 10

type module struct {
	e   *engine
	m   C.wasm_module_t
	buf unsafe.Pointer // the bytes WAMR loaded from; it needs them as long as the module lives
	// renamed is set when "_start" was renamed to startAlias before loading.
	renamed bool
	// wasi is set when the module imports WASI: WAMR then runs _initialize itself.
	wasi     bool
	imports  []wowrt.Import
	exports  []wowrt.Export
	minPages uint32
}

func load(e *engine, wasm []byte, renamed bool) (*module, error) {
	if len(wasm) == 0 {
		return nil, fmt.Errorf("%w: empty module", wowrt.ErrInvalidModule)
	}
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	C.wow_thread()
	buf := C.CBytes(wasm)
	var errBuf [256]C.char
	m := C.wasm_runtime_load((*C.uint8_t)(buf), C.uint32_t(len(wasm)), &errBuf[0], C.uint32_t(len(errBuf)))
	if m == nil {
		C.free(buf)
		return nil, fmt.Errorf("%w: %s", wowrt.ErrInvalidModule, C.GoString(&errBuf[0]))
	}
	mod := &module{e: e, m: m, buf: buf, renamed: renamed}
	for i := range int32(C.wasm_runtime_get_import_count(m)) {
		var kind C.int
		var ft C.wasm_func_type_t
		var minPages C.uint32_t
		var modName *C.char
		name := C.wow_import_name(m, C.int32_t(i), &modName, &kind, &ft, &minPages)
		mod.imports = append(mod.imports, wowrt.Import{Module: C.GoString(modName), Name: C.GoString(name), Kind: wowrt.ExternKind(kind), Type: funcType(ft)})
		mod.minPages = max(mod.minPages, uint32(minPages))
		mod.wasi = mod.wasi || C.GoString(modName) == "wasi_snapshot_preview1"
	}
	sawAlias := false
	for i := range int32(C.wasm_runtime_get_export_count(m)) {
		var kind C.int
		var ft C.wasm_func_type_t
		var minPages C.uint32_t
		name := C.GoString(C.wow_export_name(m, C.int32_t(i), &kind, &ft, &minPages))
		if renamed && name == startAlias {
			name = "_start"
			sawAlias = true
		}
		mod.exports = append(mod.exports, wowrt.Export{Name: name, Kind: wowrt.ExternKind(kind), Type: funcType(ft)})
		mod.minPages = max(mod.minPages, uint32(minPages))
	}
	// An AOT file is loaded as renamed (wamrc compiled the renamed module);
	// one made elsewhere keeps its own "_start".
	mod.renamed = renamed && sawAlias
	return mod, nil
}

func funcType(ft C.wasm_func_type_t) wowrt.FuncType {
	var t wowrt.FuncType
	if ft == nil {
		return t
	}
	for i := range C.wasm_func_type_get_param_count(ft) {
		t.Params = append(t.Params, valueType(C.wasm_func_type_get_param_valkind(ft, i)))
	}
	for i := range C.wasm_func_type_get_result_count(ft) {
		t.Results = append(t.Results, valueType(C.wasm_func_type_get_result_valkind(ft, i)))
	}
	return t
}

func valueType(k C.wasm_valkind_t) wowrt.ValueType {
	switch k {
	case C.WASM_I64:
		return wowrt.ValueTypeI64
	case C.WASM_F32:
		return wowrt.ValueTypeF32
	case C.WASM_F64:
		return wowrt.ValueTypeF64
	case C.WASM_V128:
		return wowrt.ValueTypeV128
	case C.WASM_EXTERNREF:
		return wowrt.ValueTypeExternref
	case C.WASM_FUNCREF:
		return wowrt.ValueTypeFuncref
	}
	return wowrt.ValueTypeI32
}

func (m *module) Imports() []wowrt.Import { return m.imports }
func (m *module) Exports() []wowrt.Export { return m.exports }

func (m *module) Close(context.Context) error {
	if m.m != nil {
		C.wasm_runtime_unload(m.m)
		C.free(m.buf)
		m.m = nil
	}
	return nil
}

// cstrings is a C array of C strings, freed by free.
type cstrings []*C.char

func newCStrings(ss []string) cstrings {
	out := make(cstrings, len(ss), len(ss)+1)
	for i, s := range ss {
		out[i] = C.CString(s)
	}
	return out
}

func (c cstrings) ptr() **C.char {
	if len(c) == 0 {
		return nil
	}
	return &c[0]
}

func (c cstrings) free() {
	for _, p := range c {
		C.free(unsafe.Pointer(p))
	}
}

func (m *module) Instantiate(ctx context.Context, sc *wowrt.SandboxConfig) (wowrt.Sandbox, error) {
	if err := wowrt.CheckInitialMemory(m.minPages, sc.MemoryLimitPages); err != nil {
		return nil, err
	}
	s := &sandbox{m: m, ctx: ctx}
	s.handle = cgo.NewHandle(s)
	if err := s.instantiate(sc); err != nil {
		s.Close(ctx)
		return nil, err
	}
	return s, nil
}

func (s *sandbox) instantiate(sc *wowrt.SandboxConfig) error {
	var err error
	if s.stdout, err = memfd.New("wow-stdout", orDiscard(sc.Stdout)); err != nil {
		return err
	}
	if s.stderr, err = memfd.New("wow-stderr", orDiscard(sc.Stderr)); err != nil {
		return err
	}
	var in []byte
	if sc.Stdin != nil {
		if in, err = io.ReadAll(sc.Stdin); err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	}
	stdin, err := memfd.Input("wow-stdin", in)
	if err != nil {
		return err
	}
	defer stdin.Close()
	// WAMR takes over the stdio descriptors it is given: hand it duplicates.
	fds := [3]C.int64_t{C.int64_t(dup(int(stdin.Fd()))), C.int64_t(dup(s.stdout.Fd())), C.int64_t(dup(s.stderr.Fd()))}

	var args *C.struct_InstantiationArgs2
	if !C.wasm_runtime_instantiation_args_create(&args) {
		return fmt.Errorf("instantiation args: out of memory")
	}
	defer C.wasm_runtime_instantiation_args_destroy(args)
	C.wasm_runtime_instantiation_args_set_default_stack_size(args, StackSize)
	if sc.MemoryLimitPages > 0 {
		C.wasm_runtime_instantiation_args_set_max_memory_pages(args, C.uint32_t(sc.MemoryLimitPages))
	}
	C.wow_set_custom(args, C.uintptr_t(s.handle))
	argv, env := newCStrings(sc.Args), newCStrings(sc.Env)
	defer argv.free()
	defer env.free()
	var maps []string
	for _, d := range sc.Dirs {
		if d.ReadOnly {
			return fmt.Errorf("read-only mount of %s: %w", d.HostPath, wowrt.ErrUnsupported)
		}
		guest := d.GuestPath
		if guest == "" {
			guest = d.HostPath
		}
		maps = append(maps, guest+"::"+d.HostPath)
	}
	dirs := newCStrings(maps)
	defer dirs.free()
	C.wasm_runtime_instantiation_args_set_wasi_arg(args, argv.ptr(), C.int(len(argv)))
	C.wasm_runtime_instantiation_args_set_wasi_env(args, (**C.char)(unsafe.Pointer(env.ptr())), C.uint32_t(len(env)))
	C.wasm_runtime_instantiation_args_set_wasi_dir(args, nil, 0, (**C.char)(unsafe.Pointer(dirs.ptr())), C.uint32_t(len(dirs)))
	C.wasm_runtime_instantiation_args_set_wasi_stdio(args, fds[0], fds[1], fds[2])

	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	C.wow_thread()
	var errBuf [256]C.char
	s.inst = C.wasm_runtime_instantiate_ex2(s.m.m, args, &errBuf[0], C.uint32_t(len(errBuf)))
	if s.inst == nil {
		msg := C.GoString(&errBuf[0])
		if s.hit.Load() || containsAny(msg, "memory", "size") && sc.MemoryLimitPages > 0 {
			return fmt.Errorf("%w: %s", wowrt.ErrMemoryLimit, msg)
		}
		return fmt.Errorf("instantiate: %s", msg)
	}
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return discard{}
	}
	return w
}

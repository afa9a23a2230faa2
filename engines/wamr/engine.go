//go:build wamr

package wamr

/*
#include <stdlib.h>
#include <wasm_export.h>

bool wow_init(void);
bool wow_register(const char *module, char **names, char **sigs, uintptr_t *idx, uint32_t n);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

// Name is the engine's registry name.
const Name = "wamr"

// startAlias is what the adapter renames a module's "_start" export to:
// WAMR refuses at load any "_start" that is not () -> (), and the numeric
// ABI's seed modules have ones with params and results.
const startAlias = "wow$start"

func init() { wowrt.Register(Name, New) }

var (
	initOnce sync.Once
	initErr  error
)

// setup initialises WAMR once per process and registers the host functions
// as raw natives. WAMR's runtime is process-global, so the first engine's
// host functions serve every engine (the runtime always offers the same).
func setup(funcs []wowrt.HostFunc) error {
	initOnce.Do(func() {
		if !C.wow_init() {
			initErr = errors.New("wasm_runtime_full_init failed")
			return
		}
		natives = funcs
		byModule := map[string][]int{}
		for i, h := range funcs {
			byModule[h.Module] = append(byModule[h.Module], i)
		}
		for mod, idx := range byModule {
			n := len(idx)
			names := (*[1 << 16]*C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(uintptr(0)))))
			sigs := (*[1 << 16]*C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(uintptr(0)))))
			ids := (*[1 << 16]C.uintptr_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(uintptr(0)))))
			for j, i := range idx {
				names[j] = C.CString(funcs[i].Name)
				sigs[j] = C.CString(signature(funcs[i].Type))
				ids[j] = C.uintptr_t(i)
			}
			if !C.wow_register(C.CString(mod), &names[0], &sigs[0], &ids[0], C.uint32_t(n)) {
				initErr = fmt.Errorf("register host module %s failed", mod)
				return
			}
		}
	})
	return initErr
}

// signature is WAMR's native signature string, e.g. "(ii)F".
func signature(t wowrt.FuncType) string {
	code := func(v wowrt.ValueType) byte {
		switch v {
		case wowrt.ValueTypeI64:
			return 'I'
		case wowrt.ValueTypeF32:
			return 'f'
		case wowrt.ValueTypeF64:
			return 'F'
		}
		return 'i'
	}
	b := []byte{'('}
	for _, p := range t.Params {
		b = append(b, code(p))
	}
	b = append(b, ')')
	for _, r := range t.Results {
		b = append(b, code(r))
	}
	return string(b)
}

type engine struct{ cfg wowrt.EngineConfig }

// New creates the WAMR engine (the fast interpreter for .wasm, or AOT code
// for files made by wamrc). Fuel is unsupported.
func New(_ context.Context, cfg wowrt.EngineConfig) (wowrt.Engine, error) {
	if cfg.Fuel > 0 {
		return nil, fmt.Errorf("fuel metering: %w (WAMR stops guests by deadline only)", wowrt.ErrUnsupported)
	}
	if err := setup(cfg.HostFuncs); err != nil {
		return nil, err
	}
	return &engine{cfg: cfg}, nil
}

func (e *engine) Name() string    { return Name }
func (e *engine) Version() string { return wamrVersion() }

func (e *engine) Compile(_ context.Context, wasm []byte) (wowrt.EngineModule, error) {
	renamed := false
	if out, ok, err := wasmbin.RenameExport(wasm, "_start", startAlias); err == nil && ok {
		wasm, renamed = out, true
	}
	return load(e, wasm, renamed)
}

// Load implements runtime.Loader for WAMR AOT files (made by wamrc, or by
// Precompile, which renames "_start" first as Compile does).
func (e *engine) Load(_ context.Context, artifact []byte) (wowrt.EngineModule, error) {
	if len(artifact) < 4 || string(artifact[:4]) != "\x00aot" {
		return nil, fmt.Errorf("%w: not a WAMR AOT file", wowrt.ErrInvalidModule)
	}
	return load(e, artifact, true)
}

// Precompile implements runtime.Precompiler by running wamrc (which must be
// on PATH; it is not part of libiwasm) on the module with "_start" renamed
// as Compile does. SIMD is disabled to match the libiwasm build the adapter
// expects (RATIONALE.md, engines/wamr).
func (e *engine) Precompile(ctx context.Context, wasm []byte) ([]byte, error) {
	return precompile(ctx, wasm, startAlias)
}

func (e *engine) Close(context.Context) error { return nil }

func wamrVersion() string {
	var major, minor, patch C.uint32_t
	C.wasm_runtime_get_version(&major, &minor, &patch)
	return fmt.Sprintf("%d.%d.%d", major, minor, patch)
}

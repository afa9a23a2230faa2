//go:build wamr

package wamr

/*
#include <wasm_export.h>
*/
import "C"

import (
	"context"
	"runtime/cgo"
	"unsafe"

	wowrt "github.com/wowrt/wow/runtime"
)

// natives is the host function table the raw natives index into.
var natives []wowrt.HostFunc

func sandboxOf(inst C.wasm_module_inst_t) *sandbox {
	h := uintptr(C.wasm_runtime_get_custom_data(inst))
	if h == 0 {
		return nil
	}
	return cgo.Handle(h).Value().(*sandbox)
}

//export wowNative
func wowNative(env C.wasm_exec_env_t, idx C.uintptr_t, args *C.uint64_t) {
	h := natives[idx]
	n := max(len(h.Type.Params), len(h.Type.Results))
	slots := unsafe.Slice((*uint64)(unsafe.Pointer(args)), max(n, 1))
	ctx := context.Background()
	var mem wowrt.Memory
	if sb := sandboxOf(C.wasm_runtime_get_module_inst(env)); sb != nil {
		ctx, mem = sb.ctx, memory{sb}
	}
	res := h.Call(ctx, mem, append([]uint64(nil), slots[:len(h.Type.Params)]...))
	copy(slots, res)
}

//export wowMemFail
func wowMemFail(inst C.wasm_module_inst_t) {
	if sb := sandboxOf(inst); sb != nil {
		sb.hit.Store(true)
	}
}

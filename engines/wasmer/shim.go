//go:build wasmer

package wasmer

/*
#include <stdint.h>
#include <stdbool.h>

// Declared here because wasmer-go's headers live in the module cache, out of
// this package's reach; the symbols come from the libwasmer.so it links.
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_instance_t wasm_instance_t;
typedef struct wasmer_metering_t wasmer_metering_t;
typedef struct wasmer_middleware_t wasmer_middleware_t;
typedef uint64_t (*wow_cost_fn)(int op);

extern wasmer_metering_t *wasmer_metering_new(uint64_t initial_limit, wow_cost_fn cost);
extern wasmer_middleware_t *wasmer_metering_as_middleware(wasmer_metering_t *);
extern void wasm_config_push_middleware(wasm_config_t *, wasmer_middleware_t *);
extern void wasmer_metering_set_remaining_points(const wasm_instance_t *, uint64_t);
extern bool wasmer_metering_points_are_exhausted(const wasm_instance_t *);
extern const char *wasmer_version(void);

static uint64_t wow_cost(int op) { return 1; }

static void wow_push_metering(void *cfg) {
	wasm_config_push_middleware(cfg, wasmer_metering_as_middleware(wasmer_metering_new(UINT64_MAX, wow_cost)));
}
*/
import "C"

import (
	"reflect"
	"unsafe"

	"github.com/wasmerio/wasmer-go/wasmer"
)

// useMetering instruments everything cfg's engine compiles with a point
// counter, one point per operator, that traps when it runs out.
func useMetering(cfg *wasmer.Config) { C.wow_push_metering(innerPtr(cfg)) }

func setPoints(inst *wasmer.Instance, n uint64) {
	C.wasmer_metering_set_remaining_points((*C.wasm_instance_t)(innerPtr(inst)), C.uint64_t(n))
}

func pointsExhausted(inst *wasmer.Instance) bool {
	return bool(C.wasmer_metering_points_are_exhausted((*C.wasm_instance_t)(innerPtr(inst))))
}

func libraryVersion() string { return C.GoString(C.wasmer_version()) }

// innerPtr returns the C handle a wasmer-go object wraps in its _inner
// field, found by name so that a wasmer-go which renamed it panics here
// rather than passing garbage to C.
func innerPtr[T any](obj *T) unsafe.Pointer {
	f, ok := reflect.TypeFor[T]().FieldByName("_inner")
	if !ok || f.Type.Kind() != reflect.Pointer {
		panic("wasmer adapter: " + reflect.TypeFor[T]().String() + " has no _inner handle; wasmer-go changed")
	}
	return *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(obj), f.Offset))
}

// importExterns returns the map an ImportObject keeps its externs in, so
// that the adapter can fetch WASI's own fd_read to delegate to.
func importExterns(io *wasmer.ImportObject) map[string]map[string]wasmer.IntoExtern {
	want := reflect.TypeFor[map[string]map[string]wasmer.IntoExtern]()
	f, ok := reflect.TypeFor[wasmer.ImportObject]().FieldByName("externs")
	if !ok || f.Type != want {
		panic("wasmer adapter: wasmer.ImportObject has no externs map; wasmer-go changed")
	}
	return *(*map[string]map[string]wasmer.IntoExtern)(unsafe.Add(unsafe.Pointer(io), f.Offset))
}

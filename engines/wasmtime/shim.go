//go:build wasmtime

package wasmtime

/*
#cgo linux LDFLAGS: -lm -ldl -pthread

// The declarations below are the few parts of wasmtime's C API (v25) that
// wasmtime-go does not wrap. They are declared here rather than included
// because wasmtime-go's headers live in the module cache, out of this
// package's reach; the symbols come from the libwasmtime.a wasmtime-go links.

#include <stdint.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/mman.h>

typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasm_config_t wasm_config_t;
typedef struct wasi_config_t wasi_config_t;
typedef struct wasm_memorytype_t wasm_memorytype_t;
typedef struct wow_byte_vec { size_t size; char *data; } wow_byte_vec;

typedef struct wow_linear_memory {
	void *env;
	uint8_t *(*get_memory)(void *env, size_t *byte_size, size_t *maximum_byte_size);
	wasmtime_error_t *(*grow_memory)(void *env, size_t new_size);
	void (*finalizer)(void *);
} wow_linear_memory;

typedef struct wow_memory_creator {
	void *env;
	wasmtime_error_t *(*new_memory)(void *env, const wasm_memorytype_t *ty, size_t minimum,
		size_t maximum, size_t reserved_size_in_bytes, size_t guard_size_in_bytes,
		wow_linear_memory *memory_ret);
	void (*finalizer)(void *);
} wow_memory_creator;

extern wasmtime_error_t *wasmtime_error_new(const char *);
extern void wasm_byte_vec_new(wow_byte_vec *out, size_t size, const char *data);
extern void wasi_config_set_stdin_bytes(wasi_config_t *config, wow_byte_vec *binary);
extern void wasmtime_config_host_memory_creator_set(wasm_config_t *, wow_memory_creator *);
extern void wasmtime_store_epoch_deadline_callback(wasmtime_store_t *store,
	wasmtime_error_t *(*func)(wasmtime_context_t *context, void *data,
		uint64_t *epoch_deadline_delta, uint8_t *update_kind),
	void *data, void (*finalizer)(void *));

// wow_sandbox is one sandbox's state that wasmtime's callbacks read. It is
// malloc'd so that wasmtime may hold it across calls.
typedef struct wow_sandbox {
	_Atomic int canceled;    // set by Go when the call's ctx is canceled
	_Atomic int interrupted; // set by the epoch callback when it stops the guest
	_Atomic int mem_hit;     // set when a grow past limit_bytes was refused
	int64_t deadline_ns;     // CLOCK_MONOTONIC deadline of the current call, 0: none
	size_t limit_bytes;      // linear memory cap, 0: none
} wow_sandbox;

static int64_t wow_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static wow_sandbox *wow_sandbox_new(size_t limit_bytes) {
	wow_sandbox *sb = calloc(1, sizeof(wow_sandbox));
	if (sb) sb->limit_bytes = limit_bytes;
	return sb;
}

// wow_arm prepares sb for a call that may run for remaining_ns (<0: no deadline).
static void wow_arm(wow_sandbox *sb, int64_t remaining_ns) {
	sb->deadline_ns = remaining_ns < 0 ? 0 : wow_now() + remaining_ns;
	atomic_store(&sb->canceled, 0);
	atomic_store(&sb->interrupted, 0);
}

static void wow_cancel(wow_sandbox *sb) { atomic_store(&sb->canceled, 1); }
static int wow_interrupted(wow_sandbox *sb) { return atomic_load(&sb->interrupted); }
static int wow_mem_hit(wow_sandbox *sb) { return atomic_load(&sb->mem_hit); }

// wow_epoch runs on the guest's thread on every epoch tick: it stops the
// guest once its deadline passed or its call was canceled, else waits one
// more tick.
static wasmtime_error_t *wow_epoch(wasmtime_context_t *cx, void *data, uint64_t *delta, uint8_t *kind) {
	wow_sandbox *sb = data;
	if (atomic_load(&sb->canceled) || (sb->deadline_ns && wow_now() >= sb->deadline_ns)) {
		atomic_store(&sb->interrupted, 1);
		return wasmtime_error_new("wow: guest interrupted (deadline or cancellation)");
	}
	*delta = 1;
	*kind = 0;
	return NULL;
}

static void wow_store_watch(void *store, wow_sandbox *sb) {
	wasmtime_store_epoch_deadline_callback(store, wow_epoch, sb, NULL);
}

// wow_current is the sandbox being instantiated on this thread: the memory
// creator reads its limit. Go sets it with the OS thread locked.
static __thread wow_sandbox *wow_current;
static void wow_set_current(wow_sandbox *sb) { wow_current = sb; }

// wow_mem is one linear memory: a reservation that never moves, committed
// (made read-write) as the guest grows, refusing growth past the limit.
typedef struct wow_mem {
	uint8_t *base;
	size_t size, reserved, total, maximum, limit;
	wow_sandbox *sb;
} wow_mem;

static uint8_t *wow_mem_get(void *env, size_t *size, size_t *maximum) {
	wow_mem *m = env;
	*size = m->size;
	*maximum = m->maximum;
	return m->base;
}

static wasmtime_error_t *wow_mem_grow(void *env, size_t new_size) {
	wow_mem *m = env;
	if (m->limit && new_size > m->limit) {
		if (m->sb) atomic_store(&m->sb->mem_hit, 1);
		return wasmtime_error_new("wow: memory limit reached");
	}
	if (new_size > m->reserved) return wasmtime_error_new("wow: memory reservation exhausted");
	if (new_size > m->size && mprotect(m->base + m->size, new_size - m->size, PROT_READ | PROT_WRITE) != 0)
		return wasmtime_error_new("wow: mprotect failed");
	m->size = new_size;
	return NULL;
}

static void wow_mem_free(void *env) {
	wow_mem *m = env;
	munmap(m->base, m->total);
	free(m);
}

static wasmtime_error_t *wow_mem_new(void *env, const wasm_memorytype_t *ty, size_t minimum,
		size_t maximum, size_t reserved, size_t guard, wow_linear_memory *ret) {
	wow_sandbox *sb = wow_current;
	size_t limit = sb ? sb->limit_bytes : 0;
	if (limit && minimum > limit) {
		atomic_store(&sb->mem_hit, 1);
		return wasmtime_error_new("wow: the module's initial memory exceeds the limit");
	}
	if (reserved == 0) { // a dynamic memory: reserve what it may ever use
		reserved = maximum;
		if (limit && reserved > limit) reserved = limit;
		if (reserved > ((size_t)1 << 32)) reserved = (size_t)1 << 32;
	}
	if (reserved < minimum) reserved = minimum;
	size_t total = reserved + guard;
	void *p = mmap(NULL, total ? total : 1, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) return wasmtime_error_new("wow: mmap failed");
	if (minimum && mprotect(p, minimum, PROT_READ | PROT_WRITE) != 0) {
		munmap(p, total ? total : 1);
		return wasmtime_error_new("wow: mprotect failed");
	}
	wow_mem *m = calloc(1, sizeof(wow_mem));
	m->base = p; m->size = minimum; m->reserved = reserved; m->total = total ? total : 1;
	m->maximum = maximum; m->limit = limit; m->sb = sb;
	ret->env = m;
	ret->get_memory = wow_mem_get;
	ret->grow_memory = wow_mem_grow;
	ret->finalizer = wow_mem_free;
	return NULL;
}

static void wow_config_memory(void *cfg) {
	wow_memory_creator c = { NULL, wow_mem_new, NULL };
	wasmtime_config_host_memory_creator_set(cfg, &c);
}

static void wow_stdin_bytes(void *wasi, const char *p, size_t n) {
	wow_byte_vec v;
	wasm_byte_vec_new(&v, n, p);
	wasi_config_set_stdin_bytes(wasi, &v);
}
*/
import "C"

import (
	"reflect"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v25"
)

// cState is a sandbox's C-side state (see wow_sandbox).
type cState = C.wow_sandbox

func newCState(limitBytes uint64) *cState { return C.wow_sandbox_new(C.size_t(limitBytes)) }
func freeCState(s *cState)                { C.free(unsafe.Pointer(s)) }
func arm(s *cState, remainingNs int64)    { C.wow_arm(s, C.int64_t(remainingNs)) }
func cancelCall(s *cState)                { C.wow_cancel(s) }
func interrupted(s *cState) bool          { return C.wow_interrupted(s) != 0 }
func memHit(s *cState) bool               { return C.wow_mem_hit(s) != 0 }
func setCurrent(s *cState)                { C.wow_set_current(s) }

// watchEpoch installs the epoch-deadline callback that stops the guest.
func watchEpoch(store *wasmtime.Store, s *cState) {
	C.wow_store_watch(rawPtr(store), s)
}

// useMemoryCreator makes cfg allocate linear memories through wow_mem_new.
func useMemoryCreator(cfg *wasmtime.Config) { C.wow_config_memory(rawPtr(cfg)) }

// setStdinBytes serves b as the guest's stdin: no file, no pipe.
func setStdinBytes(w *wasmtime.WasiConfig, b []byte) {
	var p *C.char
	if len(b) > 0 {
		p = (*C.char)(unsafe.Pointer(&b[0]))
	}
	C.wow_stdin_bytes(rawPtr(w), p, C.size_t(len(b)))
}

// rawPtr returns the C pointer that a wasmtime-go object (Store, Config,
// WasiConfig: each a struct whose field _ptr is the C handle) wraps. The
// field is found by name, so a wasmtime-go that renamed it panics here
// rather than passing garbage to C.
func rawPtr[T any](obj *T) unsafe.Pointer {
	f, ok := reflect.TypeFor[T]().FieldByName("_ptr")
	if !ok || f.Type.Kind() != reflect.Pointer {
		panic("wasmtime adapter: " + reflect.TypeFor[T]().String() + " has no _ptr handle; wasmtime-go changed")
	}
	p := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(obj), f.Offset))
	if p == nil {
		panic("wasmtime adapter: " + reflect.TypeFor[T]().String() + " is closed")
	}
	return p
}

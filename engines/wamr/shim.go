//go:build wamr

package wamr

/*
#cgo LDFLAGS: -liwasm -lm -lpthread -ldl
#include <stdlib.h>
#include <string.h>
#include <wasm_export.h>

extern void wowNative(wasm_exec_env_t env, uintptr_t idx, uint64_t *args);
extern void wowMemFail(wasm_module_inst_t inst);

static void wow_native(wasm_exec_env_t env, uint64_t *args) {
	wowNative(env, (uintptr_t)wasm_runtime_get_function_attachment(env), args);
}

static void wow_mem_fail(uint32_t inc, uint64_t cur, uint32_t idx, enlarge_memory_error_reason_t r,
		wasm_module_inst_t inst, wasm_exec_env_t env, void *ud) {
	if (r == MAX_SIZE_REACHED) wowMemFail(inst);
}

bool wow_init(void) {
	RuntimeInitArgs a;
	memset(&a, 0, sizeof a);
	a.mem_alloc_type = Alloc_With_System_Allocator;
	if (!wasm_runtime_full_init(&a)) return false;
	wasm_runtime_set_enlarge_mem_error_callback(wow_mem_fail, NULL);
	return true;
}

// wow_register registers n raw natives of module, all served by wow_native;
// symbol i carries attachment i (an index into the Go host function table).
bool wow_register(const char *module, char **names, char **sigs, uintptr_t *idx, uint32_t n) {
	NativeSymbol *s = calloc(n, sizeof(NativeSymbol)); // kept for the process's lifetime
	for (uint32_t i = 0; i < n; i++) {
		s[i].symbol = names[i];
		s[i].func_ptr = (void *)wow_native;
		s[i].signature = sigs[i];
		s[i].attachment = (void *)idx[i];
	}
	return wasm_runtime_register_natives_raw(module, s, n);
}

void wow_set_custom(struct InstantiationArgs2 *p, uintptr_t h) {
	wasm_runtime_instantiation_args_set_custom_data(p, (void *)h);
}

static __thread int wow_thread_ready;
void wow_thread(void) {
	if (!wow_thread_ready) {
		wasm_runtime_init_thread_env();
		wow_thread_ready = 1;
	}
}

uint8_t *wow_memory(wasm_module_inst_t inst, uint64_t *size) {
	wasm_memory_inst_t m = wasm_runtime_get_default_memory(inst);
	if (!m) { *size = 0; return NULL; }
	*size = wasm_memory_get_cur_page_count(m) * (uint64_t)65536;
	return wasm_memory_get_base_address(m);
}

const char *wow_export_name(wasm_module_t m, int32_t i, int *kind, wasm_func_type_t *ft, uint32_t *min_pages) {
	wasm_export_t e;
	wasm_runtime_get_export_type(m, i, &e);
	*kind = e.kind;
	*ft = e.kind == WASM_IMPORT_EXPORT_KIND_FUNC ? e.u.func_type : NULL;
	*min_pages = e.kind == WASM_IMPORT_EXPORT_KIND_MEMORY ? wasm_memory_type_get_init_page_count(e.u.memory_type) : 0;
	return e.name;
}

const char *wow_import_name(wasm_module_t m, int32_t i, const char **module, int *kind, wasm_func_type_t *ft, uint32_t *min_pages) {
	wasm_import_t e;
	wasm_runtime_get_import_type(m, i, &e);
	*module = e.module_name;
	*kind = e.kind;
	*ft = e.kind == WASM_IMPORT_EXPORT_KIND_FUNC ? e.u.func_type : NULL;
	*min_pages = e.kind == WASM_IMPORT_EXPORT_KIND_MEMORY ? wasm_memory_type_get_init_page_count(e.u.memory_type) : 0;
	return e.name;
}
*/
import "C"

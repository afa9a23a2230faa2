//go:build wasmer && (wasmtime || wamr)

package wasmer

// At most one cgo engine tag (wasmtime, wasmer, wamr) per build: wasmtime-go
// links a static libwasmtime.a, wasmer-go a libwasmer.so and WAMR a libiwasm
// that all define the standard wasm_* C API symbols. Linked together one
// library's symbols shadow another's, so wasmer calls would silently run
// wasmtime code. Build with one of the tags.
var _ = the_cgo_engine_tags_wasmtime_wasmer_wamr_are_mutually_exclusive__their_libraries_define_the_same_wasm_C_API_symbols_so_one_engine_would_silently_run_another_engines_code

//go:build wasmtime && wasmer

package wasmtime

// The wasmtime and wasmer tags cannot be combined: wasmtime-go links a static
// libwasmtime.a whose wasm_* symbols shadow those of libwasmer.so, so wasmer
// calls would silently run wasmtime code. Build with one of them.
var _ = the_wasmtime_and_wasmer_build_tags_are_mutually_exclusive__wasmtimes_static_library_shadows_libwasmer_so_wasm_symbols

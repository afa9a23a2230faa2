// Package wasmtime is wow's wasmtime engine (github.com/bytecodealliance/wasmtime-go/v25,
// cgo). Built with the tag wasmtime, importing it registers the engine
// "wasmtime" with the runtime registry; without the tag it is empty.
//
// One wasmtime.Engine and one Linker serve a Runtime; every sandbox has its
// own Store. Guests are stopped by epoch interruption: one ticker goroutine
// per engine advances the epoch every millisecond while calls run, and a
// per-store C callback ends the guest once its call's deadline has passed or
// its context was canceled. Linear memory comes from a C memory creator that
// reserves each memory once, never moves it and refuses growth past the
// limit, recording that the limit was hit. WASI stdin is served from bytes
// (wasi_config_set_stdin_bytes); stdout and stderr go to per-sandbox memfd
// files that are drained after every call, never to the process's own
// descriptors. See RATIONALE.md.
package wasmtime

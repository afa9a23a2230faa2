// Package wamr is wow's WAMR engine (WebAssembly Micro Runtime 2.x, cgo
// against wasm_export.h). Built with the tag wamr, importing it registers
// the engine "wamr"; without the tag it holds only the wamrc helper
// (Precompile runs WAMR's AOT compiler wamrc, which must be on PATH). It
// links a libiwasm the user builds and installs (libc-wasi, fast interpreter, AOT loading,
// thread manager for wasm_runtime_terminate), for example under WAMR_ROOT:
//
//	CGO_CFLAGS=-I$WAMR_ROOT/include CGO_LDFLAGS=-L$WAMR_ROOT/lib go build -tags wamr ./...
//
// .wasm modules run on WAMR's interpreter; Load takes AOT files made by
// wamrc. WAMR refuses at load a "_start" export that is not () -> (), so the
// adapter renames "_start" in the binary (internal/wasmbin) and maps it back.
// Timeouts and cancellation call wasm_runtime_terminate from another
// goroutine; every call runs on a locked OS thread whose WAMR thread
// environment is initialised once. The memory limit is WAMR's max memory
// pages per instance, with a grow-failure callback recording that it was
// hit. stdin, stdout and stderr are memfd descriptors (internal/memfd).
package wamr

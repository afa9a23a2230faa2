// Package reactor provides the wasm exports of a wow reactor action (ABI 4 in
// ABI.md): wow_alloc and wow_handle, which hand each activation's request to
// the Func registered with [github.com/wowrt/wow/ow/sdk.Handle].
//
// Import it for its side effect in the package main of a reactor built with
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared:
//
//	import _ "github.com/wowrt/wow/ow/sdk/reactor"
//
// Never import it into a wasi-command action (one using sdk.Main): Go exports
// the //go:wasmexport functions of every linked package, so the command would
// export wow_alloc and wow_handle too and be detected as a reactor. The
// package is empty except on wasip1.
package reactor

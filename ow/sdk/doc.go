// Package sdk is the Go SDK for wow actions: OpenWhisk actions compiled to
// WebAssembly with GOOS=wasip1 GOARCH=wasm.
//
// An action is a [Func] from the activation's parameters to its result. [Main]
// runs it as a wasi-command (ABI 1 in ABI.md: params as JSON on stdin, the
// result as the last line of stdout, a fresh instance per activation):
//
//	//go:build wasip1
//
//	package main
//
//	import "github.com/wowrt/wow/ow/sdk"
//
//	func main() {
//		sdk.Main(func(params map[string]any) (map[string]any, error) {
//			name, _ := params["name"].(string)
//			return map[string]any{"greeting": "hello " + name}, nil
//		})
//	}
//
// built with
//
//	GOOS=wasip1 GOARCH=wasm go build -o hello.wasm .
//
// [Handle] runs it as a reactor (ABI 4: warm instances reused across
// activations). The wasm exports live in the companion package
// [github.com/wowrt/wow/ow/sdk/reactor], which a reactor must import for its
// side effect; register the Func from init and leave main empty:
//
//	import (
//		"github.com/wowrt/wow/ow/sdk"
//		_ "github.com/wowrt/wow/ow/sdk/reactor" // exports wow_alloc and wow_handle
//	)
//
//	func init() { sdk.Handle(hello) }
//
//	func main() {}
//
// built with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
//
// The exports are kept out of this package on purpose: Go exports every
// //go:wasmexport function of every linked package, so a command importing
// them would also export wow_alloc and wow_handle and be detected as a
// reactor.
//
// In both ABIs a non-nil error from the Func becomes the OpenWhisk application
// error {"error": err.Error()}.
package sdk

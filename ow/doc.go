// Package ow is Apache OpenWhisk's action-runtime protocol for wow,
// independent of any WebAssembly engine.
//
// It holds the JSON wire form of /init and /run (wire.go), the decoding of
// action code — base64, raw .wasm or zip, with size limits (code.go) — and the
// protocol itself as an [http.Handler] (handler.go): the standard
// single-action endpoints POST /init and POST /run that every OpenWhisk
// runtime serves, and on the same server the seed invoker-fork's multi-action
// endpoints POST /{id}/init, /{id}/run and /{id}/destroy (multi.go). Errors
// map to HTTP statuses in one place (errors.go); logs are framed per
// activation with OpenWhisk's sentinel line (logs.go).
//
// The handler runs actions through a [Backend], which package executor
// implements on a runtime.Runtime; ow itself never imports an engine. The same
// protocol is available without HTTP through [Handler.Init], [Handler.Run]
// and [Handler.Destroy].
package ow

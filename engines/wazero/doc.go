// Package wazero is wow's default engine: wazero, pure Go, no cgo. Importing
// it (the executor does) registers the engine "wazero" with the runtime
// registry.
//
// Timeouts stop compiled guests through instrumentation (a countdown and a
// stop flag checked at every function entry and loop header, see
// interrupt.go) and interpreted ones through wazero's
// WithCloseOnContextDone. Memory
// limits are enforced per sandbox by a memory allocator that reserves the
// guest's whole limit as one virtual mapping and commits pages only as the
// guest touches them, so growing never copies and the process holds about
// what the guest uses (see RATIONALE.md).
package wazero

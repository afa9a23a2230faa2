// Package wasmer is wow's wasmer engine (github.com/wasmerio/wasmer-go v1.0.4,
// Wasmer 2.0, cgo). Built with the tag wasmer, importing it registers the
// engine "wasmer"; without the tag it is empty.
//
// wasmer-go cannot interrupt a running guest, cap its memory or give it a
// per-instance stdin. The adapter contains each gap (RATIONALE.md, section
// engines/wasmer):
//
//   - Timeouts: compiled code is metered (wasmer's metering middleware, cost
//     1 per operator) with a point budget calibrated at start-up to the
//     call's deadline, so a runaway guest stops on its own shortly after it;
//     the caller gets ErrTimeout (or ErrCanceled) at the deadline, and the
//     still-running guest is quarantined: never reused, freed when it ends,
//     counted by Runaways.
//   - Memory: every memory the module defines gets its declared maximum
//     rewritten to the limit before compiling, so wasmer itself refuses to
//     grow past it; a module whose initial memory exceeds the limit fails to
//     instantiate with ErrMemoryLimit.
//   - Stdin: the WASI fd_read import is replaced by one that serves fd 0
//     from the activation's bytes and delegates every other descriptor to
//     wasmer's own; the process's stdin is never read.
//   - proc_exit is replaced too, so that memory stays readable after it.
//
// The shared library libwasmer.so lives in wasmer-go's module directory and
// a binary finds it by an rpath into the module cache; to run a built binary
// elsewhere, copy that library next to it (see LibraryPath).
package wasmer

// Package aot precompiles WebAssembly actions into signed artifacts and
// keeps an on-disk compile cache, so that a cold start never pays the
// compile (1.2–2.8 s for a 3.3 MB Go action on every engine here).
//
// An artifact is a zip that is also a valid OpenWhisk action (kind
// wasm:0.1): its only .wasm entry is the original module, so any wow can
// run it by compiling. Next to it:
//
//	action.wasm          the original module
//	native/ENGINE.bin    the engine's native artifact (runtime.Runtime.Precompile)
//	manifest.json        Manifest: engine, engine version, GOOS/GOARCH, CPU
//	                     features, config fingerprint, MACs of both entries
//	manifest.sig         hex HMAC-SHA256 of manifest.json's exact bytes
//
// Native code is machine code: it is loaded only when [Verify] succeeds,
// i.e. when the signature checks against a key the loader trusts and the
// manifest matches the loading runtime and the entries. Every other case
// has a typed reason ([ErrUnsigned], [ErrBadSignature], [ErrEngineMismatch],
// ...), all of which wrap [ErrUntrusted]; the caller then compiles the
// .wasm. A [Loader] loads trusted artifacts as [Load] does, writing the
// native code for an engine that maps files into a memfd whose pages it
// allocated ahead of time.
//
// [Cache] is the executor-side compile cache: native artifacts of the
// modules it compiled (or loaded from trusted artifacts), keyed by (wasm
// digest, engine, engine version, config fingerprint, platform),
// authenticated with a per-directory random key (chunked GMAC inside an
// HMAC, as an artifact's entries under the signing key),
// size-bounded with LRU eviction. A hit is verified and loaded from a
// mapping of the entry, not from a copy, when the engine allows it.
package aot

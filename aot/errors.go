package aot

import "errors"

// ErrUntrusted is wrapped by every reason Verify refuses native code for.
var ErrUntrusted = errors.New("native code not trusted")

// reason is a typed refusal: it is itself and ErrUntrusted.
type reason struct{ code, msg string }

func (r *reason) Error() string { return r.msg }

// Is makes every reason match ErrUntrusted.
func (r *reason) Is(target error) bool { return target == ErrUntrusted }

// The reasons Verify (and Read) give for not trusting an artifact's native
// code. Each wraps ErrUntrusted; Reason returns a short code for logs and
// metrics.
var (
	// ErrNotArtifact: the zip has no manifest (a plain zipped action).
	ErrNotArtifact error = &reason{"not_artifact", "not a precompiled artifact (no " + ManifestEntry + ")"}
	// ErrNoTrustKey: the loader was given no key to verify signatures with.
	ErrNoTrustKey error = &reason{"no_trust_key", "no trust key configured"}
	// ErrUnsigned: the artifact has no signature.
	ErrUnsigned error = &reason{"unsigned", "artifact is unsigned"}
	// ErrBadSignature: the signature does not match the manifest under the
	// key (wrong key, or the manifest or signature was altered).
	ErrBadSignature error = &reason{"bad_signature", "signature does not verify"}
	// ErrFormat: an artifact format this package does not read.
	ErrFormat error = &reason{"format", "unknown artifact format"}
	// ErrEngineMismatch: native code for another engine.
	ErrEngineMismatch error = &reason{"engine_mismatch", "native code for another engine"}
	// ErrVersionMismatch: native code from another version of the engine.
	ErrVersionMismatch error = &reason{"version_mismatch", "native code from another engine version"}
	// ErrPlatformMismatch: native code for another OS, architecture or CPU.
	ErrPlatformMismatch error = &reason{"platform_mismatch", "native code for another platform"}
	// ErrConfigMismatch: native code compiled under another configuration.
	ErrConfigMismatch error = &reason{"config_mismatch", "native code for another configuration"}
	// ErrWasmMismatch: the .wasm entry is not the module the manifest names.
	ErrWasmMismatch error = &reason{"wasm_mismatch", "the .wasm entry does not match the manifest"}
	// ErrNativeMismatch: the native entry is not what the manifest names.
	ErrNativeMismatch error = &reason{"native_mismatch", "the native entry does not match the manifest"}
	// ErrTruncated: the zip or one of its entries is cut short or unreadable.
	ErrTruncated error = &reason{"truncated", "artifact truncated or corrupt"}
)

// Reason returns the short code of the reason err carries ("unsigned",
// "bad_signature", ...), or "" when err carries none.
func Reason(err error) string {
	var r *reason
	if errors.As(err, &r) {
		return r.code
	}
	return ""
}

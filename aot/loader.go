package aot

import (
	"context"
	"log/slog"

	"github.com/wowrt/wow/runtime"
)

// DefaultSpareBytes is the size of a Loader's spare memfd by default: the
// native code of a 3.3 MB Go action on wasmtime is 11 MB.
const DefaultSpareBytes = 32 << 20

// LoaderOptions are a Loader's optional settings.
type LoaderOptions struct {
	// SpareBytes bounds the spare memfd whose pages the Loader allocates
	// ahead of time (Linux): the first spare has this size, later ones the
	// size of the native code last loaded, rounded up to 1 MiB, at most
	// this. Zero means DefaultSpareBytes; a negative size keeps no spare.
	SpareBytes int64
	// Logger receives a failure to prepare a spare. Default: discarded.
	Logger *slog.Logger
}

// Loader loads trusted artifacts as Load does and keeps, on Linux, one
// spare memfd whose pages were allocated in the background. A trusted
// load on an engine that maps files (wasmtime) writes the native code into
// the spare instead of into a fresh memfd, whose pages the kernel would
// allocate and zero during the copy (half the copy's time on this VM;
// RATIONALE.md, aot: "A spare memfd for trusted loads"), then a new spare
// is prepared in the background, sized to the code just loaded (sealing a
// spare frees its pages past the code, which costs most of what their
// allocation saved: a spare more than twice the code's size is replaced
// rather than used). Native code larger than the spare still goes there,
// its pages past the spare allocated as they are written. The spare holds its size
// in shared memory, at most LoaderOptions.SpareBytes, until Close.
// A nil *Loader loads as Load does. A Loader is safe for concurrent use.
type Loader struct {
	spare *spare
}

// NewLoader returns a Loader, which starts preparing its spare; Close
// releases it.
func NewLoader(opts LoaderOptions) *Loader {
	size := opts.SpareBytes
	if size == 0 {
		size = DefaultSpareBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loader{spare: newSpare(size, log)}
}

// Load is the package's Load, through l's spare when there is one.
func (l *Loader) Load(ctx context.Context, rt runtime.Runtime, a *Artifact, key []byte) (runtime.Module, error) {
	e, err := prepare(a, key, TargetOf(rt))
	if err != nil {
		return nil, err
	}
	var sp *spare
	if l != nil {
		sp = l.spare
	}
	return loadArtifact(ctx, rt, a, e, sp)
}

// Close releases the spare, once a spare being prepared is ready. Loads
// after Close use fresh memfds.
func (l *Loader) Close() {
	if l != nil {
		l.spare.close()
	}
}

//go:build !linux

package aot

import (
	"context"

	"github.com/wowrt/wow/runtime"
)

// loadVerified loads verified native bytes.
func loadVerified(ctx context.Context, rt runtime.Runtime, native []byte) (runtime.Module, error) {
	return rt.Load(ctx, native)
}

// loadArtifact loads the native code of an artifact whose signature and
// manifest were checked, once e verifies its entries (there is no spare).
func loadArtifact(ctx context.Context, rt runtime.Runtime, a *Artifact, e *entryMACs, _ *spare) (runtime.Module, error) {
	if err := e.verify(a); err != nil {
		return nil, err
	}
	return rt.Load(ctx, a.Native)
}

// loadEntry loads the compile-cache entry at path once verify accepts its
// bytes.
func loadEntry(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	return loadRead(ctx, rt, path, verify)
}

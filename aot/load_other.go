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

// loadEntry loads the compile-cache entry at path once verify accepts its
// bytes.
func loadEntry(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	return loadRead(ctx, rt, path, verify)
}

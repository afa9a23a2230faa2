//go:build !linux

package aot

import (
	"context"
	"os"

	"github.com/wowrt/wow/runtime"
)

// loadVerified loads verified native bytes.
func loadVerified(ctx context.Context, rt runtime.Runtime, native []byte) (runtime.Module, error) {
	return rt.Load(ctx, native)
}

// loadEntry loads the compile-cache entry at path once verify accepts its
// bytes.
func loadEntry(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	native, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := verify(native); err != nil {
		return nil, err
	}
	return loadRefused(rt.Load(ctx, native))
}

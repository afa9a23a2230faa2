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

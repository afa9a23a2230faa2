//go:build wasip1

// Command counter-reactor is a reactor (ABI 4) returning {"count": n}, where
// n counts the activations handled by this instance: 1, 2, 3... while the
// host reuses it warm.
package main

import (
	"github.com/wowrt/wow/ow/sdk"
	_ "github.com/wowrt/wow/ow/sdk/reactor" // exports wow_alloc and wow_handle
)

var count int

func init() {
	sdk.Handle(func(map[string]any) (map[string]any, error) {
		count++
		return map[string]any{"count": count}, nil
	})
}

func main() {}

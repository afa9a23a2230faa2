//go:build wasip1

// Command sleep is a wasi-command action sleeping 300 ms and returning the
// measured time: {"slept_ms": ms}.
package main

import (
	"time"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(map[string]any) (map[string]any, error) {
		start := time.Now()
		time.Sleep(300 * time.Millisecond)
		return map[string]any{"slept_ms": time.Since(start).Milliseconds()}, nil
	})
}

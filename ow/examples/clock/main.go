//go:build wasip1

// Command clock is a wasi-command action proving the clock works: it times a
// small loop with time.Now and returns {"elapsed_ns": n} with n > 0.
package main

import (
	"crypto/sha256"
	"time"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(map[string]any) (map[string]any, error) {
		start := time.Now()
		sum := sha256.Sum256(nil)
		var elapsed time.Duration
		// Loop until the clock moves, with a bound in case it never does.
		for i := 0; i < 1_000_000 && elapsed <= 0; i++ {
			sum = sha256.Sum256(sum[:])
			elapsed = time.Since(start)
		}
		return map[string]any{"elapsed_ns": elapsed.Nanoseconds()}, nil
	})
}

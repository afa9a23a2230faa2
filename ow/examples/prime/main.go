//go:build wasip1

// Command prime is a CPU-bound wasi-command action returning the n-th prime
// (1-based: n=1 → 2) as {"prime": p}.
package main

import (
	"errors"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(params map[string]any) (map[string]any, error) {
		n, ok := params["n"].(float64)
		if !ok || n < 1 || n > 1e7 || n != float64(int64(n)) {
			return nil, errors.New("n is required and must be an integer from 1 to 10000000")
		}
		return map[string]any{"prime": nthPrime(int(n))}, nil
	})
}

// nthPrime returns the n-th prime by trial division.
func nthPrime(n int) int {
	count := 0
	for p := 2; ; p++ {
		if isPrime(p) {
			count++
			if count == n {
				return p
			}
		}
	}
}

func isPrime(p int) bool {
	for d := 2; d*d <= p; d++ {
		if p%d == 0 {
			return false
		}
	}
	return true
}

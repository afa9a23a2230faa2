//go:build wasip1

// Command hash is a CPU-bound wasi-command action: SHA-256 of the string
// param input, then SHA-256 of that digest, iterations times in all (default
// 1) → {"hash": "<hex>"}.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(params map[string]any) (map[string]any, error) {
		input, ok := params["input"].(string)
		if !ok {
			return nil, errors.New("input is required and must be a string")
		}
		iterations := 1.0
		if v, present := params["iterations"]; present {
			n, ok := v.(float64)
			if !ok || n < 1 || n != float64(int64(n)) {
				return nil, errors.New("iterations must be a positive integer")
			}
			iterations = n
		}
		sum := sha256.Sum256([]byte(input))
		for i := int64(1); i < int64(iterations); i++ {
			sum = sha256.Sum256(sum[:])
		}
		return map[string]any{"hash": hex.EncodeToString(sum[:])}, nil
	})
}

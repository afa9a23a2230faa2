//go:build wasip1

// Command bigresult is a wasi-command action returning a large result,
// {"s": "xxx..."} with n (param, default 0) x characters.
package main

import (
	"errors"
	"strings"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(params map[string]any) (map[string]any, error) {
		n := 0.0
		if v, present := params["n"]; present {
			var ok bool
			n, ok = v.(float64)
			if !ok || n < 0 || n > 1<<30 || n != float64(int64(n)) {
				return nil, errors.New("n must be an integer from 0 to 1073741824")
			}
		}
		return map[string]any{"s": strings.Repeat("x", int(n))}, nil
	})
}

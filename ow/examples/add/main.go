//go:build wasip1

// Command add is a wasi-command action adding param1 and param2:
// {"param1": 2, "param2": 3} → {"result": 5}.
package main

import (
	"fmt"

	"github.com/wowrt/wow/ow/sdk"
)

func main() { sdk.Main(add) }

func add(params map[string]any) (map[string]any, error) {
	a, ok := params["param1"].(float64)
	if !ok {
		return nil, fmt.Errorf("param1 is required and must be a number")
	}
	b, ok := params["param2"].(float64)
	if !ok {
		return nil, fmt.Errorf("param2 is required and must be a number")
	}
	return map[string]any{"result": a + b}, nil
}

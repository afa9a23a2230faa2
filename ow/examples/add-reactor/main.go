//go:build wasip1

// Command add-reactor is the add action as a reactor (ABI 4); build it with
// -buildmode=c-shared.
package main

import (
	"fmt"

	"github.com/wowrt/wow/ow/sdk"
	_ "github.com/wowrt/wow/ow/sdk/reactor" // exports wow_alloc and wow_handle
)

func init() { sdk.Handle(add) }

func main() {}

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

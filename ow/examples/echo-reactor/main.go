//go:build wasip1

// Command echo-reactor is a reactor (ABI 4) returning its params, plus
// "__activation_id" from __OW_ACTIVATION_ID when that is set. It writes
// "hello stdout" and "hello stderr" on every activation, for log tests.
package main

import (
	"fmt"
	"os"

	"github.com/wowrt/wow/ow/sdk"
	_ "github.com/wowrt/wow/ow/sdk/reactor" // exports wow_alloc and wow_handle
)

func init() {
	sdk.Handle(func(params map[string]any) (map[string]any, error) {
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		if id, ok := os.LookupEnv("__OW_ACTIVATION_ID"); ok {
			params["__activation_id"] = id
		}
		return params, nil
	})
}

func main() {}

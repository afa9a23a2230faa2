//go:build wasip1

// Command echo is a wasi-command action returning its params unchanged. It
// writes "hello stdout" and "hello stderr" first, for log tests, and when
// params has a string "log" it writes that to stdout and stderr too.
package main

import (
	"fmt"
	"os"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(params map[string]any) (map[string]any, error) {
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		if s, ok := params["log"].(string); ok {
			fmt.Println(s)
			fmt.Fprintln(os.Stderr, s)
		}
		return params, nil
	})
}

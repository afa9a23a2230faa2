//go:build wasip1

// Command env is a wasi-command action returning its whole environment as
// {"env": {"NAME": "value", ...}}.
package main

import (
	"os"
	"strings"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(map[string]any) (map[string]any, error) {
		env := map[string]any{}
		for _, kv := range os.Environ() {
			name, value, _ := strings.Cut(kv, "=")
			env[name] = value
		}
		return map[string]any{"env": env}, nil
	})
}

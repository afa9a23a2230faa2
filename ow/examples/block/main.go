//go:build wasip1

// Command block is a wasi-command action calling the host's http.get
// capability (which blocks about 300 ms) and returning
// {"status": code, "elapsed_ms": ms}. It needs the net capability.
package main

import (
	"time"

	"github.com/wowrt/wow/ow/sdk"
)

//go:wasmimport http get
func httpGet() int32

func main() {
	sdk.Main(func(map[string]any) (map[string]any, error) {
		start := time.Now()
		status := httpGet()
		return map[string]any{"status": status, "elapsed_ms": time.Since(start).Milliseconds()}, nil
	})
}

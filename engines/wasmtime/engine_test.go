//go:build wasmtime

package wasmtime_test

import (
	"testing"

	_ "github.com/wowrt/wow/engines/wasmtime"
	"github.com/wowrt/wow/runtime/runtimetest"
)

func TestContract(t *testing.T) { runtimetest.Run(t, "wasmtime") }

func BenchmarkEngine(b *testing.B) { runtimetest.Bench(b, "wasmtime") }

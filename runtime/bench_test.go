package runtime_test

import (
	"testing"

	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/runtime/runtimetest"
)

// BenchmarkWazero measures compile, instantiate and invoke of add per ABI on
// the default engine. Other engines run the same benchmarks from their
// packages with their build tag.
func BenchmarkWazero(b *testing.B) { runtimetest.Bench(b, "wazero") }

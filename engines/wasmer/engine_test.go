//go:build wasmer

package wasmer_test

import (
	"testing"

	_ "github.com/wowrt/wow/engines/wasmer"
	"github.com/wowrt/wow/runtime/runtimetest"
)

// Skipped by name; RATIONALE.md (engines/wasmer) has the measurements.
const (
	noGrowHook     = "wasmer-go has no hook on memory.grow: the limit holds (each memory's declared maximum is rewritten to it, so growing past it returns -1), but a refused grow is invisible to the host, so the guest's own reaction (a trap, a Go out-of-memory exit) is what the caller sees, not ErrMemoryLimit"
	readOnlyMapdir = "wasmer-go v1.0.4 maps preopened directories without write rights: opening a file for writing fails with EBADF (measured)"
)

func TestContract(t *testing.T) {
	runtimetest.Run(t, "wasmer",
		runtimetest.Skip("Limits/MemoryBomb", noGrowHook),
		runtimetest.Skip("Limits/GoMemoryLimit", noGrowHook),
		runtimetest.Skip("Examples/Filesys", readOnlyMapdir),
	)
}

func BenchmarkEngine(b *testing.B) { runtimetest.Bench(b, "wasmer") }

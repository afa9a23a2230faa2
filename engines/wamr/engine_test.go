//go:build wamr

package wamr_test

import (
	"testing"

	_ "github.com/wowrt/wow/engines/wamr"
	"github.com/wowrt/wow/runtime/runtimetest"
)

func TestContract(t *testing.T) { runtimetest.Run(t, "wamr") }

func BenchmarkEngine(b *testing.B) { runtimetest.Bench(b, "wamr") }

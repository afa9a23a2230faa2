package wazero_test

import (
	"testing"

	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/runtime"
	"github.com/wowrt/wow/runtime/runtimetest"
)

func TestContract(t *testing.T) { runtimetest.Run(t, "wazero") }

func TestContractInterpreter(t *testing.T) {
	if testing.Short() {
		t.Skip("the interpreter suite repeats the compiler one")
	}
	if raceEnabled {
		t.Skip("under -race the interpreter runs Go guests too slowly; .ci/run runs this suite without -race")
	}
	runtimetest.Run(t, "wazero", runtimetest.Configure(func(c runtime.Config) runtime.Config {
		return c.WithInterpreter(true)
	}))
}

package wazero_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/runtime"
	"github.com/wowrt/wow/runtime/runtimetest"
)

// TestContractTiered runs the contract suite with tiered compilation: every
// module starts on the interpreter and moves to compiled code.
func TestContractTiered(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("interpreted Go guests are slow under -race and in -short runs; .ci/run runs this suite without -race")
	}
	const why = "tiering restarts a warm guest when its compiled code arrives, so guest state may reset between activations"
	runtimetest.Run(t, "wazero",
		runtimetest.Configure(func(c runtime.Config) runtime.Config { return c.WithTiering(true) }),
		runtimetest.Skip("ABIs/ReactorWarmReuse", why),
		runtimetest.Skip("Isolation/SeparateMemories", why),
	)
}

// TestTieringMovesWarmGuests checks the life of a tiered module: it serves
// at once from the interpreter, is compiled in the background once hot, and
// a warm instance then moves to the compiled code (its guest starting afresh).
func TestTieringMovesWarmGuests(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig().WithTiering(true))
	require.NoError(t, err)
	defer rt.Close(ctx)
	// The Go counter takes about a second to compile: ample time to see the
	// second activation still interpreted.
	mod, err := rt.Compile(ctx, testactions.Go(t, "counter-reactor"))
	require.NoError(t, err)
	defer mod.Close(ctx)
	require.False(t, mod.Compiled(), "a tiered module starts interpreted")
	inst, err := mod.Instantiate(ctx, nil)
	require.NoError(t, err)
	defer inst.Close(ctx)
	count := func() string {
		res, err := inst.Invoke(ctx, &runtime.RunPayload{})
		require.NoError(t, err)
		return string(res.Value)
	}
	assert.JSONEq(t, `{"count":1}`, count())
	assert.False(t, mod.Compiled(), "one activation does not make a module hot")
	assert.JSONEq(t, `{"count":2}`, count(), "the second activation starts the compiler and still runs interpreted")
	require.Eventually(t, mod.Compiled, 2*time.Minute, 10*time.Millisecond)
	assert.JSONEq(t, `{"count":1}`, count(), "the warm guest moved to compiled code and started afresh")
	assert.JSONEq(t, `{"count":2}`, count(), "and stays warm there")
}

func TestTieringOffByDefault(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig())
	require.NoError(t, err)
	defer rt.Close(ctx)
	mod, err := rt.Compile(ctx, testactions.Go(t, "add"))
	require.NoError(t, err)
	defer mod.Close(ctx)
	assert.True(t, mod.Compiled())
}

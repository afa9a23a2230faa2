package wasmbin_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
	"github.com/wowrt/wow/internal/wasmbin"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

// compile validates b with wazero and returns its exports and memory limits.
func compile(t *testing.T, b []byte) wazero.CompiledModule {
	t.Helper()
	r := wazero.NewRuntime(context.Background())
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	cm, err := r.CompileModule(context.Background(), b)
	require.NoError(t, err)
	return cm
}

func TestRenameExport(t *testing.T) {
	out, ok, err := wasmbin.RenameExport(wat.Module("sum"), "_start", "wow_start")
	require.NoError(t, err)
	require.True(t, ok)
	fns := compile(t, out).ExportedFunctions()
	assert.Contains(t, fns, "wow_start")
	assert.NotContains(t, fns, "_start")
	assert.Len(t, fns["wow_start"].ParamTypes(), 2)

	same, ok, err := wasmbin.RenameExport(wat.Module("sum"), "nope", "x")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, wat.Module("sum"), same)

	_, _, err = wasmbin.RenameExport(c.Module("add_membuf"), "_start", "memory")
	require.Error(t, err, "renaming onto an existing export must fail")

	_, _, err = wasmbin.RenameExport([]byte("nope"), "a", "b")
	require.ErrorIs(t, err, wasmbin.ErrMalformed)
	_, _, err = wasmbin.RenameExport(append(wat.Module("sum")[:8:8], 7, 50, 1), "a", "b")
	require.ErrorIs(t, err, wasmbin.ErrMalformed)
}

func TestCapMemory(t *testing.T) {
	// membomb declares (memory 1) with no maximum.
	out, changed, err := wasmbin.CapMemory(wat.Module("membomb"), 16)
	require.NoError(t, err)
	require.True(t, changed)
	for _, m := range compile(t, out).ExportedMemories() {
		max, ok := m.Max()
		assert.True(t, ok)
		assert.EqualValues(t, 16, max)
		assert.EqualValues(t, 1, m.Min())
	}
	// Already within the cap: unchanged.
	again, changed, err := wasmbin.CapMemory(out, 32)
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Equal(t, out, again)
	// A minimum above the cap is left for instantiation to refuse.
	_, changed, err = wasmbin.CapMemory(wat.Module("membomb"), 0)
	require.NoError(t, err)
	assert.False(t, changed)
	// No memory section at all.
	_, changed, err = wasmbin.CapMemory(wat.Module("answer"), 1)
	require.NoError(t, err)
	assert.False(t, changed)
}

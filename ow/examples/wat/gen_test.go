package wat

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModules(t *testing.T) {
	sources, err := filepath.Glob("*.wat")
	require.NoError(t, err)
	require.NotEmpty(t, sources)
	wat2wasm, lookErr := exec.LookPath("wat2wasm")
	for _, src := range sources {
		name := strings.TrimSuffix(src, ".wat")
		wasm := Module(name)
		assert.True(t, bytes.HasPrefix(wasm, []byte("\x00asm\x01\x00\x00\x00")), name)
		if lookErr != nil {
			continue
		}
		out := filepath.Join(t.TempDir(), name+".wasm")
		cmdOut, err := exec.Command(wat2wasm, src, "-o", out).CombinedOutput()
		require.NoError(t, err, "%s", cmdOut)
		fresh, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(fresh, wasm), "%s.wasm is stale: run go generate ./ow/examples/wat", name)
	}
	assert.PanicsWithValue(t,
		`wat.Module: no module "nope" in ow/examples/wat: open nope.wasm: file does not exist`,
		func() { Module("nope") })
}

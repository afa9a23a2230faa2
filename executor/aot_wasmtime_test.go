//go:build wasmtime

package executor

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/ow/examples/c"
	wowrt "github.com/wowrt/wow/runtime"
)

// TestArtifactTrustedSpare loads trusted artifacts on wasmtime, which maps
// files: the executor keeps a spare memfd for them unless told not to.
func TestArtifactTrustedSpare(t *testing.T) {
	rt, err := wowrt.Open(context.Background(), "wasmtime", nil)
	require.NoError(t, err)
	zb, err := aot.Precompile(context.Background(), rt, c.Module("add"), trustKey)
	require.NoError(t, err)
	require.NoError(t, rt.Close(context.Background()))

	for name, tc := range map[string]struct {
		spare     int64
		withSpare bool
	}{
		"Default": {0, true},
		"Small":   {4096, true}, // the native code is larger: a fresh memfd
		"None":    {-1, false},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServerOn(t, "wasmtime", nil, Options{TrustKey: trustKey, ArtifactSpareBytes: tc.spare})
			require.Equal(t, tc.withSpare, s.ex.modules.loader != nil)
			for _, id := range []string{"a", "b"} { // the second /init uses the module table
				status, body := s.initAction(t, id, zb, nil)
				require.Equal(t, http.StatusOK, status, "%s", body)
			}
			status, body := s.post(t, "/a/run", map[string]any{"value": map[string]any{"param1": 2, "param2": 3}})
			require.Equal(t, http.StatusOK, status, "%s", body)
			require.JSONEq(t, `{"result":5}`, string(body))
			require.Contains(t, s.metricsText(t), `wow_artifact_loads_total{result="trusted"} 1`)
		})
	}
}

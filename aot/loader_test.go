package aot_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/runtime"
)

// TestLoader loads a trusted artifact through a Loader on every engine
// (wasmtime, which maps files, through its spare), refuses a tampered one,
// and loads native code larger than the spare.
func TestLoader(t *testing.T) {
	ctx := context.Background()
	for _, engine := range benchEngines {
		t.Run(engine, func(t *testing.T) {
			rt, err := runtime.Open(ctx, engine, nil)
			require.NoError(t, err)
			defer rt.Close(ctx)
			zb, err := aot.Precompile(ctx, rt, c.Module("add"), testKey)
			require.NoError(t, err)
			for name, spare := range map[string]int64{"Default": 0, "Small": 4096, "None": -1} {
				t.Run(name, func(t *testing.T) {
					l := aot.NewLoader(aot.LoaderOptions{SpareBytes: spare})
					defer l.Close()
					for range 3 { // the spare is replaced after each load
						l.WaitSpare()
						a, err := aot.Read(zb)
						require.NoError(t, err)
						m, err := l.Load(ctx, rt, a, testKey)
						require.NoError(t, err)
						addWorks(t, m)
						require.NoError(t, m.Close(ctx))
					}
					a, err := aot.Read(bytes.Clone(zb)) // its entries are slices of the zip
					require.NoError(t, err)
					a.Native[len(a.Native)/2] ^= 1
					_, err = l.Load(ctx, rt, a, testKey)
					require.ErrorIs(t, err, aot.ErrNativeMismatch)
				})
			}
		})
	}
}

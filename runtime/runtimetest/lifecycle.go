package runtimetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func (s *suite) lifecycleTests() []test {
	return []test{
		{"Closed", func(t *testing.T) {
			rt := s.open(t, runtime.NewConfig())
			m := compileOn(t, rt, "wat:answer")
			inst, err := m.Instantiate(context.Background(), nil)
			require.NoError(t, err)
			require.NoError(t, inst.Close(context.Background()))
			require.NoError(t, inst.Close(context.Background()), "Close twice is fine")
			_, err = inst.Invoke(context.Background(), &runtime.RunPayload{})
			require.ErrorIs(t, err, runtime.ErrClosed)
			require.NoError(t, m.Close(context.Background()))
			_, err = m.Instantiate(context.Background(), nil)
			require.ErrorIs(t, err, runtime.ErrClosed)
			require.NoError(t, rt.Close(context.Background()))
			_, err = rt.Compile(context.Background(), source(t, "wat:answer"))
			require.ErrorIs(t, err, runtime.ErrClosed)
		}},
		{"NameAndVersion", func(t *testing.T) {
			assert.Equal(t, s.engine, s.rt.Name())
			assert.NotEmpty(t, s.rt.Version())
		}},
		{"LoadWithoutArtifact", func(t *testing.T) {
			_, err := s.rt.Load(context.Background(), []byte("not an artifact"))
			require.Error(t, err)
		}},
		{"PrecompileRoundTrip", func(t *testing.T) {
			// precompile → load on a fresh runtime → invoke, for every
			// ABI's C action; engines without precompilation say so.
			ctx := context.Background()
			for _, name := range []string{"c:add", "c:add_membuf", "c:add_reactor"} {
				native, err := s.rt.Precompile(ctx, source(t, name))
				if errors.Is(err, runtime.ErrUnsupported) {
					t.Skipf("precompile: %v", err)
				}
				require.NoError(t, err, name)
				rt := s.open(t, runtime.NewConfig())
				m, err := rt.Load(ctx, native)
				require.NoError(t, err, name)
				res, err := invoke(t, m, nil, `{"param1":1,"param2":3}`)
				require.NoError(t, err, name)
				assert.JSONEq(t, `{"result":4}`, string(res.Value), name)
				require.NoError(t, m.Close(ctx))
			}
		}},
	}
}

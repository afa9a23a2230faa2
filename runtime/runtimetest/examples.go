package runtimetest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "result %s", s)
	return m
}

func (s *suite) exampleTests() []test {
	return []test{
		{"Hash", func(t *testing.T) {
			// sha256("abc") then sha256 of that digest's raw bytes, per the example's doc.
			one := decode(t, mustInvoke(t, s.module(t, "go:hash"), nil, `{"input":"abc","iterations":1}`))
			assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", one["hash"])
			two := decode(t, mustInvoke(t, s.module(t, "go:hash"), nil, `{"input":"abc","iterations":2}`))
			assert.NotEqual(t, one["hash"], two["hash"])
		}},
		{"Prime", func(t *testing.T) {
			assert.JSONEq(t, `{"prime":2}`, mustInvoke(t, s.module(t, "go:prime"), nil, `{"n":1}`))
			assert.JSONEq(t, `{"prime":7919}`, mustInvoke(t, s.module(t, "go:prime"), nil, `{"n":1000}`))
		}},
		{"Clock", func(t *testing.T) {
			got := decode(t, mustInvoke(t, s.module(t, "go:clock"), nil, `{}`))
			assert.Greater(t, got["elapsed_ns"], float64(0))
		}},
		{"Random", func(t *testing.T) {
			a := mustInvoke(t, s.module(t, "go:random"), nil, `{}`)
			b := mustInvoke(t, s.module(t, "go:random"), nil, `{}`)
			assert.NotEqual(t, a, b, "two activations drew the same random number")
		}},
		{"Filesys", func(t *testing.T) {
			dir := t.TempDir()
			cfg := runtime.NewInstanceConfig().WithDir(runtime.DirMount{HostPath: dir, GuestPath: "/data"})
			got := mustInvoke(t, s.module(t, "go:filesys"), cfg, `{"path":"/data/x.txt","content":"héllo"}`)
			assert.JSONEq(t, `{"content":"héllo","bytes":6}`, got)
			b, err := os.ReadFile(filepath.Join(dir, "x.txt"))
			require.NoError(t, err)
			assert.Equal(t, "héllo", string(b))
		}},
		{"FilesysNoDir", func(t *testing.T) {
			res, err := invoke(t, s.module(t, "go:filesys"), nil, `{"path":"/data/x.txt"}`)
			require.NoError(t, err)
			assert.True(t, res.IsApplicationError(), "writing without a preopened dir must fail: %s", res.Value)
		}},
		{"Block", func(t *testing.T) {
			start := time.Now()
			got := decode(t, mustInvoke(t, s.module(t, "go:block"), runtime.NewInstanceConfig().WithCapabilities(runtime.CapNet), `{}`))
			assert.EqualValues(t, 0, got["status"])
			assert.GreaterOrEqual(t, time.Since(start), runtime.HTTPGetDelay)
		}},
		{"BlockDenied", func(t *testing.T) {
			_, err := s.module(t, "go:block").Instantiate(context.Background(), runtime.NewInstanceConfig())
			require.ErrorIs(t, err, runtime.ErrCapability)
		}},
		{"Sleep", func(t *testing.T) {
			start := time.Now()
			got := decode(t, mustInvoke(t, s.module(t, "go:sleep"), nil, `{}`))
			assert.GreaterOrEqual(t, got["slept_ms"], float64(300))
			assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
		}},
	}
}

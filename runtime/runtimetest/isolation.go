package runtimetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func (s *suite) isolationTests() []test {
	return []test{
		{"NoHostEnv", func(t *testing.T) {
			t.Setenv("WOW_HOST_SECRET", "leak")
			var got struct{ Env map[string]any }
			require.NoError(t, json.Unmarshal([]byte(mustInvoke(t, s.module(t, "go:env"), nil, `{}`)), &got))
			assert.NotContains(t, got.Env, "WOW_HOST_SECRET")
			assert.NotContains(t, got.Env, "PATH")
			assert.NotContains(t, got.Env, "HOME")
		}},
		{"NoHostFiles", func(t *testing.T) {
			res, err := invoke(t, s.module(t, "go:filesys"), nil, `{"path":"/etc/passwd"}`)
			require.NoError(t, err)
			assert.True(t, res.IsApplicationError(), "a guest without preopens must not touch host files: %s", res.Value)
		}},
		{"DirConfinement", func(t *testing.T) {
			dir := t.TempDir()
			cfg := runtime.NewInstanceConfig().WithDir(runtime.DirMount{HostPath: dir, GuestPath: "/data"})
			res, err := invoke(t, s.module(t, "go:filesys"), cfg, `{"path":"/data/../../etc/wow-escape.txt"}`)
			require.NoError(t, err)
			assert.True(t, res.IsApplicationError(), "a guest must not escape its preopened dir: %s", res.Value)
			assert.NoFileExists(t, "/etc/wow-escape.txt")
		}},
		{"SeparateMemories", func(t *testing.T) {
			m := s.module(t, "go:counter-reactor")
			a, b := instantiate(t, m, nil), instantiate(t, m, nil)
			for range 3 {
				_, err := a.Invoke(context.Background(), &runtime.RunPayload{})
				require.NoError(t, err)
			}
			res, err := b.Invoke(context.Background(), &runtime.RunPayload{})
			require.NoError(t, err)
			assert.JSONEq(t, `{"count":1}`, string(res.Value), "instances must not share state")
		}},
	}
}

package executor

import (
	"bytes"
	"context"

	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/internal/ziptest"
	"github.com/wowrt/wow/ow/examples/c"
	wowrt "github.com/wowrt/wow/runtime"
)

var trustKey = []byte("executor-test-trust-key-32-bytes")

// precompiled returns the C add action as an artifact signed with key.
func precompiled(t *testing.T, key []byte) []byte {
	t.Helper()
	rt, err := wowrt.Open(context.Background(), "wazero", nil)
	require.NoError(t, err)
	defer rt.Close(context.Background())
	zb, err := aot.Precompile(context.Background(), rt, c.Module("add"), key)
	require.NoError(t, err)
	return zb
}

// editZip rewrites one entry of a zip.
func editZip(t *testing.T, zb []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	return ziptest.Rewrite(t, zb, func(n string, b []byte) []byte {
		if n == name {
			return edit(bytes.Clone(b))
		}
		return b
	})
}

func addRuns(t *testing.T, s *server) {
	t.Helper()
	status, body := s.run(t, "", map[string]any{"param1": 2, "param2": 3}, time.Minute, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.JSONEq(t, `{"result":5}`, string(body))
}

func TestArtifactTrusted(t *testing.T) {
	var logs syncBuffer
	s := newServer(t, nil, Options{TrustKey: trustKey, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	status, body := s.initAction(t, "", precompiled(t, trustKey), nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s)
	m := s.metricsText(t)
	require.Contains(t, m, `wow_artifact_loads_total{result="trusted"} 1`)
	require.Contains(t, m, "wow_compile_cache_misses_total 0\n", "nothing compiled")
	require.Contains(t, logs.String(), "trusted native code")
	require.Nil(t, s.ex.modules.loader, "wazero maps no files: no spare memfd")
}

func TestArtifactUntrusted(t *testing.T) {
	signed := precompiled(t, trustKey)
	cases := []struct {
		name, reason string
		zip          []byte
		key          []byte
	}{
		{"Unsigned", "unsigned", precompiled(t, nil), trustKey},
		{"NoTrustKey", "no_trust_key", signed, nil},
		{"WrongKey", "bad_signature", signed, []byte("another-key-of-thirty-two-bytes!")},
		{"TamperedManifest", "bad_signature", editZip(t, signed, aot.ManifestEntry, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"goarch"`), []byte(`"goarcH"`), 1)
		}), trustKey},
		{"TamperedNative", "native_mismatch", editZip(t, signed, "native/wazero.bin", func(b []byte) []byte {
			b[len(b)/2] ^= 0x55
			return b
		}), trustKey},
		{"TruncatedNative", "truncated", editZip(t, signed, "native/wazero.bin", func(b []byte) []byte {
			return b[:len(b)-1]
		}), trustKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			s := newServer(t, nil, Options{TrustKey: tc.key, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			status, body := s.initAction(t, "", tc.zip, nil)
			require.Equal(t, http.StatusOK, status, "%s", body)
			addRuns(t, s) // compiled from the .wasm
			m := s.metricsText(t)
			require.Contains(t, m, `wow_artifact_loads_total{result="`+tc.reason+`"} 1`)
			require.Contains(t, m, "wow_compile_cache_misses_total 1\n", "compiled")
			require.Contains(t, logs.String(), "reason="+tc.reason)
		})
	}
}

func TestArtifactEngineMismatchAndVersion(t *testing.T) {
	// An artifact for a differently configured runtime: the config
	// fingerprint differs, the .wasm is compiled.
	s := newServer(t, wowrt.NewConfig().WithMemoryLimitBytes(32<<20), Options{TrustKey: trustKey})
	status, body := s.initAction(t, "", precompiled(t, trustKey), nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s)
	require.Contains(t, s.metricsText(t), `wow_artifact_loads_total{result="config_mismatch"} 1`)
}

func TestDiskCacheRestart(t *testing.T) {
	dir := t.TempDir()
	add := c.Module("add")
	s1 := newServer(t, nil, Options{CacheDir: dir})
	status, body := s1.initAction(t, "", add, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s1)
	require.Contains(t, s1.metricsText(t), "wow_compile_cache_misses_total 1\n")

	// A restarted executor (new runtime, new executor, same directory)
	// initialises the action without compiling.
	s2 := newServer(t, nil, Options{CacheDir: dir})
	status, body = s2.initAction(t, "", add, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s2)
	m := s2.metricsText(t)
	require.Contains(t, m, "wow_compile_cache_misses_total 0\n")
	require.Contains(t, m, "wow_compile_cache_hits_total 1\n")
}

// TestTrustedArtifactIsCached: a trusted artifact's native code goes into
// the compile cache, and a restarted executor loads it from there, even
// without the trust key (the cache authenticates its own entries).
func TestTrustedArtifactIsCached(t *testing.T) {
	dir := t.TempDir()
	zb := precompiled(t, trustKey)
	s1 := newServer(t, nil, Options{CacheDir: dir, TrustKey: trustKey})
	status, body := s1.initAction(t, "", zb, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s1)
	m := s1.metricsText(t)
	require.Contains(t, m, `wow_artifact_loads_total{result="trusted"} 1`)
	require.Contains(t, m, "wow_compile_cache_misses_total 0\n")
	require.Eventually(t, func() bool { // stored in the background
		macs, err := filepath.Glob(filepath.Join(dir, "*.mac"))
		return err == nil && len(macs) == 1
	}, 10*time.Second, 5*time.Millisecond, "the native code was stored")

	s2 := newServer(t, nil, Options{CacheDir: dir})
	status, body = s2.initAction(t, "", zb, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s2)
	m = s2.metricsText(t)
	require.Contains(t, m, "wow_compile_cache_hits_total 1\n")
	require.Contains(t, m, "wow_compile_cache_misses_total 0\n")
	require.NotContains(t, m, `wow_artifact_loads_total{result="no_trust_key"}`, "the artifact was not even read")
}

func TestDiskCacheCorruptEntry(t *testing.T) {
	dir := t.TempDir()
	add := c.Module("add")
	s1 := newServer(t, nil, Options{CacheDir: dir})
	status, _ := s1.initAction(t, "", add, nil)
	require.Equal(t, http.StatusOK, status)
	bins, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	require.NoError(t, err)
	require.Len(t, bins, 1)
	b, err := os.ReadFile(bins[0])
	require.NoError(t, err)
	b[len(b)/3] ^= 0xff
	require.NoError(t, os.Chmod(bins[0], 0o600)) // entries are read-only
	require.NoError(t, os.WriteFile(bins[0], b, 0o600))

	var logs syncBuffer
	s2 := newServer(t, nil, Options{CacheDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	status, body := s2.initAction(t, "", add, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	addRuns(t, s2)
	require.Contains(t, s2.metricsText(t), "wow_compile_cache_misses_total 1\n", "recompiled")
	require.Contains(t, logs.String(), "discarding an entry")
}

func TestConcurrentInitsCompileOnce(t *testing.T) {
	s := newServer(t, nil, Options{CacheDir: t.TempDir()})
	add := c.Module("add")
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := s.initAction(t, "a"+strings.Repeat("x", i), add, nil)
			require.Equal(t, http.StatusOK, status, "%s", body)
		}()
	}
	wg.Wait()
	m := s.metricsText(t)
	require.Contains(t, m, "wow_compile_cache_misses_total 1\n")
	require.Contains(t, m, "wow_compile_cache_hits_total 15\n")
}

package executor

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/ow"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

// TestOpenWhiskBehaviour follows OpenWhisk's shared runtime tests
// (BasicActionRunnerTests) over real HTTP.
func TestOpenWhiskBehaviour(t *testing.T) {
	echo := testactions.Go(t, "echo")

	t.Run("init without code", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		for _, body := range []string{`{"value":{"code":""}}`, `{"value":{}}`} {
			code, out := s.post(t, "/init", body)
			assert.Equal(t, 403, code)
			assert.Equal(t, "Missing main/no code to execute.", errorOf(t, out))
		}
	})

	t.Run("second init", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", echo, nil)
		require.Equal(t, 200, code)
		code, out := s.initAction(t, "", echo, nil)
		assert.Equal(t, 403, code)
		assert.Equal(t, "Cannot initialize the action more than once.", errorOf(t, out))
		assert.Zero(t, s.stdout.sentinels())
		assert.Zero(t, s.stderr.sentinels())
	})

	t.Run("run before init", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, out := s.run(t, "", map[string]any{}, time.Minute, nil)
		assert.Equal(t, 500, code)
		assert.Equal(t, "no action defined yet", errorOf(t, out))
	})

	t.Run("non-dictionary result", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", testactions.Go(t, "string-result"), nil)
		require.Equal(t, 200, code)
		code, out := s.run(t, "", map[string]any{}, time.Minute, nil)
		assert.Equal(t, 502, code)
		assert.Equal(t, "The action did not return a dictionary or array.", errorOf(t, out))
		assert.Equal(t, 1, s.stdout.sentinels())
	})

	t.Run("echo unicode, logs, sentinels", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", echo, nil)
		require.Equal(t, 200, code)
		for i, params := range []string{
			`{"string":"hello"}`, `{"string":"❄ ☃ ❄"}`, `{"numbers":[42,1]}`, `{"object":{"a":"A"}}`,
			`{"log":"λ ❄ 日本語 😀","delimiter":"❄"}`,
		} {
			code, out := s.run(t, "", json.RawMessage(params), time.Minute, nil)
			require.Equal(t, 200, code, "%s", out)
			assert.JSONEq(t, params, string(out))
			assert.Equal(t, i+1, s.stdout.sentinels())
			assert.Equal(t, i+1, s.stderr.sentinels())
		}
		assert.Contains(t, s.stdout.String(), "hello stdout\n")
		assert.Contains(t, s.stderr.String(), "hello stderr\n")
		assert.Contains(t, s.stdout.String(), "λ ❄ 日本語 😀\n"+ow.Sentinel+"\n")
		assert.Contains(t, s.stderr.String(), "λ ❄ 日本語 😀\n"+ow.Sentinel+"\n")
	})

	t.Run("large string echoed exactly", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", echo, nil)
		require.Equal(t, 200, code)
		big := strings.Repeat("a", 1048561)
		code, out := s.run(t, "", map[string]any{"string": big}, time.Minute, nil)
		require.Equal(t, 200, code, "%.200s", out)
		var got map[string]string
		require.NoError(t, json.Unmarshal(out, &got))
		assert.True(t, got["string"] == big, "the 1,048,561-character string comes back exactly (got %d chars)", len(got["string"]))
	})

	t.Run("env from init and __OW_ from run", func(t *testing.T) {
		t.Setenv("WOW_EXECUTOR_SECRET", "must-not-leak")
		s := newServer(t, nil, Options{APIHost: "https://openwhisk.example"})
		code, _ := s.initAction(t, "", testactions.Go(t, "env"), map[string]any{
			"env": map[string]any{"SOME_VAR": "xyz", "ANOTHER_VAR": "", "UNICODE": "❄"},
		})
		require.Equal(t, 200, code)
		code, out := s.run(t, "", map[string]any{}, time.Minute, map[string]any{
			"namespace": "guest", "action_name": "/guest/env", "action_version": "0.0.1",
			"activation_id": "a1b2", "transaction_id": "tx", "api_key": "key:secret",
		})
		require.Equal(t, 200, code, "%s", out)
		var res struct {
			Env map[string]string `json:"env"`
		}
		require.NoError(t, json.Unmarshal(out, &res))
		env := res.Env
		assert.Equal(t, "xyz", env["SOME_VAR"])
		assert.Contains(t, env, "ANOTHER_VAR")
		assert.Equal(t, "", env["ANOTHER_VAR"])
		assert.Equal(t, "❄", env["UNICODE"])
		assert.Equal(t, "guest", env["__OW_NAMESPACE"])
		assert.Equal(t, "/guest/env", env["__OW_ACTION_NAME"])
		assert.Equal(t, "0.0.1", env["__OW_ACTION_VERSION"])
		assert.Equal(t, "a1b2", env["__OW_ACTIVATION_ID"])
		assert.Equal(t, "key:secret", env["__OW_API_KEY"])
		assert.Equal(t, "https://openwhisk.example", env["__OW_API_HOST"])
		assert.Regexp(t, `^\d{13}$`, env["__OW_DEADLINE"])
		assert.NotContains(t, env, "WOW_EXECUTOR_SECRET", "never the executor's own environment")
		assert.NotContains(t, env, "PATH")
	})

	t.Run("application error is a 200", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", c.Module("add"), nil)
		require.Equal(t, 200, code)
		code, out := s.run(t, "", map[string]any{"param1": 1}, time.Minute, nil)
		assert.Equal(t, 200, code)
		assert.Contains(t, errorOf(t, out), "required")
		assert.Contains(t, s.metricsText(t), `wow_activations_total{action="test",outcome="application_error"} 1`)
	})
}

func TestFailures(t *testing.T) {
	t.Run("deadline expiry of stuck", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, _ := s.initAction(t, "", wat.Module("stuck"), nil)
		require.Equal(t, 200, code)
		for range 2 { // the poisoned instance is replaced; the server keeps serving
			code, out := s.run(t, "", map[string]any{}, 200*time.Millisecond, nil)
			assert.Equal(t, 502, code)
			assert.Contains(t, errorOf(t, out), "time limit")
		}
		assert.Equal(t, 2, s.stdout.sentinels())
		code, _ = s.initAction(t, "other", wat.Module("answer"), nil)
		require.Equal(t, 200, code)
		code, out := s.run(t, "other", map[string]any{}, time.Minute, nil)
		require.Equal(t, 200, code)
		assert.JSONEq(t, `{"result":42}`, string(out))
		assert.Contains(t, s.metricsText(t), `wow_activations_total{action="test",outcome="timeout"} 2`)
	})

	t.Run("trap and memory limit", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		for _, name := range []string{"trap", "membomb"} {
			code, _ := s.initAction(t, name, wat.Module(name), nil)
			require.Equal(t, 200, code)
			code, out := s.run(t, name, map[string]any{}, time.Minute, nil)
			assert.Equal(t, 502, code, "%s", out)
		}
	})

	tests := []struct {
		name   string
		body   string
		status int
		msg    string
	}{
		{"malformed module", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString([]byte("\x00asm\x01\x00\x00\x00garbage")) + `"}}`, 502, "invalid module"},
		{"not a module", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString([]byte("hello")) + `"}}`, 502, "invalid module"},
		{"no ABI", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString(wat.Module("noabi")) + `"}}`, 502, "expected one of"},
		{"capability not granted", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString(wat.Module("nettest")) + `"}}`, 502, "capability"},
		{"bad base64", `{"value":{"binary":true,"code":"%%%"}}`, 400, "base64"},
		{"garbage JSON", `{"value":{"binary":tru`, 400, "JSON"},
		{"zip without module", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString(zipBytes(t, 1, 10)) + `"}}`, 400, "entries: f0.txt"},
		{"zip with 65 entries", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString(zipBytes(t, 65, 10)) + `"}}`, 413, "65 entries"},
		{"dir escape", `{"value":{"binary":true,"code":"` + base64.StdEncoding.EncodeToString(wat.Module("answer")) + `","annotations":{"dir":"/tmp/../etc"}}}`, 400, ".."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil, Options{})
			code, out := s.post(t, "/init", tt.body)
			assert.Equal(t, tt.status, code, "%s", out)
			assert.Contains(t, errorOf(t, out), tt.msg)
			code, _ = s.initAction(t, "", wat.Module("answer"), nil)
			assert.Equal(t, 200, code, "a failed /init leaves the runtime initialisable")
		})
	}
}

// zipBytes builds a zip of n text entries of size bytes each.
func zipBytes(t testing.TB, n, size int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.Create(fmt.Sprintf("f%d.txt", i))
		require.NoError(t, err)
		_, err = w.Write(bytes.Repeat([]byte("x"), size))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestZipActions(t *testing.T) {
	s := newServer(t, nil, Options{})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string][]byte{"README.md": []byte("docs"), "bin/add.wasm": c.Module("add")} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write(content)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	code, out := s.initAction(t, "", buf.Bytes(), nil)
	require.Equal(t, 200, code, "%s", out)
	code, out = s.run(t, "", map[string]any{"param1": 2, "param2": 3}, time.Minute, nil)
	require.Equal(t, 200, code)
	assert.JSONEq(t, `{"result":5}`, string(out))

	t.Run("zip bomb", func(t *testing.T) {
		// One entry of 9 MiB of zeros, a few KiB compressed, against an
		// 8 MiB limit (the default, 256 MiB, works the same but is slow to
		// build under the race detector).
		var bomb bytes.Buffer
		zw := zip.NewWriter(&bomb)
		w, err := zw.Create("main.wasm")
		require.NoError(t, err)
		_, err = w.Write(make([]byte, 9<<20))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.Less(t, bomb.Len(), 64<<10)
		s := newServer(t, nil, Options{Limits: ow.Limits{MaxUnzippedBytes: 8 << 20}})
		code, out := s.initAction(t, "", bomb.Bytes(), nil)
		assert.Equal(t, 413, code)
		assert.Contains(t, errorOf(t, out), "inflates to more than")
	})
}

func TestConcurrentRuns(t *testing.T) {
	s := newServer(t, nil, Options{MaxConcurrency: 64, PoolSize: 4})
	code, _ := s.initAction(t, "", testactions.Go(t, "echo-reactor"), nil)
	require.Equal(t, 200, code)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("act-%02d", i)
			code, out := s.run(t, "", map[string]any{"i": i, "s": "❄"}, time.Minute, map[string]any{"activation_id": id})
			assert.Equal(t, 200, code, "%s", out)
			var res map[string]any
			assert.NoError(t, json.Unmarshal(out, &res))
			assert.Equal(t, float64(i), res["i"])
			assert.Equal(t, id, res["__activation_id"])
		})
	}
	wg.Wait()
	assert.Equal(t, n, s.stdout.sentinels())
	assert.Equal(t, n, s.stderr.sentinels())
	assert.Equal(t, n, strings.Count(s.stdout.String(), "hello stdout\n"))
	a := onlyAction(t, s.ex)
	assert.LessOrEqual(t, a.idleCount(), 4, "the warm pool is bounded")
	assert.Contains(t, s.metricsText(t), `wow_activations_total{action="test",outcome="success"} 50`)
}

// onlyAction returns the executor's single loaded action.
func onlyAction(t *testing.T, e *Executor) *action {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.Len(t, e.actions, 1)
	for a := range e.actions {
		return a
	}
	return nil
}

func TestMultiActionThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 actions")
	}
	s := newServer(t, nil, Options{})
	const n = 1000
	id := func(i int) string { return fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", i) }
	modules := [][]byte{wat.Module("answer"), c.Module("add_reactor")}
	for i := range n {
		code, out := s.initAction(t, id(i), modules[i%2], nil)
		require.Equal(t, 200, code, "%s", out)
	}
	assert.Equal(t, n, s.ex.proto.Len())
	for i := range n {
		code, out := s.run(t, id(i), map[string]any{"param1": i, "param2": 1}, time.Minute, nil)
		require.Equal(t, 200, code, "%s", out)
		if i%2 == 0 {
			assert.JSONEq(t, `{"result":42}`, string(out))
		} else {
			assert.JSONEq(t, fmt.Sprintf(`{"result":%d}`, i+1), string(out))
		}
	}
	m := s.metricsText(t)
	assert.Contains(t, m, "wow_compile_cache_misses_total 2\n", "1,000 actions of 2 modules compile twice")
	assert.Contains(t, m, fmt.Sprintf("wow_compile_cache_hits_total %d\n", n-2))
	for i := range n {
		code, _ := s.post(t, path(id(i), "destroy"), id(i))
		require.Equal(t, 200, code)
	}
	assert.Zero(t, s.ex.proto.Len())
	code, out := s.run(t, id(1), map[string]any{}, time.Minute, nil)
	assert.Equal(t, 404, code)
	assert.Contains(t, errorOf(t, out), id(1))
	code, _ = s.post(t, path("unknown", "destroy"), "unknown")
	assert.Equal(t, 404, code)
	assert.Equal(t, n+1, s.stdout.sentinels())
	assert.Contains(t, s.metricsText(t), "wow_live_instances 0\n")
}

func TestAnnotations(t *testing.T) {
	t.Run("net_access", func(t *testing.T) {
		s := newServer(t, nil, Options{})
		code, out := s.initAction(t, "", wat.Module("nettest"), map[string]any{"annotations": map[string]any{"net_access": true}})
		require.Equal(t, 200, code, "%s", out)
		code, out = s.run(t, "", map[string]any{}, time.Minute, nil)
		require.Equal(t, 200, code, "%s", out)
		assert.JSONEq(t, `{"result":0}`, string(out))
	})
	t.Run("dir", func(t *testing.T) {
		root := t.TempDir()
		dir := root + "/data"
		require.NoError(t, mkdir(dir))
		s := newServer(t, nil, Options{DirRoot: root})
		code, out := s.initAction(t, "", testactions.Go(t, "filesys"), map[string]any{"annotations": map[string]any{"dir": dir}})
		require.Equal(t, 200, code, "%s", out)
		code, out = s.run(t, "", map[string]any{"path": dir + "/x.txt", "content": "hi ❄"}, time.Minute, nil)
		require.Equal(t, 200, code, "%s", out)
		assert.JSONEq(t, `{"content":"hi ❄","bytes":6}`, string(out))
		code, out = s.initAction(t, "outside", testactions.Go(t, "filesys"), map[string]any{"annotations": map[string]any{"dir": t.TempDir()}})
		assert.Equal(t, 400, code)
		assert.Contains(t, errorOf(t, out), "outside")
	})
}

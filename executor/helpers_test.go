package executor

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/internal/syncbuf"
	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// syncBuffer captures the executor's stdout or stderr.
type syncBuffer struct{ syncbuf.Buffer }

func (s *syncBuffer) sentinels() int { return strings.Count(s.String(), ow.Sentinel+"\n") }

// server is an Executor behind a real HTTP server.
type server struct {
	ex             *Executor
	srv            *httptest.Server
	stdout, stderr *syncBuffer
	client         *http.Client
}

// newServer starts an Executor on wazero over httptest; cfg may be nil.
// Compiled code is cached on disk across tests and test runs: compiling the
// Go example actions takes tens of seconds under the race detector.
func newServer(t testing.TB, cfg wowrt.Config, opts Options) *server {
	t.Helper()
	return newServerOn(t, "wazero", cfg, opts)
}

// newServerOn is newServer on engine.
func newServerOn(t testing.TB, engine string, cfg wowrt.Config, opts Options) *server {
	t.Helper()
	ctx := context.Background()
	if cfg == nil {
		cfg = wowrt.NewConfig()
	}
	cfg = cfg.WithCompilationCacheDir(filepath.Join(os.TempDir(), "wow-executor-test-cache"))
	rt, err := wowrt.Open(ctx, engine, cfg)
	require.NoError(t, err)
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	opts.Runtime = rt
	opts.Stdout, opts.Stderr = s.stdout, s.stderr
	s.ex, err = New(opts)
	require.NoError(t, err)
	s.srv = httptest.NewServer(s.ex)
	s.client = s.srv.Client()
	t.Cleanup(func() {
		s.srv.Close()
		require.NoError(t, s.ex.Close(ctx))
		require.NoError(t, rt.Close(ctx))
	})
	return s
}

// post sends body (a string or a value to marshal) and decodes the JSON answer.
func (s *server) post(t testing.TB, path string, body any) (int, json.RawMessage) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(t, err)
	}
	resp, err := s.client.Post(s.srv.URL+path, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s", out)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error *string `json:"error"`
		}
		require.NoError(t, json.Unmarshal(out, &e), "%s", out)
		require.NotNil(t, e.Error, "a non-200 carries {\"error\": ...}: %s", out)
	}
	return resp.StatusCode, out
}

// initAction posts /init (or /{id}/init) for wasm.
func (s *server) initAction(t testing.TB, id string, wasm []byte, value map[string]any) (int, json.RawMessage) {
	t.Helper()
	v := map[string]any{"name": "test", "main": "main", "binary": true, "code": base64.StdEncoding.EncodeToString(wasm)}
	for k, x := range value {
		v[k] = x
	}
	return s.post(t, path(id, "init"), map[string]any{"value": v})
}

// run posts /run (or /{id}/run) with params and a deadline after d.
func (s *server) run(t testing.TB, id string, params any, d time.Duration, extra map[string]any) (int, json.RawMessage) {
	t.Helper()
	body := map[string]any{"value": params, "deadline": strconv.FormatInt(time.Now().Add(d).UnixMilli(), 10)}
	for k, x := range extra {
		body[k] = x
	}
	return s.post(t, path(id, "run"), body)
}

func path(id, op string) string {
	if id == "" {
		return "/" + op
	}
	return fmt.Sprintf("/%s/%s", id, op)
}

// errorOf returns the "error" field of a JSON body.
func errorOf(t testing.TB, body json.RawMessage) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	return e.Error
}

// metricsText returns the /metrics page.
func (s *server) metricsText(t testing.TB) string {
	t.Helper()
	resp, err := s.client.Get(s.srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(b)
}

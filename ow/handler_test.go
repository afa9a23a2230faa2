package ow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/syncbuf"
	"github.com/wowrt/wow/runtime"
)

// fakeBackend loads fakeActions; the module bytes pick the behaviour.
type fakeBackend struct {
	mu    sync.Mutex
	inits []*runtime.InitPayload
}

func (b *fakeBackend) Init(_ context.Context, _ string, p *runtime.InitPayload, logs Logs) (Action, error) {
	b.mu.Lock()
	b.inits = append(b.inits, p)
	b.mu.Unlock()
	if bytes.HasPrefix(p.Code, []byte("bad")) {
		fmt.Fprintln(logs.Stderr, "init log")
		return nil, fmt.Errorf("%w: bad module", runtime.ErrInvalidModule)
	}
	return &fakeAction{result: string(p.Code)}, nil
}

// fakeAction returns its code as the result ("echo": the params), logging
// one line on each stream.
type fakeAction struct {
	result string
	mu     sync.Mutex
	runs   []*runtime.RunPayload
}

func (a *fakeAction) Run(_ context.Context, run *runtime.RunPayload, logs Logs) (*runtime.Result, error) {
	a.mu.Lock()
	a.runs = append(a.runs, run)
	a.mu.Unlock()
	fmt.Fprintf(logs.Stdout, "out %s\n", run.ActivationID)
	fmt.Fprintf(logs.Stderr, "err %s", run.ActivationID) // no newline: the handler ends the line
	if a.result == "echo" {
		return &runtime.Result{Value: run.Params}, nil
	}
	if a.result == "timeout" {
		return nil, fmt.Errorf("invoke: %w: deadline", runtime.ErrTimeout)
	}
	return &runtime.Result{Value: json.RawMessage(a.result)}, nil
}

func (a *fakeAction) Close(context.Context) error { return nil }

type harness struct {
	h              *Handler
	b              *fakeBackend
	stdout, stderr *bytes.Buffer
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	hs := &harness{b: &fakeBackend{}, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	opts.Stdout, opts.Stderr = hs.stdout, hs.stderr
	hs.h = NewHandler(hs.b, opts)
	return hs
}

func (hs *harness) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	hs.h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var out map[string]any
	if rec.Body.Len() > 0 && rec.Body.Bytes()[0] == '{' {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	}
	if rec.Code != http.StatusOK {
		require.Contains(t, out, "error", "every non-200 carries {\"error\": ...}: %s", rec.Body.String())
	}
	return rec.Code, out
}

func initBody(code string) string {
	return fmt.Sprintf(`{"value":{"name":"a","main":"main","binary":true,"code":%q,"env":{"SOME_VAR":"xyz","ANOTHER_VAR":"","N":42}}}`,
		base64.StdEncoding.EncodeToString([]byte(code)))
}

func TestProtocolStatuses(t *testing.T) {
	tests := []struct {
		name     string
		code     string // "" means no /init first
		method   string
		path     string
		body     string
		status   int
		errorMsg string
	}{
		{"no code", "", "POST", "/init", `{"value":{"code":""}}`, 403, "Missing main/no code to execute."},
		{"empty value", "", "POST", "/init", `{"value":{}}`, 403, "Missing main/no code to execute."},
		{"empty body", "", "POST", "/init", `{}`, 403, "Missing main/no code to execute."},
		{"garbage init JSON", "", "POST", "/init", `{"value":`, 400, ""},
		{"bad base64", "", "POST", "/init", `{"value":{"code":"!!!notbase64","binary":true}}`, 400, ""},
		{"init failure", "", "POST", "/init", initBody("bad module"), 502, ""},
		{"second init", `{"ok":1}`, "POST", "/init", initBody(`{"ok":1}`), 403, "Cannot initialize the action more than once."},
		{"run before init", "", "POST", "/run", `{"value":{}}`, 500, "no action defined yet"},
		{"garbage run JSON", `{}`, "POST", "/run", `not json`, 400, ""},
		{"string result", `"just a string"`, "POST", "/run", `{"value":{}}`, 502, "The action did not return a dictionary or array."},
		{"number result", `42`, "POST", "/run", `{"value":{}}`, 502, "The action did not return a dictionary or array."},
		{"timeout", `timeout`, "POST", "/run", `{"value":{}}`, 502, ""},
		{"params too large", `{}`, "POST", "/run", `{"value":{"s":"` + strings.Repeat("x", DefaultMaxParamsBytes) + `"}}`, 413, ""},
		{"array result", `[1,2]`, "POST", "/run", `{"value":{}}`, 200, ""},
		{"application error", `{"error":"app"}`, "POST", "/run", `{"value":{}}`, 200, ""},
		{"GET run", `{}`, "GET", "/run", ``, 405, ""},
		{"unknown path", "", "POST", "/nope", `{}`, 404, ""},
		{"single destroy", "", "POST", "/destroy", ``, 404, ""},
		{"unknown id run", "", "POST", "/abc/run", `{"value":{}}`, 404, ""},
		{"unknown id destroy", "", "POST", "/abc/destroy", `abc`, 404, ""},
		{"empty id", "", "POST", "//run", `{}`, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, Options{})
			if tt.code != "" {
				code, _ := hs.do(t, "POST", "/init", initBody(tt.code))
				require.Equal(t, 200, code)
			}
			code, out := hs.do(t, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.status, code, "%v", out)
			if tt.errorMsg != "" {
				assert.Equal(t, tt.errorMsg, out["error"])
			}
		})
	}
}

func TestSentinels(t *testing.T) {
	hs := newHarness(t, Options{})
	count := func() (int, int) {
		return strings.Count(hs.stdout.String(), Sentinel+"\n"), strings.Count(hs.stderr.String(), Sentinel+"\n")
	}
	code, _ := hs.do(t, "POST", "/init", initBody(`{"a":1}`))
	require.Equal(t, 200, code)
	o, e := count()
	assert.Equal(t, [2]int{0, 0}, [2]int{o, e}, "a successful /init ends no activation")

	code, _ = hs.do(t, "POST", "/init", initBody(`{"a":1}`))
	require.Equal(t, 403, code)
	o, e = count()
	assert.Equal(t, [2]int{0, 0}, [2]int{o, e}, "a rejected second /init writes no sentinel")

	for i := range 3 {
		code, _ = hs.do(t, "POST", "/run", fmt.Sprintf(`{"value":{},"activation_id":"id%d"}`, i))
		require.Equal(t, 200, code)
	}
	code, _ = hs.do(t, "POST", "/run", `garbage`)
	require.Equal(t, 400, code)
	o, e = count()
	assert.Equal(t, [2]int{4, 4}, [2]int{o, e}, "one sentinel per /run on each stream, failed ones too")
	assert.Contains(t, hs.stdout.String(), "out id0\n"+Sentinel+"\n")
	assert.Contains(t, hs.stderr.String(), "err id2\n"+Sentinel+"\n", "an unterminated log line is ended before the sentinel")

	// A failed first /init ends its (logged) activation.
	hs2 := newHarness(t, Options{})
	code, _ = hs2.do(t, "POST", "/init", initBody("bad"))
	require.Equal(t, 502, code)
	assert.Equal(t, "init log\n"+Sentinel+"\n", hs2.stderr.String())
	assert.Equal(t, Sentinel+"\n", hs2.stdout.String())
}

func TestRunPayload(t *testing.T) {
	hs := newHarness(t, Options{APIHost: "https://ow.example"})
	code, _ := hs.do(t, "POST", "/init", initBody("echo"))
	require.Equal(t, 200, code)
	p := hs.b.inits[0]
	assert.Equal(t, map[string]string{"SOME_VAR": "xyz", "ANOTHER_VAR": "", "N": "42"}, p.Env)
	assert.Equal(t, "a", p.Name)
	assert.Equal(t, []byte("echo"), p.Code)

	body := `{"value":{"s":"❄ ☃ ❄"},"namespace":"ns","action_name":"/ns/a","action_version":"0.0.1",` +
		`"activation_id":"act","transaction_id":"tx","deadline":"1700000000123","api_key":"k"}`
	code, out := hs.do(t, "POST", "/run", body)
	require.Equal(t, 200, code)
	assert.Equal(t, map[string]any{"s": "❄ ☃ ❄"}, out)
	a := hs.h.slots[""].action.(*fakeAction)
	run := a.runs[0]
	assert.Equal(t, time.UnixMilli(1700000000123), run.Deadline)
	assert.Equal(t, "https://ow.example", run.APIHost, "__OW_API_HOST comes from the runtime's environment")
	assert.Equal(t, []string{
		"__OW_NAMESPACE=ns", "__OW_ACTION_NAME=/ns/a", "__OW_ACTION_VERSION=0.0.1", "__OW_ACTIVATION_ID=act",
		"__OW_TRANSACTION_ID=tx", "__OW_DEADLINE=1700000000123", "__OW_API_HOST=https://ow.example", "__OW_API_KEY=k",
	}, run.Env())

	code, _ = hs.do(t, "POST", "/run", `{"value":{},"deadline":1700000000456,"api_host":"h"}`)
	require.Equal(t, 200, code)
	assert.Equal(t, time.UnixMilli(1700000000456), a.runs[1].Deadline)
	assert.Equal(t, "h", a.runs[1].APIHost)

	code, _ = hs.do(t, "POST", "/run", `{"value":{},"deadline":"soon"}`)
	assert.Equal(t, 400, code)
}

func TestMultiAction(t *testing.T) {
	hs := newHarness(t, Options{})
	for _, id := range []string{"a", "b"} {
		code, _ := hs.do(t, "POST", "/"+id+"/init", initBody(`{"id":"`+id+`"}`))
		require.Equal(t, 200, code)
	}
	code, _ := hs.do(t, "POST", "/a/init", initBody(`{}`))
	assert.Equal(t, 403, code)
	code, _ = hs.do(t, "POST", "/run", `{"value":{}}`)
	assert.Equal(t, 500, code, "the single action is separate from the ids")
	code, out := hs.do(t, "POST", "/b/run", `{"value":{}}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "b", out["id"])
	code, _ = hs.do(t, "POST", "/b/destroy", "some-other-id-in-the-body")
	require.Equal(t, 200, code)
	code, _ = hs.do(t, "POST", "/b/run", `{"value":{}}`)
	assert.Equal(t, 404, code)
	code, _ = hs.do(t, "POST", "/a/run", `{"value":{}}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, 1, hs.h.Len())
	require.NoError(t, hs.h.Close(context.Background()))
	assert.Equal(t, 0, hs.h.Len())
}

func TestLogLinesDoNotInterleave(t *testing.T) {
	var out lockedBuffer
	sink := newLogSink(&out)
	var wg sync.WaitGroup
	line := func(g, i int) string { return fmt.Sprintf("g%02d line %04d %s", g, i, strings.Repeat("x", g*37)) }
	for g := range 16 {
		wg.Go(func() {
			a := sink.get()
			for i := range 500 {
				s := line(g, i)
				// Write in two pieces, as a guest's libc may.
				_, _ = a.Write([]byte(s[:5]))
				_, _ = a.Write([]byte(s[5:] + "\n"))
			}
			a.end(true)
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 16*500+16)
	next := map[string]int{}
	for _, l := range lines {
		if l == Sentinel {
			continue
		}
		g := l[:3]
		var gi int
		_, err := fmt.Sscanf(g, "g%02d", &gi)
		require.NoError(t, err, l)
		require.Equal(t, line(gi, next[g]), l, "lines of one activation stay whole and in order")
		next[g]++
	}
}

type lockedBuffer = syncbuf.Buffer

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		err    error
		status int
	}{
		{nil, 200},
		{ErrAlreadyInitialized, 403},
		{ErrNoCode, 403},
		{ErrNotInitialized, 500},
		{ErrBadRequest, 400},
		{runtime.ErrInvalidInput, 400},
		{ErrTooLarge, 413},
		{ErrNotFound, 404},
		{ErrOverloaded, 503},
		{ErrNotDictionary, 502},
		{fmt.Errorf("compile: %w", runtime.ErrInvalidModule), 502},
		{runtime.ErrCapability, 502},
		{runtime.ErrTimeout, 502},
		{runtime.ErrMemoryLimit, 502},
		{&runtime.TrapError{Message: "unreachable"}, 502},
		{&runtime.ExitError{Code: 2}, 502},
		{runtime.ErrLimit, 502},
		{io.ErrUnexpectedEOF, 500},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, Status(tt.err), "%v", tt.err)
	}
	assert.Contains(t, Message(fmt.Errorf("invoke: %w", runtime.ErrTimeout)), "time limit")
}

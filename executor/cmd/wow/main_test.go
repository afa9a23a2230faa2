package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

// writeModule writes wasm into a temp file and returns its path.
func writeModule(t *testing.T, wasm []byte) string {
	p := filepath.Join(t.TempDir(), "action.wasm")
	require.NoError(t, os.WriteFile(p, wasm, 0o644))
	return p
}

func TestRun(t *testing.T) {
	add := writeModule(t, c.Module("add"))
	stuck := writeModule(t, wat.Module("stuck"))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"result", []string{"run", add, `{"param1":2,"param2":2}`}, exitOK, `{"result":4}` + "\n", ""},
		{"flags after the file", []string{"run", add, "--timeout", "5s", `{"param1":1,"param2":2}`}, exitOK, `{"result":3}` + "\n", ""},
		{"application error", []string{"run", add, `{}`}, exitAppError, `{"error":"param1 and param2 are required"}` + "\n", ""},
		{"timeout", []string{"run", "--timeout", "50ms", stuck}, exitFailed, "", "timeout"},
		{"bad params", []string{"run", add, `{nope`}, exitUsage, "", "params are not JSON"},
		{"unknown engine", []string{"run", "--engine", "nope", add}, exitFailed, "", `unknown engine "nope"`},
		{"missing file", []string{"run", filepath.Join(t.TempDir(), "none.wasm")}, exitFailed, "", "no such file"},
		{"no file", []string{"run"}, exitUsage, "", "Usage: wow run"},
		{"bad memory limit", []string{"run", "--memory-limit", "lots", add}, exitUsage, "", "--memory-limit"},
		{"unknown command", []string{"fly"}, exitUsage, "", `unknown command "fly"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := dispatch(context.Background(), tc.args, &out, &errb)
			assert.Equal(t, tc.code, code, "stderr: %s", errb.String())
			if tc.stdout != "" || tc.code != exitOK {
				assert.Equal(t, tc.stdout, out.String())
			}
			assert.Contains(t, errb.String(), tc.stderr)
		})
	}
}

func TestVersionListsEngines(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, exitOK, dispatch(context.Background(), []string{"version"}, &out, &errb))
	assert.Contains(t, out.String(), "wazero v")
}

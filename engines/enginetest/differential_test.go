package enginetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "github.com/wowrt/wow/engines/wamr"
	_ "github.com/wowrt/wow/engines/wasmer"
	_ "github.com/wowrt/wow/engines/wasmtime"
	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

// varying are the Go examples whose results legitimately differ between
// runs (randomness, clocks, sleep timings) or that need a host resource
// (block: the net capability and a 300 ms wait; filesys: a directory).
var varying = map[string]string{
	"random":  "draws a random number",
	"clock":   "reports elapsed time",
	"sleep":   "reports how long it slept",
	"block":   "waits 300 ms on the net capability",
	"filesys": "needs a preopened directory",
}

// params is the one params object every example gets: each reads the
// fields it knows (add: param1/param2, hash: input/iterations, prime and
// bigresult: n, numeric modules: args).
const params = `{"param1":2,"param2":3,"n":7,"input":"abc","iterations":2,"s":"❄","args":[7,3]}`

type variant struct {
	name   string
	engine string
	interp bool
}

func variants() []variant {
	var vs []variant
	for _, e := range runtime.Engines() {
		vs = append(vs, variant{e, e, false})
		if e == "wazero" {
			vs = append(vs, variant{"wazero-interpreter", e, true})
		}
	}
	return vs
}

// modules lists every example module as "go:NAME", "c:NAME" or "wat:NAME".
func modules(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..", "ow", "examples")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var mods []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "c" || e.Name() == "wat" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), "main.go")); err == nil {
			mods = append(mods, "go:"+e.Name())
		}
	}
	for _, dir := range []string{"c", "wat"} {
		wasms, err := filepath.Glob(filepath.Join(root, dir, "*.wasm"))
		require.NoError(t, err)
		for _, w := range wasms {
			mods = append(mods, dir+":"+strings(filepath.Base(w)))
		}
	}
	slices.Sort(mods)
	return mods
}

func strings(base string) string { return base[:len(base)-len(".wasm")] }

func source(t *testing.T, name string) []byte {
	switch {
	case len(name) > 3 && name[:3] == "go:":
		return testactions.Go(t, name[3:])
	case len(name) > 2 && name[:2] == "c:":
		return c.Module(name[2:])
	}
	return wat.Module(name[4:])
}

// outcome is what an activation produced, reduced to what must not differ
// between engines: the result JSON, or the class of the error.
func outcome(res *runtime.Result, err error) string {
	if err != nil {
		var exit *runtime.ExitError
		if errors.As(err, &exit) {
			return fmt.Sprintf("exit %d", exit.Code)
		}
		for _, s := range []error{runtime.ErrInvalidModule, runtime.ErrCapability, runtime.ErrTimeout,
			runtime.ErrMemoryLimit, runtime.ErrTrap, runtime.ErrABI, runtime.ErrInvalidInput, runtime.ErrLimit} {
			if errors.Is(err, s) {
				return "error: " + s.Error()
			}
		}
		return "error: " + err.Error()
	}
	var b bytes.Buffer
	if json.Compact(&b, res.Value) != nil {
		return "raw: " + string(res.Value)
	}
	return b.String()
}

// run compiles name on rt and runs one activation (twice for reusable ABIs,
// so warm reuse is compared too).
func run(t *testing.T, rt runtime.Runtime, wasm []byte) string {
	ctx := context.Background()
	m, err := rt.Compile(ctx, wasm)
	if err != nil {
		return outcome(nil, err)
	}
	defer m.Close(ctx)
	inst, err := m.Instantiate(ctx, runtime.NewInstanceConfig().WithCapabilities(runtime.CapNet))
	if err != nil {
		return outcome(nil, err)
	}
	defer inst.Close(ctx)
	var out []string
	for range 2 {
		res, err := inst.Invoke(ctx, &runtime.RunPayload{Params: []byte(params)})
		out = append(out, outcome(res, err))
	}
	return out[0] + " | " + out[1]
}

func TestDifferential(t *testing.T) {
	vs := variants()
	t.Logf("engines compiled in: %v", vs)
	rts := map[string]runtime.Runtime{}
	for _, v := range vs {
		rt, err := runtime.Open(context.Background(), v.engine, runtime.NewConfig().WithInterpreter(v.interp))
		require.NoError(t, err, v.name)
		t.Cleanup(func() { _ = rt.Close(context.Background()) })
		rts[v.name] = rt
	}
	for _, name := range modules(t) {
		t.Run(name, func(t *testing.T) {
			if why, ok := varying[name[min(3, len(name)):]]; ok && name[:3] == "go:" {
				t.Skipf("result varies by nature: %s", why)
			}
			if name == "wat:sleep" || name == "wat:stuck" || name == "wat:membomb" || name == "wat:startloop" {
				t.Skip("a limit test (3 s busy wait, endless loop, memory bomb, endless start), covered by the contract suite and the engines' own tests")
			}
			wasm := source(t, name)
			var first, firstName string
			for _, v := range vs {
				got := run(t, rts[v.name], wasm)
				if first == "" {
					first, firstName = got, v.name
					t.Logf("%s: %s", v.name, got)
					continue
				}
				assert.Equal(t, first, got, "%s differs from %s", v.name, firstName)
			}
		})
	}
}

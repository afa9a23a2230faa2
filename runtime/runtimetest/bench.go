package runtimetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

// benchModules are the add actions per ABI that Bench measures.
var benchModules = []struct {
	name, module, params, want string
}{
	{"wasi-command/c", "c:add", addParams, `{"result":4}`},
	{"memory-buffer/c", "c:add_membuf", addParams, `{"result":4}`},
	{"numeric/wat", "wat:sum", `{"args":[2,2]}`, `{"result":4}`},
	{"reactor/c", "c:add_reactor", addParams, `{"result":4}`},
	{"wasi-command/go", "go:add", addParams, `{"result":4}`},
	{"reactor/go", "go:add-reactor", addParams, `{"result":4}`},
}

// Bench runs the engine benchmarks: compile, instantiate and invoke of the
// add action per ABI. Run it from an engine's tests:
//
//	func BenchmarkEngine(b *testing.B) { runtimetest.Bench(b, "wazero") }
func Bench(b *testing.B, engine string, opts ...Option) {
	s := newSuite(b, engine, opts)
	s.cacheDir = "" // Compile must measure compiling, not cache hits
	s.rt = s.open(b, runtime.NewConfig())
	ctx := context.Background()
	b.Run("Compile", func(b *testing.B) {
		for _, m := range benchModules {
			b.Run(m.name, func(b *testing.B) {
				wasm := source(b, m.module)
				b.SetBytes(int64(len(wasm)))
				b.ReportAllocs()
				for b.Loop() {
					mod, err := s.rt.Compile(ctx, wasm)
					if err != nil {
						b.Fatal(err)
					}
					_ = mod.Close(ctx)
				}
			})
		}
	})
	// InstantiateInvoke is a cold activation on a compiled module: a new
	// sandbox, one activation, close.
	b.Run("InstantiateInvoke", func(b *testing.B) {
		for _, m := range benchModules {
			b.Run(m.name, func(b *testing.B) {
				mod := s.module(b, m.module)
				run := &runtime.RunPayload{Params: []byte(m.params)}
				cfg := runtime.NewInstanceConfig()
				checkResult(b, mod, cfg, run, m.want)
				b.ReportAllocs()
				for b.Loop() {
					inst, err := mod.Instantiate(ctx, cfg)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := inst.Invoke(ctx, run); err != nil {
						b.Fatal(err)
					}
					_ = inst.Close(ctx)
				}
			})
		}
	})
	// Invoke is a warm activation on a kept instance (reusable ABIs keep
	// their guest; single-shot ABIs still instantiate per activation).
	b.Run("Invoke", func(b *testing.B) {
		for _, m := range benchModules {
			b.Run(m.name, func(b *testing.B) {
				mod := s.module(b, m.module)
				run := &runtime.RunPayload{Params: []byte(m.params)}
				inst, err := mod.Instantiate(ctx, runtime.NewInstanceConfig())
				require.NoError(b, err)
				defer inst.Close(ctx)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := inst.Invoke(ctx, run); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

func checkResult(b *testing.B, mod runtime.Module, cfg runtime.InstanceConfig, run *runtime.RunPayload, want string) {
	b.Helper()
	inst, err := mod.Instantiate(context.Background(), cfg)
	require.NoError(b, err)
	defer inst.Close(context.Background())
	res, err := inst.Invoke(context.Background(), run)
	require.NoError(b, err)
	require.JSONEq(b, want, string(res.Value))
}

package aot_test

import (
	"context"
	"crypto/sha256"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/internal/benchutil"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

// benchEngines are the engines the benchmarks cover: wazero, plus the cgo
// engine compiled in by a build tag (bench_*_test.go).
var benchEngines = []string{"wazero"}

// BenchmarkInit measures what an executor's /init costs to get a module
// and its first instance, three ways: compiling the .wasm, a hit in the
// on-disk compile cache (read, MAC check, load), and a trusted artifact
// (read the zip, verify signature and MACs, load) through a Loader, as
// the executor loads them. Each trusted iteration starts with the Loader's
// spare memfd ready: the wait for its background refill is outside the
// measured time, as a real executor sees trusted /inits far apart. p50-ms
// and p90-ms are of the measured part of each iteration. Run the
// compile case with -benchtime=3x: it takes seconds per iteration on the
// Go action.
//
//	go test -run '^$' -bench Init -benchtime 20x ./aot/
//	go test -tags wasmtime -run '^$' -bench 'Init/wasmtime' -benchtime 20x ./aot/
func BenchmarkInit(b *testing.B) {
	actions := []struct {
		name string
		wasm func(testing.TB) []byte
	}{
		{"go-echo", func(tb testing.TB) []byte { return testactions.Go(tb, "echo") }},
		{"c-add", func(testing.TB) []byte { return c.Module("add") }},
		{"wat-answer", func(testing.TB) []byte { return wat.Module("answer") }},
	}
	ctx := context.Background()
	for _, engine := range benchEngines {
		b.Run(engine, func(b *testing.B) {
			rt, err := runtime.Open(ctx, engine, nil)
			require.NoError(b, err)
			defer rt.Close(ctx)
			for _, act := range actions {
				wasm := act.wasm(b)
				sum := sha256.Sum256(wasm)
				// firstInstance makes the first instance, then closes it
				// and the module outside the timer: unloading is not part
				// of an /init (wasmtime unmaps 11 MB for the Go action).
				firstInstance := func(b *testing.B, m runtime.Module, t0 time.Time, lat *benchutil.Latencies) {
					inst, err := m.Instantiate(ctx, nil)
					require.NoError(b, err)
					*lat = append(*lat, time.Since(t0))
					b.StopTimer()
					_ = inst.Close(ctx)
					_ = m.Close(ctx)
					b.StartTimer()
				}
				b.Run(act.name+"/compile", func(b *testing.B) {
					var lat benchutil.Latencies
					for b.Loop() {
						t0 := time.Now()
						m, err := rt.Compile(ctx, wasm)
						require.NoError(b, err)
						firstInstance(b, m, t0, &lat)
					}
					lat.Report(b, "ms", 50, 90)
				})
				b.Run(act.name+"/cache-hit", func(b *testing.B) {
					cache, err := aot.OpenCache(b.TempDir(), aot.CacheOptions{})
					require.NoError(b, err)
					m, _, err := cache.Module(ctx, rt, wasm, sum)
					require.NoError(b, err)
					_ = m.Close(ctx)
					goruntime.GC() // the compile's garbage is not the /init's to collect
					var lat benchutil.Latencies
					for b.Loop() {
						t0 := time.Now()
						m, hit, err := cache.Module(ctx, rt, wasm, sum)
						require.NoError(b, err)
						require.True(b, hit)
						firstInstance(b, m, t0, &lat)
					}
					lat.Report(b, "ms", 50, 90)
				})
				b.Run(act.name+"/trusted", func(b *testing.B) {
					key := aot.NewKey()
					zb, err := aot.Precompile(ctx, rt, wasm, key)
					require.NoError(b, err)
					b.ReportMetric(float64(len(zb)), "zip-bytes")
					l := aot.NewLoader(aot.LoaderOptions{})
					defer l.Close()
					goruntime.GC() // the precompile's garbage is not the /init's to collect
					var lat benchutil.Latencies
					for b.Loop() {
						b.StopTimer()
						l.WaitSpare()
						b.StartTimer()
						t0 := time.Now()
						a, err := aot.Read(zb)
						require.NoError(b, err)
						m, err := l.Load(ctx, rt, a, key)
						require.NoError(b, err)
						firstInstance(b, m, t0, &lat)
					}
					lat.Report(b, "ms", 50, 90)
				})
			}
		})
	}
}

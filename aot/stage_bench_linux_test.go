package aot

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkStage measures stage alone (copy into a memfd ‖ MACs, seal) for
// a Go action's 3.3 MB wasm and 11 MB native code, into a fresh memfd and
// into a spare whose refill is waited for outside the measured time.
//
//	go test -run '^$' -bench Stage -benchtime 20x -count 3 ./aot/
func BenchmarkStage(b *testing.B) {
	key := bytes.Repeat([]byte{3}, 32)
	tgt := Target{Engine: "fake", EngineVersion: "1", GOOS: "linux", GOARCH: "amd64", Config: "c"}
	wasm := bytes.Repeat([]byte("wasm"), 3300_000/4)
	native := bytes.Repeat([]byte("native"), 11_000_000/6)
	a := stagedArtifact(b, key, tgt, wasm, native)
	for name, size := range map[string]int64{"fresh": -1, "spare": DefaultSpareBytes} {
		b.Run(name, func(b *testing.B) {
			sp := newSpare(size, slog.New(slog.DiscardHandler))
			defer sp.close()
			for b.Loop() {
				b.StopTimer()
				sp.wait()
				e, err := prepare(a, key, tgt)
				require.NoError(b, err)
				b.StartTimer()
				f, err := stage(a, e, sp)
				require.NoError(b, err)
				b.StopTimer()
				f.Close()
				sp.refill()
				b.StartTimer()
			}
		})
	}
}

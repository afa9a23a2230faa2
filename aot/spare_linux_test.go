package aot

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// fstat is the stat of descriptor fd.
func fstat(t *testing.T, fd int) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(fd, &st))
	return st
}

// readySpare returns a spare of size bytes once it is ready; the test
// closes it.
func readySpare(t *testing.T, size int64) *spare {
	sp := newSpare(size, slog.New(slog.DiscardHandler))
	t.Cleanup(sp.close)
	sp.wait()
	require.NotNil(t, sp.ready, "a spare is ready")
	return sp
}

func TestStageSpare(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	tgt := Target{Engine: "fake", EngineVersion: "1", GOOS: "linux", GOARCH: "amd64", Config: "c"}
	wasm := bytes.Repeat([]byte("wasm"), macChunk/2+7)
	native := bytes.Repeat([]byte("native"), macChunk+11) // 6 MiB and 66 bytes
	const size = 8 << 20
	stageWith := func(a *Artifact, sp *spare) (*os.File, error) {
		e, err := prepare(a, key, tgt)
		require.NoError(t, err)
		return stage(a, e, sp)
	}

	t.Run("Used", func(t *testing.T) {
		sp := readySpare(t, size)
		before := fstat(t, sp.ready.Fd())
		require.GreaterOrEqual(t, before.Blocks*512, int64(size), "the spare's pages are allocated")
		f, err := stageWith(stagedArtifact(t, key, tgt, wasm, native), sp)
		require.NoError(t, err)
		defer f.Close()
		after := fstat(t, int(f.Fd()))
		require.Equal(t, before.Ino, after.Ino, "the staged memfd is the spare")
		require.Nil(t, sp.ready, "the spare was taken")
		require.EqualValues(t, len(native), after.Size)
		require.LessOrEqual(t, after.Blocks*512, int64(len(native)+os.Getpagesize()), "sealing freed the spare's tail")
		requireStaged(t, f, native)

		sp.refill()
		sp.wait()
		require.NotNil(t, sp.ready, "a new spare is ready")
		next := fstat(t, sp.ready.Fd())
		require.NotEqual(t, before.Ino, next.Ino)
		require.EqualValues(t, 7<<20, next.Size, "sized to the code last staged, rounded up to 1 MiB")
		require.GreaterOrEqual(t, next.Blocks*512, next.Size)
	})

	t.Run("Tampered", func(t *testing.T) {
		for name, tc := range map[string]struct {
			edit func(a *Artifact)
			want error
		}{
			"Native":           {func(a *Artifact) { a.Native[len(a.Native)-1] ^= 1 }, ErrNativeMismatch},
			"NativeFirstChunk": {func(a *Artifact) { a.Native[0] ^= 1 }, ErrNativeMismatch},
			"Wasm":             {func(a *Artifact) { a.Wasm[5] ^= 1 }, ErrWasmMismatch},
		} {
			t.Run(name, func(t *testing.T) {
				sp := readySpare(t, size)
				a := stagedArtifact(t, key, tgt, bytes.Clone(wasm), bytes.Clone(native))
				tc.edit(a)
				f, err := stageWith(a, sp)
				require.ErrorIs(t, err, tc.want)
				require.ErrorIs(t, err, ErrUntrusted)
				require.Nil(t, f)
				require.Nil(t, sp.ready, "the spare was used, and discarded")
			})
		}
	})

	t.Run("LargerThanTheSpare", func(t *testing.T) {
		sp := readySpare(t, 1<<20)
		spareIno := fstat(t, sp.ready.Fd()).Ino
		f, err := stageWith(stagedArtifact(t, key, tgt, wasm, native), sp)
		require.NoError(t, err)
		defer f.Close()
		requireStaged(t, f, native)
		require.Equal(t, spareIno, fstat(t, int(f.Fd())).Ino, "the spare, grown by the write")
		sp.refill()
		sp.wait()
		require.EqualValues(t, 1<<20, fstat(t, sp.ready.Fd()).Size, "the next spare is no larger than its bound")
	})

	t.Run("MuchLargerThanTheCode", func(t *testing.T) {
		sp := readySpare(t, size)
		spareIno := fstat(t, sp.ready.Fd()).Ino
		small := native[:100<<10]
		f, err := stageWith(stagedArtifact(t, key, tgt, wasm, small), sp)
		require.NoError(t, err)
		defer f.Close()
		requireStaged(t, f, small)
		require.NotEqual(t, spareIno, fstat(t, int(f.Fd())).Ino, "a fresh memfd: truncating the spare would cost more than it saves")
		sp.refill()
		sp.wait()
		require.Nil(t, sp.stale, "the large spare was released")
		require.EqualValues(t, 1<<20, fstat(t, sp.ready.Fd()).Size, "replaced by one sized to the code")
	})

	t.Run("SmallestSpareKept", func(t *testing.T) {
		sp := readySpare(t, spareGrain)
		spareIno := fstat(t, sp.ready.Fd()).Ino
		small := native[:10<<10]
		f, err := stageWith(stagedArtifact(t, key, tgt, wasm, small), sp)
		require.NoError(t, err)
		defer f.Close()
		requireStaged(t, f, small)
		require.NotEqual(t, spareIno, fstat(t, int(f.Fd())).Ino, "a fresh memfd")
		require.NotNil(t, sp.ready, "a spare no larger than the smallest is kept, not replaced")
		require.Equal(t, spareIno, fstat(t, sp.ready.Fd()).Ino)
	})

	t.Run("NoSpareReady", func(t *testing.T) {
		sp := readySpare(t, size)
		w := sp.take(size)
		require.NotNil(t, w)
		defer w.Close()
		f, err := stageWith(stagedArtifact(t, key, tgt, wasm, native), sp)
		require.NoError(t, err, "a fresh memfd")
		defer f.Close()
		requireStaged(t, f, native)
	})

	t.Run("CloseWaitsForARefill", func(t *testing.T) {
		sp := readySpare(t, size)
		w := sp.take(size)
		require.NotNil(t, w)
		w.Close()
		sp.refill() // in flight
		sp.close()
		require.Nil(t, sp.ready, "the refilled spare was released")
		require.False(t, sp.filling, "no refill is running")
		sp.refill()
		require.False(t, sp.filling, "a closed spare is not refilled")
		require.Nil(t, sp.take(size))
	})

	t.Run("Concurrent", func(t *testing.T) {
		sp := readySpare(t, size)
		a := stagedArtifact(t, key, tgt, wasm, native)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 2 {
					e, err := prepare(a, key, tgt)
					if !assert.NoError(t, err) {
						return
					}
					f, err := stage(a, e, sp)
					sp.refill()
					if !assert.NoError(t, err) {
						return
					}
					got, err := io.ReadAll(f)
					assert.NoError(t, err)
					assert.Equal(t, native, got)
					f.Close()
				}
			})
		}
		wg.Wait()
		sp.close()
		require.Nil(t, sp.ready)
	})
}

package aot

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// stagedArtifact is a signed format-2 artifact of fake entries for target t.
func stagedArtifact(t testing.TB, key []byte, tgt Target, wasm, native []byte) *Artifact {
	mac, nonce := newChunkMAC(key, artifactMACDomain), newNonce()
	m := Manifest{
		Format: FormatVersion, Engine: tgt.Engine, EngineVersion: tgt.EngineVersion,
		GOOS: tgt.GOOS, GOARCH: tgt.GOARCH, Config: tgt.Config,
		WasmSize: int64(len(wasm)), Native: NativeDir + tgt.Engine + ".bin", NativeSize: int64(len(native)),
		MACNonce:  hex.EncodeToString(nonce),
		WasmMAC:   hex.EncodeToString(mac.tag(WasmEntry, nonce, wasm)),
		NativeMAC: hex.EncodeToString(mac.tag(NativeDir+tgt.Engine+".bin", nonce, native)),
	}
	mb, err := json.Marshal(&m)
	require.NoError(t, err)
	return &Artifact{Wasm: wasm, Native: native, ManifestBytes: mb, Manifest: &m, Signature: sign(key, mb)}
}

func TestStage(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	tgt := Target{Engine: "fake", EngineVersion: "1", GOOS: "linux", GOARCH: "amd64", Config: "c"}
	wasm := bytes.Repeat([]byte("wasm"), macChunk/2+7)
	native := bytes.Repeat([]byte("native"), macChunk+11)

	stage := func(a *Artifact) (*os.File, error) {
		e, err := prepare(a, key, tgt)
		require.NoError(t, err)
		return stage(a, e, nil)
	}
	f, err := stage(stagedArtifact(t, key, tgt, wasm, native))
	require.NoError(t, err)
	defer f.Close()
	requireStaged(t, f, native)

	for name, tc := range map[string]struct {
		edit func(a *Artifact)
		want error
	}{
		"TamperedNative":           {func(a *Artifact) { a.Native[len(a.Native)-1] ^= 1 }, ErrNativeMismatch},
		"TamperedNativeFirstChunk": {func(a *Artifact) { a.Native[0] ^= 1 }, ErrNativeMismatch},
		"TamperedWasm":             {func(a *Artifact) { a.Wasm[5] ^= 1 }, ErrWasmMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			a := stagedArtifact(t, key, tgt, bytes.Clone(wasm), bytes.Clone(native))
			tc.edit(a)
			f, err := stage(a)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, ErrUntrusted)
			require.Nil(t, f)
			require.True(t, errors.Is(verifyFor(a, key, tgt), tc.want), "Verify agrees")
		})
	}
}

// verifyFor is Verify on a target.
func verifyFor(a *Artifact, key []byte, t Target) error {
	e, err := prepare(a, key, t)
	if err != nil {
		return err
	}
	return e.verify(a)
}

// requireStaged checks that f holds exactly native and is fully sealed.
func requireStaged(t *testing.T, f *os.File, native []byte) {
	t.Helper()
	got := make([]byte, len(native)+1)
	n, err := f.ReadAt(got, 0)
	require.Error(t, err, "EOF after the native code")
	require.Equal(t, len(native), n)
	require.Equal(t, native, got[:n], "the memfd holds the native code")
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	require.NoError(t, err)
	require.Equal(t, unix.F_SEAL_WRITE|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL, seals)
}

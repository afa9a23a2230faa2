package aot_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/internal/ziptest"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func openRT(t testing.TB, cfg runtime.Config) runtime.Runtime {
	t.Helper()
	rt, err := runtime.Open(context.Background(), "wazero", cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close(context.Background()) })
	return rt
}

// addWorks runs the C add action on m.
func addWorks(t testing.TB, m runtime.Module) {
	t.Helper()
	ctx := context.Background()
	inst, err := m.Instantiate(ctx, nil)
	require.NoError(t, err)
	defer inst.Close(ctx)
	res, err := inst.Invoke(ctx, &runtime.RunPayload{Params: json.RawMessage(`{"param1":1,"param2":3}`)})
	require.NoError(t, err)
	require.JSONEq(t, `{"result":4}`, string(res.Value))
}

// rezip rewrites an artifact's entries through edit (nil drops the entry),
// keeping their compression methods.
func rezip(t testing.TB, zb []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	return ziptest.Rewrite(t, zb, edit)
}

// resign edits the manifest and signs it again with testKey: what a
// holder of the key could make, to reach the checks after the signature.
func resign(t testing.TB, zb []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var mb []byte
	zb = rezip(t, zb, func(name string, b []byte) []byte {
		if name != aot.ManifestEntry {
			return b
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		edit(m)
		mb, _ = json.Marshal(m)
		return mb
	})
	return rezip(t, zb, func(name string, b []byte) []byte {
		if name == aot.SignatureEntry {
			return []byte(hex.EncodeToString(hmacOf(testKey, mb)))
		}
		return b
	})
}

// flipHex flips the last bit of a hex string.
func flipHex(v any) string {
	b, _ := hex.DecodeString(v.(string))
	b[len(b)-1] ^= 1
	return hex.EncodeToString(b)
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	rt := openRT(t, nil)
	zb, err := aot.Precompile(ctx, rt, c.Module("add"), testKey, aot.Options{WowVersion: "test"})
	require.NoError(t, err)
	require.True(t, aot.IsArtifact(zb))
	a, err := aot.Read(zb)
	require.NoError(t, err)
	require.Equal(t, c.Module("add"), a.Wasm)
	require.Equal(t, "wazero", a.Manifest.Engine)
	require.Equal(t, "native/wazero.bin", a.Manifest.Native)
	require.Equal(t, "test", a.Manifest.WowVersion)
	require.NoError(t, aot.Verify(a, testKey, rt))

	// A restarted runtime (another engine instance) loads it.
	rt2 := openRT(t, nil)
	m, err := aot.Load(ctx, rt2, a, testKey)
	require.NoError(t, err)
	defer m.Close(ctx)
	addWorks(t, m)
	// Twice, and concurrently with the first module alive.
	m2, err := aot.Load(ctx, rt2, a, testKey)
	require.NoError(t, err)
	addWorks(t, m2)
	require.NoError(t, m2.Close(ctx))
}

func TestArtifactIsAnOpenWhiskAction(t *testing.T) {
	rt := openRT(t, nil)
	zb, err := aot.Precompile(context.Background(), rt, wat.Module("answer"), nil)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	require.NoError(t, err)
	wasms := 0
	for _, f := range zr.File {
		if len(f.Name) > 5 && f.Name[len(f.Name)-5:] == ".wasm" {
			wasms++
		}
	}
	require.Equal(t, 1, wasms, "exactly one .wasm entry, so /init picks it")
}

func TestUntrusted(t *testing.T) {
	ctx := context.Background()
	rt := openRT(t, nil)
	add := c.Module("add")
	signed, err := aot.Precompile(ctx, rt, add, testKey)
	require.NoError(t, err)
	unsigned, err := aot.Precompile(ctx, rt, add, nil)
	require.NoError(t, err)
	plain := rezip(t, signed, func(name string, b []byte) []byte {
		if name == aot.WasmEntry {
			return b
		}
		return nil
	})

	cases := []struct {
		name string
		zip  []byte
		key  []byte
		rt   runtime.Runtime
		want error
	}{
		{"Plain", plain, testKey, rt, aot.ErrNotArtifact},
		{"Unsigned", unsigned, testKey, rt, aot.ErrUnsigned},
		{"NoTrustKey", signed, nil, rt, aot.ErrNoTrustKey},
		{"WrongKey", signed, []byte("another key, 32 bytes long......"), rt, aot.ErrBadSignature},
		{"TamperedManifest", rezip(t, signed, func(name string, b []byte) []byte {
			if name == aot.ManifestEntry {
				return bytes.Replace(b, []byte(`"wazero"`), []byte(`"wazerO"`), 1)
			}
			return b
		}), testKey, rt, aot.ErrBadSignature},
		{"TamperedSignature", rezip(t, signed, func(name string, b []byte) []byte {
			if name == aot.SignatureEntry {
				return []byte("zz")
			}
			return b
		}), testKey, rt, aot.ErrBadSignature},
		{"TamperedNative", rezip(t, signed, func(name string, b []byte) []byte {
			if name == "native/wazero.bin" {
				b = bytes.Clone(b)
				b[len(b)-100] ^= 0xff
			}
			return b
		}), testKey, rt, aot.ErrNativeMismatch},
		{"TruncatedNative", rezip(t, signed, func(name string, b []byte) []byte {
			if name == "native/wazero.bin" {
				return b[:len(b)/2]
			}
			return b
		}), testKey, rt, aot.ErrTruncated},
		{"MissingNative", rezip(t, signed, func(name string, b []byte) []byte {
			if name == "native/wazero.bin" {
				return nil
			}
			return b
		}), testKey, rt, aot.ErrTruncated},
		{"OtherWasm", rezip(t, signed, func(name string, b []byte) []byte {
			if name == aot.WasmEntry {
				return wat.Module("answer")
			}
			return b
		}), testKey, rt, aot.ErrWasmMismatch},
		{"EngineMismatch", resign(t, signed, func(m map[string]any) { m["engine"] = "wasmtime" }), testKey, rt, aot.ErrEngineMismatch},
		{"VersionMismatch", resign(t, signed, func(m map[string]any) { m["engine_version"] = "v0.0.1" }), testKey, rt, aot.ErrVersionMismatch},
		{"ArchMismatch", resign(t, signed, func(m map[string]any) { m["goarch"] = "riscv64" }), testKey, rt, aot.ErrPlatformMismatch},
		{"CPUMismatch", resign(t, signed, func(m map[string]any) {
			m["cpu_features"] = append(m["cpu_features"].([]any), "quantum")
		}), testKey, rt, aot.ErrPlatformMismatch},
		{"FormatMismatch", resign(t, signed, func(m map[string]any) { m["format"] = 99 }), testKey, rt, aot.ErrFormat},
		{"OldFormat", resign(t, signed, func(m map[string]any) { // format 1: SHA-256 digests, no MACs
			m["format"] = 1
			m["native_digest"] = m["wasm_sha256"]
			for _, f := range []string{"wasm_size", "mac_nonce", "wasm_mac", "native_mac"} {
				delete(m, f)
			}
		}), testKey, rt, aot.ErrFormat},
		{"TamperedNativeMAC", resign(t, signed, func(m map[string]any) { m["native_mac"] = flipHex(m["native_mac"]) }), testKey, rt, aot.ErrNativeMismatch},
		{"TamperedWasmMAC", resign(t, signed, func(m map[string]any) { m["wasm_mac"] = flipHex(m["wasm_mac"]) }), testKey, rt, aot.ErrWasmMismatch},
		{"TamperedNonce", resign(t, signed, func(m map[string]any) { m["mac_nonce"] = flipHex(m["mac_nonce"]) }), testKey, rt, aot.ErrWasmMismatch},
		{"MalformedMAC", resign(t, signed, func(m map[string]any) { m["native_mac"] = "zz" }), testKey, rt, aot.ErrFormat},
		{"MissingMAC", resign(t, signed, func(m map[string]any) { delete(m, "wasm_mac") }), testKey, rt, aot.ErrFormat},
		{"OtherWasmSize", resign(t, signed, func(m map[string]any) { m["wasm_size"] = m["wasm_size"].(float64) + 1 }), testKey, rt, aot.ErrWasmMismatch},
		{"ConfigMismatch", signed, testKey, openRT(t, runtime.NewConfig().WithMemoryLimitBytes(64<<20)), aot.ErrConfigMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := aot.Read(tc.zip)
			require.NoError(t, err)
			err = aot.Verify(a, tc.key, tc.rt)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, aot.ErrUntrusted)
			require.NotEmpty(t, aot.Reason(err))
			_, err = aot.Load(ctx, tc.rt, a, tc.key)
			require.ErrorIs(t, err, tc.want, "Load refuses too")
			// The action still runs, compiled from its .wasm.
			if tc.name == "OtherWasm" {
				return // the .wasm is another action
			}
			m, err := tc.rt.Compile(ctx, a.Wasm)
			require.NoError(t, err)
			defer m.Close(ctx)
			addWorks(t, m)
		})
	}
}

func TestTruncatedZip(t *testing.T) {
	rt := openRT(t, nil)
	zb, err := aot.Precompile(context.Background(), rt, c.Module("add"), testKey)
	require.NoError(t, err)
	for _, n := range []int{len(zb) - 1, len(zb) / 2, 10, 0} {
		_, err := aot.Read(zb[:n])
		require.ErrorIs(t, err, aot.ErrTruncated, "cut at %d", n)
		require.False(t, aot.IsArtifact(zb[:n]))
	}
}

func TestKeys(t *testing.T) {
	k := aot.NewKey()
	got, err := aot.ParseKey([]byte(hex.EncodeToString(k) + "\n"))
	require.NoError(t, err)
	require.Equal(t, k, got)
	got, err = aot.ParseKey(k)
	require.NoError(t, err)
	require.Equal(t, k, got)
	_, err = aot.ParseKey([]byte("short"))
	require.Error(t, err)
	p := t.TempDir() + "/key"
	w, err := aot.WriteKeyFile(p)
	require.NoError(t, err)
	r, err := aot.ReadKeyFile(p)
	require.NoError(t, err)
	require.Equal(t, w, r)
	_, err = aot.WriteKeyFile(p)
	require.Error(t, err, "never overwrites a key")
}

func TestDigest(t *testing.T) {
	a := bytes.Repeat([]byte{1}, 3<<20+5)
	b := bytes.Clone(a)
	require.Equal(t, aot.Digest(a), aot.Digest(b))
	b[2<<20+1] = 2
	require.NotEqual(t, aot.Digest(a), aot.Digest(b))
	require.NotEqual(t, aot.Digest(a), aot.Digest(a[:len(a)-1]))
	require.NotEqual(t, aot.Digest(nil), aot.Digest([]byte{0}))

	// The documented construction: SHA-256 of the length and of each
	// 1 MiB chunk's SHA-256, whatever the number of CPUs hashing.
	for _, n := range []int{0, 1, 1 << 20, 5<<20 + 3} {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(i * 31)
		}
		tree := binary.LittleEndian.AppendUint64(nil, uint64(n))
		for off := 0; off < n; off += 1 << 20 {
			leaf := sha256.Sum256(in[off:min(n, off+1<<20)])
			tree = append(tree, leaf[:]...)
		}
		require.Equal(t, sha256.Sum256(tree), aot.Digest(in), "%d bytes", n)
	}
}

func TestUnsupported(t *testing.T) {
	rt := openRT(t, runtime.NewConfig().WithInterpreter(true))
	_, err := aot.Precompile(context.Background(), rt, c.Module("add"), nil)
	require.True(t, errors.Is(err, runtime.ErrUnsupported), "%v", err)
}

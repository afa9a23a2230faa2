package ow

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testWasm = []byte("\x00asm\x01\x00\x00\x00")

// zipOf builds a zip of name → content entries, deflated.
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		require.NoError(t, err)
		_, err = w.Write([]byte(e[1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestDecodeCode(t *testing.T) {
	w := string(testWasm)
	tests := []struct {
		name   string
		code   string
		binary bool
		main   string
		limits Limits
		want   string
		err    error
		msg    string
	}{
		{name: "raw wasm", code: b64(testWasm), binary: true, want: w},
		{name: "unpadded base64", code: base64.RawStdEncoding.EncodeToString(testWasm), binary: true, want: w},
		{name: "wrapped base64", code: b64(testWasm)[:4] + "\n" + b64(testWasm)[4:], binary: true, want: w},
		{name: "bad base64", code: "@@@@", binary: true, err: ErrBadRequest},
		{name: "not binary", code: "plain", want: "plain"},
		{name: "zip main", code: b64(zipOf(t, [2]string{"other.wasm", "o"}, [2]string{"main", w})), binary: true, want: w},
		{name: "zip main.wasm", code: b64(zipOf(t, [2]string{"x.wasm", "o"}, [2]string{"go.wasm", w})), binary: true, main: "go", want: w},
		{name: "zip single wasm", code: b64(zipOf(t, [2]string{"README", "r"}, [2]string{"dir/action.wasm", w})), binary: true, want: w},
		{name: "zip no wasm", code: b64(zipOf(t, [2]string{"README", "r"}, [2]string{"lib.so", "x"})), binary: true,
			err: ErrBadRequest, msg: "entries: README, lib.so"},
		{name: "zip two wasm", code: b64(zipOf(t, [2]string{"a.wasm", w}, [2]string{"b.wasm", w})), binary: true,
			err: ErrBadRequest, msg: "2 .wasm entries"},
		{name: "corrupt zip", code: b64([]byte("PK\x03\x04garbage")), binary: true, err: ErrBadRequest},
		{name: "code too large", code: b64(make([]byte, 100)), binary: true, limits: Limits{MaxCodeBytes: 50}, err: ErrTooLarge},
		{name: "inflates too much", code: b64(zipOf(t, [2]string{"a.wasm", string(make([]byte, 10000))})), binary: true,
			limits: Limits{MaxUnzippedBytes: 1000}, err: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeCode(tt.code, tt.binary, tt.main, tt.limits)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestZipEntryLimit(t *testing.T) {
	var entries [][2]string
	for i := range DefaultMaxZipEntries + 1 {
		entries = append(entries, [2]string{fmt.Sprintf("f%d", i), "x"})
	}
	_, err := DecodeCode(b64(zipOf(t, entries...)), true, "", Limits{})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "65 entries, the limit is 64")
}

// TestZipLyingHeader: an entry whose header declares a few bytes but
// inflates to far more is stopped, never inflated in full.
func TestZipLyingHeader(t *testing.T) {
	payload := make([]byte, 8<<20)
	var compressed bytes.Buffer
	{
		var tmp bytes.Buffer
		zw := zip.NewWriter(&tmp)
		w, err := zw.Create("a.wasm")
		require.NoError(t, err)
		_, err = w.Write(payload)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		zr, err := zip.NewReader(bytes.NewReader(tmp.Bytes()), int64(tmp.Len()))
		require.NoError(t, err)
		rc, err := zr.File[0].OpenRaw()
		require.NoError(t, err)
		_, err = compressed.ReadFrom(rc)
		require.NoError(t, err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "a.wasm", Method: zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(payload),
		CompressedSize64:   uint64(compressed.Len()),
		UncompressedSize64: 100, // the lie
	})
	require.NoError(t, err)
	_, err = w.Write(compressed.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	_, err = DecodeCode(b64(buf.Bytes()), true, "", Limits{MaxUnzippedBytes: 1 << 20})
	require.Error(t, err)
	assert.True(t, Status(err) == 400 || Status(err) == 413, "%v", err)
}

func TestDeadlineJSON(t *testing.T) {
	var d Deadline
	require.NoError(t, d.UnmarshalJSON([]byte(`"1700000000000"`)))
	assert.Equal(t, int64(1700000000000), d.UnixMilli())
	require.NoError(t, d.UnmarshalJSON([]byte(`1700000000001`)))
	assert.Equal(t, int64(1700000000001), d.UnixMilli())
	b, err := d.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, `"1700000000001"`, string(b))
	require.NoError(t, d.UnmarshalJSON([]byte(`null`)))
	assert.True(t, d.IsZero())
	require.NoError(t, d.UnmarshalJSON([]byte(`""`)))
	assert.True(t, d.IsZero())
	assert.Error(t, d.UnmarshalJSON([]byte(`"tomorrow"`)))
}

// TestDecodeBase64Parallel: large codes are decoded in parallel chunks with
// exactly the result and the error of a serial decode, including damage at
// a chunk boundary (padding or a bad byte ending the first chunk).
func TestDecodeBase64Parallel(t *testing.T) {
	serial := func(s string) ([]byte, error) {
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
		enc := base64.StdEncoding
		if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
			enc = base64.RawStdEncoding
		}
		return enc.DecodeString(s)
	}
	raw := make([]byte, parallelBase64+1000)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	padded := base64.StdEncoding.EncodeToString(raw)
	boundary := (len(padded)/max(2, goruntime.GOMAXPROCS(0)) + 3) &^ 3 // the first chunk's end
	inputs := map[string]string{
		"padded":            padded,
		"unpadded":          base64.RawStdEncoding.EncodeToString(raw[:len(raw)-1]),
		"wrapped":           padded[:100] + "\n" + padded[100:200] + "\r\n" + padded[200:],
		"bad byte":          padded[:len(padded)/3] + "*" + padded[len(padded)/3+1:],
		"padding at chunk":  padded[:boundary-2] + "==" + padded[boundary:],
		"bad at chunk end":  padded[:boundary-1] + "!" + padded[boundary:],
		"bad at chunk head": padded[:boundary] + "!" + padded[boundary+1:],
		"truncated":         padded[:len(padded)-1],
	}
	for name, in := range inputs {
		want, wantErr := serial(in)
		got, err := decodeBase64([]byte(in))
		if wantErr != nil {
			assert.Equal(t, wantErr, err, name)
			continue
		}
		require.NoError(t, err, name)
		assert.True(t, bytes.Equal(want, got), name)
	}
	got, err := decodeBase64([]byte(padded))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(raw, got))
}

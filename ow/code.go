package ow

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"path"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// Default limits, following OpenWhisk's.
const (
	// DefaultMaxCodeBytes bounds decoded action code: 48 MiB.
	DefaultMaxCodeBytes = 48 << 20
	// DefaultMaxZipEntries bounds the entries of a zipped action.
	DefaultMaxZipEntries = 64
	// DefaultMaxUnzippedBytes bounds a zip's uncompressed size: 256 MiB.
	DefaultMaxUnzippedBytes = 256 << 20
	// DefaultMaxParamsBytes bounds an activation's params: 1 MiB.
	DefaultMaxParamsBytes = 1 << 20
)

// Limits bounds what the protocol accepts. Zero fields take the defaults.
type Limits struct {
	// MaxCodeBytes bounds decoded action code (the .wasm or the zip).
	MaxCodeBytes int64
	// MaxZipEntries bounds the number of entries in a zip.
	MaxZipEntries int
	// MaxUnzippedBytes bounds a zip's total uncompressed size, both as its
	// headers declare it and as actually inflated.
	MaxUnzippedBytes int64
	// MaxParamsBytes bounds an activation's params (the /run "value").
	MaxParamsBytes int
}

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxCodeBytes <= 0 {
		l.MaxCodeBytes = DefaultMaxCodeBytes
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = DefaultMaxZipEntries
	}
	if l.MaxUnzippedBytes <= 0 {
		l.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	if l.MaxParamsBytes <= 0 {
		l.MaxParamsBytes = DefaultMaxParamsBytes
	}
	return l
}

var (
	wasmMagic = []byte("\x00asm")
	zipMagic  = []byte("PK\x03\x04")
)

// DecodeCode turns OpenWhisk action code into a WebAssembly module. With
// binary, code is base64 (standard, padded or not) of a raw .wasm or of a
// zip; in a zip the module is the entry named main (or main + ".wasm") if
// there is one, else the only entry ending in ".wasm". Without binary, the
// code is taken as is. Malformed code is ErrBadRequest; code over a limit is
// ErrTooLarge. Bytes that are neither a zip nor a .wasm are returned as they
// are, for the engine to reject with a precise message.
func DecodeCode(code string, binary bool, main string, l Limits) ([]byte, error) {
	wasm, _, err := decodeCode([]byte(code), binary, main, l)
	return wasm, err
}

// decodeCode is DecodeCode that also returns the zip the module came
// from (nil when the code was not a zip). What it returns never shares
// memory with code, which may be a request buffer about to be reused.
func decodeCode(code []byte, binary bool, main string, l Limits) (wasm, zipped []byte, err error) {
	l = l.withDefaults()
	var raw []byte
	if binary {
		if int64(base64.StdEncoding.DecodedLen(len(code))) > l.MaxCodeBytes+3 {
			return nil, nil, fmt.Errorf("%w: the action code is over the %d-byte limit", ErrTooLarge, l.MaxCodeBytes)
		}
		var err error
		raw, err = decodeBase64(code)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: the action code is not valid base64: %v", ErrBadRequest, err)
		}
	} else {
		raw = bytes.Clone(code)
	}
	if int64(len(raw)) > l.MaxCodeBytes {
		return nil, nil, fmt.Errorf("%w: the action code is %d bytes, the limit is %d", ErrTooLarge, len(raw), l.MaxCodeBytes)
	}
	if bytes.HasPrefix(raw, zipMagic) {
		wasm, err := unzipModule(raw, main, l)
		if err != nil {
			return nil, nil, err
		}
		return wasm, raw, nil
	}
	return raw, nil, nil
}

// decodeBase64 accepts padded and unpadded standard base64, ignoring
// newlines (some clients wrap long lines).
func decodeBase64(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, b)
	}
	enc := base64.StdEncoding
	if !bytes.HasSuffix(b, []byte("=")) && len(b)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	if len(b) < parallelBase64 {
		out := make([]byte, enc.DecodedLen(len(b)))
		n, err := enc.Decode(out, b)
		return out[:n], err
	}
	return decodeBase64Parallel(enc, b)
}

// parallelBase64 is the encoded size from which decoding is split across
// the CPUs: a Go action's 4.4 MB of base64 take 3.5 ms on one core here.
const parallelBase64 = 1 << 20

// decodeBase64Parallel decodes s in chunks of a multiple of 4 characters,
// concurrently: every chunk but the last must decode to exactly 3/4 of its
// length, at a known place in the result. Anything else (padding or bad
// bytes inside) is decoded again serially, for a serial decode's exact error.
func decodeBase64Parallel(enc *base64.Encoding, s []byte) ([]byte, error) {
	workers := goruntime.GOMAXPROCS(0)
	chunk := (len(s)/workers + 3) &^ 3
	out := make([]byte, enc.DecodedLen(len(s)))
	ns := make([]int, workers)
	var bad atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(len(s), w*chunk), min(len(s), (w+1)*chunk)
		last := w == workers-1
		if last {
			hi = len(s)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := base64.StdEncoding
			if last {
				e = enc
			}
			// dst ends where the next chunk's begins: the decoder writes
			// 8 bytes at a time while it has room.
			start := lo / 4 * 3
			n, err := e.Decode(out[start:min(len(out), start+e.DecodedLen(hi-lo))], s[lo:hi])
			if err != nil || (!last && n != (hi-lo)/4*3) {
				bad.Store(true)
			}
			ns[w] = n
		}()
	}
	wg.Wait()
	if bad.Load() {
		n, err := enc.Decode(out, s)
		return out[:n], err
	}
	n := 0
	for _, k := range ns {
		n += k
	}
	return out[:n], nil
}

// unzipModule extracts the action's module from a zip, enforcing the entry
// and size limits on both the declared and the actually inflated sizes.
func unzipModule(raw []byte, main string, l Limits) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: the action code is not a readable zip: %v", ErrBadRequest, err)
	}
	if len(zr.File) > l.MaxZipEntries {
		return nil, fmt.Errorf("%w: the zip has %d entries, the limit is %d", ErrTooLarge, len(zr.File), l.MaxZipEntries)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > uint64(l.MaxUnzippedBytes) {
			return nil, fmt.Errorf("%w: the zip inflates to more than the %d-byte limit", ErrTooLarge, l.MaxUnzippedBytes)
		}
	}
	f, err := pickEntry(zr.File, main)
	if err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: zip entry %s: %v", ErrBadRequest, f.Name, err)
	}
	defer rc.Close()
	// Headers can lie: count what actually inflates.
	wasm, err := io.ReadAll(io.LimitReader(rc, l.MaxUnzippedBytes+1))
	if int64(len(wasm)) > l.MaxUnzippedBytes {
		return nil, fmt.Errorf("%w: zip entry %s inflates to more than the %d-byte limit", ErrTooLarge, f.Name, l.MaxUnzippedBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: zip entry %s: %v", ErrBadRequest, f.Name, err)
	}
	return wasm, nil
}

// pickEntry chooses the module in a zip: the entry named main (or
// main.wasm), else the single .wasm entry.
func pickEntry(files []*zip.File, main string) (*zip.File, error) {
	if main == "" {
		main = "main"
	}
	var wasm []*zip.File
	for _, f := range files {
		if f.FileInfo().IsDir() {
			continue
		}
		if f.Name == main || f.Name == main+".wasm" {
			return f, nil
		}
		if strings.HasSuffix(f.Name, ".wasm") {
			wasm = append(wasm, f)
		}
	}
	if len(wasm) == 1 {
		return wasm[0], nil
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, path.Clean(f.Name))
	}
	if len(wasm) == 0 {
		return nil, fmt.Errorf("%w: the zip has no entry %q and no .wasm entry (entries: %s)", ErrBadRequest, main, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("%w: the zip has no entry %q and %d .wasm entries; name the module with main (entries: %s)", ErrBadRequest, main, len(wasm), strings.Join(names, ", "))
}

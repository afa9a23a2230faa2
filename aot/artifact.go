package aot

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wowrt/wow/runtime"
)

// maxEntryBytes bounds what Read inflates per entry.
const maxEntryBytes = 1 << 30

// Options are Precompile's optional settings.
type Options struct {
	// WowVersion is recorded in the manifest (informative).
	WowVersion string
}

// Precompile compiles wasm on rt into an artifact zip: the original module,
// rt's native artifact and the manifest, signed with key when key is not
// empty (an unsigned artifact is still a valid action, compiled by whoever
// runs it). The module and native entries are stored uncompressed so that
// a loader uses them in place instead of inflating them.
func Precompile(ctx context.Context, rt runtime.Runtime, wasm, key []byte, opts ...Options) ([]byte, error) {
	native, err := rt.Precompile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	t := TargetOf(rt)
	wsum := sha256.Sum256(wasm)
	m := Manifest{
		Format:        FormatVersion,
		Engine:        t.Engine,
		EngineVersion: t.EngineVersion,
		GOOS:          t.GOOS,
		GOARCH:        t.GOARCH,
		CPUFeatures:   t.CPUFeatures,
		Config:        t.Config,
		WasmSHA256:    hex.EncodeToString(wsum[:]),
		WasmSize:      int64(len(wasm)),
		Native:        NativeDir + t.Engine + ".bin",
		NativeSize:    int64(len(native)),
	}
	if len(key) > 0 { // the MACs are keyed: an unsigned artifact has none
		mac, nonce := newChunkMAC(key, artifactMACDomain), newNonce()
		m.MACNonce = hex.EncodeToString(nonce)
		m.WasmMAC = hex.EncodeToString(mac.tag(WasmEntry, nonce, wasm))
		m.NativeMAC = hex.EncodeToString(mac.tag(m.Native, nonce, native))
	}
	for _, o := range opts {
		m.WowVersion = o.WowVersion
	}
	mb, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return nil, err
	}
	mb = append(mb, '\n')
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, method uint16, b []byte) {
		if err != nil {
			return
		}
		var w io.Writer
		if w, err = zw.CreateHeader(&zip.FileHeader{Name: name, Method: method}); err == nil {
			_, err = w.Write(b)
		}
	}
	// Stored, not deflated: inflating the Go action's 3.3 MB costs more
	// than the whole trusted load.
	add(WasmEntry, zip.Store, wasm)
	add(ManifestEntry, zip.Deflate, mb)
	if len(key) > 0 {
		add(SignatureEntry, zip.Store, []byte(hex.EncodeToString(sign(key, mb))+"\n"))
	}
	add(m.Native, zip.Store, native)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("write artifact: %w", err)
	}
	return buf.Bytes(), nil
}

// sign is HMAC-SHA256(key, b).
func sign(key, b []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(b)
	return h.Sum(nil)
}

// Artifact is a zip read by Read. Only Wasm is guaranteed: a plain zipped
// action has no manifest, an unsigned artifact no signature.
type Artifact struct {
	// Wasm is the module: the WasmEntry, or else the zip's only .wasm.
	Wasm []byte
	// Native is the native entry named by the manifest (nil when absent).
	Native []byte
	// ManifestBytes are manifest.json's exact bytes (nil when absent);
	// Manifest is their decoding (nil when absent or malformed).
	ManifestBytes []byte
	Manifest      *Manifest
	// Signature is the decoded manifest.sig (nil when absent).
	Signature []byte
	// truncated records a native entry that could not be read in full.
	truncated error
}

// Read opens an artifact zip. It fails (with ErrTruncated) only when the zip
// itself is unreadable or has no .wasm; a missing or damaged manifest,
// signature or native entry is for Verify to report.
func Read(b []byte) (*Artifact, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	files := map[string]*zip.File{}
	var wasms []*zip.File
	for _, f := range zr.File {
		files[f.Name] = f
		if strings.HasSuffix(f.Name, ".wasm") {
			wasms = append(wasms, f)
		}
	}
	a := &Artifact{}
	wf := files[WasmEntry]
	if wf == nil && len(wasms) == 1 {
		wf = wasms[0]
	}
	if wf == nil {
		return nil, fmt.Errorf("%w: no %s entry", ErrTruncated, WasmEntry)
	}
	if a.Wasm, err = readEntry(b, wf); err != nil {
		return nil, err
	}
	if f := files[ManifestEntry]; f != nil {
		if a.ManifestBytes, err = readEntry(b, f); err != nil {
			return nil, err
		}
		var m Manifest
		if json.Unmarshal(a.ManifestBytes, &m) == nil {
			a.Manifest = &m
		}
	}
	if f := files[SignatureEntry]; f != nil {
		s, err := readEntry(b, f)
		if err != nil {
			return nil, err
		}
		if a.Signature, err = hex.DecodeString(strings.TrimSpace(string(s))); err != nil {
			a.Signature = []byte{} // present but garbled: a bad signature
		}
	}
	if a.Manifest != nil {
		if f := files[a.Manifest.Native]; f != nil && strings.HasPrefix(f.Name, NativeDir) {
			a.Native, a.truncated = readEntry(b, f)
		}
	}
	return a, nil
}

// readEntry returns an entry's bytes: a slice of the zip for a stored entry
// (its integrity is the manifest's MACs' business), else inflated with
// its CRC checked.
func readEntry(zb []byte, f *zip.File) ([]byte, error) {
	if f.Method == zip.Store && f.CompressedSize64 == f.UncompressedSize64 {
		off, err := f.DataOffset()
		if err == nil && off >= 0 && uint64(off)+f.UncompressedSize64 <= uint64(len(zb)) {
			return zb[off : uint64(off)+f.UncompressedSize64 : uint64(off)+f.UncompressedSize64], nil
		}
		return nil, fmt.Errorf("%w: entry %s is cut short", ErrTruncated, f.Name)
	}
	if f.UncompressedSize64 > maxEntryBytes {
		return nil, fmt.Errorf("%w: entry %s declares %d bytes", ErrTruncated, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry %s: %v", ErrTruncated, f.Name, err)
	}
	defer rc.Close()
	out, err := io.ReadAll(io.LimitReader(rc, maxEntryBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: entry %s: %v", ErrTruncated, f.Name, err)
	}
	return out, nil
}

// Verify decides whether a's native code may run on rt: the signature must
// check against key, the manifest match rt's target (engine, version,
// platform, CPU, configuration) and the entries match the manifest's
// MACs. The error is one of the typed reasons (wrapping ErrUntrusted),
// with details.
func Verify(a *Artifact, key []byte, rt runtime.Runtime) error {
	e, err := prepare(a, key, TargetOf(rt))
	if err != nil {
		return err
	}
	return e.verify(a)
}

// Load verifies a and loads its native code on rt. When the code is not
// trusted it returns the reason (wrapping ErrUntrusted) and loads nothing;
// the caller compiles a.Wasm instead. Any other error is the engine's.
// A Loader does the same through a spare memfd prepared ahead of time.
func Load(ctx context.Context, rt runtime.Runtime, a *Artifact, key []byte) (runtime.Module, error) {
	return (*Loader)(nil).Load(ctx, rt, a, key)
}

// entryMACs are the MACs an artifact's entries must have, once its
// signature and manifest were checked.
type entryMACs struct {
	wasm, native       *message
	wasmTag, nativeTag []byte
}

// prepare checks everything but the entries' MACs: the signature, the
// manifest against t, the entries' presence and sizes.
func prepare(a *Artifact, key []byte, t Target) (*entryMACs, error) {
	switch {
	case a.ManifestBytes == nil:
		return nil, ErrNotArtifact
	case a.Signature == nil:
		return nil, ErrUnsigned
	case len(key) == 0:
		return nil, ErrNoTrustKey
	case !hmac.Equal(a.Signature, sign(key, a.ManifestBytes)):
		return nil, fmt.Errorf("%w (wrong key, or the manifest or its signature was altered)", ErrBadSignature)
	case a.Manifest == nil:
		return nil, fmt.Errorf("%w: the manifest is not valid JSON", ErrFormat)
	}
	m := a.Manifest
	if err := m.check(t); err != nil {
		return nil, err
	}
	nonce, err := hex.DecodeString(m.MACNonce)
	wtag, werr := hex.DecodeString(m.WasmMAC)
	ntag, nerr := hex.DecodeString(m.NativeMAC)
	if err != nil || werr != nil || nerr != nil || len(nonce) != chunkMACNonceSize || len(wtag) != chunkMACSize || len(ntag) != chunkMACSize {
		return nil, fmt.Errorf("%w: malformed MAC fields in the manifest", ErrFormat)
	}
	switch {
	case int64(len(a.Wasm)) != m.WasmSize:
		return nil, fmt.Errorf("%w: the module is %d bytes, the manifest says %d", ErrWasmMismatch, len(a.Wasm), m.WasmSize)
	case a.truncated != nil:
		return nil, a.truncated
	case a.Native == nil:
		return nil, fmt.Errorf("%w: no native entry %s", ErrTruncated, m.Native)
	case int64(len(a.Native)) != m.NativeSize:
		return nil, fmt.Errorf("%w: native entry is %d bytes, the manifest says %d", ErrTruncated, len(a.Native), m.NativeSize)
	}
	mac := newChunkMAC(key, artifactMACDomain)
	return &entryMACs{
		wasm:    mac.message(WasmEntry, nonce, len(a.Wasm)),
		native:  mac.message(m.Native, nonce, len(a.Native)),
		wasmTag: wtag, nativeTag: ntag,
	}, nil
}

// verify MACs both entries (in parallel) and checks the MACs.
func (e *entryMACs) verify(a *Artifact) error {
	macAll(append(e.wasm.jobs(a.Wasm), e.native.jobs(a.Native)...))
	return e.check()
}

// check compares the MACs, once every chunk of both entries was MACed.
func (e *entryMACs) check() error {
	if !hmac.Equal(e.wasm.sum(), e.wasmTag) {
		return fmt.Errorf("%w: its MAC differs", ErrWasmMismatch)
	}
	if !hmac.Equal(e.native.sum(), e.nativeTag) {
		return fmt.Errorf("%w: its MAC differs", ErrNativeMismatch)
	}
	return nil
}

// IsArtifact reports whether a zip holds a manifest: whether it is worth
// Reading as an artifact rather than as a plain zipped action.
func IsArtifact(zipBytes []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == ManifestEntry {
			return true
		}
	}
	return false
}

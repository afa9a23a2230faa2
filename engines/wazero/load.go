package wazero

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	wowrt "github.com/wowrt/wow/runtime"
)

// artifactMagic starts a wazero artifact made by Precompile.
const artifactMagic = "wow-wazero-artifact-2\n"

// A wazero artifact is wazero's own compilation-cache entry for the module
// plus what is needed to hit it again: wazero keeps no public way to load
// compiled code except its file cache, keyed by the SHA-256 of the exact
// wasm bytes (and the CPU features), so the artifact carries those bytes.
//
//	magic | u16 name length | name (the cache file's hex key)
//	      | u64 wasm length | wasm (instrumented, interrupt.go)
//	      | cache entry (the rest)
type artifact struct {
	name  string
	wasm  []byte
	entry []byte
}

func encodeArtifact(a artifact) []byte {
	b := make([]byte, 0, len(artifactMagic)+2+len(a.name)+8+len(a.wasm)+len(a.entry))
	b = append(b, artifactMagic...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(a.name)))
	b = append(b, a.name...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(a.wasm)))
	b = append(b, a.wasm...)
	return append(b, a.entry...)
}

func decodeArtifact(b []byte) (artifact, error) {
	bad := fmt.Errorf("%w: not a wazero artifact", wowrt.ErrInvalidModule)
	if !bytes.HasPrefix(b, []byte(artifactMagic)) {
		return artifact{}, bad
	}
	b = b[len(artifactMagic):]
	if len(b) < 2 {
		return artifact{}, bad
	}
	n := int(binary.LittleEndian.Uint16(b))
	b = b[2:]
	if len(b) < n+8 {
		return artifact{}, bad
	}
	name := string(b[:n])
	// The name becomes a file name: only wazero's 64 hex digits.
	if k, err := hex.DecodeString(name); err != nil || len(k) != 32 {
		return artifact{}, bad
	}
	b = b[n:]
	w := binary.LittleEndian.Uint64(b)
	b = b[8:]
	if w > uint64(len(b)) {
		return artifact{}, fmt.Errorf("%w: truncated wazero artifact", wowrt.ErrInvalidModule)
	}
	return artifact{name: name, wasm: b[:w], entry: b[w:]}, nil
}

// Precompile implements runtime.Precompiler: it compiles wasm on a
// runtime with a fresh file cache and returns the cache entry wazero wrote.
// The interpreter compiles nothing: with it, Precompile fails with
// runtime.ErrUnsupported.
func (e *engine) Precompile(ctx context.Context, wasm []byte) ([]byte, error) {
	if e.cfg.Interpreter {
		return nil, fmt.Errorf("wazero's interpreter has no native code to precompile: %w", wowrt.ErrUnsupported)
	}
	dir, err := os.MkdirTemp("", "wow-wazero-precompile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	r, err := newRuntime(ctx, e.cfg, c)
	if err != nil {
		return nil, err
	}
	defer r.Close(ctx)
	inst, err := instrument(wasm)
	if err != nil {
		return nil, err
	}
	bin, _ := split(inst) // the bytes Load will compile
	cm, err := r.CompileModule(ctx, bin)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", wowrt.ErrInvalidModule, err)
	}
	_ = cm.Close(ctx)
	sub, err := cacheSubdir(dir)
	if err != nil {
		return nil, err
	}
	files, err := os.ReadDir(sub)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		if f.Type().IsRegular() && !strings.HasSuffix(f.Name(), ".tmp") {
			names = append(names, f.Name())
		}
	}
	if len(names) != 1 {
		return nil, fmt.Errorf("wazero precompile: want one compilation cache entry, found %d", len(names))
	}
	entry, err := os.ReadFile(filepath.Join(sub, names[0]))
	if err != nil {
		return nil, err
	}
	return encodeArtifact(artifact{name: names[0], wasm: inst, entry: entry}), nil
}

// cacheSubdir is the directory wazero keeps a file cache's entries in
// ("wazero-VERSION-GOARCH-GOOS" under the cache's directory): the only
// directory there.
func cacheSubdir(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, d := range ents {
		if d.IsDir() && strings.HasPrefix(d.Name(), "wazero-") {
			return filepath.Join(dir, d.Name()), nil
		}
	}
	return "", errors.New("wazero compilation cache: no entry directory")
}

// Load implements runtime.Loader for artifacts made by Precompile: the
// cache entry is placed in a private file cache of the engine's loading
// runtime and the wasm compiled there, which finds it instead of
// compiling (wazero still decodes and validates the wasm). A CPU whose
// features differ from the precompiling one misses the entry: wazero then
// compiles, which is slow but correct.
func (e *engine) Load(ctx context.Context, b []byte) (wowrt.EngineModule, error) {
	a, err := decodeArtifact(b)
	if err != nil {
		return nil, err
	}
	if e.cfg.Interpreter {
		return nil, fmt.Errorf("wazero's interpreter cannot load native code: %w", wowrt.ErrUnsupported)
	}
	r, err := e.loader.init(ctx, e.cfg)
	if err != nil {
		return nil, err
	}
	if err := e.loader.place(a); err != nil {
		return nil, err
	}
	// The artifact's wasm is already instrumented: artifacts are trusted
	// (signed, or the executor's own cache), or they carry no native code.
	m, err := e.compileInstrumented(ctx, r, a.wasm)
	e.loader.release(a.name)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// LoadCopies implements runtime.CopyingLoader: Load writes the cache entry
// to a file and wazero decodes the wasm into structures of its own (it
// copies function bodies, data and custom sections), and so does the data
// image (wasmbin.DataImage). Nothing refers to the artifact afterwards.
func (e *engine) LoadCopies() bool { return true }

// loader is the engine's runtime for loading artifacts, on a file cache in
// a private temporary directory where Load places entries for the time it
// takes wazero to read them.
type loader struct {
	once  sync.Once
	err   error
	r     wazero.Runtime
	cache wazero.CompilationCache
	dir   string // the private directory, removed at close
	sub   string // where wazero looks for entries
	mu    sync.Mutex
	refs  map[string]int // entries placed, by the loads using them
}

func (l *loader) init(ctx context.Context, cfg wowrt.EngineConfig) (wazero.Runtime, error) {
	l.once.Do(func() {
		l.refs = map[string]int{}
		if l.dir, l.err = privateDir(); l.err != nil {
			return
		}
		if l.cache, l.err = wazero.NewCompilationCacheWithDir(l.dir); l.err != nil {
			return
		}
		if l.sub, l.err = cacheSubdir(l.dir); l.err != nil {
			return
		}
		l.r, l.err = newRuntime(ctx, cfg, l.cache)
	})
	return l.r, l.err
}

// privateDir makes the loader's directory: in /dev/shm where there is one,
// a tmpfs, where placing and removing an entry costs a quarter of what it
// does on a disk file system (60 µs instead of 225 µs for the C add
// action's entry here), else in the default temporary directory. Either
// way it is a new directory only this user can enter.
func privateDir() (string, error) {
	if d, err := os.MkdirTemp("/dev/shm", "wow-wazero-load-"); err == nil {
		return d, nil
	}
	return os.MkdirTemp("", "wow-wazero-load-")
}

// place writes a's cache entry (atomically) unless a load in progress did.
func (l *loader) place(a artifact) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refs[a.name] == 0 {
		// A temporary name and a rename: wazero's file cache reads and
		// writes this directory too (it adds the entry it compiles when the
		// CPU's features miss the artifact's), without l.mu.
		f, err := os.CreateTemp(l.sub, a.name+".*.tmp")
		if err != nil {
			return err
		}
		_, err = f.Write(a.entry)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), filepath.Join(l.sub, a.name))
		}
		if err != nil {
			_ = os.Remove(f.Name())
			return err
		}
	}
	l.refs[a.name]++
	return nil
}

// release removes an entry once no load needs it: wazero keeps what it
// read in memory for as long as a module compiled from it lives.
func (l *loader) release(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refs[name]--; l.refs[name] <= 0 {
		delete(l.refs, name)
		_ = os.Remove(filepath.Join(l.sub, name))
	}
}

func (l *loader) close(ctx context.Context) {
	if l.r != nil {
		_ = l.r.Close(ctx)
	}
	if l.cache != nil {
		_ = l.cache.Close(ctx)
	}
	if l.dir != "" {
		_ = os.RemoveAll(l.dir)
	}
}

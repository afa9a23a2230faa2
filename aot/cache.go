package aot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wowrt/wow/runtime"
)

// DefaultCacheMaxBytes bounds a Cache's directory by default: 4 GiB.
const DefaultCacheMaxBytes = 4 << 30

// cacheFormat versions the entries' layout (the .mac file): entries of
// another format are never found, and age out by eviction. 3: the chunked
// MAC of chunkmac.go.
const cacheFormat = 3

// cacheKeyFile is the per-directory MAC key, readable by its owner only.
const cacheKeyFile = "cache.key"

// CacheStats counts a Cache's outcomes since it was opened.
type CacheStats struct {
	// Hits are modules loaded from an entry.
	Hits int64
	// Misses are modules compiled (and stored).
	Misses int64
	// Corrupt are entries discarded because their MAC did not verify or
	// the engine refused them.
	Corrupt int64
	// Evicted are entries removed to stay under the size bound.
	Evicted int64
}

// Cache is a persistent compile cache: the native artifacts of the modules
// it compiled, one file per (wasm digest, engine, engine version, config
// fingerprint, platform and CPU), so that a restarted process loads a known
// module instead of compiling it. Entries are written atomically (temporary
// file + rename) and authenticated (chunked GMAC inside an HMAC, chunkmac.go)
// under a random key kept in the directory (mode 0600): an entry that does
// not verify is never loaded, it is deleted and the module compiled again. The directory is
// bounded by evicting the least recently used entries (by modification
// time, which a hit refreshes). A Cache is safe for concurrent use, and
// several processes may share a directory.
type Cache struct {
	dir string
	max int64
	mac *cacheMAC
	log *slog.Logger

	evictMu                        sync.Mutex
	hits, misses, corrupt, evicted atomic.Int64
}

// CacheOptions configures OpenCache. Zero fields take defaults.
type CacheOptions struct {
	// MaxBytes bounds the entries' total size (DefaultCacheMaxBytes).
	MaxBytes int64
	// Logger receives discarded entries and store failures.
	Logger *slog.Logger
}

// OpenCache opens (creating) a compile cache in dir.
func OpenCache(dir string, opts CacheOptions) (*Cache, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultCacheMaxBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	key, err := cacheKey(filepath.Join(dir, cacheKeyFile))
	if err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	return &Cache{dir: dir, max: opts.MaxBytes, mac: newCacheMAC(key), log: opts.Logger}, nil
}

// cacheKey reads the directory's key, creating it if there is none.
func cacheKey(path string) ([]byte, error) {
	for range 3 {
		if b, err := os.ReadFile(path); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("%s: corrupt key (remove the directory's contents)", path)
			}
			return b, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		// Write it aside and link it in place: a concurrent opener either
		// wins or reads the winner's complete key.
		k := NewKey()
		tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*.tmp")
		if err != nil {
			return nil, err
		}
		_, err = tmp.Write(k)
		err = errors.Join(err, tmp.Chmod(0o600), tmp.Close())
		if err == nil {
			err = os.Link(tmp.Name(), path)
		}
		_ = os.Remove(tmp.Name())
		if err == nil {
			return k, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: cannot create the key", path)
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Stats returns the counts since OpenCache.
func (c *Cache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Corrupt: c.corrupt.Load(), Evicted: c.evicted.Load()}
}

// entryName is an entry's file name (without extension) for a module on a
// target.
func entryName(wasmSum [sha256.Size]byte, t Target) string {
	h := sha256.New()
	fmt.Fprintf(h, "wow-cache-%d-%d\x00%x\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s", cacheFormat, FormatVersion, wasmSum,
		t.Engine, t.EngineVersion, t.GOOS, t.GOARCH, t.Config, strings.Join(t.CPUFeatures, ","))
	return hex.EncodeToString(h.Sum(nil))
}

// Module returns wasm compiled on rt: loaded from
// the cache when it holds a valid entry (hit), else compiled through
// rt.Precompile, stored and loaded. On engines that cannot precompile it
// compiles and stores nothing. wasmSum identifies wasm: its SHA-256, or
// its Digest (twice as fast on two cores, what the executor uses); a
// directory's users must agree on one.
func (c *Cache) Module(ctx context.Context, rt runtime.Runtime, wasm []byte, wasmSum [sha256.Size]byte) (m runtime.Module, hit bool, err error) {
	m, err = c.Lookup(ctx, rt, wasmSum)
	if err == nil {
		return m, true, nil
	}
	c.misses.Add(1)
	native, err := rt.Precompile(ctx, wasm)
	if errors.Is(err, runtime.ErrUnsupported) {
		m, err = rt.Compile(ctx, wasm)
		return m, false, err
	}
	if err != nil {
		return nil, false, err
	}
	if err := c.Store(rt, wasmSum, native); err != nil {
		c.log.Warn("compile cache: cannot store an entry", "err", err)
	}
	m, err = loadVerified(ctx, rt, native)
	return m, false, err
}

// Lookup returns the module whose wasm has the digest wasmSum, loaded on rt
// from a valid entry, or an error wrapping fs.ErrNotExist when there is
// none. An entry that does not verify or that the engine refuses is
// discarded (and counted as corrupt).
func (c *Cache) Lookup(ctx context.Context, rt runtime.Runtime, wasmSum [sha256.Size]byte) (runtime.Module, error) {
	name := entryName(wasmSum, TargetOf(rt))
	m, err := c.load(ctx, rt, name)
	if err == nil {
		c.hits.Add(1)
		now := time.Now()
		_ = os.Chtimes(c.path(name, ".bin"), now, now)
		return m, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		c.corrupt.Add(1)
		c.log.Warn("compile cache: discarding an entry", "entry", name, "err", err)
		c.remove(name)
		err = fmt.Errorf("%w (discarded: %v)", fs.ErrNotExist, err)
	}
	return nil, err
}

// Store adds native, rt's precompiled code (runtime.Runtime.Precompile) for
// the module whose wasm has the digest wasmSum, as for example a verified
// artifact's native code: the next Lookup of that module on a runtime of
// the same target loads it.
func (c *Cache) Store(rt runtime.Runtime, wasmSum [sha256.Size]byte, native []byte) error {
	name := entryName(wasmSum, TargetOf(rt))
	if err := c.store(name, native); err != nil {
		return fmt.Errorf("compile cache: store %s: %w", name, err)
	}
	return nil
}

func (c *Cache) path(name, ext string) string { return filepath.Join(c.dir, name+ext) }

// load loads an entry after checking its MAC. A missing entry is
// fs.ErrNotExist; any other error means the entry is unusable.
func (c *Cache) load(ctx context.Context, rt runtime.Runtime, name string) (runtime.Module, error) {
	mac, err := os.ReadFile(c.path(name, ".mac"))
	if err != nil {
		return nil, err
	}
	return loadEntry(ctx, rt, c.path(name, ".bin"), func(native []byte) error {
		if !c.mac.verify(name, native, mac) {
			return errors.New("MAC does not verify (corrupt or tampered)")
		}
		return nil
	})
}

// store writes an entry: the native bytes, then their MAC, each atomically.
// A reader between the two renames sees a MAC that does not verify and
// recompiles; it never loads unverified bytes.
func (c *Cache) store(name string, native []byte) error {
	if err := writeAtomic(c.path(name, ".bin"), native); err != nil {
		return err
	}
	if err := writeAtomic(c.path(name, ".mac"), c.mac.sum(name, native)); err != nil {
		return err
	}
	c.evict(name)
	return nil
}

func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".entry-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	err = errors.Join(err, f.Chmod(0o400), f.Close()) // never written in place
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}

func (c *Cache) remove(name string) {
	_ = os.Remove(c.path(name, ".mac"))
	_ = os.Remove(c.path(name, ".bin"))
}

// evict removes the least recently used entries (oldest modification time
// of their .bin) until the directory's entries fit in the bound, sparing
// keep (the entry just stored).
func (c *Cache) evict(keep string) {
	c.evictMu.Lock()
	defer c.evictMu.Unlock()
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		name  string
		size  int64
		mtime time.Time
	}
	var all []entry
	var total int64
	for _, d := range ents {
		name, ok := strings.CutSuffix(d.Name(), ".bin")
		if !ok || !d.Type().IsRegular() {
			continue
		}
		fi, err := d.Info()
		if err != nil {
			continue
		}
		all = append(all, entry{name, fi.Size() + sha256.Size, fi.ModTime()})
		total += fi.Size() + sha256.Size
	}
	if total <= c.max {
		return
	}
	slices.SortFunc(all, func(a, b entry) int { return a.mtime.Compare(b.mtime) })
	for _, e := range all {
		if total <= c.max {
			break
		}
		if e.name == keep {
			continue
		}
		c.remove(e.name)
		c.evicted.Add(1)
		total -= e.size
	}
}

// loadRead loads the compile-cache entry at path from a copy in memory,
// once verify accepts it.
func loadRead(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	native, err := readVerified(path, verify)
	if err != nil {
		return nil, err
	}
	return loadRefused(rt.Load(ctx, native))
}

// readVerified reads the entry at path and returns it once verify accepts it.
func readVerified(path string, verify func([]byte) error) ([]byte, error) {
	native, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return native, verify(native)
}

// loadRefused marks an engine's refusal of a verified entry.
func loadRefused(m runtime.Module, err error) (runtime.Module, error) {
	if err != nil {
		return nil, fmt.Errorf("engine refused the entry: %w", err)
	}
	return m, nil
}

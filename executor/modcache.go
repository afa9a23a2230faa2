package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"sync"

	"github.com/wowrt/wow/aot"
	wowrt "github.com/wowrt/wow/runtime"
)

// moduleCache shares compiled modules between actions with the same code:
// the invoker fork gives every container its own id, and many ids often
// run the same action. Entries are reference counted and closed when the
// last action using them is destroyed. Concurrent inits of the same code
// compile once. A module is obtained, in order of preference, from this
// process, from a trusted precompiled artifact, from the on-disk compile
// cache, or by compiling.
type moduleCache struct {
	rt      wowrt.Runtime
	m       *metrics
	disk    *aot.Cache  // nil without a cache directory
	key     []byte      // the trust key for artifacts (nil: trust none)
	loader  *aot.Loader // loads trusted artifacts (nil: without a spare memfd)
	log     *slog.Logger
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*cachedModule
	// stores are the disk writes of trusted native code in flight.
	stores sync.WaitGroup
}

// cachedModule is one compiled module and its users.
type cachedModule struct {
	key   [sha256.Size]byte
	ready chan struct{} // closed when mod or err is set
	mod   wowrt.Module
	err   error
	refs  int // guarded by moduleCache.mu
}

// newModuleCache returns a module cache; with a trust key and an engine
// that maps files it keeps a spare memfd of spareBytes (negative: none) for
// trusted artifacts, which close releases.
func newModuleCache(rt wowrt.Runtime, m *metrics, disk *aot.Cache, key []byte, spareBytes int64, log *slog.Logger) *moduleCache {
	c := &moduleCache{rt: rt, m: m, disk: disk, key: key, log: log, entries: map[[sha256.Size]byte]*cachedModule{}}
	if len(key) > 0 && spareBytes >= 0 && wowrt.LoadsFilesInPlace(rt) {
		c.loader = aot.NewLoader(aot.LoaderOptions{SpareBytes: spareBytes, Logger: log})
	}
	return c
}

// get returns the compiled module for wasm (taken from the zip archive,
// when the code came zipped), compiling it on a miss. The caller owns one
// reference and must put it back.
func (c *moduleCache) get(ctx context.Context, wasm, archive []byte) (*cachedModule, error) {
	key := aot.Digest(wasm) // SHA-256 as a tree, hashed on every CPU
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok {
		e.refs++
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			c.put(e)
			return nil, e.err
		}
		c.m.cacheHits.Inc()
		return e, nil
	}
	e = &cachedModule{key: key, ready: make(chan struct{}), refs: 1}
	c.entries[key] = e
	c.mu.Unlock()
	e.mod, e.err = c.compile(ctx, wasm, key, archive)
	close(e.ready)
	if e.err != nil {
		c.put(e)
		return nil, e.err
	}
	return e, nil
}

// compile makes the module: from the disk cache, else from the artifact's
// native code when it is trusted (and then stored in the disk cache, in the
// background, so that a restarted executor maps it instead of copying it
// out of the zip: 1.8 ms instead of 10 ms for a Go action on wasmtime),
// else by compiling (and storing).
func (c *moduleCache) compile(ctx context.Context, wasm []byte, sum [sha256.Size]byte, archive []byte) (wowrt.Module, error) {
	if c.disk != nil {
		if m, err := c.disk.Lookup(ctx, c.rt, sum); err == nil {
			c.m.cacheHits.Inc()
			return m, nil
		}
	}
	if archive != nil && aot.IsArtifact(archive) {
		m, native, err := c.loadArtifact(ctx, wasm, archive)
		if err == nil {
			c.m.artifacts.WithLabelValues("trusted").Inc()
			c.m.cacheHits.Inc()
			c.log.Info("loaded the trusted native code of a precompiled artifact")
			if c.disk != nil { // after the /init: 11 MB take 5 ms to write here
				c.stores.Go(func() {
					if err := c.disk.Store(c.rt, sum, native); err != nil {
						c.log.Warn("cannot store a trusted artifact's native code in the compile cache", "err", err)
					}
				})
			}
			return m, nil
		}
		reason := aot.Reason(err)
		if reason == "" {
			reason = "load_failed"
		}
		c.m.artifacts.WithLabelValues(reason).Inc()
		c.log.Warn("ignoring the native code of a precompiled artifact; compiling its .wasm", "reason", reason, "err", err)
	}
	if c.disk != nil {
		m, hit, err := c.disk.Module(ctx, c.rt, wasm, sum)
		if hit {
			c.m.cacheHits.Inc()
		} else {
			c.m.cacheMisses.Inc()
		}
		return m, err
	}
	c.m.cacheMisses.Inc()
	return c.rt.Compile(ctx, wasm)
}

// loadArtifact loads an artifact's native code if it is trusted and made
// from the very module the protocol layer took from the zip; it returns
// the module and that native code.
func (c *moduleCache) loadArtifact(ctx context.Context, wasm, archive []byte) (wowrt.Module, []byte, error) {
	a, err := aot.Read(archive)
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(a.Wasm, wasm) {
		return nil, nil, fmt.Errorf("%w: the zip's module is not %s", aot.ErrWasmMismatch, aot.WasmEntry)
	}
	m, err := c.loader.Load(ctx, c.rt, a, c.key)
	return m, a.Native, err
}

// close waits for the disk writes in flight and releases the spare memfd.
func (c *moduleCache) close() {
	c.stores.Wait()
	c.loader.Close()
}

// put drops one reference, closing the module after the last.
func (c *moduleCache) put(e *cachedModule) {
	c.mu.Lock()
	e.refs--
	last := e.refs == 0
	if last && c.entries[e.key] == e {
		delete(c.entries, e.key)
	}
	c.mu.Unlock()
	if last && e.mod != nil {
		_ = e.mod.Close(context.Background())
	}
}

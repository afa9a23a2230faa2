package executor

import (
	"context"
	"crypto/sha256"
	"sync"

	wowrt "github.com/wowrt/wow/runtime"
)

// moduleCache shares compiled modules between actions with the same code:
// the invoker fork gives every container its own id, and many ids often
// run the same action. Entries are reference counted and closed when the
// last action using them is destroyed. Concurrent inits of the same code
// compile once.
type moduleCache struct {
	rt      wowrt.Runtime
	m       *metrics
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*cachedModule
}

// cachedModule is one compiled module and its users.
type cachedModule struct {
	key   [sha256.Size]byte
	ready chan struct{} // closed when mod or err is set
	mod   wowrt.Module
	err   error
	refs  int // guarded by moduleCache.mu
}

func newModuleCache(rt wowrt.Runtime, m *metrics) *moduleCache {
	return &moduleCache{rt: rt, m: m, entries: map[[sha256.Size]byte]*cachedModule{}}
}

// get returns the compiled module for wasm, compiling it on a miss. The
// caller owns one reference and must put it back.
func (c *moduleCache) get(ctx context.Context, wasm []byte) (*cachedModule, error) {
	key := sha256.Sum256(wasm)
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
	c.m.cacheMisses.Inc()
	e.mod, e.err = c.rt.Compile(ctx, wasm)
	close(e.ready)
	if e.err != nil {
		c.put(e)
		return nil, e.err
	}
	return e, nil
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

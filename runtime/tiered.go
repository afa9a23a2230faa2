package runtime

import (
	"context"
	goruntime "runtime"
	"sync"
	"sync/atomic"
)

// Interpreted is implemented by engines that report whether they interpret
// (an engine with both an interpreter and a compiler, such as wazero). Open
// uses it to decide whether tiering is possible.
type Interpreted interface {
	// Interpreted reports whether the engine interprets rather than compiles.
	Interpreted() bool
}

// HotActivations is how many activations make a tiered module worth
// compiling: a module used once never pays the compiler.
const HotActivations = 2

// tiers is a tiered runtime's interpreter engine and its compile queue:
// modules start on the interpreter and move to compiled code once hot.
type tiers struct {
	interp Engine
	// slots bounds the background compiles running at once.
	slots chan struct{}
	// mu orders starting compiles against Close waiting for them.
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newTiers(interp Engine) *tiers {
	return &tiers{interp: interp, slots: make(chan struct{}, max(1, goruntime.GOMAXPROCS(0)/2))}
}

// close stops new background compiles and waits for running ones.
func (ts *tiers) close(ctx context.Context) {
	ts.mu.Lock()
	ts.closed = true
	ts.mu.Unlock()
	ts.wg.Wait()
	_ = ts.interp.Close(ctx)
}

// tieredModule serves instantiations from the interpreted module until the
// compiled one is ready.
type tieredModule struct {
	r    *runtime
	wasm []byte
	fast EngineModule
	full atomic.Pointer[EngineModule]
	uses atomic.Int32
	// start runs once: the background compile, or (on Close first) nothing.
	start sync.Once
	// closing stops a queued compile; closed makes a late one close its result.
	closing chan struct{}
	mu      sync.Mutex
	closed  bool
	done    chan struct{}
}

// compileTiered compiles wasm on the interpreter; the compiler follows in
// the background once the module is hot (see use).
func (r *runtime) compileTiered(ctx context.Context, wasm []byte) (EngineModule, error) {
	fast, err := r.tiers.interp.Compile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	return &tieredModule{r: r, wasm: wasm, fast: fast, closing: make(chan struct{}), done: make(chan struct{})}, nil
}

// use counts an activation and starts the background compile when the
// module becomes hot.
func (t *tieredModule) use() {
	if t.full.Load() != nil || t.uses.Add(1) != HotActivations {
		return
	}
	t.start.Do(t.compile)
}

func (t *tieredModule) compile() {
	ts := t.r.tiers
	ts.mu.Lock()
	if ts.closed {
		ts.mu.Unlock()
		close(t.done)
		return
	}
	ts.wg.Add(1)
	ts.mu.Unlock()
	go func() {
		defer ts.wg.Done()
		defer close(t.done)
		select {
		case ts.slots <- struct{}{}:
			defer func() { <-ts.slots }()
		case <-t.closing:
			return
		}
		full, err := t.r.eng.Compile(context.Background(), t.wasm)
		if err != nil {
			return // the interpreter keeps serving
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.closed {
			_ = full.Close(context.Background())
			return
		}
		t.full.Store(&full)
		t.wasm = nil
	}()
}

// tier is 0 while interpreted, 1 once compiled code serves instantiations.
func (t *tieredModule) tier() int {
	if t.full.Load() != nil {
		return 1
	}
	return 0
}

func (t *tieredModule) Imports() []Import { return t.fast.Imports() }
func (t *tieredModule) Exports() []Export { return t.fast.Exports() }

func (t *tieredModule) Instantiate(ctx context.Context, sc *SandboxConfig) (Sandbox, error) {
	if full := t.full.Load(); full != nil {
		return (*full).Instantiate(ctx, sc)
	}
	return t.fast.Instantiate(ctx, sc)
}

func (t *tieredModule) Close(ctx context.Context) error {
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		close(t.closing)
	}
	t.mu.Unlock()
	t.start.Do(func() { close(t.done) }) // never hot: nothing to wait for
	<-t.done
	err := t.fast.Close(ctx)
	if full := t.full.Load(); full != nil {
		if e := (*full).Close(ctx); err == nil {
			err = e
		}
	}
	return err
}

// moduleTier returns the tier of an engine module: 1 for anything that is
// not tiered (it is as compiled as it gets).
func moduleTier(em EngineModule) int {
	if t, ok := em.(*tieredModule); ok {
		return t.tier()
	}
	return 1
}

// useModule counts an activation of a tiered module.
func useModule(em EngineModule) {
	if t, ok := em.(*tieredModule); ok {
		t.use()
	}
}

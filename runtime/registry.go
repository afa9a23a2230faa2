package runtime

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// EngineFactory creates an Engine from its configuration.
type EngineFactory func(ctx context.Context, cfg EngineConfig) (Engine, error)

var registry = struct {
	sync.RWMutex
	factories map[string]EngineFactory
}{factories: map[string]EngineFactory{}}

// Register makes an engine available to Open under name. Engine packages
// call it from init. Registering a name twice panics.
func Register(name string, f EngineFactory) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.factories[name]; dup {
		panic("runtime: engine registered twice: " + name)
	}
	registry.factories[name] = f
}

// Engines lists the names of the engines compiled in, sorted.
func Engines() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.factories))
	for n := range registry.factories {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Open creates a Runtime on the named engine. An unknown name yields an
// error wrapping ErrUnknownEngine that lists the engines compiled in.
func Open(ctx context.Context, name string, cfg Config) (Runtime, error) {
	registry.RLock()
	f, ok := registry.factories[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (compiled in: %s)", ErrUnknownEngine, name, strings.Join(Engines(), ", "))
	}
	if cfg == nil {
		cfg = NewConfig()
	}
	ecfg := cfg.Engine()
	eng, err := f(ctx, ecfg)
	if err != nil {
		return nil, fmt.Errorf("open engine %s: %w", name, err)
	}
	rt := New(eng, cfg).(*runtime)
	if cfg.Tiering() && !ecfg.Interpreter {
		ecfg.Interpreter = true
		interp, err := f(ctx, ecfg)
		if err != nil {
			_ = eng.Close(ctx)
			return nil, fmt.Errorf("open engine %s (interpreter tier): %w", name, err)
		}
		if i, ok := interp.(Interpreted); ok && i.Interpreted() {
			rt.tiers = newTiers(interp)
		} else {
			_ = interp.Close(ctx) // no interpreter: compile only
		}
	}
	return rt, nil
}

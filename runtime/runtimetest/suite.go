// Package runtimetest is the contract every wow engine passes. An engine
// adapter runs it with one line in its tests:
//
//	func TestContract(t *testing.T) { runtimetest.Run(t, "wazero") }
//
// It covers every action ABI on real modules (WAT, C and Go examples),
// limits (timeout, memory), traps, capabilities, isolation, unicode, 1 MiB
// payloads and concurrency. A test an engine cannot pass is skipped BY NAME
// with a reason (Skip), never silently.
package runtimetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

// Option adjusts a suite run.
type Option func(*suite)

// Skip skips the named test (as in t.Run's name, e.g. "Limits/MemoryBomb")
// with a reason that the test log prints.
func Skip(name, reason string) Option {
	return func(s *suite) { s.skips[name] = reason }
}

// Timeout is the activation timeout the suite uses for limit tests.
const Timeout = 200 * time.Millisecond

// TimeoutSlack is how late after its deadline a stuck guest may be stopped:
// interruption itself takes about a millisecond, the rest is for the race
// detector and a loaded 2-CPU machine (63 ms was seen under both).
const TimeoutSlack = 100 * time.Millisecond

// Configure adjusts every Config the suite opens a Runtime with, for example
// to select an engine's interpreter.
func Configure(f func(runtime.Config) runtime.Config) Option {
	return func(s *suite) { s.configure = f }
}

type suite struct {
	engine    string
	configure func(runtime.Config) runtime.Config
	// cacheDir is a compilation cache shared by every Runtime of the run, so
	// each module compiles once per process (engines without one ignore it).
	cacheDir string
	skips    map[string]string
	// rt is the shared runtime with a generous timeout; mods caches its modules.
	rt   runtime.Runtime
	mu   sync.Mutex
	mods map[string]*compiled
}

type compiled struct {
	once sync.Once
	mod  runtime.Module
	err  error
}

// Run runs the contract suite against the engine registered under name.
func Run(t *testing.T, engine string, opts ...Option) {
	s := newSuite(t, engine, opts)
	s.rt = s.open(t, runtime.NewConfig().WithTimeout(30*time.Second))
	t.Cleanup(func() {
		for _, c := range s.mods {
			if c.mod != nil {
				_ = c.mod.Close(context.Background())
			}
		}
	})
	for _, g := range []struct {
		name  string
		tests []test
	}{
		{"Detect", s.detectTests()},
		{"Numeric", s.numericTests()},
		{"Limits", s.limitTests()},
		{"Capabilities", s.capabilityTests()},
		{"ABIs", s.abiTests()},
		{"Examples", s.exampleTests()},
		{"Payloads", s.payloadTests()},
		{"Isolation", s.isolationTests()},
		{"Concurrency", s.concurrencyTests()},
		{"Lifecycle", s.lifecycleTests()},
	} {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				full := g.name + "/" + tc.name
				t.Run(tc.name, func(t *testing.T) {
					if why, ok := s.skips[full]; ok {
						t.Skipf("skipped on engine %s: %s", s.engine, why)
					}
					tc.fn(t)
				})
			}
		})
	}
}

type test struct {
	name string
	fn   func(t *testing.T)
}

func newSuite(t testing.TB, engine string, opts []Option) *suite {
	s := &suite{engine: engine, skips: map[string]string{}, mods: map[string]*compiled{}, cacheDir: t.TempDir()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// open opens a Runtime on the suite's engine, closed when t ends.
func (s *suite) open(t testing.TB, cfg runtime.Config) runtime.Runtime {
	t.Helper()
	if s.cacheDir != "" {
		cfg = cfg.WithCompilationCacheDir(s.cacheDir)
	}
	if s.configure != nil {
		cfg = s.configure(cfg)
	}
	rt, err := runtime.Open(context.Background(), s.engine, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close(context.Background()) })
	return rt
}

// source returns the bytes of "wat:NAME", "c:NAME" or "go:NAME".
func source(t testing.TB, name string) []byte {
	t.Helper()
	switch {
	case len(name) > 4 && name[:4] == "wat:":
		return wat.Module(name[4:])
	case len(name) > 2 && name[:2] == "c:":
		return c.Module(name[2:])
	case len(name) > 3 && name[:3] == "go:":
		return testactions.Go(t, name[3:])
	}
	t.Fatalf("runtimetest: bad module name %q", name)
	return nil
}

// module compiles a module once on the shared runtime.
func (s *suite) module(t testing.TB, name string) runtime.Module {
	t.Helper()
	s.mu.Lock()
	c, ok := s.mods[name]
	if !ok {
		c = &compiled{}
		s.mods[name] = c
	}
	s.mu.Unlock()
	c.once.Do(func() { c.mod, c.err = s.rt.Compile(context.Background(), source(t, name)) })
	require.NoError(t, c.err, "compile %s", name)
	require.NotNil(t, c.mod, "compile %s failed in another test", name)
	return c.mod
}

// compileOn compiles name on rt, closed when t ends.
func compileOn(t testing.TB, rt runtime.Runtime, name string) runtime.Module {
	t.Helper()
	m, err := rt.Compile(context.Background(), source(t, name))
	require.NoError(t, err, "compile %s", name)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

// instantiate creates an instance closed when t ends.
func instantiate(t testing.TB, m runtime.Module, cfg runtime.InstanceConfig) runtime.Instance {
	t.Helper()
	inst, err := m.Instantiate(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	return inst
}

// invoke runs one activation with params on a fresh instance.
func invoke(t testing.TB, m runtime.Module, cfg runtime.InstanceConfig, params string) (*runtime.Result, error) {
	t.Helper()
	if cfg == nil {
		cfg = runtime.NewInstanceConfig()
	}
	inst := instantiate(t, m, cfg)
	return inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(params)})
}

// mustInvoke is invoke that requires success and returns the result JSON.
func mustInvoke(t testing.TB, m runtime.Module, cfg runtime.InstanceConfig, params string) string {
	t.Helper()
	res, err := invoke(t, m, cfg, params)
	require.NoError(t, err)
	return string(res.Value)
}

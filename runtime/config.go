package runtime

import (
	"fmt"
	"time"
)

// PageSize is the size of one WebAssembly linear-memory page.
const PageSize = 65536

// Defaults that follow OpenWhisk's action limits.
const (
	// DefaultMemoryLimitBytes is OpenWhisk's default action memory: 256 MiB.
	DefaultMemoryLimitBytes = 256 << 20
	// DefaultTimeout is OpenWhisk's default action timeout: 60 s.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxResultBytes is OpenWhisk's result size limit: 1 MiB.
	DefaultMaxResultBytes = 1 << 20
	// DefaultMaxLogBytes is OpenWhisk's per-activation log limit: 10 MiB.
	DefaultMaxLogBytes = 10 << 20
)

// Config configures a Runtime. It is immutable: every With method returns a
// new Config and leaves the receiver unchanged.
type Config interface {
	// WithMemoryLimitPages caps every instance's linear memory at pages
	// 64 KiB pages. The cap bounds the process too: engines must not need
	// more than about the guest's memory to provide it.
	WithMemoryLimitPages(pages uint32) Config
	// WithMemoryLimitBytes is WithMemoryLimitPages rounded down to whole pages.
	WithMemoryLimitBytes(bytes uint64) Config
	// WithTimeout sets the timeout applied to activations whose context and
	// payload carry no earlier deadline. Zero means no default timeout.
	WithTimeout(d time.Duration) Config
	// WithFuel bounds every activation to n units of engine fuel (0 = off).
	// Engines without fuel return ErrUnsupported from Open.
	WithFuel(n uint64) Config
	// WithCompilationCacheDir persists compiled code in dir across processes.
	WithCompilationCacheDir(dir string) Config
	// WithInterpreter selects the engine's interpreter instead of its
	// compiler, where it has both.
	WithInterpreter(on bool) Config
	// WithTiering makes Compile return with the engine's interpreter, which
	// compiles in microseconds rather than milliseconds; once a module has
	// served HotActivations activations the compiler builds it in the
	// background and instances move to compiled code when it is ready (a
	// warm instance at its next activation, starting afresh like a recycled
	// OpenWhisk container). Only engines with an interpreter tier (wazero);
	// others ignore it.
	WithTiering(on bool) Config
	// WithMaxResultBytes bounds an activation's result (default 1 MiB).
	WithMaxResultBytes(n int) Config
	// WithMaxLogBytes bounds what one activation may log; the excess is
	// dropped and a truncation notice written (default 10 MiB).
	WithMaxLogBytes(n int) Config

	// Engine returns the settings engines see.
	Engine() EngineConfig
	// Timeout returns the default activation timeout.
	Timeout() time.Duration
	// MaxResultBytes returns the result size bound.
	MaxResultBytes() int
	// MaxLogBytes returns the per-activation log bound.
	MaxLogBytes() int
	// Tiering reports whether tiered compilation is on.
	Tiering() bool
}

// EngineConfig is the part of Config an engine adapter applies.
type EngineConfig struct {
	// MemoryLimitPages is the per-instance linear memory cap in pages.
	MemoryLimitPages uint32
	// Fuel is the per-activation fuel budget; 0 means no fuel metering.
	Fuel uint64
	// CompilationCacheDir, when set, is where compiled code persists.
	CompilationCacheDir string
	// Interpreter selects an interpreter where the engine has one.
	Interpreter bool
	// HostFuncs are the host functions the engine must make importable. The
	// runtime decides per instance which of them a guest may use.
	HostFuncs []HostFunc
}

type config struct {
	engine         EngineConfig
	timeout        time.Duration
	maxResultBytes int
	maxLogBytes    int
	tiering        bool
}

// NewConfig returns the default Config: 256 MiB memory, 60 s timeout, 1 MiB
// results, 10 MiB logs, no fuel, the engine's compiler.
func NewConfig() Config {
	return &config{
		engine:         EngineConfig{MemoryLimitPages: DefaultMemoryLimitBytes / PageSize},
		timeout:        DefaultTimeout,
		maxResultBytes: DefaultMaxResultBytes,
		maxLogBytes:    DefaultMaxLogBytes,
	}
}

func (c *config) clone() *config { n := *c; return &n }

func (c *config) WithMemoryLimitPages(pages uint32) Config {
	n := c.clone()
	n.engine.MemoryLimitPages = min(pages, 65536)
	return n
}

func (c *config) WithMemoryLimitBytes(bytes uint64) Config {
	return c.WithMemoryLimitPages(uint32(min(bytes/PageSize, 65536)))
}

func (c *config) WithTimeout(d time.Duration) Config { n := c.clone(); n.timeout = d; return n }
func (c *config) WithFuel(f uint64) Config           { n := c.clone(); n.engine.Fuel = f; return n }
func (c *config) WithCompilationCacheDir(dir string) Config {
	n := c.clone()
	n.engine.CompilationCacheDir = dir
	return n
}
func (c *config) WithInterpreter(on bool) Config { n := c.clone(); n.engine.Interpreter = on; return n }
func (c *config) WithMaxResultBytes(b int) Config {
	n := c.clone()
	n.maxResultBytes = b
	return n
}
func (c *config) WithMaxLogBytes(b int) Config { n := c.clone(); n.maxLogBytes = b; return n }
func (c *config) WithTiering(on bool) Config   { n := c.clone(); n.tiering = on; return n }

func (c *config) Engine() EngineConfig {
	e := c.engine
	e.HostFuncs = hostFuncs()
	return e
}
func (c *config) Timeout() time.Duration { return c.timeout }
func (c *config) MaxResultBytes() int    { return c.maxResultBytes }
func (c *config) MaxLogBytes() int       { return c.maxLogBytes }
func (c *config) Tiering() bool          { return c.tiering }

// CheckInitialMemory is the check every engine adapter makes before
// instantiating: a module whose initial memory (minPages) exceeds the
// sandbox's limit fails with ErrMemoryLimit instead of being instantiated.
func CheckInitialMemory(minPages, limitPages uint32) error {
	if limitPages > 0 && minPages > limitPages {
		return fmt.Errorf("%w: the module needs %d pages of memory at start, the limit is %d",
			ErrMemoryLimit, minPages, limitPages)
	}
	return nil
}

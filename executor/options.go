package executor

import (
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// Defaults of the Options fields.
const (
	// DefaultMaxConcurrency bounds the activations running at once.
	DefaultMaxConcurrency = 128
	// DefaultIdleTTL is how long an idle warm instance is kept.
	DefaultIdleTTL = 10 * time.Minute
)

// DefaultPoolSize is the number of idle warm instances kept per action by
// default: one per CPU the Go scheduler uses.
func DefaultPoolSize() int { return runtime.GOMAXPROCS(0) }

// Options configures an [Executor]. Only Runtime is required; zero fields
// take the defaults.
type Options struct {
	// Runtime compiles and runs the actions. The Executor does not close it.
	Runtime wowrt.Runtime
	// MaxConcurrency bounds the activations running at once; further /runs
	// wait for a slot until their deadline, then fail with
	// ow.ErrOverloaded (503). Default DefaultMaxConcurrency.
	MaxConcurrency int
	// PoolSize bounds the idle warm instances kept per action (reusable
	// ABIs, and the cheap instances of single-shot ABIs). Default
	// DefaultPoolSize().
	PoolSize int
	// IdleTTL closes warm instances idle for longer. Default
	// DefaultIdleTTL; negative keeps them until the action is destroyed.
	IdleTTL time.Duration
	// ForceFresh runs every activation on a fresh instance, never reusing a
	// warm one.
	ForceFresh bool
	// QueueTimeout bounds the wait for a slot of a /run without deadline.
	// Default: the Runtime's activation timeout.
	QueueTimeout time.Duration
	// Stdout and Stderr receive the actions' logs and the activation
	// sentinels: normally os.Stdout and os.Stderr. Default: discarded.
	Stdout, Stderr io.Writer
	// Logger receives the executor's own structured logs. Default: discarded.
	Logger *slog.Logger
	// Registry receives the executor's metrics and is what /metrics serves.
	// Default: a new registry.
	Registry *prometheus.Registry
	// Limits bounds code and params (ow.Limits defaults).
	Limits ow.Limits
	// APIHost is __OW_API_HOST for activations whose /run omits it;
	// "wow serve" passes its own __OW_API_HOST environment variable.
	APIHost string
	// DirRoot, when set, confines the "dir" annotation: the directory must
	// resolve inside DirRoot. Without DirRoot any absolute directory is
	// allowed, but never a path with ".." elements.
	DirRoot string
	// CacheDir, when set, is a persistent compile cache (aot.Cache): a
	// module compiled once is loaded, not compiled, by every later /init,
	// in this process or after a restart.
	CacheDir string
	// CacheMaxBytes bounds CacheDir (least recently used entries are
	// evicted). Default aot.DefaultCacheMaxBytes.
	CacheMaxBytes int64
	// TrustKey verifies precompiled artifacts (package aot): an /init whose
	// zip carries native code signed with this key, for this engine,
	// version, CPU and configuration, loads that code instead of compiling.
	// Any other artifact is compiled from its .wasm, and the reason logged.
	// Without a key no native code from an /init is ever loaded.
	TrustKey []byte
	// ArtifactSpareBytes bounds the spare memfd (aot.Loader) whose pages
	// are allocated ahead of time for the native code of the next trusted
	// artifact, on Linux, with a TrustKey, for an engine that maps files
	// (wasmtime): a trusted /init copies its native code into memory
	// already allocated, which about halves the copy here. The spare holds
	// up to this much shared memory while the Executor is open. Default
	// aot.DefaultSpareBytes; negative keeps no spare.
	ArtifactSpareBytes int64
}

func (o Options) withDefaults() Options {
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = DefaultMaxConcurrency
	}
	if o.PoolSize <= 0 {
		o.PoolSize = DefaultPoolSize()
	}
	if o.IdleTTL == 0 {
		o.IdleTTL = DefaultIdleTTL
	}
	if o.QueueTimeout <= 0 && o.Runtime != nil {
		o.QueueTimeout = o.Runtime.Config().Timeout()
	}
	if o.QueueTimeout <= 0 {
		o.QueueTimeout = wowrt.DefaultTimeout
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	return o
}

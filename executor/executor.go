package executor

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// Executor serves OpenWhisk's action protocol (package ow) on a
// runtime.Runtime: compiled modules shared per code, warm instance pools
// per action, admission control, metrics at GET /metrics. It is an
// http.Handler; Init, Run and Destroy drive the same protocol in process.
// An Executor is safe for concurrent use.
type Executor struct {
	opts    Options
	log     *slog.Logger
	m       *metrics
	adm     *admission
	modules *moduleCache
	proto   *ow.Handler
	metrics http.Handler

	mu      sync.Mutex
	actions map[*action]struct{}

	stopJanitor chan struct{}
	janitorDone chan struct{}
	closeOnce   sync.Once
}

// New returns an Executor. It starts the idle-pool janitor, which Close stops.
func New(opts Options) (*Executor, error) {
	if opts.Runtime == nil {
		return nil, errors.New("executor: Options.Runtime is required")
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	var disk *aot.Cache
	if opts.CacheDir != "" {
		if disk, err = aot.OpenCache(opts.CacheDir, aot.CacheOptions{MaxBytes: opts.CacheMaxBytes, Logger: opts.Logger}); err != nil {
			return nil, err
		}
	}
	e := &Executor{
		opts:        opts,
		log:         opts.Logger,
		m:           m,
		adm:         newAdmission(opts.MaxConcurrency, opts.QueueTimeout, m),
		modules:     newModuleCache(opts.Runtime, m, disk, opts.TrustKey, opts.ArtifactSpareBytes, opts.Logger),
		metrics:     promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{}),
		actions:     map[*action]struct{}{},
		stopJanitor: make(chan struct{}),
		janitorDone: make(chan struct{}),
	}
	e.proto = ow.NewHandler(backend{e}, ow.Options{
		Stdout:  opts.Stdout,
		Stderr:  opts.Stderr,
		Limits:  opts.Limits,
		APIHost: opts.APIHost,
	})
	go e.janitor()
	return e, nil
}

// ServeHTTP serves GET /metrics and the OpenWhisk protocol (ow.Handler).
func (e *Executor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		e.metrics.ServeHTTP(w, r)
		return
	}
	e.proto.ServeHTTP(w, r)
}

// Init loads an action under id ("" for the single-action protocol), as
// POST /init or /{id}/init would, from a decoded payload.
func (e *Executor) Init(ctx context.Context, id string, p *wowrt.InitPayload) error {
	return e.proto.Init(ctx, id, p)
}

// Run runs one activation of id's action, as POST /run or /{id}/run would:
// logs and sentinels go to Options.Stdout and Options.Stderr.
func (e *Executor) Run(ctx context.Context, id string, p *wowrt.RunPayload) (*wowrt.Result, error) {
	return e.proto.Run(ctx, id, p)
}

// Destroy unloads id's action, as POST /{id}/destroy would.
func (e *Executor) Destroy(ctx context.Context, id string) error {
	return e.proto.Destroy(ctx, id)
}

// Close unloads every action, stops the janitor, waits for background
// writes to the compile cache and releases the spare memfd for trusted
// artifacts. It does not close the Runtime.
func (e *Executor) Close(ctx context.Context) error {
	var err error
	e.closeOnce.Do(func() {
		close(e.stopJanitor)
		<-e.janitorDone
		err = e.proto.Close(ctx)
		e.modules.close()
	})
	return err
}

// track and forget maintain the set of actions the janitor visits.
func (e *Executor) track(a *action) {
	e.mu.Lock()
	e.actions[a] = struct{}{}
	e.mu.Unlock()
	e.m.actions.Inc()
}

func (e *Executor) forget(a *action) {
	e.mu.Lock()
	_, ok := e.actions[a]
	delete(e.actions, a)
	e.mu.Unlock()
	if ok {
		e.m.actions.Dec()
	}
}

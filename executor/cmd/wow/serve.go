package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/executor"
	"github.com/wowrt/wow/ow"
	"github.com/wowrt/wow/runtime"
)

// serveFlags are wow serve's settings.
type serveFlags struct {
	addr, engine, memLimit, cacheDir, logFormat, logLevel, dirRoot string
	cacheMax, trustKey, spareBytes                                 string
	timeout, idleTTL, grace                                        time.Duration
	maxConc, poolSize                                              int
	fresh, interpreter, tiered                                     bool
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wow serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	fs.StringVar(&f.addr, "addr", ":8080", "listen address (OpenWhisk runtimes listen on :8080)")
	fs.StringVar(&f.engine, "engine", defaultEngine, "engine: "+strings.Join(runtime.Engines(), ", "))
	fs.StringVar(&f.memLimit, "memory-limit", "256MiB", "linear memory limit per instance (e.g. 128MiB)")
	fs.DurationVar(&f.timeout, "timeout", runtime.DefaultTimeout, "activation timeout when /run carries no earlier deadline")
	fs.IntVar(&f.maxConc, "max-concurrency", executor.DefaultMaxConcurrency, "activations running at once; more wait for a slot until their deadline, then get 503")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "persist compiled code in this directory across restarts (an authenticated, size-bounded compile cache)")
	fs.StringVar(&f.cacheMax, "cache-max-bytes", "4GiB", "bound --cache-dir, evicting the least recently used entries")
	fs.StringVar(&f.trustKey, "trust-key", "", "load the native code of precompiled artifacts signed with the key in this file (wow precompile --sign-key); without it every action is compiled from its .wasm")
	fs.StringVar(&f.spareBytes, "artifact-spare-bytes", "32MiB", "with --trust-key on an engine that maps files (wasmtime): keep a memfd of up to this size allocated ahead of time for the native code of the next trusted artifact, about halving its copy (0: none)")
	fs.StringVar(&f.logFormat, "log-format", "text", "format of wow's own logs on stderr: text or json")
	fs.StringVar(&f.logLevel, "log-level", "warn", "level of wow's own logs: debug, info, warn or error (OpenWhisk reads stderr as action logs)")
	fs.IntVar(&f.poolSize, "pool-size", executor.DefaultPoolSize(), "idle warm instances kept per action")
	fs.DurationVar(&f.idleTTL, "idle-ttl", executor.DefaultIdleTTL, "close warm instances idle this long (negative: never)")
	fs.BoolVar(&f.fresh, "fresh", false, "run every activation on a fresh instance (no warm reuse)")
	fs.DurationVar(&f.grace, "grace", 30*time.Second, "on SIGTERM, how long in-flight activations may finish")
	fs.StringVar(&f.dirRoot, "dir-root", "", "confine the dir annotation to directories inside this one")
	fs.BoolVar(&f.interpreter, "interpreter", false, "use the engine's interpreter instead of its compiler")
	fs.BoolVar(&f.tiered, "tiered", true, "start never-seen actions on the engine's interpreter while compiling them in the background (engines with an interpreter: wazero)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wow serve [flags]\n\nServes OpenWhisk's action protocol (POST /init, /run) and the multi-action\nprotocol (POST /{id}/init, /{id}/run, /{id}/destroy); GET /metrics for Prometheus.\nAction logs go to stdout and stderr, each activation's ended by OpenWhisk's sentinel line.\n\nEngines compiled in: "+strings.Join(runtime.Engines(), ", ")+"\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wow serve: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return exitUsage
	}
	logger, err := newLogger(f.logFormat, f.logLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "wow serve: %v\n", err)
		return exitUsage
	}
	limit, err := executor.ParseSize(f.memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "wow serve: --memory-limit: %v\n", err)
		return exitUsage
	}
	cacheMax, err := executor.ParseSize(f.cacheMax)
	if err != nil {
		fmt.Fprintf(stderr, "wow serve: --cache-max-bytes: %v\n", err)
		return exitUsage
	}
	spare, err := executor.ParseSize(f.spareBytes)
	if err != nil || spare > 1<<40 {
		fmt.Fprintf(stderr, "wow serve: --artifact-spare-bytes: %v\n", cmp.Or(err, errors.New("at most 1TiB")))
		return exitUsage
	}
	spareBytes := int64(spare)
	if spare == 0 {
		spareBytes = -1 // the executor's "none"
	}
	var trust []byte
	if f.trustKey != "" {
		if trust, err = aot.ReadKeyFile(f.trustKey); err != nil {
			fmt.Fprintf(stderr, "wow serve: --trust-key: %v\n", err)
			return exitUsage
		}
	}
	if err := serve(ctx, f, limit, int64(cacheMax), spareBytes, trust, logger, stdout, stderr); err != nil {
		logger.Error("wow serve failed", "err", err)
		return exitFailed
	}
	return exitOK
}

// newLogger returns wow's own structured logger on w. OpenWhisk collects a
// runtime's stderr as its actions' logs, so the default level is warn.
func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// serve runs the executor until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, f serveFlags, memLimit uint64, cacheMax, spareBytes int64, trust []byte, logger *slog.Logger, stdout, stderr io.Writer) error {
	// --cache-dir is the executor's compile cache (package aot), not the
	// engine's own: one authenticated cache for every engine.
	cfg := runtime.NewConfig().WithTimeout(f.timeout).WithMemoryLimitBytes(memLimit).
		WithInterpreter(f.interpreter).WithTiering(f.tiered)
	rt, err := runtime.Open(ctx, f.engine, cfg)
	if err != nil {
		return err
	}
	defer rt.Close(context.Background())
	ex, err := executor.New(executor.Options{
		Runtime:            rt,
		MaxConcurrency:     f.maxConc,
		PoolSize:           f.poolSize,
		IdleTTL:            f.idleTTL,
		ForceFresh:         f.fresh,
		Stdout:             stdout,
		Stderr:             stderr,
		Logger:             logger,
		Limits:             ow.Limits{},
		APIHost:            os.Getenv("__OW_API_HOST"),
		DirRoot:            f.dirRoot,
		CacheDir:           f.cacheDir,
		CacheMaxBytes:      cacheMax,
		TrustKey:           trust,
		ArtifactSpareBytes: spareBytes,
	})
	if err != nil {
		return err
	}
	defer ex.Close(context.Background())
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           ex,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("wow serving", "addr", ln.Addr().String(), "engine", rt.Name(), "engine_version", rt.Version(),
		"memory_limit", memLimit, "timeout", f.timeout, "max_concurrency", f.maxConc, "pool_size", f.poolSize)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", f.grace)
	sctx, cancel := context.WithTimeout(context.Background(), f.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("grace period over, closing remaining connections", "err", err)
		_ = srv.Close()
	}
	<-errc
	logger.Info("stopped")
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wowrt/wow/executor"
	"github.com/wowrt/wow/runtime"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// Exit codes of wow run.
const (
	exitOK       = 0
	exitFailed   = 1 // the activation failed: timeout, trap, limit, ...
	exitUsage    = 2
	exitAppError = 3 // the action returned {"error": ...}
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wow run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	engine := fs.String("engine", defaultEngine, "engine: "+strings.Join(runtime.Engines(), ", "))
	timeout := fs.Duration("timeout", runtime.DefaultTimeout, "activation timeout")
	memLimit := fs.String("memory-limit", "256MiB", "linear memory limit (e.g. 128MiB)")
	mainName := fs.String("main", "main", "entry point for numeric actions")
	net := fs.Bool("net", false, "grant the http.get capability (net_access)")
	var dirs, env listFlag
	fs.Var(&dirs, "dir", "preopen a host directory as HOST[:GUEST] (repeatable)")
	fs.Var(&env, "env", "set an environment variable KEY=VALUE for the action (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wow run [flags] ACTION.wasm [PARAMS-JSON]\n\nInvokes the action once: the result goes to stdout, the action's logs to stderr.\nExit codes: 0 success, 1 failed activation, 2 usage, 3 the action returned an error.\n\nFlags:")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) < 1 || len(pos) > 2 {
		fs.Usage()
		return exitUsage
	}
	params := "{}"
	if len(pos) == 2 {
		params = pos[1]
	}
	if !json.Valid([]byte(params)) {
		fmt.Fprintf(stderr, "wow run: params are not JSON: %s\n", params)
		return exitUsage
	}
	limit, err := executor.ParseSize(*memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "wow run: --memory-limit: %v\n", err)
		return exitUsage
	}
	icfg := runtime.NewInstanceConfig().WithMain(*mainName).WithStdout(stderr).WithStderr(stderr)
	if *net {
		icfg = icfg.WithCapabilities(runtime.CapNet)
	}
	for _, d := range dirs {
		host, guest, _ := strings.Cut(d, ":")
		icfg = icfg.WithDir(runtime.DirMount{HostPath: host, GuestPath: guest})
	}
	envMap := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			fmt.Fprintf(stderr, "wow run: --env %q: want KEY=VALUE\n", kv)
			return exitUsage
		}
		envMap[k] = v
	}
	icfg = icfg.WithEnv(envMap)
	cfg := runtime.NewConfig().WithTimeout(*timeout).WithMemoryLimitBytes(limit)
	res, err := invokeOnce(ctx, *engine, cfg, icfg, pos[0], params)
	if err != nil {
		fmt.Fprintf(stderr, "wow run: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(stdout, string(res.Value))
	if res.IsApplicationError() {
		return exitAppError
	}
	return exitOK
}

// invokeOnce compiles, instantiates and invokes path once.
func invokeOnce(ctx context.Context, engine string, cfg runtime.Config, icfg runtime.InstanceConfig, path, params string) (*runtime.Result, error) {
	rt, err := runtime.Open(ctx, engine, cfg)
	if err != nil {
		return nil, err
	}
	defer rt.Close(ctx)
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mod, err := rt.Compile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	defer mod.Close(ctx)
	inst, err := mod.Instantiate(ctx, icfg)
	if err != nil {
		return nil, err
	}
	defer inst.Close(ctx)
	return inst.Invoke(ctx, &runtime.RunPayload{Params: json.RawMessage(params), Deadline: time.Now().Add(cfg.Timeout())})
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

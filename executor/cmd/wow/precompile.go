package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/executor"
	"github.com/wowrt/wow/runtime"
)

func precompileCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wow precompile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	engine := fs.String("engine", defaultEngine, "engine to compile for: "+strings.Join(runtime.Engines(), ", "))
	signKey := fs.String("sign-key", "", "sign the artifact with the key in this file (hex or raw bytes; see wow keygen)")
	out := fs.String("o", "", "write the artifact zip here (required)")
	memLimit := fs.String("memory-limit", "256MiB", "the memory limit of the executors that will load it (wow serve --memory-limit)")
	interpreter := fs.Bool("interpreter", false, "as wow serve --interpreter (engines whose interpreter compiles nothing refuse)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wow precompile [flags] ACTION.wasm -o ACTION.zip\n\nCompiles an action ahead of time for one engine, version, CPU and configuration.\nThe zip is a valid OpenWhisk action (wsk action create NAME ACTION.zip --kind wasm:0.1):\nit holds the original .wasm, which any wow compiles, and the native code, which\nonly an executor started with --trust-key (the --sign-key file) loads, when it\nmatches its engine, engine version, CPU and configuration.\n\nFlags:")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 || *out == "" {
		fs.Usage()
		return exitUsage
	}
	limit, err := executor.ParseSize(*memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "wow precompile: --memory-limit: %v\n", err)
		return exitUsage
	}
	var key []byte
	if *signKey != "" {
		if key, err = aot.ReadKeyFile(*signKey); err != nil {
			fmt.Fprintf(stderr, "wow precompile: --sign-key: %v\n", err)
			return exitUsage
		}
	}
	wasm, err := os.ReadFile(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "wow precompile: %v\n", err)
		return exitUsage
	}
	cfg := runtime.NewConfig().WithMemoryLimitBytes(limit).WithInterpreter(*interpreter)
	rt, err := runtime.Open(ctx, *engine, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "wow precompile: %v\n", err)
		return exitUsage
	}
	defer rt.Close(context.Background())
	zb, err := aot.Precompile(ctx, rt, wasm, key, aot.Options{WowVersion: wowVersion()})
	if err != nil {
		fmt.Fprintf(stderr, "wow precompile: %v\n", err)
		return exitFailed
	}
	if err := os.WriteFile(*out, zb, 0o644); err != nil {
		fmt.Fprintf(stderr, "wow precompile: %v\n", err)
		return exitFailed
	}
	signed := "unsigned"
	if key != nil {
		signed = "signed"
	}
	fmt.Fprintf(stdout, "%s: %s %s artifact for %s %s, %d bytes\n", *out, signed, *engine, rt.Name(), rt.Version(), len(zb))
	return exitOK
}

func keygenCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wow keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the new key here (required; never overwritten)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wow keygen -o FILE\n\nWrites a random 32-byte key as 64 hex digits (mode 0600) for\nwow precompile --sign-key and wow serve --trust-key.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if _, err := aot.WriteKeyFile(*out); err != nil {
		fmt.Fprintf(stderr, "wow keygen: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: new key\n", *out)
	return exitOK
}

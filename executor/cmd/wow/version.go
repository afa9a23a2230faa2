package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"slices"

	"github.com/wowrt/wow/runtime"
)

// defaultEngine is the engine used when --engine is not given.
const defaultEngine = "wazero"

func sortedCommands() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func wowVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func versionCmd(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "wow %s\nengines:\n", wowVersion())
	for _, name := range runtime.Engines() {
		rt, err := runtime.Open(ctx, name, runtime.NewConfig())
		if err != nil {
			fmt.Fprintf(stdout, "  %s (unavailable: %v)\n", name, err)
			continue
		}
		fmt.Fprintf(stdout, "  %s %s\n", name, rt.Version())
		_ = rt.Close(ctx)
	}
	return 0
}

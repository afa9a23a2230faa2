// Command wow runs Apache OpenWhisk actions as WebAssembly modules.
//
//	wow run [flags] ACTION.wasm [PARAMS-JSON]   invoke an action once
//	wow serve [flags]                           serve OpenWhisk's action protocol
//	wow precompile [flags] IN.wasm -o OUT.zip   compile an action ahead of time
//	wow keygen -o FILE                          make a signing key
//	wow version                                 print the version and engines
//
// Run "wow COMMAND -h" for a command's flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/runtime"
)

// command is one subcommand: it returns the process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{
	"run":        {"invoke an action once and print its result", runCmd},
	"precompile": {"compile an action ahead of time into a (signed) artifact zip", precompileCmd},
	"keygen":     {"write a random key for precompile --sign-key and serve --trust-key", keygenCmd},
	"serve":      {"serve the OpenWhisk action protocol over HTTP (default :8080)", serveCmd},
	"version":    {"print wow's version and the engines compiled in", versionCmd},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wow: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "wow runs Apache OpenWhisk actions as WebAssembly modules.")
	fmt.Fprintln(w, "\nUsage: wow COMMAND [flags] [args]\n\nCommands:")
	for _, name := range sortedCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintf(w, "\nEngines compiled in: %s (default %s)\n", strings.Join(runtime.Engines(), ", "), defaultEngine)
}

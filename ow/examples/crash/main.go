//go:build wasip1

// Command crash is a wasi-command action that fails: it writes
// "about to fail" to stderr and exits with status 3.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "about to fail")
	os.Exit(3)
}

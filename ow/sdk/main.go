package sdk

import (
	"fmt"
	"io"
	"os"
)

// Main runs fn as a wasi-command action (ABI 1) and exits: it reads the
// params JSON object from stdin (empty stdin is an empty object), calls fn and
// writes the result as one line of JSON to stdout, then exits with status 0,
// also when fn returns an error (the result is then {"error": err.Error()}).
// Input that is not a JSON object is reported on stderr and exits with
// status 1, an action failure. A panic in fn is not recovered: the process
// dies with a non-zero status and the panic on stderr.
func Main(fn Func) {
	os.Exit(run(fn, os.Stdin, os.Stdout, os.Stderr))
}

// run is Main without the process: it returns the exit status.
func run(fn Func, stdin io.Reader, stdout, stderr io.Writer) int {
	data, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "wow sdk: reading stdin: %v\n", err)
		return 1
	}
	params, err := decodeParams(data)
	if err != nil {
		fmt.Fprintf(stderr, "wow sdk: %v\n", err)
		return 1
	}
	line := append(encodeResult(fn(params)), '\n')
	if _, err := stdout.Write(line); err != nil {
		fmt.Fprintf(stderr, "wow sdk: writing result: %v\n", err)
		return 1
	}
	return 0
}

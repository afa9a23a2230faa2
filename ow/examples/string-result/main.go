//go:build wasip1

// Command string-result is a wasi-command action whose result line is the
// JSON string "just a string": OpenWhisk accepts only objects and arrays, so
// a runtime must reject it (502, "The action did not return a dictionary or
// array.").
package main

import "fmt"

func main() {
	fmt.Println(`"just a string"`)
}

// Package wat holds small hand-written WebAssembly text modules used by
// wow's tests, with their compiled .wasm checked in next to them. Regenerate
// with go generate (needs wat2wasm from wabt).
//
// Numeric ABI (3): answer (_start() → 42), sum (a+b i32), divzero (a/b,
// traps on b=0), f64add (a f64 + b i64 → f64), sleep (busy-waits 3000 ms on
// platform.now), stuck (infinite loop), trap (unreachable), membomb (grows
// and dirties memory until memory.grow fails, then traps), nettest (returns
// http.get(), needs the net capability). Invalid: noabi (exports only foo),
// badimport (imports env.whatever). startloop has a start section that never
// returns (instantiation must time out). spin (numeric) returns its argument
// when it is 0 and spins forever otherwise.
package wat

import (
	"embed"
	"fmt"
)

//go:generate sh -c "for f in *.wat; do wat2wasm $DOLLAR{f} -o $DOLLAR{f%.wat}.wasm || exit 1; done"

// FS holds the compiled modules, named NAME.wasm.
//
//go:embed *.wasm
var FS embed.FS

// Module returns the compiled module NAME.wasm ("answer", "sum", ...). It
// panics if there is no such module.
func Module(name string) []byte {
	b, err := FS.ReadFile(name + ".wasm")
	if err != nil {
		panic(fmt.Sprintf("wat.Module: no module %q in ow/examples/wat: %v", name, err))
	}
	return b
}

// Package c holds small WebAssembly actions written in C, with their
// compiled .wasm checked in next to them: add (wasi-command, ABI 1),
// add_membuf (memory-buffer, ABI 2) and add_reactor (reactor, ABI 4). Each
// adds the integer params param1 and param2. The sources are in src/ (C files
// cannot sit next to Go files without cgo). Regenerate with go generate
// (Debian: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32).
package c

import (
	"embed"
	"fmt"
)

//go:generate clang-14 --target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-all -o add.wasm src/add.c
//go:generate clang-14 --target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-all -o add_membuf.wasm src/add_membuf.c
//go:generate clang-14 --target=wasm32-wasi -O2 -Wall -Wextra -Wl,--strip-all -mexec-model=reactor -o add_reactor.wasm src/add_reactor.c

// FS holds the compiled modules, named NAME.wasm.
//
//go:embed *.wasm
var FS embed.FS

// Module returns the compiled module NAME.wasm ("add", "add_membuf",
// "add_reactor"). It panics if there is no such module.
func Module(name string) []byte {
	b, err := FS.ReadFile(name + ".wasm")
	if err != nil {
		panic(fmt.Sprintf("c.Module: no module %q in ow/examples/c: %v", name, err))
	}
	return b
}

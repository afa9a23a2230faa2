// Package wamr is wow's WAMR engine (WebAssembly Micro Runtime, cgo against
// wasm_export.h of WAMR 2.x). Built with the tag wamr, importing it
// registers the engine "wamr"; without the tag it is empty. It links a
// libiwasm the user installs: build with
//
//	CGO_CFLAGS=-I$WAMR_ROOT/include CGO_LDFLAGS="-L$WAMR_ROOT/lib -liwasm" go build -tags wamr
package wamr

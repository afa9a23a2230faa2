//go:build wasip1

package reactor

import (
	"unsafe"

	"github.com/wowrt/wow/ow/sdk"
)

var (
	// request is the buffer wow_alloc hands out; the host writes the next
	// request into it. Package-level so the GC keeps it (Go's GC never
	// moves objects).
	request []byte
	// result holds the last result until the next call, as the ABI requires.
	result []byte
)

// alloc returns the address of size writable bytes, reusing the buffer when
// it is big enough.
//
//go:wasmexport wow_alloc
func alloc(size int32) int32 {
	if size < 1 {
		size = 1
	}
	if int(size) > cap(request) {
		request = make([]byte, size)
	}
	request = request[:size]
	return int32(addr(request))
}

// handle runs one activation on the request at ptr and returns the address
// and length of the result JSON packed as ptr<<32 | len.
//
//go:wasmexport wow_handle
func handle(ptr, length int32) int64 {
	base := addr(request)
	start := uint32(ptr) - base
	if request == nil || uint32(ptr) < base || length < 0 || uint64(start)+uint64(length) > uint64(len(request)) {
		result = []byte(`{"error":"wow_handle: request is not inside the wow_alloc buffer"}`)
	} else {
		result = sdk.Dispatch(request[start : start+uint32(length)])
	}
	return int64(addr(result))<<32 | int64(len(result))
}

// addr is the linear-memory address of b's first byte (0 for an empty slice).
func addr(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&b[0])))
}

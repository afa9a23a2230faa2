// Package wasmbin reads and rewrites the WebAssembly binary format, just
// enough for the runtime's module preparation.
package wasmbin

import (
	"errors"
)

// Section IDs wow looks at.
const (
	SectionData      = 11
	SectionDataCount = 12
)

var magic = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// Section is one section of a module: its ID and contents.
type Section struct {
	ID byte
	// Start and End delimit the whole section (id and size included) in the module.
	Start, End int
	// Body is the section's contents.
	Body []byte
}

var errTruncated = errors.New("wasmbin: truncated module")

// Sections splits a module into its sections.
func Sections(wasm []byte) ([]Section, error) {
	if len(wasm) < 8 || string(wasm[:8]) != string(magic) {
		return nil, errors.New("wasmbin: not a WebAssembly 1.0 module")
	}
	var out []Section
	for p := 8; p < len(wasm); {
		start := p
		id := wasm[p]
		size, n := uleb(wasm[p+1:])
		if n == 0 {
			return nil, errTruncated
		}
		p += 1 + n
		if uint64(len(wasm)-p) < size {
			return nil, errTruncated
		}
		out = append(out, Section{ID: id, Start: start, End: p + int(size), Body: wasm[p : p+int(size)]})
		p += int(size)
	}
	return out, nil
}

// uleb decodes an unsigned LEB128 up to 64 bits; n is 0 on error.
func uleb(b []byte) (v uint64, n int) {
	var shift uint
	for i, c := range b {
		if i == 10 {
			return 0, 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, i + 1
		}
		shift += 7
	}
	return 0, 0
}

// sleb32 decodes a signed LEB128 i32; n is 0 on error.
func sleb32(b []byte) (v int32, n int) {
	var result int64
	var shift uint
	for i, c := range b {
		if i == 5 {
			return 0, 0
		}
		result |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				result |= -1 << shift
			}
			return int32(result), i + 1
		}
	}
	return 0, 0
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func appendSLEB32(b []byte, v int32) []byte {
	x := int64(v)
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if (x == 0 && c&0x40 == 0) || (x == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

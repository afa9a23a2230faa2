package wasmbin

import (
	"slices"
)

const sectionImport = 2

// DataImage returns the initial contents of a module's memory as its data
// segments write it — bytes [0, end of the last segment) — and the module
// without its data section. An engine can then map the image copy-on-write
// into each new instance instead of copying every segment at every
// instantiation. It reports false, and returns nothing, unless that is
// exactly equivalent: the module defines one 32-bit memory and imports
// none, has no data count section (so no memory.init or data.drop), and
// every segment is active at an i32.const offset, without overlap, inside
// the memory's initial size.
func DataImage(wasm []byte) (image, stripped []byte, ok bool) {
	secs, err := parse(wasm)
	if err != nil {
		return nil, nil, false
	}
	di, memories := -1, 0
	var minPages uint32
	for i, s := range secs {
		switch s.id {
		case sectionDataCount:
			return nil, nil, false
		case sectionImport:
			if importsMemory(s.body) {
				return nil, nil, false
			}
		case sectionMemory:
			r := &reader{b: s.body}
			n := r.u32()
			memories += int(n)
			if n == 1 {
				flags := r.byte()
				minPages = r.u32()
				if flags&^0x01 != 0 || r.err != nil { // shared or 64-bit
					return nil, nil, false
				}
			}
		case sectionData:
			di = i
		}
	}
	if di < 0 || memories != 1 {
		return nil, nil, false
	}
	segs, ok := sortedSegments(secs[di].body)
	if !ok || len(segs) == 0 {
		return nil, nil, false
	}
	last := segs[len(segs)-1]
	end := uint64(last.offset) + uint64(len(last.data))
	if end == 0 || end > uint64(minPages)*65536 {
		return nil, nil, false
	}
	image = make([]byte, end)
	for _, s := range segs {
		copy(image[s.offset:], s.data)
	}
	return image, assemble(slices.Delete(secs, di, di+1)), true
}

// importsMemory reports whether an import section imports a memory (or
// cannot be read, which is treated the same: no image then).
func importsMemory(b []byte) bool {
	_, memories, err := countImports(b)
	return err != nil || memories > 0
}

package wasmbin

import (
	"slices"
)

// MaxMergeGap is the largest run of zero bytes MergeDataSegments writes to
// join two segments.
const MaxMergeGap = 4096

type segment struct {
	offset uint32
	data   []byte
}

// MergeDataSegments joins a module's active data segments into as few as
// possible, filling gaps of at most MaxMergeGap bytes with zeros (which fresh
// memory already holds). Go's linker emits tens of thousands of small
// segments (37,054 for a 3.3 MB action) and engines pay per segment at every
// instantiation. The rewrite is only done when it cannot change behaviour:
// every segment active in memory 0 at an i32.const offset, none overlapping,
// and no data count section (so no memory.init or data.drop refers to
// segment indices). Otherwise, or if nothing would merge, it returns the
// module unchanged with ok false.
func MergeDataSegments(wasm []byte) (out []byte, ok bool) {
	secs, err := Sections(wasm)
	if err != nil {
		return wasm, false
	}
	var data *Section
	for i := range secs {
		switch secs[i].ID {
		case SectionDataCount:
			return wasm, false
		case SectionData:
			data = &secs[i]
		}
	}
	if data == nil {
		return wasm, false
	}
	segs, ok := parseActiveSegments(data.Body)
	if !ok || len(segs) < 2 {
		return wasm, false
	}
	slices.SortStableFunc(segs, func(a, b segment) int {
		if a.offset < b.offset {
			return -1
		} else if a.offset > b.offset {
			return 1
		}
		return 0
	})
	merged := make([]segment, 0, 16)
	var buf []byte
	cur := segment{offset: segs[0].offset}
	end := uint64(segs[0].offset)
	for _, s := range segs {
		if uint64(s.offset) < end {
			return wasm, false // overlap: application order would matter
		}
		if gap := uint64(s.offset) - end; gap > MaxMergeGap && len(buf) > 0 {
			cur.data = buf
			merged = append(merged, cur)
			buf = nil
			cur = segment{offset: s.offset}
		} else {
			buf = append(buf, make([]byte, gap)...)
		}
		buf = append(buf, s.data...)
		end = uint64(s.offset) + uint64(len(s.data))
	}
	cur.data = buf
	merged = append(merged, cur)
	if len(merged) >= len(segs) {
		return wasm, false
	}
	body := appendULEB(nil, uint64(len(merged)))
	for _, s := range merged {
		body = append(body, 0x00, 0x41)
		body = appendSLEB32(body, int32(s.offset))
		body = append(body, 0x0b)
		body = appendULEB(body, uint64(len(s.data)))
		body = append(body, s.data...)
	}
	out = make([]byte, 0, len(wasm))
	out = append(out, wasm[:data.Start]...)
	out = append(out, SectionData)
	out = appendULEB(out, uint64(len(body)))
	out = append(out, body...)
	out = append(out, wasm[data.End:]...)
	return out, true
}

// parseActiveSegments decodes a data section whose segments are all
// active, in memory 0, at i32.const offsets.
func parseActiveSegments(b []byte) ([]segment, bool) {
	count, n := uleb(b)
	if n == 0 || count > uint64(len(b)) {
		return nil, false
	}
	b = b[n:]
	segs := make([]segment, 0, count)
	for range count {
		flags, n := uleb(b)
		if n == 0 || flags != 0 {
			return nil, false
		}
		b = b[n:]
		if len(b) < 1 || b[0] != 0x41 { // i32.const
			return nil, false
		}
		off, n := sleb32(b[1:])
		if n == 0 || len(b) < 1+n+1 || b[1+n] != 0x0b { // end
			return nil, false
		}
		b = b[1+n+1:]
		size, n := uleb(b)
		if n == 0 || uint64(len(b)-n) < size {
			return nil, false
		}
		segs = append(segs, segment{offset: uint32(off), data: b[n : n+int(size)]})
		b = b[n+int(size):]
	}
	return segs, len(b) == 0
}

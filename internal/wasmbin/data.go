package wasmbin

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// Section ids MergeDataSegments looks at.
const (
	sectionData      = 11
	sectionDataCount = 12
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
	var arr [16]section // every compile comes here: no allocation to find nothing
	secs, err := parseInto(arr[:0], wasm)
	if err != nil {
		return wasm, false
	}
	di := -1
	for i, s := range secs {
		switch s.id {
		case sectionDataCount:
			return wasm, false
		case sectionData:
			di = i
		}
	}
	if di < 0 {
		return wasm, false
	}
	segs, ok := sortedSegments(secs[di].body)
	if !ok || len(segs) < 2 {
		return wasm, false
	}
	merged := make([]segment, 0, 16)
	var buf []byte
	start, end := segs[0].offset, uint64(segs[0].offset)
	for _, s := range segs {
		if gap := uint64(s.offset) - end; gap > MaxMergeGap {
			merged = append(merged, segment{offset: start, data: buf})
			buf, start = nil, s.offset
		} else {
			buf = append(buf, make([]byte, gap)...)
		}
		buf = append(buf, s.data...)
		end = uint64(s.offset) + uint64(len(s.data))
	}
	merged = append(merged, segment{offset: start, data: buf})
	if len(merged) >= len(segs) {
		return wasm, false
	}
	body := binary.AppendUvarint(nil, uint64(len(merged)))
	for _, s := range merged {
		body = append(body, 0x00, 0x41) // active in memory 0, i32.const
		body = appendSLEB32(body, int32(s.offset))
		body = append(body, 0x0b) // end
		body = binary.AppendUvarint(body, uint64(len(s.data)))
		body = append(body, s.data...)
	}
	secs[di].body = body
	return assemble(secs), true
}

// parseActiveSegments decodes a data section whose segments are all
// active, in memory 0, at i32.const offsets.
func parseActiveSegments(b []byte) ([]segment, bool) {
	r := &reader{b: b}
	n := r.u32()
	if r.err != nil || uint64(n) > uint64(len(b)) {
		return nil, false
	}
	segs := make([]segment, 0, n)
	for range n {
		if r.u32() != 0 || r.byte() != 0x41 {
			return nil, false
		}
		off := r.s32()
		if r.byte() != 0x0b {
			return nil, false
		}
		data := r.bytes(r.u32())
		if r.err != nil {
			return nil, false
		}
		segs = append(segs, segment{offset: uint32(off), data: data})
	}
	return segs, r.err == nil && len(r.b) == 0
}

// sortedSegments parses a data section's active segments (see
// parseActiveSegments) and sorts them by offset. It reports false when two
// overlap: then the order they are applied in matters, and rewriting them
// could change the memory.
func sortedSegments(body []byte) ([]segment, bool) {
	segs, ok := parseActiveSegments(body)
	if !ok {
		return nil, false
	}
	slices.SortStableFunc(segs, func(a, b segment) int { return cmp.Compare(a.offset, b.offset) })
	var end uint64
	for _, s := range segs {
		if uint64(s.offset) < end {
			return nil, false
		}
		end = uint64(s.offset) + uint64(len(s.data))
	}
	return segs, true
}

// s32 decodes a signed LEB128 i32.
func (r *reader) s32() int32 {
	if r.err != nil {
		return 0
	}
	var result int64
	var shift uint
	for i, c := range r.b {
		if i == 5 {
			break
		}
		result |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				result |= -1 << shift
			}
			r.b = r.b[i+1:]
			return int32(result)
		}
	}
	r.err = ErrMalformed
	return 0
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

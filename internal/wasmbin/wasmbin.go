// Package wasmbin makes small, validated edits to WebAssembly binaries that
// engine adapters need before handing a module to an engine: renaming an
// export (WAMR rejects a "_start" that is not () -> ()) and capping declared
// memory maxima (wasmer-go has no memory limit of its own). It parses only
// the section framing and the sections it edits; everything else is copied
// byte for byte.
package wasmbin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Section ids of the binary format.
const (
	sectionMemory = 5
	sectionExport = 7
)

var magic = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// ErrMalformed means the bytes are not a well-framed WebAssembly module.
var ErrMalformed = errors.New("malformed wasm binary")

type section struct {
	id   byte
	body []byte
}

func parse(wasm []byte) ([]section, error) {
	return parseInto(make([]section, 0, 16), wasm) // a module has at most 13 non-custom sections
}

// parseInto is parse appending to out, which a caller that does not keep
// the sections can place on its stack.
func parseInto(out []section, wasm []byte) ([]section, error) {
	if !bytes.HasPrefix(wasm, magic) {
		return nil, fmt.Errorf("%w: bad magic or version", ErrMalformed)
	}
	b := wasm[len(magic):]
	for len(b) > 0 {
		id := b[0]
		n, k := binary.Uvarint(b[1:])
		if k <= 0 || n > uint64(len(b)-1-k) {
			return nil, fmt.Errorf("%w: bad size of section %d", ErrMalformed, id)
		}
		start := 1 + k
		out = append(out, section{id: id, body: b[start : start+int(n)]})
		b = b[start+int(n):]
	}
	return out, nil
}

func assemble(secs []section) []byte {
	out := append([]byte(nil), magic...)
	for _, s := range secs {
		out = append(out, s.id)
		out = binary.AppendUvarint(out, uint64(len(s.body)))
		out = append(out, s.body...)
	}
	return out
}

// reader decodes the LEB128 and name encodings of a section body.
type reader struct {
	b   []byte
	err error
}

func (r *reader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.b)
	if k <= 0 || k > 5 || v > 1<<32-1 {
		r.err = fmt.Errorf("%w: bad LEB128", ErrMalformed)
		return 0
	}
	r.b = r.b[k:]
	return uint32(v)
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = fmt.Errorf("%w: truncated section", ErrMalformed)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n uint32) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: truncated section", ErrMalformed)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// RenameExport returns wasm with the export named from renamed to to. It
// reports false (and wasm unchanged) when there is no such export. An
// existing export named to is an error: export names must stay unique.
func RenameExport(wasm []byte, from, to string) ([]byte, bool, error) {
	secs, err := parse(wasm)
	if err != nil {
		return nil, false, err
	}
	for i, s := range secs {
		if s.id != sectionExport {
			continue
		}
		r := &reader{b: s.body}
		n := r.u32()
		body := binary.AppendUvarint(nil, uint64(n))
		found := false
		for range n {
			name := string(r.bytes(r.u32()))
			kind, idx := r.byte(), r.u32()
			if r.err != nil {
				return nil, false, r.err
			}
			switch name {
			case to:
				return nil, false, fmt.Errorf("rename export %q: the module already exports %q", from, to)
			case from:
				name, found = to, true
			}
			body = binary.AppendUvarint(body, uint64(len(name)))
			body = append(body, name...)
			body = append(body, kind)
			body = binary.AppendUvarint(body, uint64(idx))
		}
		if len(r.b) != 0 {
			return nil, false, fmt.Errorf("%w: trailing bytes in the export section", ErrMalformed)
		}
		if !found {
			return wasm, false, nil
		}
		secs[i].body = body
		return assemble(secs), true, nil
	}
	return wasm, false, nil
}

// CapMemory returns wasm with every memory it defines limited to at most
// pages: a declared maximum above pages, or none, becomes pages. A memory
// whose declared minimum already exceeds pages is left alone (instantiating
// it must fail on the limit instead). Imported memories are not changed.
// changed reports whether anything was rewritten.
func CapMemory(wasm []byte, pages uint32) (out []byte, changed bool, err error) {
	secs, err := parse(wasm)
	if err != nil {
		return nil, false, err
	}
	for i, s := range secs {
		if s.id != sectionMemory {
			continue
		}
		r := &reader{b: s.body}
		n := r.u32()
		body := binary.AppendUvarint(nil, uint64(n))
		for range n {
			flags := r.byte()
			if flags&^0x03 != 0 {
				return nil, false, fmt.Errorf("memory flags %#x: 64-bit or unknown memories are not supported", flags)
			}
			lo := r.u32()
			hasMax := flags&1 != 0
			var hi uint32
			if hasMax {
				hi = r.u32()
			}
			if r.err != nil {
				return nil, false, r.err
			}
			if lo <= pages && (!hasMax || hi > pages) {
				flags, hasMax, hi, changed = flags|1, true, pages, true
			}
			body = append(body, flags)
			body = binary.AppendUvarint(body, uint64(lo))
			if hasMax {
				body = binary.AppendUvarint(body, uint64(hi))
			}
		}
		if len(r.b) != 0 {
			return nil, false, fmt.Errorf("%w: trailing bytes in the memory section", ErrMalformed)
		}
		if !changed {
			return wasm, false, nil
		}
		secs[i].body = body
		return assemble(secs), true, nil
	}
	return wasm, false, nil
}

package wasmbin

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// The exports Instrument adds. Guests cannot see exports; the names only
// have to be free in the module, which Instrument checks.
const (
	// InterruptExport is the mutable i32 global that stops the guest: set
	// it to non-zero and the guest traps (unreachable) at its next function
	// entry or loop header.
	InterruptExport = "wow.interrupt"
	// StartExport is the module's start function, when it had one: the
	// host calls it after instantiation, under its own deadline.
	StartExport = "wow.start"
)

// Section ids Instrument edits or places sections around.
const (
	sectionGlobal  = 6
	sectionTag     = 13
	sectionStart   = 8
	sectionElement = 9
	sectionCode    = 10
	sectionCount   = 12
)

// Instrumented is what Instrument made of a module.
type Instrumented struct {
	// Wasm is the instrumented module.
	Wasm []byte
	// Start is set when the module's start section became StartExport.
	Start bool
}

// YieldEvery is how many checks a guest passes between two yields.
const YieldEvery = 1024

// Instrument makes a module interruptible without engine support. It adds
// two mutable i32 globals, a countdown and the stop flag (exported as
// InterruptExport), and at the entry of every function and the header of
// every loop the check
//
//	countdown--
//	if countdown == 0 {
//		countdown = YieldEvery
//		memory.grow 0   ;; yields: the engine leaves native code
//		if stop { unreachable }
//	}
//
// A guest runs only straight-line code between two checks, so a host that
// sets the stop flag stops it within YieldEvery loop iterations, whatever
// the guest does. The yield matters to engines whose native code cannot be
// preempted (wazero: a guest that never leaves native code would stall the
// Go garbage collector's stop-the-world, and with it the goroutine that was
// to set the flag); growing memory by zero pages is side-effect free and
// leaves native code in every engine. A module with no memory gets an empty
// one for it. The common path is a load, a store and a branch; an engine's
// own interruption may cost far more (wazero exits to Go at every loop
// iteration).
//
// A start section runs while the engine instantiates, before the host holds
// the instance and can interrupt it, so Instrument removes it and exports
// the function as StartExport for the host to call.
//
// Instrument decodes every instruction of WebAssembly 2.0 plus threads,
// tail calls and exception handling; a module using anything else (GC, for
// one) is refused with ErrMalformed rather than left uninterruptible.
func Instrument(wasm []byte) (*Instrumented, error) {
	secs, err := parse(wasm)
	if err != nil {
		return nil, err
	}
	var (
		importedGlobals, globals        uint32
		start                           = -1
		startFunc                       uint32
		hasExport, hasGlobal, hasMemory bool
	)
	for i, s := range secs {
		switch s.id {
		case sectionImport:
			var memories uint32
			if importedGlobals, memories, err = countImports(s.body); err != nil {
				return nil, err
			}
			hasMemory = hasMemory || memories > 0
		case sectionMemory:
			hasMemory = true
		case sectionGlobal:
			hasGlobal = true
			r := &reader{b: s.body}
			globals = r.u32()
			if r.err != nil {
				return nil, r.err
			}
		case sectionExport:
			hasExport = true
			if err := checkExportNames(s.body); err != nil {
				return nil, err
			}
		case sectionStart:
			r := &reader{b: s.body}
			startFunc = r.u32()
			if r.err != nil {
				return nil, r.err
			}
			start = i
		}
	}
	countdown := importedGlobals + globals
	global := countdown + 1
	check := appendCheck(nil, countdown, global)

	out := make([]section, 0, len(secs)+3)
	for i, s := range secs {
		switch {
		case i == start:
			continue
		case s.id == sectionGlobal:
			r := &reader{b: s.body}
			r.u32()
			s.body = appendGlobal(r.b, globals)
		case s.id == sectionExport:
			r := &reader{b: s.body}
			n := r.u32()
			s.body = appendExports(r.b, n, global, start >= 0, startFunc)
		case s.id == sectionCode:
			if s.body, err = instrumentCode(s.body, check); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	if !hasMemory {
		out = insertSection(out, section{id: sectionMemory, body: []byte{1, 0x00, 0x00}}, sectionAfterMemories) // (memory 0)
	}
	if !hasGlobal {
		out = insertSection(out, section{id: sectionGlobal, body: appendGlobal(nil, 0)}, sectionAfterGlobals)
	}
	if !hasExport {
		out = insertSection(out, section{id: sectionExport, body: appendExports(nil, 0, global, start >= 0, startFunc)}, sectionAfterExports)
	}
	return &Instrumented{Wasm: assemble(out), Start: start >= 0}, nil
}

// appendCheck appends the check of countdown and stop (see Instrument).
func appendCheck(b []byte, countdown, stop uint32) []byte {
	get := func(b []byte, g uint32) []byte { return binary.AppendUvarint(append(b, 0x23), uint64(g)) }
	set := func(b []byte, g uint32) []byte { return binary.AppendUvarint(append(b, 0x24), uint64(g)) }
	b = get(b, countdown)
	b = append(b, 0x41, 0x01, 0x6b) // i32.const 1, i32.sub
	b = set(b, countdown)
	b = get(b, countdown)
	b = append(b, 0x45, 0x04, 0x40) // i32.eqz, if
	b = appendSLEB32(append(b, 0x41), YieldEvery)
	b = set(b, countdown)
	b = append(b, 0x41, 0x00, 0x40, 0x00, 0x1a) // memory.grow 0, drop
	b = get(b, stop)
	b = append(b, 0x04, 0x40, 0x00, 0x0b) // if unreachable end
	return append(b, 0x0b)                // end
}

// insertSection inserts s before the first section that must follow it
// (follows reports those ids), or at the end.
func insertSection(secs []section, s section, follows func(id byte) bool) []section {
	i := slices.IndexFunc(secs, func(x section) bool { return x.id != 0 && follows(x.id) })
	if i < 0 {
		return append(secs, s)
	}
	return slices.Insert(secs, i, s)
}

// sectionAfterMemories reports whether a section of id comes after the
// memory section in a module.
func sectionAfterMemories(id byte) bool {
	return id == sectionTag || id == sectionGlobal || sectionAfterGlobals(id)
}

// sectionAfterGlobals reports whether a section of id comes after the
// global section in a module.
func sectionAfterGlobals(id byte) bool {
	switch id {
	case sectionExport, sectionStart, sectionElement, sectionCount, sectionCode, sectionData:
		return true
	}
	return false
}

// sectionAfterExports reports whether a section of id comes after the
// export section in a module.
func sectionAfterExports(id byte) bool {
	return id != sectionExport && sectionAfterGlobals(id)
}

// appendGlobal returns a global section body: n entries from entries, then
// the countdown and stop globals.
func appendGlobal(entries []byte, n uint32) []byte {
	out := binary.AppendUvarint(nil, uint64(n)+2)
	out = append(out, entries...)
	out = append(out, 0x7f, 0x01, 0x41) // countdown: mut i32 = YieldEvery
	out = append(appendSLEB32(out, YieldEvery), 0x0b)
	return append(out, 0x7f, 0x01, 0x41, 0x00, 0x0b) // stop: mut i32 = 0
}

// appendExports returns an export section body: n entries from entries,
// then the interrupt global and, when start, the start function.
func appendExports(entries []byte, n, global uint32, start bool, startFunc uint32) []byte {
	add := uint64(1)
	if start {
		add++
	}
	out := binary.AppendUvarint(nil, uint64(n)+add)
	out = append(out, entries...)
	out = appendName(out, InterruptExport)
	out = append(out, 0x03)
	out = binary.AppendUvarint(out, uint64(global))
	if start {
		out = appendName(out, StartExport)
		out = append(out, 0x00)
		out = binary.AppendUvarint(out, uint64(startFunc))
	}
	return out
}

func appendName(b []byte, name string) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}

// checkExportNames refuses a module that already exports a name Instrument adds.
func checkExportNames(body []byte) error {
	r := &reader{b: body}
	n := r.u32()
	for range n {
		name := string(r.bytes(r.u32()))
		r.byte()
		r.u32()
		if r.err != nil {
			return r.err
		}
		if name == InterruptExport || name == StartExport {
			return fmt.Errorf("%w: the export name %q is reserved by wow", ErrMalformed, name)
		}
	}
	return r.err
}

// countImports counts the global and memory imports of an import section.
func countImports(body []byte) (globals, memories uint32, err error) {
	r := &reader{b: body}
	n := r.u32()
	for range n {
		r.bytes(r.u32()) // module
		r.bytes(r.u32()) // name
		switch r.byte() {
		case 0x00: // func
			r.u32()
		case 0x01: // table
			r.valType()
			r.limits()
		case 0x02: // memory
			r.limits()
			memories++
		case 0x03: // global
			r.valType()
			r.byte()
			globals++
		case 0x04: // tag
			r.byte()
			r.u32()
		default:
			return 0, 0, fmt.Errorf("%w: unknown import kind", ErrMalformed)
		}
		if r.err != nil {
			return 0, 0, r.err
		}
	}
	return globals, memories, r.err
}

// instrumentCode rewrites a code section body, inserting check at every
// function entry and loop header.
func instrumentCode(body, check []byte) ([]byte, error) {
	r := &reader{b: body}
	n := r.u32()
	if r.err != nil {
		return nil, r.err
	}
	out := make([]byte, 0, len(body)+len(body)/8)
	out = binary.AppendUvarint(out, uint64(n))
	var fn []byte
	for i := range n {
		code := r.bytes(r.u32())
		if r.err != nil {
			return nil, r.err
		}
		var err error
		if fn, err = instrumentFunc(fn[:0], code, check); err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		out = binary.AppendUvarint(out, uint64(len(fn)))
		out = append(out, fn...)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: bytes after the code section's functions", ErrMalformed)
	}
	return out, nil
}

// instrumentFunc appends the instrumented function body code to out.
func instrumentFunc(out, code, check []byte) ([]byte, error) {
	r := &reader{b: code}
	groups := r.u32()
	for range groups {
		r.u32()
		r.valType()
	}
	if r.err != nil {
		return nil, r.err
	}
	locals := len(code) - len(r.b)
	out = append(out, code[:locals]...)
	out = append(out, check...)
	from := locals // start of the bytes not yet copied
	for len(r.b) > 0 {
		op := r.byte()
		if op == 0x03 { // loop
			r.blockType()
			at := len(code) - len(r.b)
			out = append(out, code[from:at]...)
			out = append(out, check...)
			from = at
		} else if err := r.immediates(op); err != nil {
			return nil, err
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	return append(out, code[from:]...), nil
}

// skipLEB skips one LEB128 number of at most max bytes.
func (r *reader) skipLEB(max int) {
	if r.err != nil {
		return
	}
	for i := 0; i < len(r.b) && i < max; i++ {
		if r.b[i]&0x80 == 0 {
			r.b = r.b[i+1:]
			return
		}
	}
	r.err = fmt.Errorf("%w: bad LEB128", ErrMalformed)
}

// valType skips a value type: one byte, or a reference type with a heap type.
func (r *reader) valType() {
	switch r.byte() {
	case 0x63, 0x64: // (ref null ht), (ref ht)
		r.skipLEB(5)
	}
}

// blockType skips a block type: empty, a value type, or a type index.
func (r *reader) blockType() {
	if r.err != nil || len(r.b) == 0 {
		r.err = fmt.Errorf("%w: truncated block type", ErrMalformed)
		return
	}
	switch c := r.b[0]; {
	case c == 0x40 || c == 0x7f || c == 0x7e || c == 0x7d || c == 0x7c || c == 0x7b || c == 0x70 || c == 0x6f:
		r.b = r.b[1:]
	case c == 0x63 || c == 0x64:
		r.valType()
	default:
		r.skipLEB(5) // s33 type index
	}
}

// limits skips table or memory limits (memory64 too).
func (r *reader) limits() {
	flags := r.byte()
	n := 5
	if flags&4 != 0 {
		n = 10
	}
	r.skipLEB(n)
	if flags&1 != 0 {
		r.skipLEB(n)
	}
}

// memarg skips a memory argument: alignment (with the multi-memory bit) and offset.
func (r *reader) memarg() {
	if r.err != nil || len(r.b) == 0 {
		r.err = fmt.Errorf("%w: truncated memarg", ErrMalformed)
		return
	}
	align := r.u32()
	if align&0x40 != 0 {
		r.u32() // memory index
	}
	r.skipLEB(10)
}

// immediates skips the immediates of the instruction op.
func (r *reader) immediates(op byte) error {
	switch {
	case op == 0x00, op == 0x01, op == 0x05, op == 0x0b, op == 0x0f, op == 0x19,
		op == 0x0a, op == 0x1a, op == 0x1b, op == 0xd1, op == 0xd3, op == 0xd4,
		op >= 0x45 && op <= 0xc4:
		// no immediates
	case op == 0x02, op == 0x04, op == 0x06: // block, if, try
		r.blockType()
	case op == 0x0c, op == 0x0d, op == 0x10, op == 0x12, op == 0x14, op == 0x15,
		op == 0x08, op == 0x09, op == 0x07, op == 0x18, op == 0xd2, op == 0xd5, op == 0xd6,
		op >= 0x20 && op <= 0x26:
		r.u32() // one index
	case op == 0x0e: // br_table
		n := r.u32()
		for i := uint32(0); i <= n && r.err == nil; i++ {
			r.u32()
		}
	case op == 0x11, op == 0x13: // call_indirect, return_call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select t*
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			r.valType()
		}
	case op == 0x1f: // try_table
		r.blockType()
		n := r.u32()
		for i := uint32(0); i < n && r.err == nil; i++ {
			switch r.byte() {
			case 0x00, 0x01: // catch, catch_ref: tag, label
				r.u32()
				r.u32()
			case 0x02, 0x03: // catch_all, catch_all_ref: label
				r.u32()
			default:
				return fmt.Errorf("%w: unknown catch clause", ErrMalformed)
			}
		}
	case op >= 0x28 && op <= 0x3e:
		r.memarg()
	case op == 0x3f, op == 0x40: // memory.size, memory.grow
		r.u32()
	case op == 0x41: // i32.const
		r.skipLEB(5)
	case op == 0x42: // i64.const
		r.skipLEB(10)
	case op == 0x43:
		r.bytes(4)
	case op == 0x44:
		r.bytes(8)
	case op == 0xd0: // ref.null
		r.skipLEB(5)
	case op == 0xfc:
		return r.immediatesFC(r.u32())
	case op == 0xfd:
		return r.immediatesFD(r.u32())
	case op == 0xfe:
		if r.u32() == 0x03 { // atomic.fence
			r.byte()
		} else {
			r.memarg()
		}
	default:
		return fmt.Errorf("%w: unsupported opcode 0x%02x", ErrMalformed, op)
	}
	return r.err
}

// immediatesFC skips the immediates of a 0xFC-prefixed instruction.
func (r *reader) immediatesFC(sub uint32) error {
	switch {
	case sub <= 7: // saturating truncations
	case sub == 8: // memory.init data mem
		r.u32()
		r.u32()
	case sub == 9, sub == 13, sub == 15, sub == 16, sub == 17: // data.drop, elem.drop, table.grow/size/fill
		r.u32()
	case sub == 10, sub == 12, sub == 14: // memory.copy, table.init, table.copy
		r.u32()
		r.u32()
	case sub == 11: // memory.fill
		r.u32()
	default:
		return fmt.Errorf("%w: unsupported opcode 0xfc %d", ErrMalformed, sub)
	}
	return r.err
}

// immediatesFD skips the immediates of a SIMD instruction.
func (r *reader) immediatesFD(sub uint32) error {
	switch {
	case sub <= 0x0b, sub == 0x5c, sub == 0x5d: // loads, store, load_zero
		r.memarg()
	case sub == 0x0c, sub == 0x0d: // v128.const, i8x16.shuffle
		r.bytes(16)
	case sub >= 0x15 && sub <= 0x22: // extract/replace lane
		r.byte()
	case sub >= 0x54 && sub <= 0x5b: // load/store lane
		r.memarg()
		r.byte()
	case sub <= 0x113: // everything else, relaxed SIMD included, has none
	default:
		return fmt.Errorf("%w: unsupported opcode 0xfd %d", ErrMalformed, sub)
	}
	return r.err
}

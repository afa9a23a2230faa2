package runtime

import "math"

// GoValue decodes a raw-encoded value (as Sandbox.Call takes them) of type t
// into an int32, int64, float32 or float64; other types decode as int32.
// Engine adapters whose libraries want typed values use it and RawValue.
func GoValue(t ValueType, raw uint64) any {
	switch t {
	case ValueTypeI64:
		return int64(raw)
	case ValueTypeF32:
		return math.Float32frombits(uint32(raw))
	case ValueTypeF64:
		return math.Float64frombits(raw)
	}
	return int32(uint32(raw))
}

// RawValue encodes an int32, int64, float32 or float64 in the raw form; ok
// is false for any other type.
func RawValue(v any) (raw uint64, ok bool) {
	switch x := v.(type) {
	case int32:
		return uint64(uint32(x)), true
	case int64:
		return uint64(x), true
	case float32:
		return uint64(math.Float32bits(x)), true
	case float64:
		return math.Float64bits(x), true
	}
	return 0, false
}

// ReadSlice is Memory.Read over a linear memory's bytes: a view of n bytes
// at offset, or false when out of range.
func ReadSlice(mem []byte, offset, n uint32) ([]byte, bool) {
	if uint64(offset)+uint64(n) > uint64(len(mem)) {
		return nil, false
	}
	return mem[offset : offset+n : offset+n], true
}

// WriteSlice is Memory.Write over a linear memory's bytes.
func WriteSlice(mem []byte, offset uint32, p []byte) bool {
	if uint64(offset)+uint64(len(p)) > uint64(len(mem)) {
		return false
	}
	copy(mem[offset:], p)
	return true
}

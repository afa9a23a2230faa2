package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValuesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		t ValueType
		v any
	}{
		{ValueTypeI32, int32(-7)}, {ValueTypeI64, int64(-1 << 40)}, {ValueTypeF32, float32(1.5)}, {ValueTypeF64, -2.25},
	} {
		raw, ok := RawValue(tc.v)
		assert.True(t, ok)
		assert.Equal(t, tc.v, GoValue(tc.t, raw))
	}
	_, ok := RawValue("x")
	assert.False(t, ok)
}

func TestSliceMemory(t *testing.T) {
	mem := make([]byte, 8)
	assert.True(t, WriteSlice(mem, 6, []byte{1, 2}))
	assert.False(t, WriteSlice(mem, 7, []byte{1, 2}))
	assert.False(t, WriteSlice(mem, 0xffffffff, []byte{1}))
	v, ok := ReadSlice(mem, 6, 2)
	assert.True(t, ok)
	assert.Equal(t, []byte{1, 2}, v)
	assert.Equal(t, 2, cap(v), "a view must not reach past what was asked")
	_, ok = ReadSlice(mem, 0xfffffff0, 0x20)
	assert.False(t, ok)
}

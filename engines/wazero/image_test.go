package wazero_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

// imageModule is a numeric action over a large data segment: _start(i)
// returns the byte at i and then overwrites it with 0xEE. The segment
// (byte i holds i%251) is large enough for the engine to map it as a
// copy-on-write image.
func imageModule(size int) []byte {
	sec := func(id byte, body []byte) []byte {
		return append(binary.AppendUvarint([]byte{id}, uint64(len(body))), body...)
	}
	m := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	m = append(m, sec(1, []byte{0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f})...) // type (i32) -> i32
	m = append(m, sec(3, []byte{0x01, 0x00})...)                         // one function
	pages := uint64(size/65536 + 2)
	m = append(m, sec(5, binary.AppendUvarint([]byte{0x01, 0x00}, pages))...)                                               // memory
	m = append(m, sec(7, []byte{0x02, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00, 0x03, 'm', 'e', 'm', 0x02, 0x00})...) // exports
	body := []byte{
		0x01, 0x01, 0x7f, // one local i32
		0x20, 0x00, 0x2d, 0x00, 0x00, 0x21, 0x01, // local.set 1 (i32.load8_u (local.get 0))
		0x20, 0x00, 0x41, 0xee, 0x01, 0x3a, 0x00, 0x00, // i32.store8 (local.get 0) (i32.const 0xEE)
		0x20, 0x01, 0x0b, // local.get 1; end
	}
	m = append(m, sec(10, append(binary.AppendUvarint([]byte{0x01}, uint64(len(body))), body...))...)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i % 251)
	}
	seg := append([]byte{0x01, 0x00, 0x41, 0x00, 0x0b}, binary.AppendUvarint(nil, uint64(size))...)
	return append(m, sec(11, append(seg, data...))...)
}

// TestDataImageIsolation: instances of a module whose initial memory is a
// mapped image each see the original image, never another's writes —
// including instances that reuse a pooled reservation.
func TestDataImageIsolation(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig())
	require.NoError(t, err)
	defer rt.Close(ctx)
	mod, err := rt.Compile(ctx, imageModule(1<<20))
	require.NoError(t, err)
	defer mod.Close(ctx)
	at := func(inst runtime.Instance, i int) string {
		res, err := inst.Invoke(ctx, &runtime.RunPayload{Params: fmt.Appendf(nil, `{"args":[%d]}`, i)})
		require.NoError(t, err)
		return string(res.Value)
	}
	want := func(i int) string { return fmt.Sprintf(`{"result":%d}`, i%251) }
	for round := range 3 { // later rounds reuse reservations from the pool
		a, err := mod.Instantiate(ctx, nil)
		require.NoError(t, err)
		b, err := mod.Instantiate(ctx, nil)
		require.NoError(t, err)
		for _, i := range []int{5, 70000, 1<<20 - 1} {
			assert.Equal(t, want(i), at(a, i), "round %d: first read at %d", round, i)
			assert.Equal(t, `{"result":238}`, at(a, i), "round %d: an instance sees its own write", round)
			assert.Equal(t, want(i), at(b, i), "round %d: another instance never sees it", round)
		}
		assert.Equal(t, `{"result":0}`, at(a, 1<<20+10), "past the image memory is zero")
		require.NoError(t, a.Close(ctx))
		require.NoError(t, b.Close(ctx))
	}
	// A module without an image that gets one of those reservations from
	// the pool must find it all zero beyond its own small data.
	small, err := rt.Compile(ctx, imageModule(1000))
	require.NoError(t, err)
	defer small.Close(ctx)
	for range 3 {
		inst, err := small.Instantiate(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, want(5), at(inst, 5))
		assert.Equal(t, `{"result":0}`, at(inst, 70000), "a reused reservation must not keep another module's image")
		require.NoError(t, inst.Close(ctx))
	}
}

package wasmbin

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/wowrt/wow/internal/testactions"
)

// seg encodes one data segment with the given flags byte, offset expression and data.
func seg(expr []byte, data string) []byte {
	b := append([]byte{0x00}, expr...)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func i32const(v int32) []byte { return append(appendSLEB32([]byte{0x41}, v), 0x0b) }

// module builds a module exporting a 2-page memory with the given data
// segments and optional extra sections placed before the data section.
func module(segs [][]byte, extra ...[]byte) []byte {
	sec := func(id byte, body []byte) []byte {
		return append(binary.AppendUvarint([]byte{id}, uint64(len(body))), body...)
	}
	m := append([]byte{}, magic...)
	m = append(m, sec(5, []byte{0x01, 0x00, 0x02})...)                      // memory: min 2
	m = append(m, sec(7, []byte{0x01, 0x03, 'm', 'e', 'm', 0x02, 0x00})...) // export "mem"
	for _, e := range extra {
		m = append(m, e...)
	}
	body := binary.AppendUvarint(nil, uint64(len(segs)))
	for _, s := range segs {
		body = append(body, s...)
	}
	return append(m, sec(sectionData, body)...)
}

// memoryOf instantiates wasm in wazero and returns a copy of its memory.
func memoryOf(t *testing.T, wasm []byte) []byte {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	cm, err := r.CompileModule(ctx, wasm)
	require.NoError(t, err)
	mod, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithStartFunctions())
	require.NoError(t, err)
	m := mod.ExportedMemory("mem")
	if m == nil {
		m = mod.Memory()
	}
	b, ok := m.Read(0, m.Size())
	require.True(t, ok)
	return append([]byte(nil), b...)
}

func countSegments(t *testing.T, wasm []byte) int {
	secs, err := parse(wasm)
	require.NoError(t, err)
	for _, s := range secs {
		if s.id == sectionData {
			return int((&reader{b: s.body}).u32())
		}
	}
	return 0
}

func TestMergeDataSegments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wasm  []byte
		merge bool
		segs  int
	}{
		{"adjacent and gapped", module([][]byte{seg(i32const(10), "abc"), seg(i32const(0), "xy"), seg(i32const(100), "z")}), true, 1},
		{"big gap splits", module([][]byte{seg(i32const(0), "a"), seg(i32const(1), "b"), seg(i32const(MaxMergeGap+100), "c"), seg(i32const(MaxMergeGap+101), "d")}), true, 2},
		{"overlap", module([][]byte{seg(i32const(0), "abcd"), seg(i32const(2), "XY")}), false, 2},
		{"one segment", module([][]byte{seg(i32const(0), "abcd")}), false, 1},
		{"global offset", module([][]byte{seg(i32const(0), "a"), seg([]byte{0x23, 0x00, 0x0b}, "b")}), false, 2},
		{"passive", module([][]byte{seg(i32const(0), "a"), {0x01, 0x01, 'p'}}), false, 2},
		{"data count", module([][]byte{seg(i32const(0), "a"), seg(i32const(1), "b")}, []byte{sectionDataCount, 0x01, 0x02}), false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, ok := MergeDataSegments(tc.wasm)
			assert.Equal(t, tc.merge, ok)
			assert.Equal(t, tc.segs, countSegments(t, out))
			if !ok {
				assert.Equal(t, tc.wasm, out, "an unmerged module is returned unchanged")
				return
			}
			assert.Equal(t, memoryOf(t, tc.wasm), memoryOf(t, out), "merging must not change the initial memory")
		})
	}
}

func TestMergeDataSegmentsGoAction(t *testing.T) {
	wasm := testactions.Go(t, "add")
	out, ok := MergeDataSegments(wasm)
	require.True(t, ok)
	before, after := countSegments(t, wasm), countSegments(t, out)
	t.Logf("data segments: %d → %d, module %d → %d bytes", before, after, len(wasm), len(out))
	assert.Less(t, after*100, before, "a Go action's segments should merge at least 100:1")
	assert.Equal(t, memoryOf(t, wasm), memoryOf(t, out))
}

func TestMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not wasm"), append(append([]byte{}, magic...), 11, 0xff)} {
		out, ok := MergeDataSegments(b)
		assert.False(t, ok)
		assert.Equal(t, b, out)
	}
}

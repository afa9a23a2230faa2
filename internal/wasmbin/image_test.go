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

func TestDataImage(t *testing.T) {
	for _, tc := range []struct {
		name string
		wasm []byte
		ok   bool
	}{
		{"segments", module([][]byte{seg(i32const(10), "abc"), seg(i32const(0), "xy")}), true},
		{"past initial memory", module([][]byte{seg(i32const(2*65536-1), "ab")}), false},
		{"overlap", module([][]byte{seg(i32const(0), "abcd"), seg(i32const(2), "XY")}), false},
		{"global offset", module([][]byte{seg([]byte{0x23, 0x00, 0x0b}, "b")}), false},
		{"data count", module([][]byte{seg(i32const(0), "a")}, []byte{sectionDataCount, 0x01, 0x01}), false},
		{"imported memory", module([][]byte{seg(i32const(0), "a")}, importSection("env", "mem", 0x02, 0x00, 0x01)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			image, stripped, ok := DataImage(tc.wasm)
			require.Equal(t, tc.ok, ok)
			if !ok {
				return
			}
			assert.Zero(t, countSegments(t, stripped), "the stripped module has no data")
			mem := memoryOf(t, tc.wasm)
			assert.Equal(t, mem[:len(image)], image, "the image is the initial memory")
			assert.Equal(t, make([]byte, len(mem)), memoryOf(t, stripped), "without the image the memory is zero")
		})
	}
}

// importSection encodes an import section with one import of kind and desc.
func importSection(mod, name string, kind byte, desc ...byte) []byte {
	body := []byte{0x01}
	body = binary.AppendUvarint(body, uint64(len(mod)))
	body = append(body, mod...)
	body = binary.AppendUvarint(body, uint64(len(name)))
	body = append(body, name...)
	body = append(append(body, kind), desc...)
	return append(binary.AppendUvarint([]byte{sectionImport}, uint64(len(body))), body...)
}

func TestDataImageGoAction(t *testing.T) {
	wasm, _ := MergeDataSegments(testactions.Go(t, "add"))
	image, stripped, ok := DataImage(wasm)
	require.True(t, ok)
	t.Logf("image %d bytes; module %d → %d bytes", len(image), len(wasm), len(stripped))
	// The image equals the memory right after instantiation (no start function runs).
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	mod, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithStartFunctions())
	require.NoError(t, err)
	got, ok := mod.Memory().Read(0, uint32(len(image)))
	require.True(t, ok)
	assert.Equal(t, got, image)
}

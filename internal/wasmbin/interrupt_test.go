package wasmbin_test

import (
	"bytes"
	"context"
	"encoding/binary"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/internal/wasmbin"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

// check is the first instructions of Instrument's check with countdown global g < 128.
func check(g byte) []byte { return []byte{0x23, g, 0x41, 0x01, 0x6b, 0x24, g} }

// TestInstrumentValid: every example module, instrumented, still validates
// and exports the interrupt global; the code grew by checks only.
func TestInstrumentValid(t *testing.T) {
	modules := map[string][]byte{
		"c:add": c.Module("add"), "c:add_reactor": c.Module("add_reactor"), "c:add_membuf": c.Module("add_membuf"),
		"go:add": testactions.Go(t, "add"), "go:hash": testactions.Go(t, "hash"),
	}
	for _, name := range []string{"answer", "sum", "divzero", "f64add", "sleep", "stuck", "trap", "membomb", "nettest", "noabi", "badimport", "startloop"} {
		modules["wat:"+name] = wat.Module(name)
	}
	for name, wasm := range modules {
		t.Run(name, func(t *testing.T) {
			in, err := wasmbin.Instrument(wasm)
			require.NoError(t, err)
			assert.Greater(t, len(in.Wasm), len(wasm))
			r := wazero.NewRuntime(context.Background())
			defer r.Close(context.Background())
			cm, err := r.CompileModule(context.Background(), in.Wasm)
			require.NoError(t, err, "the instrumented module must validate")
			before := compile(t, wasm)
			assert.Equal(t, len(before.ExportedFunctions())+b2i(in.Start), len(cm.ExportedFunctions()))
			assert.Equal(t, name == "wat:startloop", in.Start)
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestInstrumentStops: setting the global stops a guest spinning in a loop,
// and the spinning guest yields: a garbage collection (which must stop every
// goroutine) completes meanwhile. Without the yield the collection, and the
// test, would hang.
func TestInstrumentStops(t *testing.T) {
	ctx := context.Background()
	in, err := wasmbin.Instrument(wat.Module("stuck"))
	require.NoError(t, err)
	// stuck has no globals: the countdown is global 0, checked at entry and in the loop.
	assert.Equal(t, 2, bytes.Count(in.Wasm, check(0)))
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.InstantiateWithConfig(ctx, in.Wasm, wazero.NewModuleConfig().WithStartFunctions())
	require.NoError(t, err)
	g := mod.ExportedGlobal(wasmbin.InterruptExport).(api.MutableGlobal)
	assert.Zero(t, g.Get())
	time.AfterFunc(20*time.Millisecond, func() {
		goruntime.GC()
		g.Set(1)
	})
	_, err = mod.ExportedFunction("_start").Call(ctx)
	require.ErrorContains(t, err, "unreachable")
}

// TestInstrumentStart: the start section becomes an export the host calls.
func TestInstrumentStart(t *testing.T) {
	ctx := context.Background()
	in, err := wasmbin.Instrument(wat.Module("startloop"))
	require.NoError(t, err)
	require.True(t, in.Start)
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, in.Wasm) // returns: the start section is gone
	require.NoError(t, err)
	require.NotNil(t, mod.ExportedFunction(wasmbin.StartExport))
}

// module assembles a module of one () -> () function with body code.
func module(code []byte, exportName string) []byte {
	sec := func(id byte, body []byte) []byte {
		return append(binary.AppendUvarint([]byte{id}, uint64(len(body))), body...)
	}
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, sec(1, []byte{1, 0x60, 0, 0})...)
	b = append(b, sec(3, []byte{1, 0})...)
	if exportName != "" {
		e := append([]byte{1, byte(len(exportName))}, exportName...)
		b = append(b, sec(7, append(e, 0, 0))...)
	}
	body := append([]byte{0}, code...)
	return append(b, sec(10, append([]byte{1, byte(len(body))}, body...))...)
}

func TestInstrumentRefuses(t *testing.T) {
	for name, wasm := range map[string][]byte{
		"GC opcode":         module([]byte{0xfb, 0x00, 0x0b}, ""),
		"unknown opcode":    module([]byte{0xff, 0x0b}, ""),
		"reserved export":   module([]byte{0x0b}, wasmbin.InterruptExport),
		"reserved start":    module([]byte{0x0b}, wasmbin.StartExport),
		"truncated":         module([]byte{0x41}, ""),
		"not wasm":          []byte("hello"),
		"truncated memarg":  module([]byte{0x28}, ""),
		"bad SIMD prefix":   module([]byte{0xfd, 0xff, 0xff, 0x03, 0x0b}, ""),
		"bad 0xfc sub-code": module([]byte{0xfc, 0x7f, 0x0b}, ""),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := wasmbin.Instrument(wasm)
			require.ErrorIs(t, err, wasmbin.ErrMalformed)
		})
	}
	// The same framing with a valid body is accepted, exported and checked.
	in, err := wasmbin.Instrument(module([]byte{0x03, 0x40, 0x0b, 0x0b}, "f"))
	require.NoError(t, err)
	assert.Equal(t, 2, bytes.Count(in.Wasm, check(0)))
	compile(t, in.Wasm)
}

// BenchmarkInstrument: instrumenting the 3.3 MB Go add action.
func BenchmarkInstrument(b *testing.B) {
	wasm := testactions.Go(b, "add")
	b.SetBytes(int64(len(wasm)))
	for b.Loop() {
		if _, err := wasmbin.Instrument(wasm); err != nil {
			b.Fatal(err)
		}
	}
}

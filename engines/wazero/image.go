package wazero

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

// minImage is the smallest data image worth mapping: below it, copying the
// segments at instantiation is cheaper than the two mmap calls.
const minImage = 256 << 10

// split returns what to compile: for a module whose data segments make a
// large initial image, the module without them and the image, which every
// instance then maps copy-on-write (image_linux.go) instead of wazero
// copying the segments into fresh memory at each instantiation — the bulk
// of a Go action's instantiation. Otherwise wasm itself and no image.
func split(wasm []byte) (compile, image []byte) {
	if len(wasm) < minImage || !imagesSupported {
		return wasm, nil // its segments hold less than minImage bytes
	}
	img, stripped, ok := wasmbin.DataImage(wasm)
	if !ok || len(img) < minImage {
		return wasm, nil
	}
	return stripped, img
}

// instrument makes wasm interruptible (interrupt.go): what every wazero
// module of wow is compiled from, and what artifacts carry.
func instrument(wasm []byte) ([]byte, error) {
	in, err := wasmbin.Instrument(wasm)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", wowrt.ErrInvalidModule, err)
	}
	return in.Wasm, nil
}

// compile instruments wasm and compiles it on r. The interpreter compiles
// wasm as it is: wazero stops interpreted guests itself (interrupt.go), and
// the instrumentation would nearly triple the compile of a small module
// (3.9 µs → 10.8 µs for wat:answer), the bulk of a tiered cold start.
func (e *engine) compile(ctx context.Context, r wazero.Runtime, wasm []byte) (*module, error) {
	if e.cfg.Interpreter {
		return e.compileInstrumented(ctx, r, wasm)
	}
	inst, err := instrument(wasm)
	if err != nil {
		return nil, err
	}
	return e.compileInstrumented(ctx, r, inst)
}

// compileInstrumented compiles an instrumented module (or, on the
// interpreter, any module) on r, with its data image mapped when split
// finds one and the platform can map it.
func (e *engine) compileInstrumented(ctx context.Context, r wazero.Runtime, inst []byte) (*module, error) {
	bin, img := split(inst)
	var im *image
	if img != nil {
		var err error
		if im, err = newImage(img); err != nil {
			bin, im = inst, nil // compile the segments in after all
		}
	}
	cm, err := r.CompileModule(ctx, bin)
	if err != nil {
		im.close()
		return nil, fmt.Errorf("%w: %w", wowrt.ErrInvalidModule, err)
	}
	m := newModule(e, r, cm)
	m.image = im
	return m, nil
}

package wamr

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

// Wamrc is the name of WAMR's AOT compiler, which the engine's Precompile
// looks up on PATH (it is not part of libiwasm).
const Wamrc = "wamrc"

// precompile runs wamrc on wasm with its "_start" export renamed to alias,
// as the engine's Compile does. It needs no cgo, so it is built (and
// tested) without the wamr tag too.
func precompile(ctx context.Context, wasm []byte, alias string) ([]byte, error) {
	bin, err := exec.LookPath(Wamrc)
	if err != nil {
		return nil, fmt.Errorf("precompiling for WAMR needs its AOT compiler %s on PATH (%w): %w", Wamrc, err, wowrt.ErrUnsupported)
	}
	if out, ok, err := wasmbin.RenameExport(wasm, "_start", alias); err == nil && ok {
		wasm = out
	}
	dir, err := os.MkdirTemp("", "wow-wamrc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.wasm"), filepath.Join(dir, "out.aot")
	if err := os.WriteFile(in, wasm, 0o600); err != nil {
		return nil, err
	}
	// SIMD off, as in the libiwasm build the adapter expects.
	cmd := exec.CommandContext(ctx, bin, "--disable-simd", "-o", out, in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", Wamrc, err, strings.TrimSpace(string(msg)))
	}
	return os.ReadFile(out)
}

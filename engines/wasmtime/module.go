//go:build wasmtime

package wasmtime

import (
	"context"
	"fmt"
	"io"
	goruntime "runtime"
	"strings"
	"time"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v25"
	"github.com/wowrt/wow/internal/memfd"
	wowrt "github.com/wowrt/wow/runtime"
)

type module struct {
	e       *engine
	m       *wasmtime.Module
	imports []wowrt.Import
	exports []wowrt.Export
	// minPages is the declared initial memory, checked against the limit.
	minPages uint64
}

func newModule(e *engine, m *wasmtime.Module) *module {
	mod := &module{e: e, m: m}
	for _, im := range m.Imports() {
		name := ""
		if n := im.Name(); n != nil {
			name = *n
		}
		i := wowrt.Import{Module: im.Module(), Name: name, Kind: externKind(im.Type())}
		if ft := im.Type().FuncType(); ft != nil {
			i.Type = funcType(ft)
		}
		if mt := im.Type().MemoryType(); mt != nil {
			mod.minPages = max(mod.minPages, mt.Minimum())
		}
		mod.imports = append(mod.imports, i)
	}
	for _, ex := range m.Exports() {
		x := wowrt.Export{Name: ex.Name(), Kind: externKind(ex.Type())}
		if ft := ex.Type().FuncType(); ft != nil {
			x.Type = funcType(ft)
		}
		if mt := ex.Type().MemoryType(); mt != nil {
			mod.minPages = max(mod.minPages, mt.Minimum())
		}
		mod.exports = append(mod.exports, x)
	}
	return mod
}

func (m *module) Imports() []wowrt.Import { return m.imports }
func (m *module) Exports() []wowrt.Export { return m.exports }

// Serialize returns the precompiled artifact that engine Load accepts.
func (m *module) Serialize() ([]byte, error) { return m.m.Serialize() }

func (m *module) Close(context.Context) error {
	m.m.Close()
	return nil
}

func (m *module) Instantiate(ctx context.Context, sc *wowrt.SandboxConfig) (wowrt.Sandbox, error) {
	if err := wowrt.CheckInitialMemory(uint32(min(m.minPages, 1<<32-1)), sc.MemoryLimitPages); err != nil {
		return nil, err
	}
	limit := uint64(sc.MemoryLimitPages)
	for _, d := range sc.Dirs {
		if d.ReadOnly {
			return nil, fmt.Errorf("read-only mount of %s: %w (wasmtime v25's C API preopens read-write only)", d.HostPath, wowrt.ErrUnsupported)
		}
	}
	s := &sandbox{e: m.e, store: wasmtime.NewStore(m.e.eng), cs: newCState(limit * wowrt.PageSize), ctx: ctx}
	if err := s.configure(sc); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	live.Store(unsafe.Pointer(s.store.Context()), s)
	watchEpoch(s.store, s.cs)
	if err := s.prepare(ctx); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	if ctx.Done() != nil {
		m.e.enter()
		defer m.e.leave()
	}
	goruntime.LockOSThread()
	setCurrent(s.cs)
	inst, err := m.e.linker.Instantiate(s.store, m.m)
	setCurrent(nil)
	goruntime.UnlockOSThread()
	if err != nil {
		hit := memHit(s.cs)
		err = s.mapError(ctx, err)
		_ = s.Close(ctx)
		if hit {
			return nil, fmt.Errorf("%w: the module's initial memory exceeds the limit of %d pages", wowrt.ErrMemoryLimit, limit)
		}
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	s.inst = inst
	if ex := inst.GetExport(s.store, "memory"); ex != nil {
		s.mem = ex.Memory()
	}
	return s, nil
}

// configure applies the WASI settings of sc to the sandbox's store.
func (s *sandbox) configure(sc *wowrt.SandboxConfig) error {
	w := wasmtime.NewWasiConfig()
	defer w.Close() // a no-op once the store took it
	w.SetArgv(sc.Args)
	keys, values := make([]string, 0, len(sc.Env)), make([]string, 0, len(sc.Env))
	for _, kv := range sc.Env {
		k, v, _ := strings.Cut(kv, "=")
		keys, values = append(keys, k), append(values, v)
	}
	w.SetEnv(keys, values)
	if sc.Stdin != nil {
		b, err := io.ReadAll(sc.Stdin)
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		setStdinBytes(w, b)
	}
	var err error
	if s.stdout, err = memfd.New("wow-stdout", sc.Stdout); err != nil {
		return err
	}
	if s.stderr, err = memfd.New("wow-stderr", sc.Stderr); err != nil {
		return err
	}
	if s.stdout != nil {
		if err := w.SetStdoutFile(s.stdout.Path()); err != nil {
			return fmt.Errorf("stdout: %w", err)
		}
	}
	if s.stderr != nil {
		if err := w.SetStderrFile(s.stderr.Path()); err != nil {
			return fmt.Errorf("stderr: %w", err)
		}
	}
	for _, d := range sc.Dirs {
		guest := d.GuestPath
		if guest == "" {
			guest = d.HostPath
		}
		if err := w.PreopenDir(d.HostPath, guest); err != nil {
			return fmt.Errorf("preopen %s: %w", d.HostPath, err)
		}
	}
	s.store.SetWasi(w)
	return nil
}

// prepare arms the sandbox for one call bounded by ctx.
func (s *sandbox) prepare(ctx context.Context) error {
	remaining := int64(-1)
	if dl, ok := ctx.Deadline(); ok {
		remaining = max(int64(time.Until(dl)), 0)
	}
	arm(s.cs, remaining)
	s.store.SetEpochDeadline(1)
	if s.e.cfg.Fuel > 0 {
		if err := s.store.SetFuel(s.e.cfg.Fuel); err != nil {
			return fmt.Errorf("set fuel: %w", err)
		}
	}
	return nil
}

func externKind(t *wasmtime.ExternType) wowrt.ExternKind {
	switch {
	case t.FuncType() != nil:
		return wowrt.ExternFunc
	case t.TableType() != nil:
		return wowrt.ExternTable
	case t.MemoryType() != nil:
		return wowrt.ExternMemory
	}
	return wowrt.ExternGlobal
}

func funcType(ft *wasmtime.FuncType) wowrt.FuncType {
	var t wowrt.FuncType
	for _, p := range ft.Params() {
		t.Params = append(t.Params, wowType(p.Kind()))
	}
	for _, r := range ft.Results() {
		t.Results = append(t.Results, wowType(r.Kind()))
	}
	return t
}

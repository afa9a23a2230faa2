//go:build wasmer

package wasmer

import (
	"context"
	"fmt"

	"github.com/wasmerio/wasmer-go/wasmer"
	wowrt "github.com/wowrt/wow/runtime"
)

type module struct {
	e       *engine
	m       *wasmer.Module
	store   *wasmer.Store
	imports []wowrt.Import
	exports []wowrt.Export
	// minPages is the declared initial memory, checked against the limit.
	minPages uint32
	wasi     bool
}

func newModule(e *engine, store *wasmer.Store, m *wasmer.Module) *module {
	mod := &module{e: e, store: store, m: m}
	for _, im := range m.Imports() {
		i := wowrt.Import{Module: im.Module(), Name: im.Name()}
		i.Kind, i.Type = externType(im.Type(), &mod.minPages)
		mod.imports = append(mod.imports, i)
		mod.wasi = mod.wasi || i.Module == wasiModule
	}
	for _, ex := range m.Exports() {
		x := wowrt.Export{Name: ex.Name()}
		x.Kind, x.Type = externType(ex.Type(), &mod.minPages)
		mod.exports = append(mod.exports, x)
	}
	return mod
}

func (m *module) Imports() []wowrt.Import { return m.imports }
func (m *module) Exports() []wowrt.Export { return m.exports }

// Serialize returns the precompiled artifact that the engine's Load accepts.
func (m *module) Serialize() ([]byte, error) { return m.m.Serialize() }

func (m *module) Close(context.Context) error {
	m.m.Close()
	return nil
}

func (m *module) Instantiate(ctx context.Context, sc *wowrt.SandboxConfig) (wowrt.Sandbox, error) {
	if err := wowrt.CheckInitialMemory(m.minPages, sc.MemoryLimitPages); err != nil {
		return nil, err
	}
	s := &sandbox{e: m.e, store: m.store, limit: sc.MemoryLimitPages, ctx: ctx, stdout: sc.Stdout, stderr: sc.Stderr}
	imports := wasmer.NewImportObject()
	if m.wasi {
		var err error
		if imports, err = s.wasi(m, sc); err != nil {
			return nil, err
		}
	}
	s.host(imports)
	inst, err := wasmer.NewInstance(m.m, imports)
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", s.mapError(ctx, err))
	}
	s.inst = inst
	if mem, err := inst.Exports.GetMemory("memory"); err == nil {
		s.mem = mem
	}
	return s, nil
}

func externType(t *wasmer.ExternType, minPages *uint32) (wowrt.ExternKind, wowrt.FuncType) {
	switch t.Kind() {
	case wasmer.FUNCTION:
		ft := t.IntoFunctionType()
		var f wowrt.FuncType
		for _, p := range ft.Params() {
			f.Params = append(f.Params, wowType(p.Kind()))
		}
		for _, r := range ft.Results() {
			f.Results = append(f.Results, wowType(r.Kind()))
		}
		return wowrt.ExternFunc, f
	case wasmer.MEMORY:
		*minPages = max(*minPages, t.IntoMemoryType().Limits().Minimum())
		return wowrt.ExternMemory, wowrt.FuncType{}
	case wasmer.TABLE:
		return wowrt.ExternTable, wowrt.FuncType{}
	}
	return wowrt.ExternGlobal, wowrt.FuncType{}
}

func wowType(k wasmer.ValueKind) wowrt.ValueType {
	switch k {
	case wasmer.I64:
		return wowrt.ValueTypeI64
	case wasmer.F32:
		return wowrt.ValueTypeF32
	case wasmer.F64:
		return wowrt.ValueTypeF64
	case wasmer.AnyRef:
		return wowrt.ValueTypeExternref
	case wasmer.FuncRef:
		return wowrt.ValueTypeFuncref
	}
	return wowrt.ValueTypeI32
}

func kind(t wowrt.ValueType) wasmer.ValueKind {
	switch t {
	case wowrt.ValueTypeI64:
		return wasmer.I64
	case wowrt.ValueTypeF32:
		return wasmer.F32
	case wowrt.ValueTypeF64:
		return wasmer.F64
	}
	return wasmer.I32
}

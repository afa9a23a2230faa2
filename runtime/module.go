package runtime

import (
	"context"
	"fmt"
	"sync/atomic"
)

type module struct {
	rt      *runtime
	em      EngineModule
	abi     ABI
	imports []Import
	exports []Export
	// needs lists the capabilities the module's imports require.
	needs  []Capability
	closed atomic.Bool
}

func newModule(r *runtime, em EngineModule) (*module, error) {
	imports, exports := em.Imports(), em.Exports()
	abi, err := DetectABI(imports, exports)
	if err != nil {
		return nil, err
	}
	m := &module{rt: r, em: em, abi: abi, imports: imports, exports: exports}
	for _, im := range imports {
		if h, ok := hostFuncFor(im.Module, im.Name); ok {
			m.needs = append(m.needs, h.Capability)
		}
	}
	return m, nil
}

func (m *module) ABI() ABI          { return m.abi }
func (m *module) Imports() []Import { return m.imports }
func (m *module) Exports() []Export { return m.exports }
func (m *module) Compiled() bool    { return moduleTier(m.em) > 0 }

func (m *module) export(name string) (Export, bool) {
	for _, e := range m.exports {
		if e.Name == name {
			return e, true
		}
	}
	return Export{}, false
}

func (m *module) Instantiate(ctx context.Context, cfg InstanceConfig) (Instance, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("instantiate: module %w", ErrClosed)
	}
	if cfg == nil {
		cfg = NewInstanceConfig()
	}
	ic := cfg.(*instanceConfig)
	for _, c := range m.needs {
		if !ic.caps[c] {
			return nil, wrapf(ErrCapability, "module imports a host function that needs capability %q", c)
		}
	}
	inst, err := newInstance(m, ic)
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	if m.abi.Reusable() {
		if err := inst.warm(ctx); err != nil {
			return nil, fmt.Errorf("instantiate: %w", err)
		}
	}
	return inst, nil
}

func (m *module) Close(ctx context.Context) error {
	if m.closed.Swap(true) {
		return nil
	}
	return m.em.Close(ctx)
}

package runtime

import (
	"context"
	"math"
	"time"
)

// HTTPGetDelay is how long the seed's http.get stand-in blocks.
const HTTPGetDelay = 300 * time.Millisecond

// hostFuncs returns the host capabilities every engine links.
func hostFuncs() []HostFunc {
	return []HostFunc{
		{
			Module: "platform", Name: "now",
			Type:       FuncType{Results: []ValueType{ValueTypeF64}},
			Capability: CapClock,
			Call: func(context.Context, Memory, []uint64) []uint64 {
				ms := float64(time.Now().UnixNano()) / 1e6
				return []uint64{math.Float64bits(ms)}
			},
		},
		{
			Module: "http", Name: "get",
			Type:       FuncType{Results: []ValueType{ValueTypeI32}},
			Capability: CapNet,
			Call: func(ctx context.Context, _ Memory, _ []uint64) []uint64 {
				t := time.NewTimer(HTTPGetDelay)
				defer t.Stop()
				select {
				case <-t.C:
					return []uint64{0}
				case <-ctx.Done():
					return []uint64{uint64(math.MaxUint32)} // -1: interrupted
				}
			},
		},
	}
}

// hostFuncFor returns the host function a module imports by these names.
func hostFuncFor(module, name string) (HostFunc, bool) {
	for _, h := range hostFuncs() {
		if h.Module == module && h.Name == name {
			return h, true
		}
	}
	return HostFunc{}, false
}

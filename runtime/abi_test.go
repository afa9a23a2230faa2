package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fn(name string, t FuncType) Export { return Export{Name: name, Kind: ExternFunc, Type: t} }

var (
	i32, i64, f64 = ValueTypeI32, ValueTypeI64, ValueTypeF64
	memExport     = Export{Name: "memory", Kind: ExternMemory}
	wasiFdWrite   = Import{Module: wasiModule, Name: "fd_write", Kind: ExternFunc}
)

func TestDetectABI(t *testing.T) {
	membuf := []Export{memExport, fn(exportStart, sigNone), fn(exportMembufAlloc, sigI32ToNil), fn(exportMembufPointer, sigNilToI32), fn(exportMembufLen, sigNilToI32)}
	reactor := []Export{memExport, fn(exportInitialize, sigNone), fn(exportReactorAlloc, sigI32ToI32), fn(exportReactorHandle, sigHandle)}
	for _, tc := range []struct {
		name    string
		imports []Import
		exports []Export
		want    ABI
		err     string
	}{
		{"memory-buffer", []Import{wasiFdWrite}, membuf, ABIMemoryBuffer, ""},
		{"reactor", []Import{wasiFdWrite}, reactor, ABIReactor, ""},
		{"reactor without WASI", nil, reactor, ABIReactor, ""},
		{"wasi-command", []Import{wasiFdWrite}, []Export{memExport, fn(exportStart, sigNone)}, ABIWASICommand, ""},
		{"numeric _start", nil, []Export{fn(exportStart, FuncType{Params: []ValueType{i32, i32}, Results: []ValueType{i32}})}, ABINumeric, ""},
		{"numeric main", nil, []Export{fn("main", FuncType{Params: []ValueType{f64, i64}})}, ABINumeric, ""},
		{"numeric with platform.now", []Import{{Module: "platform", Name: "now", Kind: ExternFunc, Type: FuncType{Results: []ValueType{f64}}}}, []Export{fn(exportStart, sigNone)}, ABINumeric, ""},
		{"platform.now wrong type", []Import{{Module: "platform", Name: "now", Kind: ExternFunc, Type: FuncType{Results: []ValueType{i32}}}}, []Export{fn(exportStart, sigNone)}, 0, "wrong type"},
		{"unknown import", []Import{{Module: "env", Name: "abort", Kind: ExternFunc}}, []Export{fn(exportStart, sigNone)}, 0, "unknown import env.abort"},
		{"WASI without _start", []Import{wasiFdWrite}, []Export{memExport}, 0, "no _start"},
		{"reactor bad handle", nil, []Export{memExport, fn(exportReactorAlloc, sigI32ToI32), fn(exportReactorHandle, sigI32ToI32)}, 0, "wow_handle: (i32, i32) -> i64"},
		{"membuf without _start", []Import{wasiFdWrite}, membuf[2:], 0, "needs exports memory and _start"},
		{"nothing", nil, []Export{fn("foo", sigNone)}, 0, "matches no action ABI"},
		{"externref", nil, []Export{fn(exportStart, FuncType{Params: []ValueType{ValueTypeExternref}})}, 0, "matches no action ABI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DetectABI(tc.imports, tc.exports)
			if tc.err != "" {
				require.ErrorIs(t, err, ErrInvalidModule)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestABIReusable(t *testing.T) {
	assert.True(t, ABIReactor.Reusable())
	assert.True(t, ABINumeric.Reusable())
	assert.False(t, ABIWASICommand.Reusable())
	assert.False(t, ABIMemoryBuffer.Reusable())
	assert.Equal(t, "reactor", ABIReactor.String())
}

package runtimetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func (s *suite) detectTests() []test {
	abis := []struct {
		module string
		abi    runtime.ABI
	}{
		{"wat:answer", runtime.ABINumeric},
		{"wat:sum", runtime.ABINumeric},
		{"wat:sleep", runtime.ABINumeric},
		{"c:add", runtime.ABIWASICommand},
		{"c:add_membuf", runtime.ABIMemoryBuffer},
		{"c:add_reactor", runtime.ABIReactor},
		{"go:add", runtime.ABIWASICommand},
		{"go:echo-reactor", runtime.ABIReactor},
	}
	var tests []test
	for _, tc := range abis {
		tests = append(tests, test{"ABI/" + tc.module, func(t *testing.T) {
			assert.Equal(t, tc.abi, s.module(t, tc.module).ABI())
		}})
	}
	invalid := []struct {
		name, module string
		bytes        []byte
		want         string
	}{
		{name: "NoABI", module: "wat:noabi", want: "matches no action ABI"},
		{name: "UnknownImport", module: "wat:badimport", want: "unknown import env.whatever"},
		{name: "Garbage", bytes: []byte("\x00asm\x01\x00\x00\x00garbage")},
		{name: "NotWasm", bytes: []byte(`{"not": "wasm"}`)},
		{name: "Empty", bytes: []byte{}},
	}
	for _, tc := range invalid {
		tests = append(tests, test{"Invalid/" + tc.name, func(t *testing.T) {
			b := tc.bytes
			if tc.module != "" {
				b = source(t, tc.module)
			}
			_, err := s.rt.Compile(context.Background(), b)
			require.ErrorIs(t, err, runtime.ErrInvalidModule)
			if tc.want != "" {
				assert.Contains(t, err.Error(), tc.want)
			}
		}})
	}
	return tests
}

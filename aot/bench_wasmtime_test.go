//go:build wasmtime

package aot_test

import _ "github.com/wowrt/wow/engines/wasmtime"

func init() { benchEngines = append(benchEngines, "wasmtime") }

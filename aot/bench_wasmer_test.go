//go:build wasmer

package aot_test

import _ "github.com/wowrt/wow/engines/wasmer"

func init() { benchEngines = append(benchEngines, "wasmer") }

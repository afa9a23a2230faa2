//go:build wasmtime

package executor

import _ "github.com/wowrt/wow/engines/wasmtime"

//go:build wasmer

package main

// The wasmer engine, compiled in with the build tag wasmer.
import _ "github.com/wowrt/wow/engines/wasmer"

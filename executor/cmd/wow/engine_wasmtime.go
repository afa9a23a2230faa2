//go:build wasmtime

package main

// The wasmtime engine, compiled in with the build tag wasmtime.
import _ "github.com/wowrt/wow/engines/wasmtime"

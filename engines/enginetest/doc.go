// Package enginetest holds the differential test across engines: every
// example action, with the same params, must give the same result on every
// engine compiled into the test binary (wazero always, in compiler and
// interpreter mode; wasmtime, wasmer or wamr when built with their tag).
package enginetest

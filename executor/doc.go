// Package executor wires a runtime.Runtime into OpenWhisk's action protocol
// (package ow) and serves it. The wow binary (executor/cmd/wow) is its
// command-line face.
package executor

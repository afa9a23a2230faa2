//go:build !linux

package aot

import "log/slog"

// spare is a Loader's spare memfd, which only Linux has.
type spare struct{}

// newSpare returns no spare.
func newSpare(int64, *slog.Logger) *spare { return nil }

// close does nothing.
func (*spare) close() {}

// wait does nothing.
func (*spare) wait() {}

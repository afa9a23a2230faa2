//go:build !linux

package wazero

import "errors"

func mapReserve(uint64) ([]byte, error) {
	return nil, errors.New("no virtual reservation on this platform")
}

func unmap([]byte) error { return nil }

func release(b []byte) error { clear(b); return nil }

//go:build linux

package wazero

import (
	"errors"

	"golang.org/x/sys/unix"
)

// mapReserve maps n bytes of zeroed, private, uncommitted memory.
func mapReserve(n uint64) ([]byte, error) {
	if n == 0 || n > 1<<32 {
		return nil, errors.New("bad reservation size")
	}
	return unix.Mmap(-1, 0, int(n), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
}

func unmap(b []byte) error { return unix.Munmap(b) }

// release gives a mapping's pages back to the OS; they read as zero after.
func release(b []byte) error { return unix.Madvise(b, unix.MADV_DONTNEED) }

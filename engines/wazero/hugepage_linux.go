//go:build linux

package wazero

import (
	"sync"
	_ "unsafe" // go:linkname

	"golang.org/x/sys/unix"
)

// wazero maps the machine code of every module it compiles or reads from
// its file cache with golang.org/x/sys/unix.Mmap: anonymous, private,
// read-write, then written and made executable. A Go action's code is
// 11 MB, and every 4 KiB page of it faulted in costs a trip to the
// hypervisor on a VM that pages its guests (≈ 65 ms for the 11 MB here).
// hugeCode backs such mappings with transparent huge pages: one fault per
// 2 MiB (RATIONALE "engines/wazero: code is mapped on huge pages").
//
// wazero has no hook for its code mappings, so hugeCode wraps the mmap
// function x/sys/unix's Mmap calls. Only mappings of exactly wazero's
// kind are changed; linear memory (ours is MAP_NORESERVE) and files are
// passed through untouched. One of at least hugeMin bytes starts on a
// 2 MiB boundary and is advised MADV_HUGEPAGE; its length is the one asked
// for, so Munmap undoes it. A smaller one is populated when it is mapped
// (MAP_POPULATE): one kernel entry instead of a fault per page, and no
// page is wasted, since wazero writes all of it at once.

// hugeSize is the size of a transparent huge page on amd64 and arm64 with
// 4 KiB base pages.
const hugeSize = 2 << 20

// hugeMin is the smallest code mapping worth a huge page: below two huge
// pages, aligning would gain at most one.
const hugeMin = 2 * hugeSize

// xMmapper mirrors golang.org/x/sys/unix.mmapper (syscall_unix.go).
type xMmapper struct {
	sync.Mutex
	active map[*byte][]byte
	mmap   func(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error)
	munmap func(addr uintptr, length uintptr) error
}

// xMremapMmapper mirrors golang.org/x/sys/unix.mremapMmapper (mremap.go),
// the type of its mapper on Linux.
type xMremapMmapper struct {
	xMmapper
	mremap func(oldaddr uintptr, oldlength uintptr, newlength uintptr, flags int, newaddr uintptr) (uintptr, error)
}

//go:linkname unixMapper golang.org/x/sys/unix.mapper
var unixMapper *xMremapMmapper

// init wraps x/sys/unix's mmap during package initialization, before
// wazero maps anything, so no call sees the field change.
func init() {
	if unixMapper != nil && unixMapper.mmap != nil && unixMapper.munmap != nil {
		unixMapper.mmap = hugeCode(unixMapper.mmap, unixMapper.munmap)
	}
}

// hugeCode returns mmap that places wazero's code mappings on huge pages.
func hugeCode(
	mmap func(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error),
	munmap func(addr, length uintptr) error,
) func(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error) {
	return func(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error) {
		if addr != 0 || fd != -1 ||
			prot != unix.PROT_READ|unix.PROT_WRITE || flags != unix.MAP_ANON|unix.MAP_PRIVATE {
			return mmap(addr, length, prot, flags, fd, offset)
		}
		if length < hugeMin {
			return mmap(addr, length, prot, flags|unix.MAP_POPULATE, fd, offset)
		}
		// Map a huge page more than asked and keep the aligned part.
		p, err := mmap(0, length+hugeSize, prot, flags, fd, offset)
		if err != nil {
			return mmap(addr, length, prot, flags, fd, offset)
		}
		start := (p + hugeSize - 1) &^ (hugeSize - 1)
		if head := start - p; head > 0 {
			_ = munmap(p, head)
		}
		if tail := p + length + hugeSize - (start + length); tail > 0 {
			_ = munmap(start+length, tail)
		}
		// Without THP support this fails and the mapping stays as it was.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, length, unix.MADV_HUGEPAGE)
		return start, nil
	}
}

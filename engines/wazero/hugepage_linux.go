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
// hugeMapper backs such mappings with transparent huge pages: one fault
// per 2 MiB (RATIONALE "engines/wazero: code is mapped on huge pages").
//
// wazero has no hook for its code mappings, so hugeMapper wraps the mmap
// and munmap functions x/sys/unix's Mmap and Munmap call. Only mappings of
// exactly wazero's kind are changed; linear memory (ours is
// MAP_NORESERVE) and files are passed through untouched.

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

// init wraps x/sys/unix's mmap and munmap during package initialization,
// before wazero maps anything, so no call sees the fields change.
func init() {
	if unixMapper != nil && unixMapper.mmap != nil && unixMapper.munmap != nil {
		h := &hugeMapper{mmap: unixMapper.mmap, munmap: unixMapper.munmap, rounded: map[uintptr]uintptr{}}
		unixMapper.mmap, unixMapper.munmap = h.mmapCode, h.munmapCode
	}
}

// hugeMapper places wazero's code mappings on huge pages.
type hugeMapper struct {
	mmap   func(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error)
	munmap func(addr, length uintptr) error

	mu sync.Mutex
	// rounded holds the length asked for of each huge code mapping, by
	// address: the mapping itself is rounded up to whole huge pages.
	rounded map[uintptr]uintptr
}

// roundHuge rounds n up to whole huge pages.
func roundHuge(n uintptr) uintptr { return (n + hugeSize - 1) &^ (hugeSize - 1) }

// mmapCode maps like mmap, but a mapping of wazero's kind of at least
// hugeMin bytes starts on a huge page boundary, spans whole huge pages
// (the last one's tail past length is never touched by wazero, but the
// kernel gives it the huge page: at most 2 MiB - 4 KiB more RSS per such
// module, and up to 512 fewer faults twice over) and is advised
// MADV_HUGEPAGE; a smaller one is populated.
func (h *hugeMapper) mmapCode(addr, length uintptr, prot, flags, fd int, offset int64) (uintptr, error) {
	if addr != 0 || fd != -1 ||
		prot != unix.PROT_READ|unix.PROT_WRITE || flags != unix.MAP_ANON|unix.MAP_PRIVATE {
		return h.mmap(addr, length, prot, flags, fd, offset)
	}
	if length < hugeMin {
		return h.mmap(addr, length, prot, flags|unix.MAP_POPULATE, fd, offset)
	}
	// Map a huge page more than needed and keep the aligned part.
	size := roundHuge(length)
	p, err := h.mmap(0, size+hugeSize, prot, flags, fd, offset)
	if err != nil {
		return h.mmap(addr, length, prot, flags, fd, offset)
	}
	start := roundHuge(p)
	head := start - p // what precedes start; the rest of the extra huge page follows the end
	if head > 0 {
		_ = h.munmap(p, head)
	}
	if tail := hugeSize - head; tail > 0 {
		_ = h.munmap(start+size, tail)
	}
	// Without THP support this fails and the mapping stays as it was.
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, size, unix.MADV_HUGEPAGE)
	h.mu.Lock()
	h.rounded[start] = length
	h.mu.Unlock()
	return start, nil
}

// munmapCode unmaps like munmap, and the whole of a huge code mapping when
// it is the one asked for.
// The record of the mapping goes once it is unmapped: a failed munmap
// can be retried with the same length.
func (h *hugeMapper) munmapCode(addr, length uintptr) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	asked, ok := h.rounded[addr]
	if !ok || asked != length {
		return h.munmap(addr, length)
	}
	if err := h.munmap(addr, roundHuge(length)); err != nil {
		return err
	}
	delete(h.rounded, addr)
	return nil
}

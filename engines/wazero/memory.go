package wazero

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
	wowrt "github.com/wowrt/wow/runtime"
)

// allocator backs one sandbox's linear memory. It reserves the guest's whole
// allowance (its declared max, capped by the limit) as one virtual mapping up
// front, so memory.grow never copies: wazero's default grows by append, which
// briefly holds old and new buffers and let a 256 MiB guest peak at 1 GiB RSS.
// Pages are committed only when the guest touches them. Growing past the
// limit fails (memory.grow returns -1) and is recorded in hit.
type allocator struct {
	limitBytes uint64
	pool       *reservationPool
	// image, when set, is the module's initial memory (image.go).
	image *image
	hit   atomic.Bool
}

func newAllocator(limitPages uint32, pool *reservationPool, img *image) *allocator {
	return &allocator{limitBytes: uint64(limitPages) * wowrt.PageSize, pool: pool, image: img}
}

// Allocate implements experimental.MemoryAllocator.
func (a *allocator) Allocate(capBytes, maxBytes uint64) experimental.LinearMemory {
	reserve := maxBytes
	if a.limitBytes > 0 && reserve > a.limitBytes {
		reserve = a.limitBytes
	}
	// An initial size over the limit still gets its bytes, virtually, so
	// instantiation can finish and report the limit instead of panicking.
	reserve = max(reserve, capBytes)
	return &linearMemory{a: a, reserve: reserve}
}

type linearMemory struct {
	a       *allocator
	reserve uint64
	// buf is the whole reservation; the guest sees buf[:size].
	buf    []byte
	size   uint64
	mapped bool
	// imaged records that the image is mapped over buf's start.
	imaged bool
}

// Reallocate implements experimental.LinearMemory.
func (l *linearMemory) Reallocate(size uint64) []byte {
	if l.a.limitBytes > 0 && size > l.a.limitBytes {
		l.a.hit.Store(true)
		if l.buf != nil {
			return nil // a grow past the limit fails
		}
	}
	if l.buf == nil {
		if b, err := l.a.pool.get(l.reserve); err == nil {
			l.buf, l.mapped = b, true
		} else {
			// No virtual reservation on this platform: fall back to the Go
			// heap, which copies on growth but still honours the limit.
			l.buf = make([]byte, size, size)
		}
		if im := l.a.image; im != nil {
			switch {
			case l.mapped && im.size <= uint64(len(l.buf)):
				im.mapInto(l.buf)
				l.imaged = true
			default:
				im.copyInto(l.buf[:size])
			}
		}
	}
	if size > uint64(cap(l.buf)) {
		if l.mapped || size > l.reserve {
			return nil
		}
		nb := make([]byte, size)
		copy(nb, l.buf)
		l.buf = nb
	}
	l.size = size
	return l.buf[:size:size]
}

// Free implements experimental.LinearMemory.
func (l *linearMemory) Free() {
	if l.mapped {
		var clean uint64
		if l.imaged {
			if err := l.a.image.unmapFrom(l.buf); err != nil {
				_ = unmap(l.buf) // cannot restore it: never reuse it
				l.buf, l.mapped = nil, false
				return
			}
			clean = l.a.image.size
		}
		l.a.pool.put(l.buf, clean, l.size)
	}
	l.buf, l.mapped = nil, false
}

package wazero

import "sync"

// Tuning of the reservation pool.
const (
	// poolPerSize bounds the idle reservations kept per reservation size.
	poolPerSize = 64
	// keepDirty is the most a returned memory may have used and still be
	// zeroed in place (pages stay resident, so the next guest takes no page
	// faults); larger ones give their pages back to the OS instead.
	keepDirty = 256 << 10
)

// reservationPool recycles linear-memory reservations: mapping and unmapping
// hundreds of MiB of address space per activation costs more than running a
// small action. A recycled reservation is always all zero before reuse.
type reservationPool struct {
	mu   sync.Mutex
	free map[uint64][][]byte
}

func newReservationPool() *reservationPool {
	return &reservationPool{free: map[uint64][][]byte{}}
}

// get returns a zeroed reservation of n bytes.
func (p *reservationPool) get(n uint64) ([]byte, error) {
	p.mu.Lock()
	if l := p.free[n]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[n] = l[:len(l)-1]
		p.mu.Unlock()
		return b, nil
	}
	p.mu.Unlock()
	return mapReserve(n)
}

// put zeroes the used part of a reservation — bytes [clean, used); those
// before clean are known to be zero — and keeps it, or unmaps it when the
// pool for its size is full.
func (p *reservationPool) put(b []byte, clean, used uint64) {
	if used > clean {
		if dirty := b[clean:used]; len(dirty) <= keepDirty {
			clear(dirty)
		} else if err := release(dirty); err != nil {
			_ = unmap(b)
			return
		}
	}
	n := uint64(len(b))
	p.mu.Lock()
	if len(p.free[n]) < poolPerSize {
		p.free[n] = append(p.free[n], b)
		b = nil
	}
	p.mu.Unlock()
	if b != nil {
		_ = unmap(b)
	}
}

// drain unmaps every idle reservation.
func (p *reservationPool) drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n, l := range p.free {
		for _, b := range l {
			_ = unmap(b)
		}
		delete(p.free, n)
	}
}

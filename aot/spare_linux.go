package aot

import (
	"log/slog"
	"sync"

	"github.com/wowrt/wow/internal/memfd"
)

// spareGrain rounds a spare's size up: the tail freed when a spare is
// sealed to the code's size is less than this.
const spareGrain = 1 << 20

// spare is a Loader's spare memfd: at most one sealable memfd whose pages
// are allocated, prepared in the background after the previous one was
// taken. Its first size is max; later ones are the size of the native
// code last staged, rounded up to spareGrain, at most max. Sealing a
// spare frees the pages past the code's end, which costs about two thirds
// of what allocating a page saves (0.9 ms for 21 MiB here): a spare more
// than twice the code's size is not used but replaced, in the background,
// by one sized to the code. Methods on a nil *spare do nothing (there is
// no spare).
type spare struct {
	max int64
	log *slog.Logger

	mu        sync.Mutex
	ready     *memfd.Sealable // nil while taken or being prepared
	readySize int64
	stale     *memfd.Sealable // a spare too large, closed by the next fill
	next      int64           // the size of the next spare
	filling   bool
	closed    bool
	fills     sync.WaitGroup
}

// newSpare returns a spare of at most limit bytes, the first being
// prepared; nil when limit is not positive.
func newSpare(limit int64, log *slog.Logger) *spare {
	if limit <= 0 {
		return nil
	}
	s := &spare{max: limit, next: limit, log: log}
	s.refill()
	return s
}

// take returns the spare memfd for n bytes of native code, nil when none
// is ready or it is more than twice n (then it is replaced by one sized
// to n unless it is no larger already). Code larger than the spare still
// goes there: its first pages are allocated, the rest are allocated as
// they are written. The caller owns the memfd: it seals or closes it.
// Either way it calls refill once the code is loaded.
func (s *spare) take(n int64) *memfd.Sealable {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.ready
	if w == nil {
		return nil
	}
	next := min(s.max, max(spareGrain, (n+spareGrain-1)/spareGrain*spareGrain))
	if s.readySize > 2*n {
		if s.readySize > next { // replace it by a smaller one, else keep it
			s.ready, s.stale, s.next = nil, w, next
		}
		return nil
	}
	s.ready, s.next = nil, next
	return w
}

// refill prepares a new spare in the background unless one is ready or
// being prepared, or the spare was closed.
func (s *spare) refill() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready != nil || s.filling || s.closed {
		return
	}
	s.filling = true
	size, stale := s.next, s.stale
	s.stale = nil
	s.fills.Go(func() { s.fill(size, stale) })
}

// fill closes a stale spare, if any, and allocates a spare of size bytes
// (about 0.8 ms per 11 MB on this VM).
func (s *spare) fill(size int64, stale *memfd.Sealable) {
	if stale != nil {
		stale.Close()
	}
	w, err := memfd.NewAllocated("wow-native", size)
	if err != nil {
		s.log.Warn("cannot prepare a spare memfd for trusted native code; trusted loads write into fresh memfds", "bytes", size, "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filling = false
	if w != nil && s.closed {
		w.Close()
		return
	}
	s.ready, s.readySize = w, size
}

// wait waits for the spare being prepared, if any.
func (s *spare) wait() {
	if s != nil {
		s.fills.Wait()
	}
}

// close releases the spare once the one being prepared, if any, is ready.
func (s *spare) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	w, stale := s.ready, s.stale
	s.ready, s.stale = nil, nil
	s.mu.Unlock()
	for _, f := range []*memfd.Sealable{w, stale} {
		if f != nil {
			f.Close()
		}
	}
	s.fills.Wait()
}

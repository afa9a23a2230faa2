//go:build wasmer

package wasmer

import (
	"encoding/binary"
	"time"

	"github.com/wasmerio/wasmer-go/wasmer"
)

// WASI poll_oneoff layout (wasi_snapshot_preview1).
const (
	subscriptionSize = 48
	eventSize        = 32
	eventClock       = 0
	subClockAbstime  = 1
	clockRealtime    = 0
	errnoInval       = 28
)

// pollOneoff is WASI poll_oneoff(in, out, nsubscriptions, nevents) -> errno.
// Wasmer 2.0's own panics (aborting the whole process) on the clock
// subscriptions every Go guest uses to sleep, so this one serves them: it
// sleeps until the earliest clock, or until the call's context ends, and
// reports that clock. Subscriptions on descriptors alone go to wasmer's
// implementation; mixed with a clock they are reported ready at once.
func (s *sandbox) pollOneoff(args []wasmer.Value) ([]wasmer.Value, error) {
	errno := func(e int32) []wasmer.Value { return []wasmer.Value{wasmer.NewI32(e)} }
	in, out, n, neventsPtr := uint32(args[0].I32()), uint32(args[1].I32()), uint32(args[2].I32()), uint32(args[3].I32())
	if n == 0 {
		return errno(errnoInval), nil
	}
	mem := s.mem.Data()
	if uint64(in)+uint64(n)*subscriptionSize > uint64(len(mem)) ||
		uint64(out)+uint64(n)*eventSize > uint64(len(mem)) || uint64(neventsPtr)+4 > uint64(len(mem)) {
		return errno(errnoFault), nil
	}
	clocks, earliest := 0, time.Duration(-1)
	for i := range n {
		sub := mem[in+i*subscriptionSize:]
		if sub[8] != eventClock {
			continue
		}
		clocks++
		d := time.Duration(binary.LittleEndian.Uint64(sub[24:]))
		if binary.LittleEndian.Uint16(sub[40:])&subClockAbstime != 0 {
			if binary.LittleEndian.Uint32(sub[16:]) == clockRealtime {
				d = time.Until(time.Unix(0, int64(d)))
			} else {
				d = 0 // an absolute monotonic time has no common origin here
			}
		}
		if earliest < 0 || d < earliest {
			earliest = d
		}
	}
	if clocks == 0 {
		return delegate(s.pollOrig, args), nil
	}
	fired := clocks == int(n) // only clocks: wait for the earliest
	if fired && earliest > 0 {
		t := time.NewTimer(earliest)
		select {
		case <-t.C:
		case <-s.ctx.Done():
		}
		t.Stop()
	}
	mem = s.mem.Data() // the guest cannot run meanwhile, but stay safe
	var events uint32
	for i := range n {
		sub := mem[in+i*subscriptionSize:]
		if sub[8] == eventClock && !fired {
			continue
		}
		ev := mem[out+events*eventSize : out+(events+1)*eventSize]
		clear(ev)
		copy(ev[0:8], sub[0:8]) // userdata
		ev[10] = sub[8]         // type
		if sub[8] != eventClock {
			binary.LittleEndian.PutUint64(ev[16:], 1) // ready, one byte
		}
		events++
		if sub[8] == eventClock {
			fired = false // report one clock
		}
	}
	binary.LittleEndian.PutUint32(mem[neventsPtr:], events)
	return errno(errnoSuccess), nil
}

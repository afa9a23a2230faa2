package executor

import (
	"time"
)

// janitor closes warm instances idle for longer than Options.IdleTTL,
// until Close. With a negative IdleTTL it only waits for Close.
func (e *Executor) janitor() {
	defer close(e.janitorDone)
	ttl := e.opts.IdleTTL
	if ttl < 0 {
		<-e.stopJanitor
		return
	}
	tick := time.NewTicker(janitorPeriod(ttl))
	defer tick.Stop()
	for {
		select {
		case <-e.stopJanitor:
			return
		case now := <-tick.C:
			e.shrinkIdle(now.Add(-ttl))
		}
	}
}

// janitorPeriod checks a few times per TTL, at most every 10 ms and at
// least once a minute.
func janitorPeriod(ttl time.Duration) time.Duration {
	return min(max(ttl/4, 10*time.Millisecond), time.Minute)
}

// shrinkIdle closes every instance idle since before cutoff.
func (e *Executor) shrinkIdle(cutoff time.Time) {
	e.mu.Lock()
	actions := make([]*action, 0, len(e.actions))
	for a := range e.actions {
		actions = append(actions, a)
	}
	e.mu.Unlock()
	closed := 0
	for _, a := range actions {
		closed += a.shrink(cutoff)
	}
	if closed > 0 {
		e.log.Debug("idle instances closed", "count", closed)
	}
}

package ow

import (
	"bytes"
	"io"
	"sync"
)

// Sentinel is the line OpenWhisk's invoker waits for, once on stdout and once
// on stderr, at the end of every activation's logs.
const Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"

// logFlushBytes is how much of one activation's log a stream buffers before
// writing its complete lines out early.
const logFlushBytes = 64 << 10

// maxPooledLog is the largest buffer kept for reuse.
const maxPooledLog = 1 << 20

// logSink is one process stream (stdout or stderr) shared by concurrent
// activations. Writes hold the mutex and always end at a line boundary, so
// lines of different activations never interleave mid-line.
type logSink struct {
	mu   sync.Mutex
	w    io.Writer
	pool sync.Pool // of *activationLog
}

func newLogSink(w io.Writer) *logSink {
	if w == nil {
		w = io.Discard
	}
	return &logSink{w: w}
}

// write writes whole lines under the lock.
func (s *logSink) write(p []byte) {
	s.mu.Lock()
	_, _ = s.w.Write(p)
	s.mu.Unlock()
}

// get returns an empty activation buffer.
func (s *logSink) get() *activationLog {
	if a, ok := s.pool.Get().(*activationLog); ok {
		return a
	}
	return &activationLog{sink: s}
}

// activationLog is one activation's view of a stream: an io.Writer that
// buffers until a line boundary and writes complete lines to the sink.
type activationLog struct {
	sink *logSink
	buf  []byte
}

// Write buffers p; once the buffer is large its complete lines are written.
func (a *activationLog) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	if len(a.buf) >= logFlushBytes {
		if i := bytes.LastIndexByte(a.buf, '\n'); i >= 0 {
			a.sink.write(a.buf[:i+1])
			a.buf = append(a.buf[:0], a.buf[i+1:]...)
		} else {
			// One very long line: write it out, it ends at the next write.
			a.sink.write(append(a.buf, '\n'))
			a.buf = a.buf[:0]
		}
	}
	return len(p), nil
}

// end writes what is left, terminated by a newline, then (when sentinel is
// set) the sentinel line, in one write; then recycles a.
func (a *activationLog) end(sentinel bool) {
	if len(a.buf) > 0 && a.buf[len(a.buf)-1] != '\n' {
		a.buf = append(a.buf, '\n')
	}
	if sentinel {
		a.buf = append(a.buf, Sentinel...)
		a.buf = append(a.buf, '\n')
	}
	if len(a.buf) > 0 {
		a.sink.write(a.buf)
	}
	if cap(a.buf) > maxPooledLog {
		a.buf = nil
	} else {
		a.buf = a.buf[:0]
	}
	a.sink.pool.Put(a)
}

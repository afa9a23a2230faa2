package runtime

import (
	"bytes"
	"fmt"
	"io"
)

// stderrTail is how much of stderr an ExitError quotes.
const stderrTail = 1024

// logWriter forwards an activation's log output to a sink, up to a byte
// limit, and remembers the tail for error messages. It is reset per activation.
type logWriter struct {
	sink      io.Writer
	max       int
	written   int
	truncated bool
	tail      []byte
}

func newLogWriter(sink io.Writer, max int) *logWriter {
	return &logWriter{sink: sink, max: max}
}

func (w *logWriter) reset() {
	w.written, w.truncated = 0, false
	w.tail = w.tail[:0]
}

// Write never fails: a guest must not see an error for logging too much.
func (w *logWriter) Write(p []byte) (int, error) {
	w.keepTail(p)
	w.forward(p)
	return len(p), nil
}

func (w *logWriter) forward(p []byte) {
	if w.truncated {
		return
	}
	if w.max > 0 && w.written+len(p) > w.max {
		p = p[:w.max-w.written]
		w.truncated = true
	}
	w.written += len(p)
	_, _ = w.sink.Write(p)
	if w.truncated {
		_, _ = fmt.Fprintf(w.sink, "\nwow: logs truncated at %d bytes\n", w.max)
	}
}

func (w *logWriter) keepTail(p []byte) {
	if len(p) >= stderrTail {
		w.tail = append(w.tail[:0], p[len(p)-stderrTail:]...)
		return
	}
	if over := len(w.tail) + len(p) - stderrTail; over > 0 {
		w.tail = append(w.tail[:0], w.tail[over:]...)
	}
	w.tail = append(w.tail, p...)
}

// flush is a no-op kept for symmetry with resultWriter: logWriter does not buffer.
func (w *logWriter) flush() {}

// Tail returns the last bytes written, trimmed.
func (w *logWriter) Tail() string { return string(bytes.TrimSpace(w.tail)) }

// resultWriter implements the blackbox convention on stdout: every line but
// the last non-empty one is a log line, forwarded as soon as a later line
// starts; the last one is the result. A line longer than the result limit is
// streamed to the logs and cannot be the result.
type resultWriter struct {
	logs *logWriter
	max  int
	// held is the last complete non-empty line, not yet forwarded.
	held []byte
	// cur is the line being written.
	cur []byte
	// overflow marks cur as longer than max: it is being streamed to logs.
	overflow bool
	// lastTooLong records that the last complete line overflowed.
	lastTooLong bool
}

func newResultWriter(logs *logWriter, max int) *resultWriter {
	return &resultWriter{logs: logs, max: max}
}

func (w *resultWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
			p = p[i+1:]
		} else {
			p = nil
		}
		w.appendCur(chunk)
		if i >= 0 {
			w.endLine()
		}
	}
	return n, nil
}

func (w *resultWriter) appendCur(b []byte) {
	if w.overflow {
		w.logs.forward(b)
		return
	}
	w.cur = append(w.cur, b...)
	if w.max > 0 && len(w.cur) > w.max {
		w.releaseHeld()
		w.logs.forward(w.cur)
		w.cur = w.cur[:0]
		w.overflow = true
	}
}

func (w *resultWriter) endLine() {
	switch {
	case w.overflow:
		w.logs.forward([]byte{'\n'})
		w.overflow, w.lastTooLong = false, true
	case len(bytes.TrimSpace(w.cur)) > 0:
		w.releaseHeld()
		w.held, w.cur = w.cur, w.held[:0]
		w.lastTooLong = false
	default:
		w.cur = w.cur[:0]
	}
}

// releaseHeld forwards the held line to the logs: a later line exists.
func (w *resultWriter) releaseHeld() {
	if w.held != nil {
		w.logs.forward(w.held)
		w.logs.forward([]byte{'\n'})
		w.held = nil
	}
}

// result returns the last non-empty line, forwarding everything before it.
func (w *resultWriter) result() ([]byte, error) {
	if w.overflow {
		w.logs.forward([]byte{'\n'})
		return nil, wrapf(ErrLimit, "the result line is longer than the %d-byte limit", w.max)
	}
	if len(bytes.TrimSpace(w.cur)) > 0 {
		w.releaseHeld()
		return bytes.TrimSpace(w.cur), nil
	}
	if w.held == nil {
		if w.lastTooLong {
			return nil, wrapf(ErrLimit, "the result line is longer than the %d-byte limit", w.max)
		}
		return nil, wrapf(ErrABI, "the action wrote no result line to stdout")
	}
	return bytes.TrimSpace(w.held), nil
}

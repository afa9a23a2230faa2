//go:build wasmtime

package wasmtime

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// capture is one WASI output stream (stdout or stderr) of a sandbox: an
// anonymous in-memory file (memfd) that wasmtime opens through
// /proc/self/fd, drained into the runtime's writer after every call. It
// never touches the process's own descriptors, leaves nothing on disk, and
// costs two syscalls per sandbox instead of a pipe's reader goroutine and
// the synchronisation needed to know a pipe was fully read (RATIONALE.md).
type capture struct {
	f   *os.File
	w   io.Writer
	off int64
	buf []byte
}

func newCapture(name string, w io.Writer) (*capture, error) {
	if w == nil {
		return nil, nil
	}
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("%s: memfd_create: %w", name, err)
	}
	return &capture{f: os.NewFile(uintptr(fd), name), w: w}, nil
}

func (c *capture) path() string { return fmt.Sprintf("/proc/self/fd/%d", c.f.Fd()) }

// drain writes what the guest appended since the last drain to the writer,
// then truncates the file so it holds at most one call's output. The guest's
// descriptor keeps its position, so its next write lands past the hole at
// c.off, where the next drain starts reading.
func (c *capture) drain() {
	if c == nil {
		return
	}
	fi, err := c.f.Stat()
	if err != nil || fi.Size() <= c.off {
		return
	}
	n := fi.Size() - c.off
	if int64(cap(c.buf)) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	if m, _ := c.f.ReadAt(b, c.off); m > 0 {
		_, _ = c.w.Write(b[:m])
	}
	c.off = fi.Size()
	_ = c.f.Truncate(0)
	if cap(c.buf) > 1<<20 {
		c.buf = nil // do not hold a big buffer for a warm instance
	}
}

func (c *capture) close() {
	if c != nil {
		_ = c.f.Close()
	}
}

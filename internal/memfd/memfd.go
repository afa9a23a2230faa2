// Package memfd captures a sandbox's WASI output streams in anonymous
// in-memory files (Linux memfd_create) that an engine opens by path
// (/proc/self/fd/N) or by descriptor, drained into the runtime's writers
// after every call. Engines whose WASI takes files or descriptors (wasmtime,
// WAMR) share it; the process's own descriptors are never involved.
package memfd

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Capture is one WASI output stream (stdout or stderr) of a sandbox: an
// anonymous in-memory file (memfd) that wasmtime opens through
// /proc/self/fd, drained into the runtime's writer after every call. It
// never touches the process's own descriptors, leaves nothing on disk, and
// costs two syscalls per sandbox instead of a pipe's reader goroutine and
// the synchronisation needed to know a pipe was fully read (RATIONALE.md,
// engines/wasmtime). Methods on a nil *Capture do nothing.
type Capture struct {
	f   *os.File
	w   io.Writer
	off int64
	buf []byte
}

// New returns a capture forwarding to w, or nil when w is nil (output
// discarded).
func New(name string, w io.Writer) (*Capture, error) {
	if w == nil {
		return nil, nil
	}
	f, err := newFile(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &Capture{f: f, w: w}, nil
}

// Path is the file's name for an engine that opens it.
func (c *Capture) Path() string { return fmt.Sprintf("/proc/self/fd/%d", c.f.Fd()) }

// Drain writes what the guest appended since the last drain to the writer,
// then truncates the file so it holds at most one call's output. The guest's
// descriptor keeps its position, so its next write lands past the hole at
// c.off, where the next drain starts reading.
func (c *Capture) Drain() {
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

// Close releases the file.
func (c *Capture) Close() {
	if c != nil {
		_ = c.f.Close()
	}
}

// Fd is the file's descriptor, owned by the capture.
func (c *Capture) Fd() int { return int(c.f.Fd()) }

// Input returns a memfd holding b, positioned at its start, for an engine
// that reads stdin from a descriptor. The caller closes it.
func Input(name string, b []byte) (*os.File, error) {
	f, err := newFile(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteAt(b, 0); err != nil { // pwrite: the offset stays at the start
		f.Close()
		return nil, err
	}
	return f, nil
}

// newFile returns a new memfd made with flags.
func newFile(name string, flags int) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, flags)
	if err != nil {
		return nil, fmt.Errorf("%s: memfd_create: %w", name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Sealed returns a memfd holding b, zero-extended to size bytes (at least
// len(b)), sealed so that nobody — not even this process — can change, grow
// or shrink it: what was verified or prepared is what gets mapped. The
// caller closes it.
func Sealed(name string, b []byte, size int64) (*os.File, error) {
	s, err := NewSealable(name)
	if err != nil {
		return nil, err
	}
	if _, err := s.WriteAt(b, 0); err != nil {
		s.Close()
		return nil, err
	}
	return s.Seal(max(size, int64(len(b))))
}

// Sealable is a memfd written piecewise, then sealed (see Sealed). Until
// it is sealed only this process can write it: its descriptor is
// close-on-exec, and another process reaches /proc/PID/fd only with
// ptrace rights over this one.
type Sealable struct{ f *os.File }

// NewSealable returns an empty memfd that can be sealed.
func NewSealable(name string) (*Sealable, error) {
	f, err := newFile(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	return &Sealable{f}, nil
}

// NewAllocated returns a memfd that can be sealed, size bytes long, whose
// pages are allocated now (fallocate): writing into them later skips the
// kernel's allocation and zeroing of fresh pages, which dominates a write
// into a new memfd. It holds size bytes of shared memory until it is
// sealed to a smaller size or closed.
func NewAllocated(name string, size int64) (*Sealable, error) {
	s, err := NewSealable(name)
	if err != nil {
		return nil, err
	}
	if err := unix.Fallocate(s.Fd(), 0, 0, size); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: fallocate %d bytes: %w", name, size, err)
	}
	return s, nil
}

// Fd is the file's descriptor, owned by s.
func (s *Sealable) Fd() int { return int(s.f.Fd()) }

// WriteAt writes b at offset off (pwrite: the kernel copies into the
// file's pages, with no page faults in this process).
func (s *Sealable) WriteAt(b []byte, off int64) (int, error) { return s.f.WriteAt(b, off) }

// Seal sets the file's size (freeing the pages past it), seals it against writes, growth and
// shrinking, and returns it positioned at its start; the caller closes
// it. On error the file is closed.
func (s *Sealable) Seal(size int64) (*os.File, error) {
	f := s.f
	fi, err := f.Stat()
	if err == nil && fi.Size() != size {
		err = f.Truncate(size)
	}
	if err == nil {
		seals := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
		if _, err = unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
			err = fmt.Errorf("%s: seal: %w", f.Name(), err)
		}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close releases an unsealed file.
func (s *Sealable) Close() { _ = s.f.Close() }

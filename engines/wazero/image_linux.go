//go:build linux

package wazero

import (
	"io"
	"os"
	"unsafe"

	"github.com/wowrt/wow/internal/memfd"
	"golang.org/x/sys/unix"
)

const imagesSupported = true

// image is a module's initial memory in a sealed memfd. Instances map it
// privately over the start of their reservation: pages the guest only reads
// are shared with every other instance, pages it writes are copied then.
type image struct {
	f *os.File
	// size is the mapped length: the image rounded up to whole OS pages
	// (the memfd is zero-extended to it).
	size uint64
}

func newImage(b []byte) (*image, error) {
	ps := uint64(unix.Getpagesize())
	size := (uint64(len(b)) + ps - 1) / ps * ps
	f, err := memfd.Sealed("wow-data-image", b, int64(size))
	if err != nil {
		return nil, err
	}
	return &image{f: f, size: size}, nil
}

// mapInto maps the image over the start of buf, a reservation at least
// size long. If mapping fails it copies the image instead.
func (im *image) mapInto(buf []byte) {
	if err := mmapFixed(buf[:im.size], int(im.f.Fd()), unix.MAP_PRIVATE); err != nil {
		_, _ = im.f.ReadAt(buf[:im.size], 0)
	}
}

// copyInto copies the image into buf (memories not backed by a reservation).
func (im *image) copyInto(buf []byte) {
	n := min(uint64(len(buf)), im.size)
	if _, err := im.f.ReadAt(buf[:n], 0); err != nil && err != io.EOF {
		clear(buf[:n])
	}
}

// unmapFrom turns the image's range of buf back into zeroed anonymous
// memory, dropping the instance's private copies of image pages.
func (im *image) unmapFrom(buf []byte) error {
	return mmapFixed(buf[:im.size], -1, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
}

func (im *image) close() {
	if im != nil {
		_ = im.f.Close()
	}
}

// mmapFixed maps fd (or anonymous memory when fd is -1) exactly over b.
func mmapFixed(b []byte, fd int, flags int) error {
	_, _, errno := unix.Syscall6(unix.SYS_MMAP, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		unix.PROT_READ|unix.PROT_WRITE, uintptr(flags|unix.MAP_FIXED), uintptr(fd), 0)
	if errno != 0 {
		return errno
	}
	return nil
}

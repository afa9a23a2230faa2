//go:build linux

package wazero

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// vmFlags returns the VmFlags line /proc/self/smaps gives the mapping
// that holds p.
func vmFlags(t *testing.T, p *byte) []string {
	flags, _ := smaps(t, p)
	return flags
}

// smaps returns the VmFlags and the Rss in KiB that /proc/self/smaps
// gives the mapping that holds p.
func smaps(t *testing.T, p *byte) (flags []string, rssKiB int) {
	t.Helper()
	addr := uint64(uintptr(unsafe.Pointer(p)))
	f, err := os.Open("/proc/self/smaps")
	require.NoError(t, err)
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uint64
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			_, err := fmt.Sscanf(line, "Rss: %d kB", &rssKiB)
			require.NoError(t, err)
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Fields(strings.TrimPrefix(line, "VmFlags:")), rssKiB
		}
	}
	require.NoError(t, sc.Err())
	t.Fatalf("no mapping holds %#x", addr)
	return nil, 0
}

// thpAvailable reports whether the kernel has transparent huge pages.
func thpAvailable() bool {
	_, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil
}

func TestHugeCodeMapping(t *testing.T) {
	// What wazero maps for machine code (internal/platform/mmap_linux.go).
	size := hugeMin + 12345
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	require.NoError(t, err)
	require.Len(t, b, size)
	assert.Zero(t, uintptr(unsafe.Pointer(&b[0]))%hugeSize, "a code mapping starts on a huge page boundary")
	for i := range b {
		b[i] = byte(i)
	}
	assert.Equal(t, byte(size-1), b[size-1])
	if thpAvailable() {
		assert.Contains(t, vmFlags(t, &b[0]), "hg", "a code mapping is advised MADV_HUGEPAGE")
	}
	require.NoError(t, unix.Mprotect(b, unix.PROT_READ|unix.PROT_EXEC))
	end := uintptr(unsafe.Pointer(&b[0])) + roundHuge(uintptr(size))
	require.True(t, mapped(t, end-1), "the mapping spans whole huge pages")
	require.NoError(t, unix.Munmap(b))
	require.False(t, mapped(t, end-1), "Munmap unmaps all of it")
	require.False(t, mapped(t, uintptr(unsafe.Pointer(&b[0]))))
}

// mapped reports whether the page holding addr is mapped.
func mapped(t *testing.T, addr uintptr) bool {
	t.Helper()
	page := addr &^ uintptr(os.Getpagesize()-1)
	vec := make([]byte, 1)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, page, uintptr(os.Getpagesize()), uintptr(unsafe.Pointer(&vec[0])))
	switch errno {
	case 0:
		return true
	case unix.ENOMEM:
		return false
	}
	t.Fatalf("mincore: %v", errno)
	return false
}

func TestSmallCodeMappingIsPopulated(t *testing.T) {
	size := 64 << 10
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	require.NoError(t, err)
	defer func() { require.NoError(t, unix.Munmap(b)) }()
	flags, rss := smaps(t, &b[0])
	assert.NotContains(t, flags, "hg")
	assert.GreaterOrEqual(t, rss, size>>10, "every page is there before it is touched")
}

func TestHugeCodeLeavesOtherMappings(t *testing.T) {
	if !thpAvailable() {
		t.Skip("no transparent huge pages in this kernel")
	}
	rw := unix.PROT_READ | unix.PROT_WRITE
	memfd, err := unix.MemfdCreate("wow-hugepage-test", unix.MFD_CLOEXEC)
	require.NoError(t, err)
	defer unix.Close(memfd)
	require.NoError(t, unix.Ftruncate(memfd, hugeMin))
	tests := []struct {
		name  string
		fd    int
		size  int
		prot  int
		flags int
	}{
		{"linear memory reservation", -1, hugeMin, rw, unix.MAP_ANON | unix.MAP_PRIVATE | unix.MAP_NORESERVE},
		{"small", -1, hugeMin - 4096, rw, unix.MAP_ANON | unix.MAP_PRIVATE},
		{"shared", -1, hugeMin, rw, unix.MAP_ANON | unix.MAP_SHARED},
		{"read-only", -1, hugeMin, unix.PROT_READ, unix.MAP_ANON | unix.MAP_PRIVATE},
		{"file", memfd, hugeMin, rw, unix.MAP_PRIVATE},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := unix.Mmap(tc.fd, 0, tc.size, tc.prot, tc.flags)
			require.NoError(t, err)
			defer func() { require.NoError(t, unix.Munmap(b)) }()
			assert.NotContains(t, vmFlags(t, &b[0]), "hg")
		})
	}
}

package aot

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wowrt/wow/internal/memfd"
	"github.com/wowrt/wow/runtime"
	"golang.org/x/sys/unix"
)

// loadVerified loads verified native bytes. For an engine that maps files
// (wasmtime: 0.2 ms instead of 7 ms for a 3.3 MB Go action) they are
// copied into a sealed memfd first: nobody can change what the engine maps
// after the bytes were verified.
func loadVerified(ctx context.Context, rt runtime.Runtime, native []byte) (runtime.Module, error) {
	if !runtime.LoadsFilesInPlace(rt) {
		return rt.Load(ctx, native)
	}
	f, err := memfd.Sealed("wow-native", native, 0)
	if err != nil {
		return rt.Load(ctx, native)
	}
	defer f.Close()
	return rt.LoadFile(ctx, fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
}

// loadSealed loads the entry at path through a verified, sealed copy (as
// loadVerified), for an engine that maps files when the entry itself
// cannot be mapped.
func loadSealed(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	native, err := readVerified(path, verify)
	if err != nil {
		return nil, err
	}
	return loadRefused(loadVerified(ctx, rt, native))
}

// loadEntry loads the compile-cache entry at path once verify accepts its
// bytes. When the engine maps files, or copies what it loads, the entry is
// mapped instead of read, which on this VM saves 4.5 ms per 11 MB: the
// open file is mapped, verified in the mapping, and the engine loads the
// mapping or maps that same file (/proc/self/fd/N). A wasmtime entry of
// 11 MB then loads in 1.8 ms instead of 13 ms (RATIONALE.md). This
// requires that nobody rewrites the file in place between the check and
// the load: the cache only ever renames whole files into place, and the
// file must be a regular file of this process's user that no one else may
// write.
func loadEntry(ctx context.Context, rt runtime.Runtime, path string, verify func([]byte) error) (runtime.Module, error) {
	inPlace := runtime.LoadsFilesInPlace(rt)
	if !inPlace && !runtime.LoadCopies(rt) {
		return loadRead(ctx, rt, path, verify)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, errors.New("not a regular file")
	case st.Uid != uint32(os.Geteuid()) || st.Mode&0o022 != 0:
		return nil, fmt.Errorf("owned by uid %d with mode %o: only this user may write an entry", st.Uid, st.Mode&0o777)
	case st.Size == 0:
		return nil, verify(nil) // nothing to map; an empty entry does not verify
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil { // a file system that cannot map: the entry is fine
		if inPlace {
			return loadSealed(ctx, rt, path, verify)
		}
		return loadRead(ctx, rt, path, verify)
	}
	defer func() { _ = unix.Munmap(mem) }()
	if err := verify(mem); err != nil {
		return nil, err
	}
	if inPlace {
		return loadRefused(rt.LoadFile(ctx, fmt.Sprintf("/proc/self/fd/%d", fd)))
	}
	return loadRefused(rt.Load(ctx, mem))
}

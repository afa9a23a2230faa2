package aot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	goruntime "runtime"
	"sync"

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

// loadArtifact loads the native code of an artifact whose signature and
// manifest were checked, once e verifies its entries. For an engine that
// maps files, the native code is written into a memfd chunk by chunk
// while the other CPUs MAC the module and each chunk just written; the
// memfd is sealed before the MACs are compared, and the engine maps only
// that sealed file: a Go action's 11 MB cost about one copy instead of a
// full MAC pass followed by a copy (RATIONALE.md, aot: "A trusted
// artifact's copy and MACs overlap"). The memfd is sp's spare when one is
// ready; a new spare is then prepared once the engine loaded the code.
func loadArtifact(ctx context.Context, rt runtime.Runtime, a *Artifact, e *entryMACs, sp *spare) (runtime.Module, error) {
	if !runtime.LoadsFilesInPlace(rt) {
		if err := e.verify(a); err != nil {
			return nil, err
		}
		return rt.Load(ctx, a.Native)
	}
	defer sp.refill() // after the load: it competes for the CPUs
	f, err := stage(a, e, sp)
	if err != nil {
		return nil, err
	}
	if f == nil { // no memfd: the engine copies the bytes itself
		return rt.Load(ctx, a.Native)
	}
	defer f.Close()
	return rt.LoadFile(ctx, fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
}

// stage copies a's native code into a sealed memfd while MACing both
// entries, and returns the memfd once both MACs verify. The memfd is sp's
// spare when one is ready (sealing it to the code's size frees the rest),
// else a new one. Without a memfd it returns nil once the MACs verify.
func stage(a *Artifact, e *entryMACs, sp *spare) (*os.File, error) {
	var err error
	w := sp.take(int64(len(a.Native)))
	if w == nil {
		if w, err = memfd.NewSealable("wow-native"); err != nil {
			return nil, e.verify(a)
		}
	}
	wasm, native := e.wasm.jobs(a.Wasm), e.native.jobs(a.Native)
	jobs := make(chan macJob, len(wasm)+len(native))
	for _, j := range wasm { // ready now: a worker starts with them
		jobs <- j
	}
	wait := macWorkers(jobs, goruntime.GOMAXPROCS(0)-1)
	for _, j := range native {
		if _, err = w.WriteAt(j.data, int64(j.i)*macChunk); err != nil {
			break
		}
		jobs <- j // MACed from the bytes just copied, still in cache
	}
	close(jobs)
	wait() // this goroutine helps with what is left
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("stage native code: %w", err)
	}
	f, err := w.Seal(int64(len(a.Native)))
	if err != nil {
		return nil, fmt.Errorf("stage native code: %w", err)
	}
	if err := e.check(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
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
	// A raw descriptor: os.Open adds four fcntl calls and a failed
	// epoll_ctl, each a trip through the hypervisor here.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR { // as os.Open does, on file systems that can be interrupted
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
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
	case !inPlace && st.Size <= smallEntry:
		return loadSmall(ctx, rt, fd, int(st.Size), verify)
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

// smallEntry is the largest entry an engine that copies what it loads gets
// from a reused buffer instead of a mapping: mapping, touching and
// unmapping fresh pages costs more here than reading into pages already
// touched (a C action's 76 KB entry: RATIONALE.md, aot).
const smallEntry = 1 << 20

// smallBufs are the buffers of loadSmall.
var smallBufs = sync.Pool{New: func() any { b := make([]byte, smallEntry); return &b }}

// loadSmall reads the entry of size bytes open at fd into a reused buffer
// and loads it on rt, which copies what it keeps, once verify accepts it.
func loadSmall(ctx context.Context, rt runtime.Runtime, fd, size int, verify func([]byte) error) (runtime.Module, error) {
	bp := smallBufs.Get().(*[]byte)
	defer smallBufs.Put(bp)
	b := (*bp)[:size:size]
	for n := 0; n < size; {
		m, err := unix.Pread(fd, b[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			return nil, io.ErrUnexpectedEOF
		}
		n += m
	}
	if err := verify(b); err != nil {
		return nil, err
	}
	return loadRefused(rt.Load(ctx, b))
}

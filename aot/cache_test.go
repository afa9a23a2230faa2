package aot_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/aot"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

func entries(t *testing.T, dir, ext string) []string {
	t.Helper()
	var out []string
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ext) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

func TestCacheRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	add := c.Module("add")
	sum := sha256.Sum256(add)

	c1, err := aot.OpenCache(dir, aot.CacheOptions{})
	require.NoError(t, err)
	m, hit, err := c1.Module(ctx, openRT(t, nil), add, sum)
	require.NoError(t, err)
	require.False(t, hit)
	addWorks(t, m)
	require.NoError(t, m.Close(ctx))
	require.Equal(t, aot.CacheStats{Misses: 1}, c1.Stats())

	fi, err := os.Stat(filepath.Join(dir, "cache.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	require.Len(t, entries(t, dir, ".tmp"), 0, "no temporary file left")

	// A restarted process: a new cache and a new runtime on the same dir.
	c2, err := aot.OpenCache(dir, aot.CacheOptions{})
	require.NoError(t, err)
	m, hit, err = c2.Module(ctx, openRT(t, nil), add, sum)
	require.NoError(t, err)
	require.True(t, hit)
	addWorks(t, m)
	require.NoError(t, m.Close(ctx))
	require.Equal(t, aot.CacheStats{Hits: 1}, c2.Stats())
}

func TestCacheCorruptEntry(t *testing.T) {
	for _, engine := range benchEngines { // wasmtime maps entries in place
		t.Run(engine, func(t *testing.T) { testCacheCorruptEntry(t, engine) })
	}
}

func testCacheCorruptEntry(t *testing.T, engine string) {
	ctx := context.Background()
	add := c.Module("add")
	sum := sha256.Sum256(add)
	open := func(t *testing.T) runtime.Runtime {
		rt, err := runtime.Open(ctx, engine, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = rt.Close(ctx) })
		return rt
	}
	for _, tc := range []struct {
		name   string
		ext    string
		damage func([]byte) []byte
		mode   os.FileMode
		// mapped: only engines whose entries are mapped check the mode.
		mapped bool
	}{
		{name: "FlippedNative", ext: ".bin", damage: func(b []byte) []byte { b[len(b)/2] ^= 1; return b }},
		{name: "TruncatedNative", ext: ".bin", damage: func(b []byte) []byte { return b[:len(b)-7] }},
		{name: "EmptyNative", ext: ".bin", damage: func([]byte) []byte { return nil }},
		{name: "FlippedNonce", ext: ".mac", damage: func(b []byte) []byte { b[0] ^= 1; return b }},
		{name: "FlippedTag", ext: ".mac", damage: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{name: "ShortMAC", ext: ".mac", damage: func(b []byte) []byte { return b[:32] }},
		{name: "WritableByOthers", ext: ".bin", damage: func(b []byte) []byte { return b }, mode: 0o666, mapped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := open(t)
			if tc.mapped && !runtime.LoadsFilesInPlace(rt) && !runtime.LoadCopies(rt) {
				t.Skipf("%s reads entries into memory: the file's mode does not matter", engine)
			}
			dir := t.TempDir()
			cache, err := aot.OpenCache(dir, aot.CacheOptions{})
			require.NoError(t, err)
			m, _, err := cache.Module(ctx, rt, add, sum)
			require.NoError(t, err)
			require.NoError(t, m.Close(ctx))
			files := entries(t, dir, tc.ext)
			require.Len(t, files, 1)
			b, err := os.ReadFile(files[0])
			require.NoError(t, err)
			require.NoError(t, os.Chmod(files[0], 0o600))
			require.NoError(t, os.WriteFile(files[0], tc.damage(b), 0o600))
			if tc.mode != 0 {
				require.NoError(t, os.Chmod(files[0], tc.mode))
			}

			m, hit, err := cache.Module(ctx, open(t), add, sum)
			require.NoError(t, err)
			require.False(t, hit, "a damaged entry is never loaded")
			addWorks(t, m)
			require.NoError(t, m.Close(ctx))
			require.Equal(t, aot.CacheStats{Misses: 2, Corrupt: 1}, cache.Stats())

			// It was rewritten: the next load hits.
			m, hit, err = cache.Module(ctx, open(t), add, sum)
			require.NoError(t, err)
			require.True(t, hit)
			addWorks(t, m)
			require.NoError(t, m.Close(ctx))
		})
	}
}

func TestCacheEviction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rt := openRT(t, nil)
	mods := [][]byte{c.Module("add"), c.Module("add_membuf"), wat.Module("answer")}
	// Learn the entries' sizes with an unbounded cache.
	big, err := aot.OpenCache(t.TempDir(), aot.CacheOptions{})
	require.NoError(t, err)
	var total int64
	for _, w := range mods {
		m, _, err := big.Module(ctx, rt, w, sha256.Sum256(w))
		require.NoError(t, err)
		_ = m.Close(ctx)
	}
	for _, f := range entries(t, big.Dir(), ".bin") {
		fi, _ := os.Stat(f)
		total += fi.Size() + 32
	}
	// One byte short of room for all three.
	cache, err := aot.OpenCache(dir, aot.CacheOptions{MaxBytes: total - 1})
	require.NoError(t, err)
	old := time.Now().Add(-time.Hour)
	for i, w := range mods[:2] {
		m, _, err := cache.Module(ctx, rt, w, sha256.Sum256(w))
		require.NoError(t, err)
		_ = m.Close(ctx)
		// Make the first the least recently used, deterministically.
		for _, f := range entries(t, dir, ".bin") {
			if i == 0 {
				require.NoError(t, os.Chtimes(f, old, old))
			}
		}
	}
	// Touch the first (a hit refreshes it), so the second is now the LRU.
	m, hit, err := cache.Module(ctx, rt, mods[0], sha256.Sum256(mods[0]))
	require.NoError(t, err)
	require.True(t, hit)
	_ = m.Close(ctx)
	m, _, err = cache.Module(ctx, rt, mods[2], sha256.Sum256(mods[2]))
	require.NoError(t, err)
	_ = m.Close(ctx)
	st := cache.Stats()
	require.GreaterOrEqual(t, st.Evicted, int64(1))
	require.LessOrEqual(t, len(entries(t, dir, ".bin")), 2)
	// The recently used first module is still there; the second is gone.
	m, hit, err = cache.Module(ctx, rt, mods[0], sha256.Sum256(mods[0]))
	require.NoError(t, err)
	require.True(t, hit, "the recently used entry survived")
	_ = m.Close(ctx)
	m, hit, err = cache.Module(ctx, rt, mods[1], sha256.Sum256(mods[1]))
	require.NoError(t, err)
	require.False(t, hit, "the least recently used entry was evicted")
	_ = m.Close(ctx)
}

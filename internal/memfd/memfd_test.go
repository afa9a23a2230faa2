package memfd

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestSealed(t *testing.T) {
	f, err := Sealed("test", []byte("abc"), 8)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, []byte("abc\x00\x00\x00\x00\x00"), b, "zero-extended to the size")
	_, err = f.WriteAt([]byte("x"), 0)
	assert.Error(t, err, "a sealed memfd refuses writes")
	assert.Error(t, f.Truncate(1), "and shrinking")
}

func TestNewAllocated(t *testing.T) {
	const size = 1 << 20
	s, err := NewAllocated("test", size)
	require.NoError(t, err)
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(s.Fd(), &st))
	assert.EqualValues(t, size, st.Size)
	assert.GreaterOrEqual(t, st.Blocks*512, int64(size), "its pages are allocated")

	want := bytes.Repeat([]byte("abc"), 5000)
	_, err = s.WriteAt(want, 0)
	require.NoError(t, err)
	f, err := s.Seal(int64(len(want)))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unix.Fstat(int(f.Fd()), &st))
	assert.EqualValues(t, len(want), st.Size)
	assert.Less(t, st.Blocks*512, int64(size), "sealing frees the pages past the size")
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, want, b, "exactly what was written")
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	require.NoError(t, err)
	assert.Equal(t, unix.F_SEAL_WRITE|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL, seals)
}

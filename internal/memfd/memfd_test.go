package memfd

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

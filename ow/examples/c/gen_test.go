package c

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModules(t *testing.T) {
	sources, err := filepath.Glob("src/*.c")
	require.NoError(t, err)
	require.Len(t, sources, 3)
	for _, src := range sources {
		name := strings.TrimSuffix(filepath.Base(src), ".c")
		assert.True(t, bytes.HasPrefix(Module(name), []byte("\x00asm\x01\x00\x00\x00")), name)
	}
	assert.Panics(t, func() { Module("nope") })
}

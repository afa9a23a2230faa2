package testactions

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var wasmMagic = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

func TestGo(t *testing.T) {
	add := Go(t, "add")
	require.True(t, bytes.HasPrefix(add, wasmMagic), "wasm magic and version")
	exports, err := exportNames(add)
	require.NoError(t, err)
	assert.Contains(t, exports, "_start")
	assert.NotContains(t, exports, "wow_handle", "a command must not look like a reactor")

	reactor := Go(t, "echo-reactor")
	require.True(t, bytes.HasPrefix(reactor, wasmMagic))
	exports, err = exportNames(reactor)
	require.NoError(t, err)
	assert.Subset(t, exports, []string{"wow_alloc", "wow_handle", "memory", "_initialize"})
	assert.NotContains(t, exports, "_start")
}

func TestGoPathMemoised(t *testing.T) {
	var wg sync.WaitGroup
	paths := make([]string, 4)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i] = GoPath(t, "add")
		}()
	}
	wg.Wait()
	for _, p := range paths {
		assert.Equal(t, paths[0], p)
	}
	_, err := os.Stat(paths[0])
	assert.NoError(t, err)
}

func TestBuildActionErrors(t *testing.T) {
	_, err := buildAction("no-such-action")
	assert.ErrorContains(t, err, `no example action "no-such-action"`)
	_, err = buildAction("../sdk")
	assert.ErrorContains(t, err, "invalid action name")
}

// exportNames lists the export names of a wasm module.
func exportNames(wasm []byte) ([]string, error) {
	if !bytes.HasPrefix(wasm, wasmMagic) {
		return nil, errors.New("not a wasm module")
	}
	r := bytes.NewReader(wasm[len(wasmMagic):])
	for r.Len() > 0 {
		id, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		if size > uint64(r.Len()) {
			return nil, errors.New("truncated section")
		}
		section := make([]byte, size)
		_, _ = r.Read(section)
		if id != 7 { // the export section
			continue
		}
		s := bytes.NewReader(section)
		count, err := binary.ReadUvarint(s)
		if err != nil {
			return nil, err
		}
		var names []string
		for range count {
			n, err := binary.ReadUvarint(s)
			if err != nil || n > uint64(s.Len()) {
				return nil, errors.New("bad export name")
			}
			name := make([]byte, n)
			_, _ = s.Read(name)
			names = append(names, string(name))
			if _, err := s.ReadByte(); err != nil { // kind
				return nil, err
			}
			if _, err := binary.ReadUvarint(s); err != nil { // index
				return nil, err
			}
		}
		return names, nil
	}
	return nil, nil
}

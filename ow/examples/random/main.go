//go:build wasip1

// Command random is a wasi-command action returning a random uint64 from
// crypto/rand as a decimal string (a JSON number would lose precision):
// {"random": "12345..."}.
package main

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(map[string]any) (map[string]any, error) {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		return map[string]any{"random": strconv.FormatUint(binary.LittleEndian.Uint64(b[:]), 10)}, nil
	})
}

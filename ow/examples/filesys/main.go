//go:build wasip1

// Command filesys is a wasi-command action writing content (default
// "hello wow") to the file path (default /data/wow.txt) and reading it back:
// {"content": "...", "bytes": n}. Filesystem errors are application errors.
package main

import (
	"errors"
	"os"

	"github.com/wowrt/wow/ow/sdk"
)

func main() {
	sdk.Main(func(params map[string]any) (map[string]any, error) {
		path, err := stringParam(params, "path", "/data/wow.txt")
		if err != nil {
			return nil, err
		}
		content, err := stringParam(params, "content", "hello wow")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return map[string]any{"content": string(data), "bytes": len(data)}, nil
	})
}

func stringParam(params map[string]any, name, def string) (string, error) {
	v, ok := params[name]
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errors.New(name + " must be a string")
	}
	return s, nil
}

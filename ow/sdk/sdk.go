package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Func is an action: it receives the activation's parameters and returns its
// result. A non-nil error becomes the result {"error": err.Error()}; a nil
// result map becomes {}.
type Func func(params map[string]any) (map[string]any, error)

// decodeParams decodes an activation's parameters. Empty input and JSON null
// give an empty map; anything but a single JSON object is an error.
func decodeParams(data []byte) (map[string]any, error) {
	params := map[string]any{}
	if len(bytes.TrimSpace(data)) == 0 {
		return params, nil
	}
	if err := json.Unmarshal(data, &params); err != nil {
		return nil, fmt.Errorf("params must be a JSON object: %w", err)
	}
	if params == nil { // the input was null
		params = map[string]any{}
	}
	return params, nil
}

// encodeResult turns a Func's return values into one line of compact JSON
// without HTML escaping and without a trailing newline.
func encodeResult(result map[string]any, err error) []byte {
	if err != nil {
		result = map[string]any{"error": err.Error()}
	} else if result == nil {
		result = map[string]any{}
	}
	out, encErr := marshal(result)
	if encErr != nil {
		out, _ = marshal(map[string]any{"error": "sdk: cannot encode result: " + encErr.Error()})
	}
	return out
}

// marshal is json.Marshal with SetEscapeHTML(false) and no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

package sdk

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeParams(t *testing.T) {
	for _, in := range []string{"", "  \n", "null", "{}"} {
		p, err := decodeParams([]byte(in))
		require.NoError(t, err, "%q", in)
		assert.Equal(t, map[string]any{}, p, "%q", in)
	}
	p, err := decodeParams([]byte(`{"a":1,"b":"x","c":[true]}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 1.0, "b": "x", "c": []any{true}}, p)

	for _, in := range []string{"[1]", "{", `{"a":1} x`, "3", `"s"`} {
		_, err := decodeParams([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

func TestEncodeResult(t *testing.T) {
	assert.Equal(t, `{"result":5}`, string(encodeResult(map[string]any{"result": 5.0}, nil)))
	assert.Equal(t, `{}`, string(encodeResult(nil, nil)))
	assert.Equal(t, `{"s":"<a&b>"}`, string(encodeResult(map[string]any{"s": "<a&b>"}, nil)), "no HTML escaping")
	assert.Equal(t, `{"error":"boom"}`, string(encodeResult(map[string]any{"ignored": 1}, errors.New("boom"))))
	assert.Equal(t, `{"a":"x\ny"}`, string(encodeResult(map[string]any{"a": "x\ny"}, nil)), "one line")

	out := string(encodeResult(map[string]any{"f": func() {}}, nil))
	assert.True(t, strings.HasPrefix(out, `{"error":"sdk: cannot encode result: `), out)
}

func TestRun(t *testing.T) {
	add := func(p map[string]any) (map[string]any, error) {
		a, ok := p["a"].(float64)
		if !ok {
			return nil, errors.New("a is required")
		}
		return map[string]any{"result": a + 1}, nil
	}
	tests := []struct {
		name, stdin, stdout string
		code                int
		stderr              string
	}{
		{"ok", `{"a":41}`, "{\"result\":42}\n", 0, ""},
		{"app error", `{}`, "{\"error\":\"a is required\"}\n", 0, ""},
		{"empty stdin", ``, "{\"error\":\"a is required\"}\n", 0, ""},
		{"invalid json", `{"a":`, "", 1, "wow sdk: params must be a JSON object"},
		{"not an object", `[1,2]`, "", 1, "wow sdk: params must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(add, strings.NewReader(tt.stdin), &stdout, &stderr)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.stdout, stdout.String())
			if tt.stderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.stderr)
			}
		})
	}
}

package sdk

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEnvelope(t *testing.T) {
	params, env, err := parseEnvelope([]byte(`{"value":{"param1":2},"namespace":"guest",` +
		`"action_name":"add","activation_id":"abc","deadline":1700000000000,"flag":true,` +
		`"nothing":null,"obj":{"x":1},"api_key":"k\"ey"}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"param1": 2.0}, params)
	assert.Equal(t, map[string]string{
		"__OW_NAMESPACE":     "guest",
		"__OW_ACTION_NAME":   "add",
		"__OW_ACTIVATION_ID": "abc",
		"__OW_DEADLINE":      "1700000000000",
		"__OW_FLAG":          "true",
		"__OW_API_KEY":       `k"ey`,
	}, env)

	params, env, err = parseEnvelope([]byte(`{"namespace":"guest"}`))
	require.NoError(t, err, "value is optional")
	assert.Equal(t, map[string]any{}, params)
	assert.Equal(t, map[string]string{"__OW_NAMESPACE": "guest"}, env)

	params, _, err = parseEnvelope([]byte(`{"value":null}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{}, params)

	for _, in := range []string{``, `null`, `[]`, `{"value":[1]}`, `{"value":3}`, `{`} {
		_, _, err := parseEnvelope([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

func TestApplyEnvRestores(t *testing.T) {
	t.Setenv("__OW_NAMESPACE", "initial")
	os.Unsetenv("__OW_API_KEY")
	t.Cleanup(func() { applyEnv(nil); os.Unsetenv("__OW_API_KEY") })

	applyEnv(map[string]string{"__OW_NAMESPACE": "ns1", "__OW_API_KEY": "key1"})
	assert.Equal(t, "ns1", os.Getenv("__OW_NAMESPACE"))
	assert.Equal(t, "key1", os.Getenv("__OW_API_KEY"))

	applyEnv(map[string]string{"__OW_NAMESPACE": "ns2"})
	assert.Equal(t, "ns2", os.Getenv("__OW_NAMESPACE"))
	_, set := os.LookupEnv("__OW_API_KEY")
	assert.False(t, set, "a variable only the previous envelope had is unset")

	applyEnv(map[string]string{})
	assert.Equal(t, "initial", os.Getenv("__OW_NAMESPACE"), "the instance's own value comes back")
}

func TestDispatch(t *testing.T) {
	t.Cleanup(func() {
		mu.Lock()
		handler = nil
		mu.Unlock()
		applyEnv(nil)
	})
	mu.Lock()
	handler = nil
	mu.Unlock()
	assert.JSONEq(t, `{"error":"sdk: no action registered: call sdk.Handle from init"}`,
		string(Dispatch([]byte(`{"value":{}}`))))

	assert.Panics(t, func() { Handle(nil) })

	Handle(func(p map[string]any) (map[string]any, error) {
		switch p["mode"] {
		case "error":
			return nil, errors.New("bad input")
		case "panic":
			panic("kaboom")
		case "nil":
			return nil, nil
		}
		return map[string]any{"id": os.Getenv("__OW_ACTIVATION_ID"), "p": p}, nil
	})
	assert.Equal(t, `{"id":"a1","p":{"mode":"echo","x":"<&>"}}`,
		string(Dispatch([]byte(`{"value":{"mode":"echo","x":"<&>"},"activation_id":"a1"}`))))
	assert.Equal(t, `{"error":"bad input"}`, string(Dispatch([]byte(`{"value":{"mode":"error"}}`))))
	assert.Equal(t, `{"error":"panic: kaboom"}`, string(Dispatch([]byte(`{"value":{"mode":"panic"}}`))))
	assert.Equal(t, `{}`, string(Dispatch([]byte(`{"value":{"mode":"nil"}}`))))

	out := string(Dispatch([]byte(`not json`)))
	assert.Contains(t, out, `{"error":"sdk: invalid request envelope: `)

	// The panic released the lock: the instance keeps working.
	assert.Equal(t, `{"id":"a2","p":{}}`, string(Dispatch([]byte(`{"activation_id":"a2"}`))))
}

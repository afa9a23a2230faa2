package runtime

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvelope(t *testing.T) {
	run := &RunPayload{
		Params: []byte(`{"a":1}`), Namespace: "ns", ActionName: "act\"ion", ActivationID: "id\n1",
		Deadline: time.UnixMilli(1700000000123), APIKey: "k❄\x01",
	}
	var got map[string]any
	require.NoError(t, json.Unmarshal(envelope(run), &got))
	assert.Equal(t, map[string]any{
		"value": map[string]any{"a": float64(1)}, "namespace": "ns", "action_name": "act\"ion",
		"activation_id": "id\n1", "deadline": "1700000000123", "api_key": "k❄\x01",
	}, got)
	assert.JSONEq(t, `{"value":{}}`, string(envelope(&RunPayload{})))
}

func TestAppendJSONStringInvalidUTF8(t *testing.T) {
	var s string
	require.NoError(t, json.Unmarshal(appendJSONString(nil, "a\xffb"), &s))
	assert.Equal(t, "a\ufffdb", s)
}

func TestRunPayloadEnv(t *testing.T) {
	run := &RunPayload{Namespace: "guest", Deadline: time.UnixMilli(42), APIHost: "h"}
	assert.Equal(t, []string{"__OW_NAMESPACE=guest", "__OW_DEADLINE=42", "__OW_API_HOST=h"}, run.Env())
}

func TestIsApplicationError(t *testing.T) {
	for in, want := range map[string]bool{
		`{"error":"x"}`: true, `{"error":null}`: true, `{"ok":1}`: false, `[1]`: false, `"s"`: false, ``: false,
	} {
		assert.Equal(t, want, (&Result{Value: json.RawMessage(in)}).IsApplicationError(), in)
	}
}

// TestIsApplicationErrorMatchesEncodingJSON: the fast key scan answers as
// encoding/json does, on valid objects of every shape around the key.
func TestIsApplicationErrorMatchesEncodingJSON(t *testing.T) {
	slow := func(v string) bool {
		var probe struct {
			Error json.RawMessage `json:"error"`
		}
		return json.Unmarshal([]byte(v), &probe) == nil && probe.Error != nil
	}
	for _, in := range []string{
		`{}`, ` { } `, `{"error":1}`, `{"ERROR":1}`, `{"Error" : {"a":[1,{"error":2}]}}`,
		`{"a":"error","b":"}"}`, `{"a":"x\"error\":1","b":2}`, `{"a":{"error":1}}`, `{"a":[{"error":1}]}`,
		`{"a":1,"error":[]}`, `{"a":true,"b":null,"c":-1.5e3,"error":"x"}`, `{"a":"\u0065rror"}`,
		`{"\u0065rror":1}`, `{"errors":1}`, `{"erro":1}`, `{"a" :  [ ] , "error" : "y" }`,
		"{\n\t\"error\"\n:\n1\n}", `{"a":{"b":{"c":[[],{}]}},"d":"e"}`, `[{"error":1}]`, `"error"`, `{"a":1}x`,
	} {
		got := (&Result{Value: json.RawMessage(in)}).IsApplicationError()
		assert.Equal(t, slow(in), got, in)
	}
}

func TestMembufResult(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{`{"Ok":{"result":4}}`, `{"result":4}`, ""},
		{`{"Err":"missing"}`, `{"error":"missing"}`, ""},
		{`{"Err":{"error":"boom"}}`, `{"error":"boom"}`, ""},
		{`{"Other":1}`, "", "neither"},
		{`not json`, "", "not JSON"},
	} {
		res, err := membufResult([]byte(tc.in))
		if tc.err != "" {
			require.ErrorIs(t, err, ErrABI)
			assert.Contains(t, err.Error(), tc.err)
			continue
		}
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(res.Value))
	}
}

func TestNumericArgsAndResults(t *testing.T) {
	args, err := numericArgs([]byte(`{"args":[-1, 4294967295, 1.5, -2.25]}`), []ValueType{ValueTypeI32, ValueTypeI64, ValueTypeF32, ValueTypeF64})
	require.NoError(t, err)
	assert.Equal(t, `{"result":[-1,4294967295,1.5,-2.25]}`, string(numericResult(args, []ValueType{ValueTypeI32, ValueTypeI64, ValueTypeF32, ValueTypeF64}).Value))
	assert.Equal(t, `{}`, string(numericResult(nil, nil).Value))
	nan := numericResult([]uint64{0x7ff8000000000001}, []ValueType{ValueTypeF64})
	assert.True(t, json.Valid(nan.Value), "NaN must still be JSON: %s", nan.Value)

	// A nullary entry point ignores params without "args" and refuses args.
	for in, ok := range map[string]bool{
		`{}`: true, `{"param1":20}`: true, `{"args":[]}`: true,
		`{"args":[1]}`: false, `{"Args":[1]}`: false, `{"args":"x"}`: false, `[1]`: false,
	} {
		args, err := numericArgs([]byte(in), nil)
		if ok {
			assert.NoError(t, err, in)
			assert.Empty(t, args, in)
		} else {
			assert.ErrorIs(t, err, ErrInvalidInput, in)
		}
	}
}

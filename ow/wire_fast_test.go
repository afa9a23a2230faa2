package ow

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDecodeRunMatchesEncodingJSON: the hand-written fast path decodes
// exactly as encoding/json does, and never accepts what it rejects.
func TestDecodeRunMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`{}`, ` { } `, `{"value":{}}`, `{"value":null}`, `{"value":[1,"]}",{"a":"}"}]}`,
		`{"value":{"s":"❄ \"quoted\" \\ ☃"},"namespace":"guest","action_name":"/guest/a","action_version":"0.0.1","activation_id":"x","transaction_id":"t","deadline":"1700000000000","api_host":"h","api_key":"k"}`,
		`{"value":{},"deadline":1700000000001}`, `{"value":{},"deadline":null}`, `{"value":{},"deadline":""}`,
		`{"value":{},"namespace":"with \"escape\""}`, `{"value":{},"namespace":null}`,
		`{"value":{},"unknown":{"deep":[1,2,{"x":"y"}]},"other":true}`,
		`{"value":{} , "namespace" : "spaced" }`, `{"value":"just a string"}`, `{"value":42}`,
		// invalid
		``, `not json`, `{"value":`, `{"value":{}`, `{"value":{}}}`, `{"value":{"a":tru}}`, `{"value":{}, }`,
		`{"namespace":5}`, `{"value":{},"deadline":"soon"}`, `{"value":{},"x":tru}`, `[1]`, `{"value":{}} x`,
		`{"value":{"a":"unterminated}`, "{\"namespace\":\"tab\there\"}",
	}
	matchesEncodingJSON(t, inputs, decodeRun, nil)
}

// TestDecodeInitMatchesEncodingJSON: as for /run, the /init fast path
// decodes exactly as encoding/json does and rejects what it rejects.
func TestDecodeInitMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`{}`, `{"value":null}`, `{"value":{}}`,
		`{"value":{"name":"a","main":"main","code":"AGFzbQEAAAA=","binary":true}}`,
		`{"value":{"name":"❄","code":"AGFzbQ","binary":false,"env":{"A":"1","B":2,"C":null},"annotations":{"dir":"/tmp","net_access":true}}}`,
		`{"value":{"code":"x","env":{"A":"1"},"env":{"B":"2"}}}`, `{"value":{"binary":true,"binary":null}}`, `{"value":{"code":"x"},"value":{"name":"n"}}`,
		`{"value":{"code":"with \"escape\""}}`, `{"value":{"code":null,"name":null,"binary":null}}`,
		`{"value":{"code":"x","unknown":[1,{"y":"z"}]},"other":{"deep":true}}`,
		`{"Value":{"code":"x"}}`, `{"value":{"Code":"x","NAME":"n"}}`, `{"value":{"code":"bad \xff utf8"}}`,
		` { "value" : { "code" : "spaced" } } `, `{"value":{"env":{"K":"\u00e9"}}}`,
		// invalid
		``, `null`, `[]`, `{"value":5}`, `{"value":{"binary":"true"}}`, `{"value":{"code":5}}`,
		`{"value":{"env":[1]}}`, `{"value":{"annotations":"x"}}`, `{"value":{"code":"x"}`, `{"value":{"code":"x"}} x`,
		`{"value":{"code":"x","y":tru}}`, "{\"value\":{\"code\":\"tab\there\"}}",
	}
	matchesEncodingJSON(t, inputs, decodeInit, func(r *InitRequest) {
		if r.Value.code != nil { // the fast path keeps the code's bytes
			r.Value.Code, r.Value.code = string(r.Value.code), nil
		}
	})
}

// TestDecodeInitFastPath: what OpenWhisk sends takes the fast path.
func TestDecodeInitFastPath(t *testing.T) {
	body := `{"value":{"name":"/guest/a","main":"main","binary":true,"code":"AGFzbQEAAAA=","env":{"K":"v"},"annotations":{"net_access":true}}}`
	var req InitRequest
	assert.True(t, fastDecodeInit([]byte(body), &req))
	assert.Equal(t, "AGFzbQEAAAA=", string(req.Value.code), "kept as bytes")
	assert.Equal(t, map[string]any{"net_access": true}, req.Value.Annotations)
}

// matchesEncodingJSON checks decode against json.Unmarshal on each input:
// the same error-ness, and when both succeed the same value (after
// normalize, when given, on decode's).
func matchesEncodingJSON[T any](t *testing.T, inputs []string, decode func([]byte, *T) error, normalize func(*T)) {
	t.Helper()
	for _, in := range inputs {
		var want, got T
		wantErr := json.Unmarshal([]byte(in), &want)
		gotErr := decode([]byte(in), &got)
		if wantErr != nil {
			assert.Error(t, gotErr, "%s", in)
			continue
		}
		if !assert.NoError(t, gotErr, "%s", in) {
			continue
		}
		if normalize != nil {
			normalize(&got)
		}
		assert.Equal(t, want, got, "%s", in)
	}
}

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
	for _, in := range inputs {
		var want RunRequest
		wantErr := json.Unmarshal([]byte(in), &want)
		var got RunRequest
		gotErr := decodeRun([]byte(in), &got)
		if wantErr != nil {
			assert.Error(t, gotErr, "%s", in)
			continue
		}
		if !assert.NoError(t, gotErr, "%s", in) {
			continue
		}
		assert.Equal(t, want, got, "%s", in)
	}
}

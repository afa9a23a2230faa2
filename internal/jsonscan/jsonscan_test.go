package jsonscan

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestObject(t *testing.T) {
	for in, want := range map[string]string{
		`{}`: "",
		` {"a" : 1 , "b":"x\"}", "c":{"d":[1,{"e":2}]}} `: `a=1;b="x\"}";c={"d":[1,{"e":2}]};`,
		`{"a":[],"b":true}`: `a=[];b=true;`,
	} {
		got := ""
		ok := Object([]byte(in), func(k, v []byte) bool { got += string(k) + "=" + string(v) + ";"; return true })
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{``, `[]`, `{"a":1}x`, `{"a\u0062":1}`, `{"a" 1}`, `{"a":1,}`, `{"a":"x}`, `{"a":{"b":1}`} {
		assert.False(t, Object([]byte(in), func(_, _ []byte) bool { return true }), in)
	}
	assert.False(t, Object([]byte(`{"a":1}`), func(_, _ []byte) bool { return false }), "a member returning false stops the scan")
}

package jsonscan

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestStringsMatchEncodingJSON: skipString finds the end encoding/json
// finds, and PlainString accepts exactly the strings without escapes or
// control characters, for strings whose special bytes fall at every
// position relative to the 8-byte words hasControl reads.
func TestStringsMatchEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", "+", "/", "=", "é", "☃", `\"`, `\\`, `\n`, `\u00e9`, "\t", "\x01", "\x1f", " ", "\x7f"}
	for n := range 2000 {
		var b strings.Builder
		b.WriteByte('"')
		for range n % 40 {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		b.WriteString(`"`)
		str := b.String()
		in := str + `,"next"`
		var s string
		err := json.Unmarshal([]byte(str), &s)
		hasEscape := strings.Contains(str[1:len(str)-1], `\`)
		hasCtl := strings.ContainsFunc(str, func(r rune) bool { return r < 0x20 })
		if !hasCtl {
			require.NoError(t, err, "%q", str)
			assert.Equal(t, len(str), skipString([]byte(in), 0), "%q", str)
		}
		got, end, ok := PlainString([]byte(in), 0)
		assert.Equal(t, !hasEscape && !hasCtl, ok, "%q", str)
		if ok {
			assert.Equal(t, s, string(got), "%q", str)
			assert.Equal(t, len(str), end, "%q", str)
		}
	}
	for _, in := range []string{`"`, `"abc`, `"ab\"`, `"ab\\\"`} {
		assert.Equal(t, -1, skipString([]byte(in), 0), in)
		_, _, ok := PlainString([]byte(in), 0)
		assert.False(t, ok, in)
	}
	assert.Equal(t, 6, skipString([]byte(`"ab\\"x"`), 0), "an escaped backslash does not escape the quote")
}

func TestHasControl(t *testing.T) {
	for n := range 24 {
		for at := range n {
			b := bytes.Repeat([]byte{0x20}, n)
			assert.False(t, hasControl(b), "n=%d", n)
			b[at] = 0x1f
			assert.True(t, hasControl(b), "n=%d at=%d", n, at)
			b[at] = 0xff // high bytes are not control characters
			assert.False(t, hasControl(b), "n=%d at=%d", n, at)
		}
	}
}

func BenchmarkPlainString(b *testing.B) {
	s := append(append([]byte{'"'}, bytes.Repeat([]byte("QUJDRA=="), 1<<19)...), '"')
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, _, ok := PlainString(s, 0); !ok {
			b.Fatal("rejected")
		}
		if skipString(s, 0) != len(s) {
			b.Fatal("end")
		}
	}
}

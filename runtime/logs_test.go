package runtime

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResultWriter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		max    int
		result string
		logs   string
		err    error
	}{
		{name: "single line", writes: []string{`{"a":1}` + "\n"}, result: `{"a":1}`},
		{name: "no trailing newline", writes: []string{`{"a":1}`}, result: `{"a":1}`},
		{name: "logs then result", writes: []string{"log 1\nlog 2\n", `{"a":1}` + "\n"}, result: `{"a":1}`, logs: "log 1\nlog 2\n"},
		{name: "split writes", writes: []string{"lo", "g\n{\"a\"", ":1}\n"}, result: `{"a":1}`, logs: "log\n"},
		{name: "trailing blank lines", writes: []string{"x\n{}\n\n  \n"}, result: `{}`, logs: "x\n"},
		{name: "nothing", writes: nil, err: ErrABI},
		{name: "only blank", writes: []string{"\n\n"}, err: ErrABI},
		{name: "long log line streamed", max: 4, writes: []string{"0123456789\n{}\n"}, result: "{}", logs: "0123456789\n"},
		{name: "long result", max: 4, writes: []string{"ok\n0123456789\n"}, logs: "ok\n0123456789\n", err: ErrLimit},
		{name: "long result no newline", max: 4, writes: []string{"0123456789"}, logs: "0123456789\n", err: ErrLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := newResultWriter(newLogWriter(&logs, 0), tc.max)
			for _, s := range tc.writes {
				n, err := w.Write([]byte(s))
				require.NoError(t, err)
				require.Equal(t, len(s), n)
			}
			got, err := w.result()
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.result, string(got))
			}
			assert.Equal(t, tc.logs, logs.String())
		})
	}
}

func TestLogWriterLimitAndTail(t *testing.T) {
	var sink bytes.Buffer
	w := newLogWriter(&sink, 10)
	_, _ = w.Write([]byte("0123456"))
	_, _ = w.Write([]byte("789abc"))
	_, _ = w.Write([]byte("more"))
	assert.Equal(t, "0123456789\nwow: logs truncated at 10 bytes\n", sink.String())
	assert.Equal(t, "0123456789abcmore", w.Tail(), "the tail keeps what was dropped from the sink")
	w.reset()
	sink.Reset()
	_, _ = w.Write([]byte("again"))
	assert.Equal(t, "again", sink.String())
	big := bytes.Repeat([]byte("x"), 3*stderrTail)
	_, _ = w.Write(append(big, 'y'))
	assert.Len(t, w.Tail(), stderrTail)
	assert.Equal(t, byte('y'), w.Tail()[stderrTail-1])
}

package executor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"65536", 65536}, {"256MiB", 256 << 20}, {"256m", 256 << 20}, {"1GiB", 1 << 30},
		{"512k", 512 << 10}, {" 2 MB ", 2 << 20}, {"10b", 10},
	} {
		got, err := ParseSize(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "MiB", "-1", "1.5m", "12xb", "99999999999999999999g"} {
		_, err := ParseSize(bad)
		assert.Error(t, err, bad)
	}
}

package runtime

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigImmutable(t *testing.T) {
	base := NewConfig()
	small := base.WithMemoryLimitBytes(1 << 20).WithTimeout(time.Second).WithFuel(5)
	assert.EqualValues(t, DefaultMemoryLimitBytes/PageSize, base.Engine().MemoryLimitPages)
	assert.Equal(t, DefaultTimeout, base.Timeout())
	assert.EqualValues(t, 16, small.Engine().MemoryLimitPages)
	assert.EqualValues(t, 5, small.Engine().Fuel)
	assert.Equal(t, time.Second, small.Timeout())
	assert.EqualValues(t, 65536, base.WithMemoryLimitBytes(1<<40).Engine().MemoryLimitPages, "capped at 4 GiB")
	assert.NotEmpty(t, base.Engine().HostFuncs)
}

func TestInstanceConfigImmutable(t *testing.T) {
	base := NewInstanceConfig().WithEnv(map[string]string{"A": "1"})
	more := base.WithEnv(map[string]string{"B": "2"}).WithCapabilities(CapNet).WithDir(DirMount{HostPath: "/tmp"})
	b, m := base.(*instanceConfig), more.(*instanceConfig)
	assert.Equal(t, []string{"A=1"}, b.envList())
	assert.Equal(t, []string{"A=1", "B=2"}, m.envList())
	assert.False(t, b.caps[CapNet])
	assert.True(t, m.caps[CapNet])
	assert.False(t, NewInstanceConfig().(*instanceConfig).caps[CapNet], "configs share the default capabilities: adding to one must not add to all")
	assert.Empty(t, b.dirs)
	assert.Equal(t, "/tmp", m.dirs[0].GuestPath, "guest path defaults to the host path")
}

func TestOpenUnknownEngine(t *testing.T) {
	_, err := Open(context.Background(), "no-such-engine", nil)
	require.ErrorIs(t, err, ErrUnknownEngine)
	assert.Contains(t, err.Error(), "compiled in:")
}

func TestPastDeadline(t *testing.T) {
	require.NoError(t, pastDeadline(context.Background()))
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	require.ErrorIs(t, pastDeadline(ctx), ErrTimeout)
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, pastDeadline(ctx), ErrCanceled)
}

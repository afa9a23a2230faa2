package executor

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/testactions"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

func mkdir(dir string) error { return os.Mkdir(dir, 0o755) }

func TestAdmissionControl(t *testing.T) {
	s := newServer(t, nil, Options{MaxConcurrency: 1})
	code, _ := s.initAction(t, "", wat.Module("sleep"), nil) // busy-waits 3 s
	require.Equal(t, 200, code)
	var wg sync.WaitGroup
	wg.Go(func() {
		code, out := s.run(t, "", map[string]any{}, 1500*time.Millisecond, nil)
		assert.Equal(t, 502, code, "the slow activation hits its own deadline: %s", out)
	})
	require.Eventually(t, func() bool {
		return strings.Contains(s.metricsText(t), "wow_running_activations 1\n")
	}, 5*time.Second, 5*time.Millisecond)
	code, out := s.run(t, "", map[string]any{}, 100*time.Millisecond, nil)
	assert.Equal(t, 503, code)
	assert.Equal(t, "too many concurrent activations", errorOf(t, out))
	wg.Wait()
	assert.Contains(t, s.metricsText(t), `outcome="overloaded"} 1`)
	assert.Contains(t, s.metricsText(t), "wow_queue_depth 0\n")
}

func TestIdleTTLShrinksPool(t *testing.T) {
	s := newServer(t, nil, Options{IdleTTL: 50 * time.Millisecond, PoolSize: 8})
	code, _ := s.initAction(t, "", c.Module("add_reactor"), nil)
	require.Equal(t, 200, code)
	code, out := s.run(t, "", map[string]any{"param1": 1, "param2": 2}, time.Minute, nil)
	require.Equal(t, 200, code)
	assert.JSONEq(t, `{"result":3}`, string(out))
	a := onlyAction(t, s.ex)
	require.Eventually(t, func() bool { return a.idleCount() == 0 }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, s.metricsText(t), "wow_live_instances 0\n")
	code, _ = s.run(t, "", map[string]any{"param1": 1, "param2": 2}, time.Minute, nil)
	assert.Equal(t, 200, code, "a shrunk pool grows again")
}

func TestWarmReuseAndForceFresh(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		s := newServer(t, nil, Options{ForceFresh: fresh, IdleTTL: -1})
		code, _ := s.initAction(t, "", testactions.Go(t, "counter-reactor"), nil)
		require.Equal(t, 200, code)
		var last string
		for range 3 {
			code, out := s.run(t, "", map[string]any{}, time.Minute, nil)
			require.Equal(t, 200, code, "%s", out)
			last = string(out)
		}
		if fresh {
			assert.JSONEq(t, `{"count":1}`, last, "a fresh instance per activation")
		} else {
			assert.JSONEq(t, `{"count":3}`, last, "one warm instance serves them all")
		}
	}
}

func TestMetricsFamilies(t *testing.T) {
	s := newServer(t, nil, Options{})
	code, _ := s.initAction(t, "", c.Module("add"), nil)
	require.Equal(t, 200, code)
	code, _ = s.run(t, "", map[string]any{"param1": 1, "param2": 2}, time.Minute, nil)
	require.Equal(t, 200, code)
	m := s.metricsText(t)
	for _, family := range []string{
		"wow_activations_total", "wow_init_duration_seconds", "wow_run_duration_seconds",
		"wow_compile_cache_hits_total", "wow_compile_cache_misses_total", "wow_live_instances",
		"wow_queue_depth", "wow_running_activations", "wow_actions",
	} {
		assert.Contains(t, m, "# TYPE "+family+" ", family)
	}
}

package runtimetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/internal/syncbuf"
	"github.com/wowrt/wow/runtime"
)

// syncBuffer captures logs from concurrent writers.
type syncBuffer = syncbuf.Buffer

func (s *suite) capabilityTests() []test {
	return []test{
		{"NetDenied", func(t *testing.T) {
			_, err := s.module(t, "wat:nettest").Instantiate(context.Background(), runtime.NewInstanceConfig())
			require.ErrorIs(t, err, runtime.ErrCapability)
			assert.Contains(t, err.Error(), `"net"`)
		}},
		{"NetGranted", func(t *testing.T) {
			start := time.Now()
			got := mustInvoke(t, s.module(t, "wat:nettest"), runtime.NewInstanceConfig().WithCapabilities(runtime.CapNet), `{}`)
			assert.JSONEq(t, `{"result":0}`, got)
			assert.GreaterOrEqual(t, time.Since(start), runtime.HTTPGetDelay)
		}},
		{"NetInterruptedByDeadline", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "go:block"), runtime.NewInstanceConfig().WithCapabilities(runtime.CapNet))
			_, err := inst.Invoke(context.Background(), &runtime.RunPayload{Deadline: time.Now().Add(50 * time.Millisecond)})
			require.ErrorIs(t, err, runtime.ErrTimeout)
		}},
	}
}

// addParams is the seed's add example input.
const addParams = `{"param1":2,"param2":2}`

func (s *suite) abiTests() []test {
	adds := []string{"c:add", "c:add_membuf", "c:add_reactor", "go:add", "go:add-reactor"}
	var tests []test
	for _, m := range adds {
		tests = append(tests,
			test{"Add/" + m, func(t *testing.T) {
				assert.JSONEq(t, `{"result":4}`, mustInvoke(t, s.module(t, m), nil, addParams))
			}},
			test{"AddMissingParam/" + m, func(t *testing.T) {
				res, err := invoke(t, s.module(t, m), nil, `{"param1":2}`)
				require.NoError(t, err)
				assert.True(t, res.IsApplicationError(), "want an application error, got %s", res.Value)
			}},
		)
	}
	tests = append(tests,
		test{"CommandLogs", func(t *testing.T) {
			var out, errw syncBuffer
			cfg := runtime.NewInstanceConfig().WithStdout(&out).WithStderr(&errw)
			assert.JSONEq(t, `{"a":"b"}`, mustInvoke(t, s.module(t, "go:echo"), cfg, `{"a":"b"}`))
			// The result line is not a log line; the earlier stdout line is.
			assert.Equal(t, "hello stdout\n", out.String())
			assert.Equal(t, "hello stderr\n", errw.String())
		}},
		test{"CommandExitCode", func(t *testing.T) {
			_, err := invoke(t, s.module(t, "go:crash"), nil, `{}`)
			require.ErrorIs(t, err, runtime.ErrActionFailed)
			var exit *runtime.ExitError
			require.ErrorAs(t, err, &exit)
			assert.EqualValues(t, 3, exit.Code)
			assert.Contains(t, exit.Stderr, "about to fail")
		}},
		test{"ReactorWarmReuse", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "go:counter-reactor"), nil)
			for want := 1; want <= 3; want++ {
				res, err := inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(`{}`)})
				require.NoError(t, err)
				assert.JSONEq(t, `{"count":`+string(rune('0'+want))+`}`, string(res.Value))
			}
		}},
		test{"ReactorActivationEnv", func(t *testing.T) {
			var out, errw syncBuffer
			inst := instantiate(t, s.module(t, "go:echo-reactor"), runtime.NewInstanceConfig().WithStdout(&out).WithStderr(&errw))
			for _, id := range []string{"a1", "b2"} {
				res, err := inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(`{"x":1}`), ActivationID: id})
				require.NoError(t, err)
				assert.JSONEq(t, `{"x":1,"__activation_id":"`+id+`"}`, string(res.Value))
			}
			assert.Equal(t, 2, strings.Count(out.String(), "hello stdout\n"))
			assert.Equal(t, 2, strings.Count(errw.String(), "hello stderr\n"))
		}},
		test{"MemoryBufferErr", func(t *testing.T) {
			res, err := invoke(t, s.module(t, "c:add_membuf"), nil, `{"param1":1}`)
			require.NoError(t, err)
			assert.True(t, res.IsApplicationError(), "got %s", res.Value)
		}},
	)
	return tests
}

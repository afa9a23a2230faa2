package runtimetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func (s *suite) limitTests() []test {
	return []test{
		{"StuckTimeout", func(t *testing.T) {
			rt := s.open(t, runtime.NewConfig().WithTimeout(Timeout))
			stuck := compileOn(t, rt, "wat:stuck")
			inst := instantiate(t, stuck, nil)
			start := time.Now()
			_, err := inst.Invoke(context.Background(), &runtime.RunPayload{})
			elapsed := time.Since(start)
			require.ErrorIs(t, err, runtime.ErrTimeout)
			assert.GreaterOrEqual(t, elapsed, Timeout)
			assert.Less(t, elapsed, Timeout+TimeoutSlack, "a stuck guest must stop within %v of its deadline", TimeoutSlack)
			// The engine stays usable, and so does the instance.
			assert.JSONEq(t, `{"result":42}`, mustInvoke(t, compileOn(t, rt, "wat:answer"), nil, `{}`))
			_, err = inst.Invoke(context.Background(), &runtime.RunPayload{})
			require.ErrorIs(t, err, runtime.ErrTimeout)
		}},
		{"WarmTimeout", func(t *testing.T) {
			// A warm instance's later activation runs away: stopped at its
			// deadline, and the instance serves the next one.
			rt := s.open(t, runtime.NewConfig().WithTimeout(Timeout))
			inst := instantiate(t, compileOn(t, rt, "wat:spin"), nil)
			run := func(ctx context.Context, arg string) (*runtime.Result, error) {
				return inst.Invoke(ctx, &runtime.RunPayload{Params: []byte(`{"args":[` + arg + `]}`)})
			}
			for range 3 {
				res, err := run(context.Background(), "0")
				require.NoError(t, err)
				assert.JSONEq(t, `{"result":0}`, string(res.Value))
			}
			start := time.Now()
			_, err := run(context.Background(), "1")
			elapsed := time.Since(start)
			require.ErrorIs(t, err, runtime.ErrTimeout)
			assert.GreaterOrEqual(t, elapsed, Timeout-5*time.Millisecond)
			assert.Less(t, elapsed, Timeout+TimeoutSlack)
			res, err := run(context.Background(), "0")
			require.NoError(t, err, "the instance must serve again after a timeout")
			assert.JSONEq(t, `{"result":0}`, string(res.Value))
			// A payload deadline and a cancellation stop a warm guest too.
			_, err = inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(`{"args":[1]}`), Deadline: time.Now().Add(Timeout / 4)})
			require.ErrorIs(t, err, runtime.ErrTimeout)
			_, err = run(context.Background(), "0")
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(Timeout/4, cancel)
			_, err = run(ctx, "1")
			require.ErrorIs(t, err, runtime.ErrCanceled)
			res, err = run(context.Background(), "0")
			require.NoError(t, err)
			assert.JSONEq(t, `{"result":0}`, string(res.Value))
		}},
		{"PayloadDeadline", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "wat:stuck"), nil)
			_, err := inst.Invoke(context.Background(), &runtime.RunPayload{Deadline: time.Now().Add(Timeout)})
			require.ErrorIs(t, err, runtime.ErrTimeout)
		}},
		{"ContextDeadline", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "wat:sleep"), nil)
			ctx, cancel := context.WithTimeout(context.Background(), Timeout)
			defer cancel()
			_, err := inst.Invoke(ctx, &runtime.RunPayload{})
			require.ErrorIs(t, err, runtime.ErrTimeout)
		}},
		{"Cancel", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "wat:stuck"), nil)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(Timeout, cancel)
			_, err := inst.Invoke(ctx, &runtime.RunPayload{})
			require.ErrorIs(t, err, runtime.ErrCanceled)
		}},
		{"GoTimeout", func(t *testing.T) {
			// A WASI guest blocked in a host sleep is stopped too.
			rt := s.open(t, runtime.NewConfig().WithTimeout(100*time.Millisecond))
			_, err := invoke(t, compileOn(t, rt, "go:sleep"), nil, `{}`)
			require.ErrorIs(t, err, runtime.ErrTimeout)
		}},
		{"MemoryBomb", func(t *testing.T) {
			rt := s.open(t, runtime.NewConfig().WithMemoryLimitBytes(16<<20))
			bomb := compileOn(t, rt, "wat:membomb")
			_, err := invoke(t, bomb, nil, `{}`)
			require.ErrorIs(t, err, runtime.ErrMemoryLimit)
			// The engine stays usable.
			assert.JSONEq(t, `{"result":42}`, mustInvoke(t, compileOn(t, rt, "wat:answer"), nil, `{}`))
		}},
		{"GoMemoryLimit", func(t *testing.T) {
			// A Go guest allocating past its limit dies; the error says why.
			rt := s.open(t, runtime.NewConfig().WithMemoryLimitBytes(32<<20))
			_, err := invoke(t, compileOn(t, rt, "go:bigresult"), nil, `{"n": 100000000}`)
			require.ErrorIs(t, err, runtime.ErrMemoryLimit)
		}},
		{"InitialMemoryOverLimit", func(t *testing.T) {
			// Go modules start with more than 1 MiB of memory.
			rt := s.open(t, runtime.NewConfig().WithMemoryLimitBytes(1<<20))
			_, err := invoke(t, compileOn(t, rt, "go:add"), nil, `{"param1":1,"param2":2}`)
			require.ErrorIs(t, err, runtime.ErrMemoryLimit)
		}},
		{"ResultLimit", func(t *testing.T) {
			rt := s.open(t, runtime.NewConfig().WithMaxResultBytes(1000))
			m := compileOn(t, rt, "go:bigresult")
			assert.JSONEq(t, `{"s":"xx"}`, mustInvoke(t, m, nil, `{"n":2}`))
			_, err := invoke(t, m, nil, `{"n":2000}`)
			require.ErrorIs(t, err, runtime.ErrLimit)
		}},
		{"LogLimit", func(t *testing.T) {
			rt := s.open(t, runtime.NewConfig().WithMaxLogBytes(5))
			var out, errw syncBuffer
			cfg := runtime.NewInstanceConfig().WithStdout(&out).WithStderr(&errw)
			assert.JSONEq(t, `{"a":1}`, mustInvoke(t, compileOn(t, rt, "go:echo"), cfg, `{"a":1}`))
			assert.Contains(t, out.String(), "hello")
			assert.NotContains(t, out.String(), "hello stdout")
			assert.Contains(t, out.String(), "logs truncated at 5 bytes")
		}},
	}
}

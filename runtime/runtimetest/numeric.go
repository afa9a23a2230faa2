package runtimetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

func (s *suite) numericTests() []test {
	ok := []struct {
		name, module, params, want string
	}{
		{"Answer", "wat:answer", `{}`, `{"result":42}`},
		{"Sum", "wat:sum", `{"args":[5,2]}`, `{"result":7}`},
		{"SumNegative", "wat:sum", `{"args":[-5,2]}`, `{"result":-3}`},
		{"SumWraps", "wat:sum", `{"args":[2147483647,1]}`, `{"result":-2147483648}`},
		{"F64", "wat:f64add", `{"args":[1.5,2]}`, `{"result":3.5}`},
	}
	var tests []test
	for _, tc := range ok {
		tests = append(tests, test{tc.name, func(t *testing.T) {
			assert.JSONEq(t, tc.want, mustInvoke(t, s.module(t, tc.module), nil, tc.params))
		}})
	}
	bad := []struct{ name, params string }{
		{"TooFewArgs", `{"args":[1]}`},
		{"NoArgs", `{}`},
		{"NotInteger", `{"args":[1.5,2]}`},
		{"OutOfRange", `{"args":[4294967296,2]}`},
		{"NotNumber", `{"args":["a",2]}`},
		{"NotJSON", `{"args":`},
	}
	for _, tc := range bad {
		tests = append(tests, test{"BadArgs/" + tc.name, func(t *testing.T) {
			_, err := invoke(t, s.module(t, "wat:sum"), nil, tc.params)
			require.ErrorIs(t, err, runtime.ErrInvalidInput)
		}})
	}
	tests = append(tests,
		test{"MainName", func(t *testing.T) {
			// "main" is not exported: the entry falls back to _start.
			assert.JSONEq(t, `{"result":42}`, mustInvoke(t, s.module(t, "wat:answer"), runtime.NewInstanceConfig().WithMain("main"), `{}`))
		}},
		test{"TrapThenRecover", func(t *testing.T) {
			inst := instantiate(t, s.module(t, "wat:divzero"), nil)
			_, err := inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(`{"args":[1,0]}`)})
			require.ErrorIs(t, err, runtime.ErrTrap)
			var trap *runtime.TrapError
			require.ErrorAs(t, err, &trap)
			assert.Contains(t, trap.Message, "divi")
			// The poisoned guest is replaced: the same instance serves again.
			res, err := inst.Invoke(context.Background(), &runtime.RunPayload{Params: []byte(`{"args":[9,3]}`)})
			require.NoError(t, err)
			assert.JSONEq(t, `{"result":3}`, string(res.Value))
		}},
		test{"Unreachable", func(t *testing.T) {
			_, err := invoke(t, s.module(t, "wat:trap"), nil, `{}`)
			var trap *runtime.TrapError
			require.ErrorAs(t, err, &trap)
			assert.Contains(t, trap.Message, "unreachable")
		}},
		test{"PlatformNowSleep", func(t *testing.T) {
			if testing.Short() {
				t.Skip("sleep.wat busy-waits 3 s")
			}
			t.Parallel()
			start := time.Now()
			assert.JSONEq(t, `{}`, mustInvoke(t, s.module(t, "wat:sleep"), nil, `{}`))
			// platform.now is the real clock: the guest waited its 3 s.
			assert.GreaterOrEqual(t, time.Since(start), 2990*time.Millisecond)
		}},
	)
	return tests
}

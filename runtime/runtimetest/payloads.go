package runtimetest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

// BigString is the length of OpenWhisk's shared-test large echo string.
const BigString = 1048561

func (s *suite) payloadTests() []test {
	echoes := []string{"go:echo", "go:echo-reactor"}
	var tests []test
	for _, m := range echoes {
		tests = append(tests,
			test{"Unicode/" + m, func(t *testing.T) {
				for _, p := range []string{`{"string":"hello"}`, `{"string":"❄ ☃ ❄"}`, `{"numbers":[42,1]}`, `{"object":{"a":"A"}}`, `{"emoji":"😀 \u0000 \"q\""}`} {
					assert.JSONEq(t, p, mustInvoke(t, s.module(t, m), nil, p))
				}
			}},
			test{"OneMiB/" + m, func(t *testing.T) {
				big := strings.Repeat("x", BigString)
				p, err := json.Marshal(map[string]string{"string": big})
				require.NoError(t, err)
				got := mustInvoke(t, s.module(t, m), nil, string(p))
				assert.Equal(t, string(p), got, "the 1 MiB string must come back exactly")
			}},
		)
	}
	tests = append(tests,
		test{"UnicodeLogs", func(t *testing.T) {
			var out, errw syncBuffer
			cfg := runtime.NewInstanceConfig().WithStdout(&out).WithStderr(&errw)
			got := mustInvoke(t, s.module(t, "go:echo"), cfg, `{"s":"❄ ☃ ❄","log":"❄ log ☃"}`)
			assert.JSONEq(t, `{"s":"❄ ☃ ❄","log":"❄ log ☃"}`, got)
			assert.Contains(t, out.String(), "❄ log ☃")
			assert.Contains(t, errw.String(), "❄ log ☃")
		}},
		test{"ActivationEnv", func(t *testing.T) {
			deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
			cfg := runtime.NewInstanceConfig().WithEnv(map[string]string{"SOME_VAR": "xyz", "ANOTHER_VAR": ""})
			inst := instantiate(t, s.module(t, "go:env"), cfg)
			res, err := inst.Invoke(context.Background(), &runtime.RunPayload{
				Params: []byte(`{}`), Namespace: "guest", ActionName: "env", ActionVersion: "0.0.1",
				ActivationID: "act1", TransactionID: "tx1", Deadline: deadline, APIHost: "https://host", APIKey: "k:s",
			})
			require.NoError(t, err)
			var got struct{ Env map[string]any }
			require.NoError(t, json.Unmarshal(res.Value, &got))
			want := map[string]any{
				"SOME_VAR": "xyz", "ANOTHER_VAR": "",
				"__OW_NAMESPACE": "guest", "__OW_ACTION_NAME": "env", "__OW_ACTION_VERSION": "0.0.1",
				"__OW_ACTIVATION_ID": "act1", "__OW_TRANSACTION_ID": "tx1",
				"__OW_DEADLINE": strconv.FormatInt(deadline.UnixMilli(), 10), "__OW_API_HOST": "https://host", "__OW_API_KEY": "k:s",
			}
			assert.Equal(t, want, got.Env)
		}},
	)
	return tests
}

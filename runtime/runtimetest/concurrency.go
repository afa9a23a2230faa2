package runtimetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/runtime"
)

// Concurrent is how many activations of one Module run at once.
const Concurrent = 100

func (s *suite) concurrencyTests() []test {
	var tests []test
	for _, m := range []string{"c:add", "c:add_reactor", "c:add_membuf", "go:add"} {
		tests = append(tests, test{"SharedModule/" + m, func(t *testing.T) {
			mod := s.module(t, m)
			var wg sync.WaitGroup
			errs := make(chan error, Concurrent)
			for i := range Concurrent {
				wg.Add(1)
				go func() {
					defer wg.Done()
					inst, err := mod.Instantiate(context.Background(), nil)
					if err != nil {
						errs <- err
						return
					}
					defer inst.Close(context.Background())
					res, err := inst.Invoke(context.Background(), &runtime.RunPayload{Params: fmt.Appendf(nil, `{"param1":%d,"param2":%d}`, i, i)})
					if err != nil {
						errs <- err
						return
					}
					if want := fmt.Sprintf(`{"result":%d}`, 2*i); string(res.Value) != want {
						errs <- fmt.Errorf("activation %d: got %s, want %s", i, res.Value, want)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				assert.NoError(t, err)
			}
		}})
	}
	tests = append(tests, test{"Busy", func(t *testing.T) {
		inst := instantiate(t, s.module(t, "wat:stuck"), nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := inst.Invoke(ctx, &runtime.RunPayload{})
			done <- err
		}()
		require.Eventually(t, func() bool {
			_, err := inst.Invoke(context.Background(), &runtime.RunPayload{})
			return err != nil && assert.ErrorIs(t, err, runtime.ErrBusy)
		}, 5*time.Second, 10*time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, runtime.ErrCanceled)
	}})
	return tests
}

package wazero

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/ow/examples/wat"
	wowrt "github.com/wowrt/wow/runtime"
)

// TestInterruptStartSection: a start section that never returns runs
// under the instantiation's deadline, on both wazero engines; only the
// compiler needs it moved to an export for that.
func TestInterruptStartSection(t *testing.T) {
	onBothEngines(t, func(t *testing.T, e wowrt.Engine, interp bool) {
		ctx := context.Background()
		em, err := e.Compile(ctx, wat.Module("startloop"))
		require.NoError(t, err)
		// The compiler's start section is moved to an export; the
		// interpreter runs it inside wazero's instantiation.
		assert.Equal(t, !interp, em.(*module).start, "the compiler's start section must be moved to an export")
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err = em.Instantiate(dctx, &wowrt.SandboxConfig{MemoryLimitPages: 16})
		require.ErrorIs(t, err, wowrt.ErrTimeout)
	})
}

// onBothEngines runs f as a subtest on a compiling and on an interpreting
// wazero engine.
func onBothEngines(t *testing.T, f func(t *testing.T, e wowrt.Engine, interp bool)) {
	for _, interp := range []bool{false, true} {
		t.Run(map[bool]string{false: "compiler", true: "interpreter"}[interp], func(t *testing.T) {
			ctx := context.Background()
			e, err := New(ctx, wowrt.EngineConfig{Interpreter: interp})
			require.NoError(t, err)
			defer e.Close(ctx)
			f(t, e, interp)
		})
	}
}

// TestInterruptArmedPerCall: on both wazero engines, a stopped guest stays
// stopped, a call that finished before its deadline is not disturbed by the
// deadline passing later, a cancelled ctx reports ErrCanceled, and
// Interrupt stops a guest whose ctx cannot end (the watchdog's calls) with
// the cause it was given.
func TestInterruptArmedPerCall(t *testing.T) {
	onBothEngines(t, func(t *testing.T, e wowrt.Engine, _ bool) {
		ctx := context.Background()
		instantiate := func(name string) wowrt.Sandbox {
			m, err := e.Compile(ctx, wat.Module(name))
			require.NoError(t, err)
			sb, err := m.Instantiate(ctx, &wowrt.SandboxConfig{MemoryLimitPages: 16})
			require.NoError(t, err)
			t.Cleanup(func() { _ = sb.Close(ctx) })
			return sb
		}

		sb := instantiate("sum")
		require.True(t, sb.(wowrt.Interruptible).CanInterrupt())
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		res, err := sb.Call(short, "_start", 2, 3)
		require.NoError(t, err)
		assert.Equal(t, []uint64{5}, res)
		<-short.Done()
		res, err = sb.Call(ctx, "_start", 4, 5)
		require.NoError(t, err, "a deadline that passes between calls must not stop the guest")
		assert.Equal(t, []uint64{9}, res)

		sb2 := instantiate("stuck")
		cctx, cancel2 := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel2)
		_, err = sb2.Call(cctx, "_start")
		require.ErrorIs(t, err, wowrt.ErrCanceled)
		_, err = sb2.Call(ctx, "_start")
		require.ErrorIs(t, err, wowrt.ErrCanceled, "a stopped guest must not run again")

		sb3 := instantiate("stuck")
		cause := fmt.Errorf("%w: stopped by the test", wowrt.ErrTimeout)
		time.AfterFunc(20*time.Millisecond, func() { sb3.(wowrt.Interruptible).Interrupt(cause) })
		_, err = sb3.Call(ctx, "_start")
		require.ErrorIs(t, err, cause, "Interrupt must stop a guest whose ctx cannot end")
		_, err = sb3.Call(ctx, "_start")
		require.ErrorIs(t, err, cause, "an interrupted guest must not run again")
	})
}

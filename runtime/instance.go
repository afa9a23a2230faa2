package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

type instance struct {
	m   *module
	cfg *instanceConfig
	// env is the init env rendered once; activation env is prepended per run.
	env []string
	// args is argv for the WASI-command ABI.
	args []string
	// entry is the numeric ABI's export.
	entry Export
	// sb is the warm sandbox of a reusable ABI; nil until warmed or after a failure.
	sb Sandbox
	// sbTier is the module tier sb was created on (see tiered.go).
	sbTier int
	// stdout and stderr are the log writers of a warm sandbox, reset per activation.
	stdout, stderr *logWriter
	busy           atomic.Bool
	closed         atomic.Bool
	// blocking is set when the module imports a host function that waits
	// (http.get): those need the deadline on their ctx, so activations of
	// this instance are bounded by deadline contexts, not the watchdog.
	blocking bool
	// watch is this instance's registration with the watchdog.
	watch watch
}

func newInstance(m *module, cfg *instanceConfig) (*instance, error) {
	i := &instance{m: m, cfg: cfg, env: cfg.envList(), args: cfg.args, blocking: slices.Contains(m.needs, CapNet)}
	if len(i.args) == 0 {
		i.args = []string{"action"}
	}
	if m.abi == ABINumeric {
		e, err := numericEntry(m, cfg.main)
		if err != nil {
			return nil, err
		}
		i.entry = e
	}
	return i, nil
}

func (i *instance) ABI() ABI { return i.m.abi }

// sandboxConfig returns the settings shared by every sandbox of this instance.
func (i *instance) sandboxConfig() *SandboxConfig {
	return &SandboxConfig{
		Args:             i.args,
		Env:              i.env,
		Dirs:             i.cfg.dirs,
		MemoryLimitPages: i.m.rt.memPages,
	}
}

// warm instantiates the reusable sandbox and runs _initialize.
func (i *instance) warm(ctx context.Context) error {
	maxLog := i.m.rt.cfg.MaxLogBytes()
	i.stdout = newLogWriter(i.cfg.stdout, maxLog)
	i.stderr = newLogWriter(i.cfg.stderr, maxLog)
	sc := i.sandboxConfig()
	sc.Stdout, sc.Stderr = i.stdout, i.stderr
	i.sbTier = moduleTier(i.m.em)
	sb, err := i.m.em.Instantiate(ctx, sc)
	if err != nil {
		return classify(nil, err)
	}
	if _, ok := i.m.export(exportInitialize); ok {
		ctx, cancel := i.deadline(ctx, nil)
		_, err := sb.Call(ctx, exportInitialize)
		cancel()
		if err != nil {
			err = classify(sb, err)
			_ = sb.Close(ctx)
			return fmt.Errorf("_initialize: %w", err)
		}
	}
	i.sb = sb
	return nil
}

func (i *instance) Invoke(ctx context.Context, run *RunPayload) (*Result, error) {
	if i.closed.Load() {
		return nil, fmt.Errorf("invoke: instance %w", ErrClosed)
	}
	if !i.busy.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("invoke: %w", ErrBusy)
	}
	defer i.busy.Store(false)
	if run == nil {
		run = &RunPayload{}
	}
	useModule(i.m.em)
	var (
		res *Result
		err error
	)
	if sb, ok := i.watchable(); ok {
		res, err = i.invokeWatched(ctx, run, sb)
	} else {
		dctx, cancel := i.deadline(ctx, run)
		switch i.m.abi {
		case ABIWASICommand:
			res, err = i.invokeCommand(dctx, run)
		case ABIMemoryBuffer:
			res, err = i.invokeMemoryBuffer(dctx, run)
		case ABINumeric, ABIReactor:
			res, err = i.invokeWarm(dctx, run)
		}
		if err == nil {
			err = pastDeadline(dctx)
		}
		cancel()
	}
	if err != nil {
		return nil, fmt.Errorf("invoke %s action: %w", i.m.abi, err)
	}
	if max := i.m.rt.cfg.MaxResultBytes(); max > 0 && len(res.Value) > max {
		return nil, wrapf(ErrLimit, "result is %d bytes, the limit is %d", len(res.Value), max)
	}
	return res, nil
}

// invokeWarm runs a reusable ABI on the warm sandbox, re-instantiating a
// sandbox discarded by an earlier failure.
func (i *instance) invokeWarm(ctx context.Context, run *RunPayload) (*Result, error) {
	if i.sb != nil && i.sbTier < moduleTier(i.m.em) {
		_ = i.sb.Close(ctx) // compiled code is ready: move to it
		i.sb = nil
	}
	if i.sb == nil {
		if err := i.warm(ctx); err != nil {
			return nil, err
		}
	}
	i.stdout.reset()
	i.stderr.reset()
	var (
		res *Result
		err error
	)
	if i.m.abi == ABIReactor {
		res, err = i.handleReactor(ctx, run)
	} else {
		res, err = i.callNumeric(ctx, run)
	}
	i.stdout.flush()
	i.stderr.flush()
	if err != nil && !errors.Is(err, ErrInvalidInput) {
		err = classify(i.sb, err)
		_ = i.sb.Close(ctx)
		i.sb = nil // poisoned: the next activation gets a fresh guest
	}
	return res, err
}

// watchable returns the warm sandbox when the watchdog can bound this
// activation: a warm reusable ABI on an interruptible sandbox, no pending
// move to another tier, no host function that needs a deadline context.
func (i *instance) watchable() (Interruptible, bool) {
	if i.sb == nil || i.blocking || i.sbTier < moduleTier(i.m.em) {
		return nil, false
	}
	sb, ok := i.sb.(Interruptible)
	if !ok || !sb.CanInterrupt() {
		return nil, false
	}
	return sb, true
}

// invokeWatched runs a warm activation under the watchdog. The guest's
// calls get ctx without its cancellation (the watchdog polls it), so the
// engine arms nothing per call.
func (i *instance) invokeWatched(ctx context.Context, run *RunPayload, sb Interruptible) (*Result, error) {
	w := &i.watch
	w.deadline, w.ctx, w.sb = i.deadlineTime(ctx, run), ctx, sb
	i.m.rt.dog.add(w)
	res, err := i.invokeWarm(context.WithoutCancel(ctx), run)
	if fired := i.m.rt.dog.remove(w); fired != nil {
		if i.sb != nil { // interrupted after the guest returned: it is stopped for good
			_ = i.sb.Close(ctx)
			i.sb = nil
		}
		if err == nil || !errors.Is(err, fired) {
			err = fired
		}
		return nil, err
	}
	if err == nil && !w.deadline.IsZero() && time.Now().After(w.deadline) {
		err = wrapf(ErrTimeout, "the activation finished after its deadline")
	}
	if err == nil {
		err = pastDeadline(ctx)
	}
	return res, err
}

// deadlineTime is the earliest of run.Deadline, the configured timeout and
// ctx's deadline; zero for none.
func (i *instance) deadlineTime(ctx context.Context, run *RunPayload) time.Time {
	var d time.Time
	if t := i.m.rt.cfg.Timeout(); t > 0 {
		d = time.Now().Add(t)
	}
	if run != nil && !run.Deadline.IsZero() && (d.IsZero() || run.Deadline.Before(d)) {
		d = run.Deadline
	}
	if cd, ok := ctx.Deadline(); ok && (d.IsZero() || cd.Before(d)) {
		d = cd
	}
	return d
}

// deadline bounds ctx by the earliest of run.Deadline and the configured timeout.
func (i *instance) deadline(ctx context.Context, run *RunPayload) (context.Context, context.CancelFunc) {
	d := i.deadlineTime(ctx, run)
	if d.IsZero() {
		return ctx, func() {}
	}
	if cd, ok := ctx.Deadline(); ok && !cd.After(d) {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, d)
}

// classify makes a sandbox failure a typed error: a failure after the guest
// hit its memory limit is a memory-limit error whatever the guest did next.
func classify(sb Sandbox, err error) error {
	if err == nil {
		return nil
	}
	if sb != nil && sb.MemoryLimitHit() && !errors.Is(err, ErrMemoryLimit) {
		return fmt.Errorf("%w: %w", ErrMemoryLimit, err)
	}
	return err
}

func (i *instance) Close(ctx context.Context) error {
	if i.closed.Swap(true) {
		return nil
	}
	if i.sb != nil {
		return i.sb.Close(ctx)
	}
	return nil
}

// params returns the activation's params, "{}" when absent.
func params(run *RunPayload) []byte {
	if len(run.Params) == 0 {
		return []byte("{}")
	}
	return run.Params
}

// jsonResult validates and copies a guest's result bytes.
func jsonResult(b []byte) (*Result, error) {
	if !json.Valid(b) {
		return nil, wrapf(ErrABI, "result is not JSON: %q", truncate(b, 200))
	}
	return &Result{Value: append(json.RawMessage(nil), b...)}, nil
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// pastDeadline fails an activation that finished only after its deadline or
// cancellation: a guest may outrun the engine's interruption (for example
// when a host call returns early because the context ended and the guest
// then exits on its own), but its result came too late to count.
func pastDeadline(ctx context.Context) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return wrapf(ErrTimeout, "the activation finished after its deadline")
	case errors.Is(ctx.Err(), context.Canceled):
		return wrapf(ErrCanceled, "the activation finished after it was canceled")
	}
	return nil
}

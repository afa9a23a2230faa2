package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
)

// invokeMemoryBuffer runs the seed runtime's memory-buffer ABI in a fresh sandbox.
func (i *instance) invokeMemoryBuffer(ctx context.Context, run *RunPayload) (*Result, error) {
	in := params(run)
	logs := newLogWriter(i.cfg.stdout, i.m.rt.cfg.MaxLogBytes())
	stderr := newLogWriter(i.cfg.stderr, i.m.rt.cfg.MaxLogBytes())
	sc := i.sandboxConfig()
	sc.Env = activationEnv(run, i.env)
	sc.Args = []string{"wasm-openwhisk", strconv.Itoa(len(in))}
	sc.Stdout, sc.Stderr = logs, stderr
	sb, err := i.m.em.Instantiate(ctx, sc)
	if err != nil {
		return nil, classify(nil, err)
	}
	defer sb.Close(ctx)
	res, err := membufRun(ctx, sb, in)
	if err != nil {
		var exit *ExitError
		if errors.As(err, &exit) {
			exit.Stderr = stderr.Tail()
		}
		return nil, classify(sb, err)
	}
	return res, nil
}

func membufRun(ctx context.Context, sb Sandbox, in []byte) (*Result, error) {
	mem := sb.Memory()
	if mem == nil {
		return nil, wrapf(ErrABI, "the module exports no memory")
	}
	if _, err := sb.Call(ctx, exportMembufAlloc, uint64(len(in))); err != nil {
		return nil, err
	}
	ptr, err := call1(ctx, sb, exportMembufPointer)
	if err != nil {
		return nil, err
	}
	if !mem.Write(uint32(ptr), in) {
		return nil, wrapf(ErrABI, "buffer pointer %d cannot hold %d bytes of params", uint32(ptr), len(in))
	}
	if _, err := sb.Call(ctx, exportStart); err != nil {
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 0 {
			return nil, err
		}
	}
	ptr, err = call1(ctx, sb, exportMembufPointer)
	if err != nil {
		return nil, err
	}
	n, err := call1(ctx, sb, exportMembufLen)
	if err != nil {
		return nil, err
	}
	out, ok := mem.Read(uint32(ptr), uint32(n))
	if !ok {
		return nil, wrapf(ErrABI, "result buffer [%d, +%d) is out of bounds", uint32(ptr), uint32(n))
	}
	return membufResult(out)
}

// membufResult decodes {"Ok": v} into v and {"Err": e} into an application error.
func membufResult(out []byte) (*Result, error) {
	var r struct {
		Ok  json.RawMessage `json:"Ok"`
		Err json.RawMessage `json:"Err"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, wrapf(ErrABI, "memory-buffer result is not JSON: %q", truncate(out, 200))
	}
	switch {
	case r.Ok != nil:
		return &Result{Value: r.Ok}, nil
	case r.Err != nil:
		res := &Result{Value: r.Err}
		if res.IsApplicationError() {
			return res, nil
		}
		var b bytes.Buffer
		b.WriteString(`{"error":`)
		b.Write(r.Err)
		b.WriteByte('}')
		return &Result{Value: b.Bytes()}, nil
	}
	return nil, wrapf(ErrABI, `memory-buffer result has neither "Ok" nor "Err": %q`, truncate(out, 200))
}

// call1 calls a () -> i32 export.
func call1(ctx context.Context, sb Sandbox, name string, args ...uint64) (uint64, error) {
	res, err := sb.Call(ctx, name, args...)
	if err != nil {
		return 0, err
	}
	if len(res) != 1 {
		return 0, wrapf(ErrABI, "%s returned %d values, want 1", name, len(res))
	}
	return res[0], nil
}

package runtime

import (
	"bytes"
	"context"
	"errors"
)

// invokeCommand runs the WASI-command ABI: params on stdin, the last stdout
// line is the result, a fresh sandbox per activation.
func (i *instance) invokeCommand(ctx context.Context, run *RunPayload) (*Result, error) {
	maxLog := i.m.rt.cfg.MaxLogBytes()
	stdout := newResultWriter(newLogWriter(i.cfg.stdout, maxLog), i.m.rt.cfg.MaxResultBytes())
	stderr := newLogWriter(i.cfg.stderr, maxLog)
	sc := i.sandboxConfig()
	sc.Env = activationEnv(run, i.env)
	sc.Stdin = bytes.NewReader(params(run))
	sc.Stdout, sc.Stderr = stdout, stderr
	sb, err := i.m.em.Instantiate(ctx, sc)
	if err != nil {
		return nil, classify(nil, err)
	}
	defer sb.Close(ctx)
	if _, err := sb.Call(ctx, exportStart); err != nil {
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 0 {
			if exit != nil {
				exit.Stderr = stderr.Tail()
			}
			_, _ = stdout.result() // forward what was logged
			return nil, classify(sb, err)
		}
	}
	line, err := stdout.result()
	if err != nil {
		return nil, err
	}
	return jsonResult(line)
}

// activationEnv puts the activation's __OW_* variables before the init env:
// WASI guests such as Go's take the first of duplicate keys.
func activationEnv(run *RunPayload, initEnv []string) []string {
	env := run.Env()
	return append(env, initEnv...)
}

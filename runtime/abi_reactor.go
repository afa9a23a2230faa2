package runtime

import (
	"context"
	"unicode/utf8"
)

// handleReactor runs one activation on a warm reactor: write the action-loop
// envelope through wow_alloc, call wow_handle, read the result it points to.
func (i *instance) handleReactor(ctx context.Context, run *RunPayload) (*Result, error) {
	env := envelope(run)
	mem := i.sb.Memory()
	if mem == nil {
		return nil, wrapf(ErrABI, "the module exports no memory")
	}
	ptr, err := call1(ctx, i.sb, exportReactorAlloc, uint64(len(env)))
	if err != nil {
		return nil, err
	}
	if !mem.Write(uint32(ptr), env) {
		return nil, wrapf(ErrABI, "wow_alloc(%d) returned %d, out of bounds", len(env), uint32(ptr))
	}
	r, err := call1(ctx, i.sb, exportReactorHandle, uint64(uint32(ptr)), uint64(len(env)))
	if err != nil {
		return nil, err
	}
	rp, rn := uint32(r>>32), uint32(r)
	if max := i.m.rt.cfg.MaxResultBytes(); max > 0 && int(rn) > max {
		return nil, wrapf(ErrLimit, "result is %d bytes, the limit is %d", rn, max)
	}
	out, ok := mem.Read(rp, rn)
	if !ok {
		return nil, wrapf(ErrABI, "wow_handle result [%d, +%d) is out of bounds", rp, rn)
	}
	return jsonResult(out)
}

// envelope builds the action-loop request {"value": params, "namespace": ...}.
func envelope(run *RunPayload) []byte {
	p := params(run)
	b := make([]byte, 0, len(p)+256)
	b = append(b, `{"value":`...)
	b = append(b, p...)
	field := func(k, v string) {
		if v == "" {
			return
		}
		b = append(b, ',', '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		b = appendJSONString(b, v)
	}
	field("namespace", run.Namespace)
	field("action_name", run.ActionName)
	field("action_version", run.ActionVersion)
	field("activation_id", run.ActivationID)
	field("transaction_id", run.TransactionID)
	field("deadline", run.deadlineString())
	field("api_host", run.APIHost)
	field("api_key", run.APIKey)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for k := 0; k < len(s); {
		c := s[k]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[k:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[k:k+size]...)
			}
			k += size
			continue
		}
		k++
	}
	return append(b, '"')
}

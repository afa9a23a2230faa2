package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// numericEntry picks the numeric ABI's export: the main name when the module
// exports it, else _start.
func numericEntry(m *module, main string) (Export, error) {
	for _, name := range []string{main, exportStart} {
		if name == "" {
			continue
		}
		if e, ok := m.export(name); ok && e.Kind == ExternFunc && numericSig(e.Type) {
			return e, nil
		}
	}
	return Export{}, wrapf(ErrInvalidModule, "numeric ABI: the module exports no numeric function named %q or %q", main, exportStart)
}

// callNumeric runs the numeric ABI: {"args": [...]} → {"result": ...}.
func (i *instance) callNumeric(ctx context.Context, run *RunPayload) (*Result, error) {
	args, err := numericArgs(params(run), i.entry.Type.Params)
	if err != nil {
		return nil, err
	}
	res, err := i.sb.Call(ctx, i.entry.Name, args...)
	if err != nil {
		return nil, err
	}
	return numericResult(res, i.entry.Type.Results), nil
}

func numericArgs(in []byte, types []ValueType) ([]uint64, error) {
	if len(types) == 0 {
		if found, ok := hasTopLevelKey(in, "args"); ok && !found {
			return nil, nil // a nullary entry point and no args to refuse
		}
	}
	var p struct {
		Args []json.Number `json:"args"`
	}
	if err := json.Unmarshal(in, &p); err != nil {
		return nil, wrapf(ErrInvalidInput, `numeric action params must be {"args": [numbers...]}: %v`, err)
	}
	if len(p.Args) != len(types) {
		return nil, wrapf(ErrInvalidInput, "numeric action takes %d args, got %d", len(types), len(p.Args))
	}
	out := make([]uint64, len(types))
	for k, t := range types {
		v, err := encodeNumber(p.Args[k], t)
		if err != nil {
			return nil, wrapf(ErrInvalidInput, "arg %d: %v", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func encodeNumber(n json.Number, t ValueType) (uint64, error) {
	switch t {
	case ValueTypeI32:
		v, err := strconv.ParseInt(n.String(), 10, 32)
		if err != nil {
			u, uerr := strconv.ParseUint(n.String(), 10, 32)
			if uerr != nil {
				return 0, fmt.Errorf("%s is not an i32", n)
			}
			return u, nil
		}
		return uint64(uint32(int32(v))), nil
	case ValueTypeI64:
		v, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(n.String(), 10, 64)
			if uerr != nil {
				return 0, fmt.Errorf("%s is not an i64", n)
			}
			return u, nil
		}
		return uint64(v), nil
	case ValueTypeF32:
		f, err := strconv.ParseFloat(n.String(), 32)
		if err != nil {
			return 0, fmt.Errorf("%s is not an f32", n)
		}
		return uint64(math.Float32bits(float32(f))), nil
	case ValueTypeF64:
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil {
			return 0, fmt.Errorf("%s is not an f64", n)
		}
		return math.Float64bits(f), nil
	}
	return 0, fmt.Errorf("unsupported type %s", t)
}

func numericResult(raw []uint64, types []ValueType) *Result {
	var b []byte
	switch len(types) {
	case 0:
		return &Result{Value: json.RawMessage("{}")}
	case 1:
		b = append(b, `{"result":`...)
		b = appendNumber(b, raw[0], types[0])
	default:
		b = append(b, `{"result":[`...)
		for k, t := range types {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendNumber(b, raw[k], t)
		}
		b = append(b, ']')
	}
	return &Result{Value: append(b, '}')}
}

func appendNumber(b []byte, v uint64, t ValueType) []byte {
	switch t {
	case ValueTypeI32:
		return strconv.AppendInt(b, int64(int32(uint32(v))), 10)
	case ValueTypeI64:
		return strconv.AppendInt(b, int64(v), 10)
	case ValueTypeF32:
		return appendFloat(b, float64(math.Float32frombits(uint32(v))), 32)
	default:
		return appendFloat(b, math.Float64frombits(v), 64)
	}
}

// appendFloat writes a float as JSON; NaN and infinities, which JSON cannot
// hold, become strings.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendQuote(b, strconv.FormatFloat(f, 'g', -1, bits))
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

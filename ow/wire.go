package ow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/wowrt/wow/runtime"
)

// InitRequest is the body of POST /init (and /{id}/init).
type InitRequest struct {
	// Value describes the action.
	Value InitValue `json:"value"`
}

// InitValue is the action OpenWhisk asks the runtime to load.
type InitValue struct {
	// Name is the action's fully qualified name.
	Name string `json:"name,omitempty"`
	// Main is the entry point; for a zip, also the entry to load.
	Main string `json:"main,omitempty"`
	// Code is the action code: base64 when Binary is true.
	Code string `json:"code,omitempty"`
	// Binary says Code is base64 (of a raw .wasm or a zip).
	Binary bool `json:"binary,omitempty"`
	// Env holds variables the action sees from its first instruction on.
	// OpenWhisk sends strings; other JSON values are kept as their JSON text.
	Env map[string]json.RawMessage `json:"env,omitempty"`
	// Annotations are the invoker fork's annotations: "dir" (a host
	// directory to preopen) and "net_access" (bool).
	Annotations map[string]any `json:"annotations,omitempty"`

	// code, when set, is Code as the handler's decoder found it in the
	// request body (it stands for Code, which is then empty): megabytes
	// of base64 are decoded from there, never copied into a string.
	code []byte
}

// RunRequest is the body of POST /run (and /{id}/run).
type RunRequest struct {
	// Value is the activation's params.
	Value json.RawMessage `json:"value"`
	// Namespace becomes __OW_NAMESPACE.
	Namespace string `json:"namespace,omitempty"`
	// ActionName becomes __OW_ACTION_NAME.
	ActionName string `json:"action_name,omitempty"`
	// ActionVersion becomes __OW_ACTION_VERSION.
	ActionVersion string `json:"action_version,omitempty"`
	// ActivationID becomes __OW_ACTIVATION_ID.
	ActivationID string `json:"activation_id,omitempty"`
	// TransactionID becomes __OW_TRANSACTION_ID.
	TransactionID string `json:"transaction_id,omitempty"`
	// Deadline ends the activation; OpenWhisk sends epoch milliseconds as a string.
	Deadline Deadline `json:"deadline"`
	// APIHost becomes __OW_API_HOST.
	APIHost string `json:"api_host,omitempty"`
	// APIKey becomes __OW_API_KEY.
	APIKey string `json:"api_key,omitempty"`
}

// Deadline is an instant in epoch milliseconds, as a JSON string (what
// OpenWhisk's invoker sends) or number. The zero Deadline is JSON null.
type Deadline struct {
	time.Time
}

// UnmarshalJSON accepts "1700000000000", 1700000000000, "" and null.
func (d *Deadline) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	s := string(b)
	if s == "" || s == "null" {
		d.Time = time.Time{}
		return nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return fmt.Errorf("deadline %q: want epoch milliseconds", s)
		}
		ms = int64(f)
	}
	d.Time = time.UnixMilli(ms)
	return nil
}

// MarshalJSON writes the deadline as OpenWhisk does: a string of epoch
// milliseconds, or null when zero.
func (d Deadline) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendQuote(nil, strconv.FormatInt(d.UnixMilli(), 10)), nil
}

// Payload converts the wire form to the runtime's payload. apiHost fills
// APIHost when the request lacks it.
func (r *RunRequest) Payload(apiHost string) *runtime.RunPayload {
	p := &runtime.RunPayload{
		Params:        r.Value,
		Namespace:     r.Namespace,
		ActionName:    r.ActionName,
		ActionVersion: r.ActionVersion,
		ActivationID:  r.ActivationID,
		TransactionID: r.TransactionID,
		Deadline:      r.Deadline.Time,
		APIHost:       r.APIHost,
		APIKey:        r.APIKey,
	}
	if p.APIHost == "" {
		p.APIHost = apiHost
	}
	if len(p.Params) == 0 || string(p.Params) == "null" {
		p.Params = json.RawMessage("{}")
	}
	return p
}

// Payload decodes the code (see [DecodeCode]) and converts the wire form to
// the runtime's payload. An empty Code is ErrNoCode.
func (v *InitValue) Payload(l Limits) (*runtime.InitPayload, error) {
	raw := v.code
	if raw == nil {
		raw = []byte(v.Code)
	}
	if len(raw) == 0 {
		return nil, ErrNoCode
	}
	code, archive, err := decodeCode(raw, v.Binary, v.Main, l)
	if err != nil {
		return nil, err
	}
	env, err := decodeEnv(v.Env)
	if err != nil {
		return nil, err
	}
	return &runtime.InitPayload{
		Name:        v.Name,
		Main:        v.Main,
		Code:        code,
		Binary:      v.Binary,
		Archive:     archive,
		Env:         env,
		Annotations: v.Annotations,
	}, nil
}

// decodeEnv turns init env values into strings: JSON strings are unquoted,
// other values keep their JSON text, null is empty.
func decodeEnv(raw map[string]json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	env := make(map[string]string, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("%w: env %q: %v", ErrBadRequest, k, err)
			}
			env[k] = s
		case string(v) == "null":
			env[k] = ""
		default:
			env[k] = string(v)
		}
	}
	return env, nil
}

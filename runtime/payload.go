package runtime

import (
	"encoding/json"
	"strconv"
	"time"
)

// InitPayload is OpenWhisk's /init value: the action to load. It carries no
// HTTP; the ow package owns its wire form.
type InitPayload struct {
	// Name is the action's fully qualified name, when the invoker sends it.
	Name string
	// Main is the entry point name; OpenWhisk's default is "main".
	Main string
	// Code is the decoded action code: a .wasm module (packaging such as
	// base64 and zip is undone by the ow package).
	Code []byte
	// Binary records whether the code arrived base64-encoded.
	Binary bool
	// Archive is the zip Code was taken from, when the code came zipped: a
	// precompiled artifact (package aot) carries native code beside the
	// module. Nil for a plain .wasm.
	Archive []byte
	// Env holds environment variables the action sees from its first
	// instruction on.
	Env map[string]string
	// Annotations are the invoker-fork's annotations (dir, net_access, ...).
	Annotations map[string]any
}

// RunPayload is OpenWhisk's /run body: one activation's params and context.
type RunPayload struct {
	// Params is the activation's input, a JSON value (OpenWhisk sends an object).
	Params json.RawMessage
	// Namespace becomes __OW_NAMESPACE.
	Namespace string
	// ActionName becomes __OW_ACTION_NAME.
	ActionName string
	// ActionVersion becomes __OW_ACTION_VERSION.
	ActionVersion string
	// ActivationID becomes __OW_ACTIVATION_ID.
	ActivationID string
	// TransactionID becomes __OW_TRANSACTION_ID.
	TransactionID string
	// Deadline is when the activation must end; zero means none beyond the
	// configured timeout. It becomes __OW_DEADLINE in epoch milliseconds.
	Deadline time.Time
	// APIHost becomes __OW_API_HOST.
	APIHost string
	// APIKey becomes __OW_API_KEY (sent only when the action asks for it).
	APIKey string
}

// Env returns the activation's __OW_* variables as "KEY=value" entries,
// omitting empty fields.
func (r *RunPayload) Env() []string {
	env := make([]string, 0, 8)
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("__OW_NAMESPACE", r.Namespace)
	add("__OW_ACTION_NAME", r.ActionName)
	add("__OW_ACTION_VERSION", r.ActionVersion)
	add("__OW_ACTIVATION_ID", r.ActivationID)
	add("__OW_TRANSACTION_ID", r.TransactionID)
	add("__OW_DEADLINE", r.deadlineString())
	add("__OW_API_HOST", r.APIHost)
	add("__OW_API_KEY", r.APIKey)
	return env
}

func (r *RunPayload) deadlineString() string {
	if r.Deadline.IsZero() {
		return ""
	}
	return strconv.FormatInt(r.Deadline.UnixMilli(), 10)
}

// Result is what an activation returned.
type Result struct {
	// Value is the action's result, a JSON value. OpenWhisk accepts an object
	// or an array; the protocol layer enforces that.
	Value json.RawMessage
}

// IsApplicationError reports whether Value is an object with an "error"
// field: OpenWhisk's application error.
func (r *Result) IsApplicationError() bool {
	if r == nil || len(r.Value) == 0 {
		return false
	}
	if found, ok := hasTopLevelKey(r.Value, "error"); ok {
		return found
	}
	var probe struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(r.Value, &probe) != nil {
		return false
	}
	return probe.Error != nil
}

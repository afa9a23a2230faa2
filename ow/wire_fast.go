package ow

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/wowrt/wow/internal/jsonscan"
)

// decodeRun parses a /run body into req. The common shape — a flat object
// of unescaped string fields and a "value" — is parsed by hand, without
// reflection, on the hot path; anything else (escapes, unusual types, bad
// JSON) falls back to encoding/json, which also produces the error message.
func decodeRun(data []byte, req *RunRequest) error {
	if fastDecodeRun(data, req) {
		return nil
	}
	*req = RunRequest{}
	return unmarshal(data, req, "/run")
}

// fastDecodeRun reports whether it fully and validly parsed data.
func fastDecodeRun(data []byte, req *RunRequest) bool {
	return jsonscan.Object(data, func(key, value []byte) bool { return setRunField(req, key, value) })
}

// Fields whose values repeat across the activations of an action, interned.
const (
	internNamespace = iota
	internActionName
	internActionVersion
	internAPIHost
	internAPIKey
	internFields
)

// interned holds the last value of each interned field.
var interned [internFields]atomic.Pointer[string]

// intern returns v as a string, the previous one of field k when equal: no
// allocation for the fields that stay the same from run to run.
func intern(k int, v []byte) string {
	if p := interned[k].Load(); p != nil && *p == string(v) {
		return *p
	}
	s := string(v)
	interned[k].Store(&s)
	return s
}

// setRunField stores one field's raw JSON value v.
func setRunField(req *RunRequest, key []byte, v []byte) bool {
	var dst *string
	k := -1 // the interned field, if any
	switch string(key) {
	case "value":
		if !json.Valid(v) {
			return false
		}
		req.Value = append(json.RawMessage(nil), v...)
		return true
	case "deadline":
		return fastDeadline(&req.Deadline, v)
	case "namespace":
		dst, k = &req.Namespace, internNamespace
	case "action_name":
		dst, k = &req.ActionName, internActionName
	case "action_version":
		dst, k = &req.ActionVersion, internActionVersion
	case "activation_id":
		dst = &req.ActivationID
	case "transaction_id":
		dst = &req.TransactionID
	case "api_host":
		dst, k = &req.APIHost, internAPIHost
	case "api_key":
		dst, k = &req.APIKey, internAPIKey
	default:
		return json.Valid(v) // ignored, as encoding/json does
	}
	if string(v) == "null" {
		return true
	}
	b, end, ok := jsonscan.PlainString(v, 0)
	if !ok || end != len(v) {
		return false
	}
	if k >= 0 {
		*dst = intern(k, b)
	} else {
		*dst = string(b)
	}
	return true
}

// fastDeadline parses "digits", digits or null.
func fastDeadline(d *Deadline, v []byte) bool {
	if string(v) == "null" {
		d.Time = time.Time{}
		return true
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		if len(v) == 0 {
			d.Time = time.Time{}
			return true
		}
	}
	ms, ok := parseMillis(v)
	if !ok {
		return false
	}
	d.Time = time.UnixMilli(ms)
	return true
}

// parseMillis parses optionally signed decimal digits that fit an int64.
func parseMillis(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 18 { // 18 digits cannot overflow
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

package ow

import (
	"bytes"
	"encoding/json"
	"sync/atomic"
	"time"
	"unicode/utf8"

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
		return ignored(key, v, runFields)
	}
	if string(v) == "null" {
		return true
	}
	b, ok := plainString(v)
	if !ok {
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

// decodeInit parses an /init body into req, by hand for the common shape
// (as decodeRun): the action code, often megabytes of base64, is then
// scanned once instead of through encoding/json's reflection.
func decodeInit(data []byte, req *InitRequest) error {
	if fastDecodeInit(data, req) {
		return nil
	}
	*req = InitRequest{}
	return unmarshal(data, req, "/init")
}

// fastDecodeInit reports whether it fully and validly parsed data.
func fastDecodeInit(data []byte, req *InitRequest) bool {
	return jsonscan.Object(data, func(key, v []byte) bool {
		if string(key) != "value" {
			return ignored(key, v, initFields)
		}
		if string(v) == "null" {
			return true
		}
		return jsonscan.Object(v, func(key, v []byte) bool { return setInitField(&req.Value, key, v) })
	})
}

// The JSON keys of RunRequest and of InitRequest with InitValue.
var (
	runFields  = []string{"value", "namespace", "action_name", "action_version", "activation_id", "transaction_id", "deadline", "api_host", "api_key"}
	initFields = []string{"value", "name", "main", "code", "binary", "env", "annotations"}
)

// ignored reports whether the fast path may skip an unknown member: it must
// be valid JSON, and not a key encoding/json would match to a field with
// another case ("Value"), which the fallback then decodes.
func ignored(key, v []byte, fields []string) bool {
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
			return false
		}
	}
	return json.Valid(v)
}

// plainString returns the contents of v, a whole JSON string without
// escapes, when it is valid UTF-8 (encoding/json would replace bad bytes).
func plainString(v []byte) ([]byte, bool) {
	b, end, ok := jsonscan.PlainString(v, 0)
	return b, ok && end == len(v) && utf8.Valid(b)
}

// setInitField stores one member of an /init "value".
func setInitField(iv *InitValue, key, v []byte) bool {
	var dst *string
	switch string(key) {
	case "name":
		dst = &iv.Name
	case "main":
		dst = &iv.Main
	case "code":
		if string(v) == "null" {
			return true
		}
		b, ok := plainString(v)
		iv.code = b // not copied: Payload decodes it before the body is reused
		return ok
	case "binary":
		switch string(v) {
		case "true":
			iv.Binary = true
		case "false":
			iv.Binary = false
		case "null": // leaves it, as encoding/json does
		default:
			return false
		}
		return true
	case "env":
		return json.Unmarshal(v, &iv.Env) == nil // merges a repeated key, as the fallback
	case "annotations":
		return json.Unmarshal(v, &iv.Annotations) == nil
	default:
		return ignored(key, v, initFields)
	}
	if string(v) == "null" {
		return true
	}
	b, ok := plainString(v)
	if ok {
		*dst = string(b)
	}
	return ok
}

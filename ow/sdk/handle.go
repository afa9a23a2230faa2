package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

var (
	mu      sync.Mutex // guards handler and overridden
	handler Func
	// overridden holds the original value of every environment variable the
	// previous envelope set, so that the next one can restore those it lacks.
	overridden = map[string]originalEnv{}
)

type originalEnv struct {
	value string
	set   bool
}

// Handle registers fn as the action of a reactor (ABI 4). Call it from init in
// a package main that imports github.com/wowrt/wow/ow/sdk/reactor for its
// wasm exports and is built with -buildmode=c-shared. A later call replaces
// the Func; fn must not be nil.
func Handle(fn Func) {
	if fn == nil {
		panic("sdk.Handle: nil Func")
	}
	mu.Lock()
	defer mu.Unlock()
	handler = fn
}

// Dispatch handles one activation with the Func registered by [Handle] and
// returns the result JSON. request is the OpenWhisk action-loop envelope
// {"value": {...params}, "namespace": "...", "activation_id": "...", ...}.
// Before calling the Func it sets __OW_<FIELD IN UPPER CASE> in the process
// environment for every other field whose value is a string, number or
// boolean, and restores the variables a previous envelope set but this one
// lacks. An error or a panic in the Func, and an invalid envelope, give the
// result {"error": "..."}.
//
// The reactor package's wow_handle export calls Dispatch; it is exported so
// that host-side tests can drive a reactor action's Func the same way.
func Dispatch(request []byte) []byte {
	mu.Lock()
	defer mu.Unlock()
	if handler == nil {
		return encodeResult(nil, errors.New("sdk: no action registered: call sdk.Handle from init"))
	}
	params, env, err := parseEnvelope(request)
	if err != nil {
		return encodeResult(nil, err)
	}
	applyEnv(env)
	return call(handler, params)
}

// call runs fn and encodes its result, turning a panic into an error result.
func call(fn Func, params map[string]any) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			out = encodeResult(nil, fmt.Errorf("panic: %v", r))
		}
	}()
	return encodeResult(fn(params))
}

// parseEnvelope splits an action-loop envelope into the params (its "value")
// and the environment variables named after its other scalar fields.
func parseEnvelope(data []byte) (map[string]any, map[string]string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, nil, fmt.Errorf("sdk: invalid request envelope: %w", err)
	}
	if fields == nil {
		return nil, nil, errors.New("sdk: invalid request envelope: null")
	}
	params := map[string]any{}
	env := map[string]string{}
	for key, raw := range fields {
		if key == "value" {
			p, err := decodeParams(raw)
			if err != nil {
				return nil, nil, fmt.Errorf("sdk: activation value: %w", err)
			}
			params = p
			continue
		}
		if v, ok := envValue(raw); ok {
			env["__OW_"+strings.ToUpper(key)] = v
		}
	}
	return params, env, nil
}

// envValue formats a scalar envelope field for the environment: strings
// unquoted, numbers and booleans as written. Null, objects and arrays are
// skipped.
func envValue(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9'), string(raw) == "true", string(raw) == "false":
		return string(raw), true
	}
	return "", false
}

// applyEnv sets env in the process environment, first restoring the
// variables the previous envelope set that env lacks.
func applyEnv(env map[string]string) {
	for name, orig := range overridden {
		if _, still := env[name]; still {
			continue
		}
		if orig.set {
			_ = os.Setenv(name, orig.value)
		} else {
			_ = os.Unsetenv(name)
		}
		delete(overridden, name)
	}
	for name, value := range env {
		if _, ok := overridden[name]; !ok {
			v, set := os.LookupEnv(name)
			overridden[name] = originalEnv{value: v, set: set}
		}
		_ = os.Setenv(name, value)
	}
}

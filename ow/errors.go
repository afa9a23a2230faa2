package ow

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wowrt/wow/runtime"
)

// Protocol errors. Handler methods return errors wrapping one of them (or a
// runtime error); [Status] maps every error to its HTTP status.
var (
	// ErrAlreadyInitialized: a second /init for the same action (403).
	ErrAlreadyInitialized = errors.New("Cannot initialize the action more than once.") //nolint:staticcheck // OpenWhisk's exact text
	// ErrNoCode: /init without code (403).
	ErrNoCode = errors.New("Missing main/no code to execute.") //nolint:staticcheck // OpenWhisk's exact text
	// ErrNotInitialized: /run before a successful /init (500, as openwhisk-runtime-go).
	ErrNotInitialized = errors.New("no action defined yet")
	// ErrNotDictionary: the result is not a JSON object or array (502).
	ErrNotDictionary = errors.New("The action did not return a dictionary or array.") //nolint:staticcheck // OpenWhisk's exact text
	// ErrBadRequest: the request body is not the protocol's JSON, or the code
	// is not valid base64 or not a readable zip (400).
	ErrBadRequest = errors.New("bad request")
	// ErrTooLarge: params, code, a zip's entries or its uncompressed size
	// exceed a limit (413).
	ErrTooLarge = errors.New("request too large")
	// ErrNotFound: an unknown action id or path (404).
	ErrNotFound = errors.New("not found")
	// ErrMethodNotAllowed: the protocol's endpoints take POST only (405).
	ErrMethodNotAllowed = errors.New("method not allowed")
	// ErrOverloaded: a backend found no free activation slot before the
	// activation's deadline (503).
	ErrOverloaded = errors.New("too many concurrent activations")
)

// Status returns the HTTP status for an error returned by a [Handler]
// method or a [Backend]. See docs/openwhisk.md for the table.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrAlreadyInitialized), errors.Is(err, ErrNoCode):
		return http.StatusForbidden
	case errors.Is(err, ErrNotInitialized):
		return http.StatusInternalServerError
	case errors.Is(err, ErrBadRequest), errors.Is(err, runtime.ErrInvalidInput):
		return http.StatusBadRequest
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrOverloaded), errors.Is(err, runtime.ErrBusy), errors.Is(err, runtime.ErrClosed):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrNotDictionary),
		errors.Is(err, runtime.ErrInvalidModule), errors.Is(err, runtime.ErrCapability),
		errors.Is(err, runtime.ErrTimeout), errors.Is(err, runtime.ErrCanceled),
		errors.Is(err, runtime.ErrMemoryLimit), errors.Is(err, runtime.ErrTrap),
		errors.Is(err, runtime.ErrABI), errors.Is(err, runtime.ErrActionFailed),
		errors.Is(err, runtime.ErrLimit), errors.Is(err, runtime.ErrUnsupported):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// Message returns the text of the {"error": ...} body for err. Protocol
// errors whose wording OpenWhisk's tests look for are sent verbatim.
func Message(err error) string {
	for _, exact := range []error{ErrAlreadyInitialized, ErrNoCode, ErrNotInitialized, ErrNotDictionary, ErrOverloaded} {
		if errors.Is(err, exact) {
			return exact.Error()
		}
	}
	switch {
	case errors.Is(err, runtime.ErrTimeout):
		return "The action exceeded its time limit and was stopped: " + err.Error()
	case errors.Is(err, runtime.ErrMemoryLimit):
		return "The action exceeded its memory limit: " + err.Error()
	}
	return err.Error()
}

// Outcome classifies an activation for metrics and logs: "success",
// "application_error" (a result object with an "error" field), or the kind
// of failure ("timeout", "memory_limit", "trap", "action_failed",
// "not_dictionary", "overloaded", "bad_request", "error").
func Outcome(res *runtime.Result, err error) string {
	if err == nil {
		err = CheckResult(res)
	}
	switch {
	case err == nil && res.IsApplicationError():
		return "application_error"
	case err == nil:
		return "success"
	case errors.Is(err, runtime.ErrTimeout):
		return "timeout"
	case errors.Is(err, runtime.ErrCanceled):
		return "canceled"
	case errors.Is(err, runtime.ErrMemoryLimit):
		return "memory_limit"
	case errors.Is(err, runtime.ErrTrap):
		return "trap"
	case errors.Is(err, runtime.ErrActionFailed):
		return "action_failed"
	case errors.Is(err, ErrNotDictionary):
		return "not_dictionary"
	case errors.Is(err, ErrOverloaded):
		return "overloaded"
	case errors.Is(err, runtime.ErrInvalidInput), errors.Is(err, ErrBadRequest):
		return "bad_request"
	case errors.Is(err, runtime.ErrLimit), errors.Is(err, ErrTooLarge):
		return "limit"
	case errors.Is(err, runtime.ErrABI):
		return "abi"
	}
	return "error"
}

// CheckResult returns ErrNotDictionary unless res holds a JSON object or
// array, the only results OpenWhisk accepts.
func CheckResult(res *runtime.Result) error {
	if res == nil {
		return ErrNotDictionary
	}
	for _, c := range res.Value {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return nil
		}
		return ErrNotDictionary
	}
	return ErrNotDictionary
}

// errorBody is the JSON body of every non-200 response.
type errorBody struct {
	Error string `json:"error"`
}

// writeError answers err as {"error": "..."} with its status.
func writeError(w http.ResponseWriter, err error) {
	writeErrorStatus(w, Status(err), Message(err))
}

func writeErrorStatus(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(errorBody{Error: msg})
	writeJSON(w, status, append(b, '\n'))
}

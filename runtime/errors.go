package runtime

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package and by engine adapters
// wraps one of them, so callers classify failures with errors.Is.
var (
	// ErrTimeout means the activation ran past its deadline and was stopped.
	ErrTimeout = errors.New("timeout")
	// ErrCanceled means the activation's context was canceled and it was stopped.
	ErrCanceled = errors.New("canceled")
	// ErrMemoryLimit means the guest needed more linear memory than its limit.
	ErrMemoryLimit = errors.New("memory limit exceeded")
	// ErrTrap means the guest trapped (unreachable, out-of-bounds access, ...).
	// Use errors.As with *TrapError for the engine's message.
	ErrTrap = errors.New("trap")
	// ErrInvalidModule means the bytes are not a valid module, or the module
	// matches none of wow's action ABIs, or imports something wow does not provide.
	ErrInvalidModule = errors.New("invalid module")
	// ErrABI means the guest broke its ABI at run time (for example its result
	// is not JSON, or a pointer it returned is out of bounds).
	ErrABI = errors.New("ABI violation")
	// ErrActionFailed means the action ended abnormally without trapping: a
	// WASI command exited with a non-zero code. Use errors.As with *ExitError.
	ErrActionFailed = errors.New("action failed")
	// ErrCapability means the module imports a host capability that the
	// instance was not granted (for example http.get without the net capability).
	ErrCapability = errors.New("capability not granted")
	// ErrUnsupported means the engine cannot do what was asked.
	ErrUnsupported = errors.New("unsupported by this engine")
	// ErrInvalidInput means the activation's params do not suit the action
	// (for example non-JSON params, or numeric args that do not fit the export).
	ErrInvalidInput = errors.New("invalid input")
	// ErrLimit means a payload exceeded a configured size limit.
	ErrLimit = errors.New("size limit exceeded")
	// ErrClosed means the Runtime, Module or Instance was already closed.
	ErrClosed = errors.New("closed")
	// ErrBusy means an Instance was asked to run a second activation while
	// one was still running. Instances run one activation at a time.
	ErrBusy = errors.New("instance busy")
	// ErrUnknownEngine means no engine of that name was compiled in.
	ErrUnknownEngine = errors.New("unknown engine")
)

// TrapError is a guest trap with the engine's message.
type TrapError struct {
	// Message is the engine's description of the trap, first line only.
	Message string
}

// Error implements error.
func (e *TrapError) Error() string { return "trap: " + e.Message }

// Is reports whether target is ErrTrap.
func (e *TrapError) Is(target error) bool { return target == ErrTrap }

// ExitError is a guest's proc_exit with a code. Engines return it from
// Sandbox.Call when the guest exits; a zero code is not an error for the
// WASI-command ABI.
type ExitError struct {
	// Code is the guest's exit code.
	Code uint32
	// Stderr is the tail of what the guest wrote to stderr, when known.
	Stderr string
}

// Error implements error.
func (e *ExitError) Error() string {
	if e.Stderr != "" {
		return fmt.Sprintf("exit code %d: %s", e.Code, e.Stderr)
	}
	return fmt.Sprintf("exit code %d", e.Code)
}

// Is reports whether target is ErrActionFailed: a non-zero exit is a failed action.
func (e *ExitError) Is(target error) bool { return target == ErrActionFailed && e.Code != 0 }

// wrapf returns an error wrapping sentinel with a formatted context message.
func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

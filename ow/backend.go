package ow

import (
	"context"
	"io"

	"github.com/wowrt/wow/runtime"
)

// Backend loads actions. Package executor implements it on a
// runtime.Runtime; tests and custom invokers may implement their own.
type Backend interface {
	// Init loads the action described by init (its code already decoded to
	// a .wasm module). id is the action's key: "" for the standard
	// single-action protocol, the container id for the multi-action one.
	// Output of the guest's own initialisation (a reactor's _initialize)
	// goes to logs. Failures are typically runtime.ErrInvalidModule or
	// runtime.ErrCapability.
	Init(ctx context.Context, id string, init *runtime.InitPayload, logs Logs) (Action, error)
}

// Action is one loaded action. Its methods are safe for concurrent use.
type Action interface {
	// Run runs one activation, writing the guest's logs to logs. It
	// returns a result or a typed error (runtime errors, ErrOverloaded).
	Run(ctx context.Context, run *runtime.RunPayload, logs Logs) (*runtime.Result, error)
	// Close releases the action; activations still running finish first
	// or fail with runtime.ErrClosed.
	Close(ctx context.Context) error
}

// Logs are where one activation's guest output goes.
type Logs struct {
	// Stdout receives the guest's stdout log lines.
	Stdout io.Writer
	// Stderr receives the guest's stderr.
	Stderr io.Writer
}

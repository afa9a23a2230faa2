package ow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/wowrt/wow/runtime"
)

// Options configures a [Handler]. The zero value is usable: logs are
// discarded and the default [Limits] apply.
type Options struct {
	// Stdout and Stderr receive the guests' logs, each activation's
	// followed by the [Sentinel] line; normally the process's own streams.
	Stdout, Stderr io.Writer
	// Limits bounds code and params.
	Limits Limits
	// APIHost is __OW_API_HOST for activations whose /run omits api_host;
	// OpenWhisk passes it in the runtime container's own environment.
	APIHost string
}

// Handler serves OpenWhisk's action protocol over a [Backend]: the
// standard single-action endpoints and the multi-action ones (see the package
// documentation). Its methods Init, Run and Destroy are the same protocol
// without HTTP. A Handler is safe for concurrent use.
type Handler struct {
	backend        Backend
	limits         Limits
	apiHost        string
	stdout, stderr *logSink
	bodies         bodyPool

	mu    sync.RWMutex
	slots map[string]*slot
}

// slot is one action id: reserved while /init runs, then ready.
type slot struct {
	action Action // nil while initializing
}

// NewHandler returns a Handler running actions on b.
func NewHandler(b Backend, opts Options) *Handler {
	return &Handler{
		backend: b,
		limits:  opts.Limits.withDefaults(),
		apiHost: opts.APIHost,
		stdout:  newLogSink(opts.Stdout),
		stderr:  newLogSink(opts.Stderr),
		slots:   map[string]*slot{},
	}
}

// Init loads an action under id ("" for the single-action protocol) from
// an already decoded payload. It fails with ErrAlreadyInitialized when id
// is loaded or loading, ErrNoCode without code, or the backend's error.
func (h *Handler) Init(ctx context.Context, id string, p *runtime.InitPayload) error {
	return h.load(ctx, id, func() (*runtime.InitPayload, error) {
		if p == nil || len(p.Code) == 0 {
			return nil, ErrNoCode
		}
		return p, nil
	})
}

// load reserves id, builds the payload and asks the backend for the action.
// A failure frees id again. Only a backend failure ends the logs with the
// sentinel: that is a failed activation whose logs OpenWhisk collects.
func (h *Handler) load(ctx context.Context, id string, payload func() (*runtime.InitPayload, error)) error {
	s, err := h.reserve(id)
	if err != nil {
		return err
	}
	p, err := payload()
	if err != nil {
		h.release(id, s)
		return err
	}
	out, errl := h.stdout.get(), h.stderr.get()
	a, err := h.backend.Init(ctx, id, p, Logs{Stdout: out, Stderr: errl})
	out.end(err != nil)
	errl.end(err != nil)
	if err != nil {
		h.release(id, s)
		return err
	}
	h.mu.Lock()
	s.action = a
	h.mu.Unlock()
	return nil
}

// reserve claims id for an /init.
func (h *Handler) reserve(id string) (*slot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.slots[id]; ok {
		return nil, ErrAlreadyInitialized
	}
	s := &slot{}
	h.slots[id] = s
	return s, nil
}

// release frees a reservation that did not become an action.
func (h *Handler) release(id string, s *slot) {
	h.mu.Lock()
	if h.slots[id] == s {
		delete(h.slots, id)
	}
	h.mu.Unlock()
}

// lookup returns id's action: ErrNotFound for an unknown multi-action id,
// ErrNotInitialized for the single action before /init or an id still
// initializing.
func (h *Handler) lookup(id string) (Action, error) {
	h.mu.RLock()
	s, ok := h.slots[id]
	var a Action
	if ok {
		a = s.action
	}
	h.mu.RUnlock()
	switch {
	case !ok && id != "":
		return nil, fmt.Errorf("%w: no action with id %q", ErrNotFound, id)
	case a == nil:
		return nil, ErrNotInitialized
	}
	return a, nil
}

// Run runs one activation of id's action. The guest's logs go to the
// Handler's streams, followed by one sentinel line on each, whatever the
// outcome. A result that is not an object or array is ErrNotDictionary.
func (h *Handler) Run(ctx context.Context, id string, p *runtime.RunPayload) (*runtime.Result, error) {
	out, errl := h.stdout.get(), h.stderr.get()
	res, err := h.run(ctx, id, p, Logs{Stdout: out, Stderr: errl})
	out.end(true)
	errl.end(true)
	return res, err
}

func (h *Handler) run(ctx context.Context, id string, p *runtime.RunPayload, logs Logs) (*runtime.Result, error) {
	a, err := h.lookup(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = &runtime.RunPayload{}
	}
	if p.APIHost == "" {
		p.APIHost = h.apiHost
	}
	if len(p.Params) > h.limits.MaxParamsBytes {
		return nil, fmt.Errorf("%w: the params are %d bytes, the limit is %d", ErrTooLarge, len(p.Params), h.limits.MaxParamsBytes)
	}
	res, err := a.Run(ctx, p, logs)
	if err != nil {
		return nil, err
	}
	if err := CheckResult(res); err != nil {
		return nil, err
	}
	return res, nil
}

// sentinels ends an activation that failed before reaching the action.
func (h *Handler) sentinels() {
	h.stdout.get().end(true)
	h.stderr.get().end(true)
}

// Close unloads every action. The Handler must not be used afterwards.
func (h *Handler) Close(ctx context.Context) error {
	h.mu.Lock()
	slots := h.slots
	h.slots = map[string]*slot{}
	h.mu.Unlock()
	var errs []error
	for _, s := range slots {
		if s.action != nil {
			errs = append(errs, s.action.Close(ctx))
		}
	}
	return errors.Join(errs...)
}

// ServeHTTP routes POST /init, /run, /{id}/init, /{id}/run and
// /{id}/destroy. Everything else is a JSON 404 or 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, op, ok := splitPath(r.URL.Path)
	if !ok || (id == "" && op == "destroy") {
		writeError(w, fmt.Errorf("%w: %s %s", ErrNotFound, r.Method, r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, fmt.Errorf("%w: %s %s (use POST)", ErrMethodNotAllowed, r.Method, r.URL.Path))
		return
	}
	switch op {
	case "init":
		h.serveInit(w, r, id)
	case "run":
		h.serveRun(w, r, id)
	case "destroy":
		h.serveDestroy(w, r, id)
	}
}

// okBody answers a successful /init or /destroy, as openwhisk-runtime-go.
const okBody = "{\"ok\":true}\n"

func (h *Handler) serveInit(w http.ResponseWriter, r *http.Request, id string) {
	// A second /init is refused before its (possibly large) body is read.
	h.mu.RLock()
	_, exists := h.slots[id]
	h.mu.RUnlock()
	if exists {
		writeError(w, ErrAlreadyInitialized)
		return
	}
	maxBody := int64(base64Len(h.limits.MaxCodeBytes)) + initBodySlack
	buf, err := h.bodies.read(r, maxBody, "the /init body")
	if err != nil {
		writeError(w, err)
		return
	}
	var req InitRequest
	if err = decodeInit(buf.Bytes(), &req); err != nil {
		h.bodies.put(buf)
		writeError(w, err)
		return
	}
	// The decoded request refers to buf until its code is decoded.
	err = h.load(r.Context(), id, func() (*runtime.InitPayload, error) {
		p, err := req.Value.Payload(h.limits)
		h.bodies.put(buf)
		buf = nil
		return p, err
	})
	if buf != nil { // load failed before it asked for the payload
		h.bodies.put(buf)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, []byte(okBody))
}

func (h *Handler) serveRun(w http.ResponseWriter, r *http.Request, id string) {
	buf, err := h.bodies.read(r, int64(h.limits.MaxParamsBytes)+runBodySlack, "the /run body")
	if err != nil {
		h.sentinels()
		writeError(w, err)
		return
	}
	var req RunRequest
	err = decodeRun(buf.Bytes(), &req)
	h.bodies.put(buf)
	if err != nil {
		h.sentinels()
		writeError(w, err)
		return
	}
	res, err := h.Run(r.Context(), id, req.Payload(h.apiHost))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res.Value)
}

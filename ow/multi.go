package ow

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// The seed invoker-fork's multi-action protocol: one executor hosts many
// actions, keyed by a container id the invoker chooses. POST /{id}/init and
// /{id}/run take the standard bodies (init's value may carry annotations);
// POST /{id}/destroy unloads the action. An unknown id is a JSON 404.

// Destroy unloads id's action (multi-action protocol). Unknown ids are
// ErrNotFound.
func (h *Handler) Destroy(ctx context.Context, id string) error {
	h.mu.Lock()
	s, ok := h.slots[id]
	if ok && s.action != nil {
		delete(h.slots, id)
	}
	h.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: no action with id %q", ErrNotFound, id)
	}
	if s.action == nil {
		return fmt.Errorf("%w: action %q is still initializing", ErrNotInitialized, id)
	}
	return s.action.Close(ctx)
}

// Len returns the number of loaded or loading actions.
func (h *Handler) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.slots)
}

// splitPath parses "/init", "/run", "/{id}/init", "/{id}/run" and
// "/{id}/destroy".
func splitPath(p string) (id, op string, ok bool) {
	if len(p) < 2 || p[0] != '/' {
		return "", "", false
	}
	p = p[1:]
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			id, op = p[:i], p[i+1:]
			if id == "" {
				return "", "", false
			}
			break
		}
	}
	if id == "" {
		op = p
	}
	switch op {
	case "init", "run", "destroy":
		return id, op, true
	}
	return "", "", false
}

func (h *Handler) serveDestroy(w http.ResponseWriter, r *http.Request, id string) {
	// The fork sends the id as a text/plain body; the path is authoritative.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 4096))
	if err := h.Destroy(r.Context(), id); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, []byte(okBody))
}

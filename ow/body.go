package ow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// Slack allowed in request bodies beyond the params and code limits, for
// the rest of the JSON envelope.
const (
	runBodySlack  = 64 << 10
	initBodySlack = 1 << 20
)

// maxPooledBody is the largest request buffer kept for reuse.
const maxPooledBody = 1 << 20

// bodyPool recycles request-body buffers.
type bodyPool struct{ p sync.Pool }

// read reads r's body, at most max bytes; a longer body is ErrTooLarge.
func (b *bodyPool) read(r *http.Request, max int64, what string) (*bytes.Buffer, error) {
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, what, r.ContentLength, max)
	}
	buf, _ := b.p.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1)
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, max+1))
	if err != nil {
		b.put(buf)
		return nil, fmt.Errorf("%w: reading %s: %v", ErrBadRequest, what, err)
	}
	if int64(buf.Len()) > max {
		b.put(buf)
		return nil, fmt.Errorf("%w: %s is over the %d-byte limit", ErrTooLarge, what, max)
	}
	return buf, nil
}

// put recycles buf unless it grew large.
func (b *bodyPool) put(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBody {
		b.p.Put(buf)
	}
}

// unmarshal decodes a request body, reporting malformed JSON as ErrBadRequest.
func unmarshal(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: the %s body is not valid JSON: %v", ErrBadRequest, what, err)
	}
	return nil
}

// writeJSON writes a complete JSON response with its length.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	hdr := w.Header()
	hdr["Content-Type"] = jsonContentType
	if len(body) > smallBody {
		hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonContentType is the Content-Type header's value, shared by every
// response (net/http only reads it).
var jsonContentType = []string{"application/json"}

// smallBody is the largest body net/http is sure to buffer whole, setting
// Content-Length itself when the handler returns.
const smallBody = 2000

func base64Len(n int64) int64 { return (n + 2) / 3 * 4 }

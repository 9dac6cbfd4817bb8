package openapi

import (
	"crypto/rand"
	"net/http"

	"github.com/grassroots-policing/grassroots/casework"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

// withRequestID tags the request with an id, so that its audit entries and
// log lines name it: the caller's X-Request-Id when it is well-formed, else a
// fresh one. It is echoed in the response either way.
func (h *handler) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !wellFormedRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(casework.WithRequestID(r.Context(), id)))
	})
}

// wellFormedRequestID accepts 1 to 64 characters of [A-Za-z0-9._-]: enough
// for a UUID or a ULID, and nothing a log line could be forged with.
func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

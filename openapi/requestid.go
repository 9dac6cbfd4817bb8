package openapi

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/grassroots-policing/grassroots/casework"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

// WithRequestID tags the request with an id, so that its audit entries and
// log lines name it: the caller's X-Request-Id when it is well-formed, else a
// fresh one. It is echoed in the response either way. NewHandler's handler
// does this itself; a server wraps its whole mux in it too, so that its
// access log names an id for the health and docs routes as well, and the
// handler then keeps the id it was given.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if casework.RequestIDFrom(r.Context()) != "" {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(RequestIDContext(w, r)))
	})
}

// RequestIDContext is what WithRequestID gives the request: its context
// tagged with the caller's well-formed X-Request-Id or a fresh one, echoed
// in w's header. It is for a server that adds values of its own to the
// request's context, so that it copies the request once, not once for the
// id and again for its values (a copy per request is measurable under
// load).
func RequestIDContext(w http.ResponseWriter, r *http.Request) context.Context {
	id := r.Header.Get(RequestIDHeader)
	if !wellFormedRequestID(id) {
		id = rand.Text()
	}
	w.Header().Set(RequestIDHeader, id)
	return casework.WithRequestID(r.Context(), id)
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

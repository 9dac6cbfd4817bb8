package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The API's CORS answers. Browsers at an allowed origin may send the
// headers the contract reads and read those it writes; the API
// authenticates by bearer token, never by cookie, so
// Access-Control-Allow-Credentials is never sent.
const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type, Accept, If-Match, Idempotency-Key, X-Request-Id"
	corsExposeHeaders = "ETag, Location, X-Request-Id, WWW-Authenticate, Retry-After"
	corsMaxAge        = "600" // seconds a browser may cache a preflight
)

// parseOrigins reads -cors-origins: a comma-separated list of exact
// origins, each scheme://host[:port] as a browser sends it in Origin (no
// path, no trailing slash, lower case). "*" is refused: an origin allowed
// must be one the operator named.
func parseOrigins(list string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range commaList(list) {
		if o == "*" || strings.Contains(o, "*") {
			return nil, fmt.Errorf("-cors-origins: %q: wildcards are not allowed; list each origin exactly", o)
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || o != strings.ToLower(o) {
			return nil, fmt.Errorf("-cors-origins: %q is not an origin: want scheme://host[:port] in lower case, like https://console.example.gov.cn", o)
		}
		out[o] = true
	}
	return out, nil
}

// withCORS lets the browsers of the allowed origins call the server. A
// preflight from one is answered here (204), before authentication, since
// browsers send it without the token; any other request passes on, with
// the CORS headers added when its origin is allowed. A request from any
// other origin is served as if CORS did not exist, and the browser keeps
// its answer from the page. With no origins, next is returned as is.
func withCORS(origins map[string]bool, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if !origins[origin] {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

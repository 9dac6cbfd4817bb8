package openapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// mountKey keeps the prefix the handler is mounted under.
type mountKey struct{}

// withMount records the prefix the handler is mounted under (what
// http.StripPrefix took off the path), so that Location headers point where
// the client can follow them.
func withMount(r *http.Request) *http.Request {
	if rest, ok := strings.CutPrefix(r.RequestURI, r.URL.Path); ok && (rest == "" || rest[0] == '?') {
		return r // not mounted under a prefix (the usual case), known without parsing the URI
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || !strings.HasSuffix(u.Path, r.URL.Path) {
		return r
	}
	prefix := strings.TrimSuffix(u.Path, r.URL.Path)
	if prefix == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), mountKey{}, prefix))
}

// location is the Location of a created record at path ("/v1/units/…"),
// under the prefix the handler is mounted under.
func location(ctx context.Context, path string) string {
	prefix, _ := ctx.Value(mountKey{}).(string)
	return prefix + path
}

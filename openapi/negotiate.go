package openapi

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// acceptKey keeps the request's Accept header for handlers that answer in
// more than one type (the report).
type acceptKey struct{}

// withAccept adds r's Accept header to ctx (authenticate's, which every
// handler runs behind).
func withAccept(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, acceptKey{}, r.Header.Get("Accept"))
}

// prefers reports whether the client prefers mediaType to JSON: only when
// it names mediaType with a higher quality than application/json (JSON is
// the default, and wins a tie and any wildcard).
func prefers(ctx context.Context, mediaType string) bool {
	return negotiate(ctx, mediaTypeJSON, mediaType) == mediaType
}

const (
	mediaTypeJSON = "application/json"
	mediaTypeCSV  = "text/csv"
	mediaTypeHTML = "text/html"
)

// negotiate picks the offer the client's Accept header names with the
// highest quality; the first offer (JSON) is the default and wins every
// tie, and a wildcard chooses nothing.
func negotiate(ctx context.Context, offers ...string) string {
	accept, _ := ctx.Value(acceptKey{}).(string)
	q := map[string]float64{}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		quality := 1.0
		if s, ok := params["q"]; ok {
			if quality, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		if quality > q[mt] {
			q[mt] = quality
		}
	}
	best := offers[0]
	for _, o := range offers[1:] {
		if q[o] > q[best] {
			best = o
		}
	}
	return best
}

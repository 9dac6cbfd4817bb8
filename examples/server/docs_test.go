package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi"
)

// The spec and the docs page answer without a token; the page points at
// the spec and loads its assets from this server, never from a CDN.
func TestSpecAndDocs(t *testing.T) {
	t.Parallel()
	r := startServer(t, "-db", "memory")
	body := func(resp *http.Response) string {
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	resp := r.get(t, "/openapi.yaml", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/yaml", resp.Header.Get("Content-Type"))
	require.Equal(t, string(openapi.Spec), body(resp))

	for _, path := range []string{"/docs", "/docs/"} {
		resp = r.get(t, path, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"), resp.Header.Get("Content-Type"))
		page := body(resp)
		require.Contains(t, page, `"/openapi.yaml"`)
		require.Contains(t, page, "/docs/swagger-ui-bundle.js")
		require.NotContains(t, page, "cdn", "assets are embedded")
	}
	resp = r.get(t, "/docs/swagger-ui-bundle.js", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "javascript")
}

package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// /metrics answers without a token, counts requests by route pattern (not
// by path) and exposes the pool, outbox and audit figures.
func TestMetrics(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"sqlite": nil, "memory": {"-db", "memory"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startServer(t, args...)
			require.Equal(t, http.StatusNotFound, r.get(t, "/v1/units/nope", "Bearer "+r.token(t, r.app.admin)).StatusCode)
			resp := r.get(t, "/metrics", "")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			body := string(b)
			require.Contains(t, body, `grassroots_http_requests_total{method="GET",route="GET /v1/units/{id}",status="404"} 1`)
			require.Contains(t, body, `grassroots_http_request_duration_seconds_bucket{method="GET",route="GET /v1/units/{id}"`)
			require.NotContains(t, body, "nope", "never the path")
			require.Contains(t, body, "grassroots_outbox_pending 0")
			require.Contains(t, body, "grassroots_outbox_dead 0")
			require.Regexp(t, `grassroots_audit_chain_length [1-9]`, body)
			require.Contains(t, body, "grassroots_metrics_read_errors 0")
			if name == "sqlite" {
				require.Contains(t, body, "go_sql_open_connections{db_name=\"grassroots\"}")
			}
		})
	}
}

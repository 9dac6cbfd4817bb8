package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

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

// The loops' liveness and the newest checkpoint's age appear on /metrics:
// no checkpoint age before the sweep signs one, then a small one; a loop
// that panicked is counted.
func TestMetricsLoopsAndCheckpointAge(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"sqlite": nil, "memory": {"-db", "memory"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startServer(t, append([]string{"-sweep-every", "1h"}, args...)...)
			scrape := func() string {
				resp := r.get(t, "/metrics", "")
				require.Equal(t, http.StatusOK, resp.StatusCode)
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return string(b)
			}
			body := scrape()
			require.NotRegexp(t, `(?m)^grassroots_audit_last_checkpoint_age_seconds `, body, "no checkpoint yet")
			require.Contains(t, body, `grassroots_loop_alive{loop="sweep"} 1`)
			require.Contains(t, body, `grassroots_loop_alive{loop="outbox"} 1`)
			require.Contains(t, body, `grassroots_loop_failures_total{loop="sweep"} 0`)
			require.NotContains(t, body, `grassroots_loop_last_success_age_seconds{loop="sweep"}`, "the sweep has not run")
			require.Regexp(t, `grassroots_loop_last_run_age_seconds\{loop="sweep"\} \d`, body)

			cp, err := r.app.kernel.Checkpoint(context.Background(), true)
			require.NoError(t, err)
			require.NotNil(t, cp)
			r.app.sweep.record(time.Now(), errors.New("one failed run"))
			r.app.sweep.stopped.Store(true)
			body = scrape()
			m := regexp.MustCompile(`(?m)^grassroots_audit_last_checkpoint_age_seconds (\S+)$`).FindStringSubmatch(body)
			require.NotNil(t, m, body)
			age, err := strconv.ParseFloat(m[1], 64)
			require.NoError(t, err)
			require.GreaterOrEqual(t, age, 0.0)
			require.Less(t, age, 60.0)
			require.Contains(t, body, `grassroots_loop_failures_total{loop="sweep"} 1`)
			require.Contains(t, body, `grassroots_loop_alive{loop="sweep"} 0`)
			require.Contains(t, body, "grassroots_metrics_read_errors 0")
			r.app.sweep.stopped.Store(false)
		})
	}
}

// The access line and the metrics name a request by the contract's route
// pattern it matched (a path redirected to its clean form by the route of
// the clean path), the server's own routes by theirs, and everything else
// (no such path, a method the path does not have) as unmatched.
func TestRequestsAreCountedByRoute(t *testing.T) {
	t.Parallel()
	r := startServer(t, "-db", "memory")
	token := "Bearer " + r.token(t, r.app.admin)
	tests := []struct {
		method, path string
		status       int
		route        string
	}{
		{http.MethodGet, "/v1/units/nope", http.StatusNotFound, "GET /v1/units/{id}"},
		{http.MethodHead, "/v1/units", http.StatusOK, "GET /v1/units"},
		{http.MethodGet, "/v1/units?limit=1", http.StatusOK, "GET /v1/units"},
		{http.MethodGet, "/v1/nothing", http.StatusNotFound, "unmatched"},
		{http.MethodDelete, "/v1/units", http.StatusMethodNotAllowed, "unmatched"},
		{http.MethodGet, "/v1//units", http.StatusTemporaryRedirect, "GET /v1/units"},
		{http.MethodGet, "/healthz", http.StatusOK, "GET /healthz"},
	}
	for range 2 { // counted twice: when first seen and when kept
		for _, tc := range tests {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			req.Header.Set("Authorization", token)
			w := httptest.NewRecorder()
			r.app.handler.ServeHTTP(w, req)
			require.Equal(t, tc.status, w.Code, "%s %s: %s", tc.method, tc.path, w.Body.String())
		}
	}
	resp := r.get(t, "/metrics", "")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	counted := regexp.MustCompile(`(?m)^grassroots_http_requests_total.*$`).FindAllString(string(b), -1)
	for _, tc := range tests {
		require.Contains(t, counted, fmt.Sprintf(`grassroots_http_requests_total{method=%q,route=%q,status="%d"} 2`, tc.method, tc.route, tc.status), "%s %s", tc.method, tc.path)
	}
}

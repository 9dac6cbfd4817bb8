package openapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi"
)

func init() {
	// The documents and downloads the spec declares; openapi3filter only
	// knows JSON, text and CSV bodies. Registered once, before any test.
	for _, mt := range []string{"text/html", "image/jpeg", "image/png", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.FileBodyDecoder)
	}
}

// specRouter finds an operation of openapi.yaml for a request. The spec's
// one server is "/" (the handler mounts under any prefix), so the router
// matches paths as they are.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

// validating is an http.RoundTripper that checks every exchange against
// the spec and reports a mismatch as t's error (t.Errorf, safe from the
// goroutines of a concurrency test):
//   - the request names an operation of the spec, or the server answers it
//     with a 4xx problem;
//   - a request the spec forbids is refused (4xx): the server enforces the
//     contract it publishes (tests send such requests on purpose);
//   - the response's status is one the operation declares (a 5xx may be
//     the spec's default instead), and its headers and body match.
type validating struct {
	t    testing.TB
	next http.RoundTripper
}

func (v validating) RoundTrip(req *http.Request) (*http.Response, error) {
	router, err := specRouter()
	if err != nil {
		v.t.Errorf("openapi.yaml does not load: %v", err)
		return v.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return nil, err
	}
	if msg := mismatch(router, req, reqBody, resp, respBody); msg != "" {
		v.t.Errorf("%s %s → %d: %s\nresponse: %.2000s", req.Method, req.URL.RequestURI(), resp.StatusCode, msg, respBody)
	}
	return resp, nil
}

// mismatch says how an exchange departs from the spec, or "" when it
// does not.
func mismatch(router routers.Router, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	ctx := context.Background()
	probe := req.Clone(ctx)
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(probe)
	if err != nil {
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return ""
		}
		return fmt.Sprintf("no operation of the spec: %v", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && resp.StatusCode < 400 {
		return fmt.Sprintf("a request the spec forbids was accepted: %v", err)
	}
	declared := route.Operation.Responses.Value(strconv.Itoa(resp.StatusCode)) != nil
	if !declared && (resp.StatusCode < 500 || route.Operation.Responses.Default() == nil) {
		return fmt.Sprintf("status %d is not among %s's responses", resp.StatusCode, route.Operation.OperationID)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Sprintf("response does not match the spec: %v", err)
	}
	return ""
}

// TestValidatorCatchesMismatches shows the check the fixture's clients run
// is not vacuous: each departure from the spec is named, and a problem the
// spec declares passes.
func TestValidatorCatchesMismatches(t *testing.T) {
	t.Parallel()
	router, err := specRouter()
	require.NoError(t, err)
	problem := `{"type":"https://grassroots.example/problems/not-found","title":"Not found","status":404,"detail":"no such record within reach","instance":"/v1/units/x#1"}`
	tests := []struct {
		name, method, path, reqBody string
		status                      int
		ctype, respBody, want       string
	}{
		{"declared problem", "GET", "/v1/units/01HZP0000000000000000ZDPZ1", "", 404, "application/problem+json", problem, ""},
		{"undeclared status", "GET", "/v1/units/01HZP0000000000000000ZDPZ1", "", 418, "application/problem+json", problem, "status 418 is not among getUnit's responses"},
		{"body off the schema", "GET", "/v1/units/01HZP0000000000000000ZDPZ1", "", 200, "application/json", `{"id":5}`, "response does not match the spec"},
		{"problem off the schema", "GET", "/v1/units/01HZP0000000000000000ZDPZ1", "", 404, "application/problem+json", `{"status":"404"}`, "response does not match the spec"},
		{"forbidden request accepted", "POST", "/v1/units", `{"name":""}`, 201, "application/json", `{}`, "a request the spec forbids was accepted"},
		{"forbidden request refused", "POST", "/v1/units", `{"name":""}`, 400, "application/problem+json", strings.Replace(problem, "404", "400", 1), ""},
		{"no such operation answered", "GET", "/v1/nowhere", "", 200, "application/json", `{}`, "no operation of the spec"},
		{"no such operation refused", "GET", "/v1/nowhere", "", 404, "application/problem+json", problem, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.reqBody))
			if tt.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {tt.ctype}}}
			got := mismatch(router, req, []byte(tt.reqBody), resp, []byte(tt.respBody))
			if tt.want == "" {
				require.Empty(t, got)
				return
			}
			require.Contains(t, got, tt.want)
		})
	}
}

package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// secret stands for what must never reach a client: SQL, a driver's
// message, a panic's value.
const secret = `pq: relation "units" password=hunter2`

// readProblem checks that resp is an RFC 9457 problem with the status and
// returns it.
func readProblem(t *testing.T, resp *http.Response, status int) api.Problem {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, status, resp.StatusCode, string(body))
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.NotContains(t, string(body), "hunter2")
	var p api.Problem
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&p))
	require.Equal(t, status, p.Status)
	require.True(t, strings.HasPrefix(p.Type, "https://grassroots.example/problems/"), p.Type)
	require.NotEmpty(t, p.Title)
	require.NotEmpty(t, p.Detail)
	require.Equal(t, resp.Request.URL.Path+"#"+resp.Header.Get("X-Request-Id"), p.Instance)
	return p
}

func TestProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stranger := casework.Actor{StaffID: "nobody-knows-me"}
	big := `{"code":"A","name":"` + strings.Repeat("x", openapi.DefaultMaxBodyBytes) + `"}`
	tests := []struct {
		name          string
		actor         casework.Actor
		method, path  string
		body          string
		header        []string
		status        int
		slug          string
		field, rule   string
		checkResponse func(t *testing.T, resp *http.Response)
	}{
		{name: "no credentials", method: "GET", path: "/v1/units", status: 401, slug: "unauthorized",
			checkResponse: func(t *testing.T, resp *http.Response) {
				require.Equal(t, `Bearer realm="grassroots"`, resp.Header.Get("WWW-Authenticate"))
			}},
		{name: "credentials refused", actor: stranger, method: "GET", path: "/v1/units", status: 401, slug: "unauthorized",
			checkResponse: func(t *testing.T, resp *http.Response) {
				require.Equal(t, `Bearer realm="grassroots"`, resp.Header.Get("WWW-Authenticate"))
			}},
		{name: "unknown route", actor: f.admin, method: "GET", path: "/v1/nothing", status: 404, slug: "not-found"},
		{name: "outside /v1", actor: f.admin, method: "GET", path: "/healthz", status: 404, slug: "not-found"},
		{name: "method not allowed", actor: f.admin, method: "DELETE", path: "/v1/units", status: 405, slug: "method-not-allowed",
			checkResponse: func(t *testing.T, resp *http.Response) {
				require.Contains(t, resp.Header.Get("Allow"), "POST")
			}},
		{name: "longer than the spec allows", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":"A1","name":"` + strings.Repeat("派", 101) + `"}`,
			status: 422, slug: "invalid", field: "/name", rule: "max"},
		{name: "parameter longer than the spec allows", actor: f.admin, method: "GET", path: "/v1/units/" + strings.Repeat("u", 200), status: 400, slug: "bad-request", field: "id", rule: "max"},
		{name: "query parameter longer than the spec allows", actor: f.admin, method: "GET", path: "/v1/visits?limit=5&unitId=" + strings.Repeat("u", 65), status: 400, slug: "bad-request", field: "unitId", rule: "max"},
		{name: "query parameter longer than the spec allows, its name escaped", actor: f.admin, method: "GET", path: "/v1/visits?unit%49d=" + strings.Repeat("u", 65), status: 400, slug: "bad-request", field: "unitId", rule: "max"},
		{name: "unknown field", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":"A1","name":"派出所","colour":"blue"}`,
			status: 400, slug: "bad-request", field: "/colour", rule: "unknown_field"},
		{name: "field names are case-sensitive", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":"A1","Name":"派出所"}`,
			status: 400, slug: "bad-request", field: "/Name", rule: "unknown_field"},
		{name: "wrong type", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":5,"name":"派出所"}`,
			status: 400, slug: "bad-request", field: "/code", rule: "type"},
		{name: "malformed JSON", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":`, status: 400, slug: "bad-request"},
		{name: "two documents", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":"A1","name":"x"} {}`, status: 400, slug: "bad-request"},
		{name: "body too large", actor: f.admin, method: "POST", path: "/v1/units", body: big, status: 413, slug: "too-large"},
		{name: "not JSON", actor: f.admin, method: "POST", path: "/v1/units", body: `code=A1`, header: []string{"Content-Type", "text/plain"},
			status: 415, slug: "unsupported-media-type"},
		{name: "limit above 200", actor: f.admin, method: "GET", path: "/v1/units?limit=201", status: 400, slug: "bad-request", field: "limit", rule: "max"},
		{name: "limit not a number", actor: f.admin, method: "GET", path: "/v1/units?limit=lots", status: 400, slug: "bad-request", field: "limit"},
		{name: "cursor not ours", actor: f.admin, method: "GET", path: "/v1/units?cursor=%25%25", status: 400, slug: "bad-request", field: "cursor"},
		{name: "not found", actor: f.admin, method: "GET", path: "/v1/units/01J0000000000000000000NONE", status: 404, slug: "not-found"},
		{name: "If-Match missing", actor: f.admin, method: "PATCH", path: "/v1/units/" + f.root.ID, body: `{"name":"x"}`,
			status: 428, slug: "precondition-required"},
		{name: "If-Match empty, as a generated client sends none", actor: f.admin, method: "PATCH", path: "/v1/units/" + f.root.ID, body: `{"name":"x"}`,
			header: []string{"If-Match", ""}, status: 428, slug: "precondition-required"},
		{name: "If-Match malformed", actor: f.admin, method: "PATCH", path: "/v1/units/" + f.root.ID, body: `{"name":"x"}`,
			header: []string{"If-Match", "W/1"}, status: 400, slug: "bad-request", field: "If-Match"},
		{name: "If-Match stale", actor: f.admin, method: "PATCH", path: "/v1/units/" + f.root.ID, body: `{"name":"x"}`,
			header: []string{"If-Match", `"999"`}, status: 412, slug: "stale-version",
			checkResponse: func(t *testing.T, resp *http.Response) {
				require.Equal(t, `"1"`, resp.Header.Get("ETag"), "a 412 carries the current ETag")
			}},
		{name: "invalid input", actor: f.admin, method: "POST", path: "/v1/units", body: `{"code":"A-1","name":"派出所","parentId":"` + f.root.ID + `","level":3}`,
			status: 422, slug: "invalid", field: "/code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := f.do(t, tc.actor, tc.method, tc.path, tc.body, tc.header...)
			p := readProblem(t, resp, tc.status)
			require.Equal(t, "https://grassroots.example/problems/"+tc.slug, p.Type)
			if tc.field != "" {
				require.NotEmpty(t, p.Errors)
				require.Equal(t, tc.field, p.Errors[0].Field)
				if tc.rule != "" {
					require.Equal(t, tc.rule, p.Errors[0].Rule)
				}
			}
			if tc.checkResponse != nil {
				tc.checkResponse(t, resp)
			}
		})
	}
}

func TestNilAuthenticatorRefusesEveryone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withConfig(func(c *openapi.Config) { c.Auth = nil }))
	p := readProblem(t, f.do(t, f.admin, "GET", "/v1/units", ""), 401)
	require.Equal(t, "https://grassroots.example/problems/unauthorized", p.Type)
}

func TestNewHandlerNeedsEveryService(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	full := openapi.Config{Kernel: f.k, Cases: f.cases, Mediation: f.med, Outreach: f.out, Recovery: f.rec}
	for name, edit := range map[string]func(*openapi.Config){
		"kernel": func(c *openapi.Config) { c.Kernel = nil }, "cases": func(c *openapi.Config) { c.Cases = nil },
		"mediation": func(c *openapi.Config) { c.Mediation = nil }, "outreach": func(c *openapi.Config) { c.Outreach = nil },
		"recovery": func(c *openapi.Config) { c.Recovery = nil },
	} {
		cfg := full
		edit(&cfg)
		h, err := openapi.NewHandler(&cfg)
		require.Error(t, err, name)
		require.Nil(t, h, name)
	}
	_, err := openapi.NewHandler(nil)
	require.Error(t, err)
	h, err := openapi.NewHandler(&full)
	require.NoError(t, err)
	require.NotNil(t, h)
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"well-formed is echoed", "req-01.abc_DEF", true},
		{"absent is generated", "", false},
		{"too long is replaced", strings.Repeat("a", 65), false},
		{"forged log line is replaced", "a\" level=error", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var header []string
			if tc.sent != "" {
				header = []string{"X-Request-Id", tc.sent}
			}
			resp := f.do(t, f.admin, "GET", "/v1/units", "", header...)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			got := resp.Header.Get("X-Request-Id")
			if tc.kept {
				require.Equal(t, tc.sent, got)
				return
			}
			require.NotEqual(t, tc.sent, got)
			require.Regexp(t, `^[A-Za-z0-9._-]{1,64}$`, got)
		})
	}
	t.Run("audit entries name it", func(t *testing.T) {
		t.Parallel()
		resp := f.do(t, f.admin, "POST", "/v1/units", `{"code":"RID1","name":"派出所","parentId":"`+f.root.ID+`","level":3}`, "X-Request-Id", "audit-me")
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		var u api.Unit
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&u))
		trail, err := f.k.AuditTrail(context.Background(), f.admin, "unit", u.Id)
		require.NoError(t, err)
		require.NotEmpty(t, trail)
		require.Equal(t, "audit-me", trail[0].RequestID)
	})
}

// failingUnits is a kernel store whose unit list fails, once switched on,
// with a message no client may see.
type failingUnits struct {
	casework.KernelStore
	on *atomic.Bool
}

func (s failingUnits) ListUnits(ctx context.Context, f casework.UnitFilter) ([]casework.Unit, error) {
	if s.on.Load() {
		return nil, errors.New(secret)
	}
	return s.KernelStore.ListUnits(ctx, f)
}

func TestInternalErrorsTellNothing(t *testing.T) {
	t.Parallel()
	logged := &logBuffer{}
	log := zerolog.New(logged)
	on := &atomic.Bool{}
	f := newFixture(t,
		withKernelStore(func(s casework.KernelStore) casework.KernelStore { return failingUnits{s, on} }),
		withConfig(func(c *openapi.Config) { c.Logger = &log }))
	on.Store(true)
	resp := f.do(t, f.admin, "GET", "/v1/units", "", "X-Request-Id", "fail-1")
	p := readProblem(t, resp, 500)
	require.Equal(t, "https://grassroots.example/problems/internal", p.Type)
	require.Contains(t, logged.String(), "hunter2", "the cause is logged")
	require.Contains(t, logged.String(), `"request_id":"fail-1"`)
}

func TestPanicsAreProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withConfig(func(c *openapi.Config) {
		c.Auth = openapi.AuthenticatorFunc(func(*http.Request) (casework.Actor, error) { panic(secret) })
	}))
	p := readProblem(t, f.do(t, f.admin, "GET", "/v1/units", ""), 500)
	require.Equal(t, "https://grassroots.example/problems/internal", p.Type)
}

func TestMountedUnderAPrefix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(http.StripPrefix("/api", f.h))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest("POST", srv.URL+"/api/v1/units", strings.NewReader(`{"code":"PFX","name":"派出所","parentId":"`+f.root.ID+`","level":3}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.admin.StaffID)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/api/v1/units/"), loc)

	req, err = http.NewRequest("GET", srv.URL+loc, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.admin.StaffID)
	got, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer got.Body.Close()
	require.Equal(t, http.StatusOK, got.StatusCode, "the Location can be followed")
	require.Equal(t, resp.Header.Get("ETag"), got.Header.Get("ETag"))
}

// logBuffer collects log lines written from the handler's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEveryOperationIsAnswered sends a request for each operation of the
// spec through NewHandler: none may meet the route-miss answer (404 "no
// such operation", 405), so the handler serves exactly the spec's routes.
func TestEveryOperationIsAnswered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, o := range operations(loadSpec(t)) {
		path := strings.NewReplacer("{id}", "01J0000000000000000000NONE", "{sessionId}", "01J0000000000000000000NONE",
			"{shareId}", "01J0000000000000000000NONE", "{sha256}", strings.Repeat("0", 64)).Replace(o.path)
		body := ""
		if o.method != "GET" {
			body = "{}"
		}
		resp := f.do(t, f.admin, o.method, path, body, "If-Match", `"1"`)
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NotEqual(t, http.StatusMethodNotAllowed, resp.StatusCode, o.method+" "+o.path)
		require.NotContains(t, string(raw), "no such operation", o.method+" "+o.path)
	}
}

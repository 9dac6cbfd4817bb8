package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// TestEveryOperationIsRouted registers the generated routes on a Go 1.22
// ServeMux (which panics on conflicting patterns) and checks that a request
// for each operation of the spec reaches that operation's own pattern: a
// literal segment such as /v1/cases/overdue must win over /v1/cases/{id}.
func TestEveryOperationIsRouted(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	api.HandlerFromMux(api.NewStrictHandler(nil, nil), mux)
	param := regexp.MustCompile(`\{[^}]+\}`)
	ops := operations(loadSpec(t))
	require.NotEmpty(t, ops)
	for _, o := range ops {
		req := httptest.NewRequest(o.method, param.ReplaceAllString(o.path, "01J0000000000000000000TEST"), nil)
		_, pattern := mux.Handler(req)
		require.Equal(t, o.method+" "+o.path, pattern)
	}
	_, pattern := mux.Handler(httptest.NewRequest(http.MethodDelete, "/v1/cases/x", nil))
	require.Empty(t, pattern, "a method the spec does not define is not routed")
}

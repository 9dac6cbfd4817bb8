package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// TestStrictMiddlewaresWrapOnce: the strict handler wraps each operation
// in its middlewares once, when it is built (strict-http.tmpl), and runs
// what they return on every request, with the operation's name.
func TestStrictMiddlewaresWrapOnce(t *testing.T) {
	t.Parallel()
	var wraps, calls atomic.Int64
	var seen atomic.Value
	mw := func(f api.StrictHandlerFunc, operationID string) api.StrictHandlerFunc {
		wraps.Add(1)
		return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
			calls.Add(1)
			seen.Store(operationID)
			_, ok := request.(api.GetPersonRequestObject)
			require.True(t, ok, "%T", request)
			return nil, nil // the nil server behind is never called
		}
	}
	sh := api.NewStrictHandler(nil, []api.StrictMiddlewareFunc{mw})
	built := wraps.Load()
	require.Positive(t, built, "one wrap per operation")
	for range 3 {
		sh.GetPerson(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/persons/p1", nil), "p1")
	}
	require.Equal(t, built, wraps.Load(), "no wrap per request")
	require.EqualValues(t, 3, calls.Load())
	require.Equal(t, "GetPerson", seen.Load())
}

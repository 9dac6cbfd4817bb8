package openapi

import (
	"context"
	"net/http"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// admission bounds how many reads (GET) run their service call at once
// (Config.MaxConcurrent); the others wait their turn in arrival order. On
// two cores, 64 requests each running its query at once (on PostgreSQL,
// 64 backend processes) are scheduled against each other and the slowest
// wait the longest; a few at a time finish each in turn, with the same
// throughput and a much shorter tail (measured with wrk: see the server's
// -max-concurrent).
//
// It waits at the service call, after the body is read and before the
// response is written, so a slow client never holds a turn; and no
// admitted call waits for one that is not, so turns cannot deadlock
// (unlike a cap on the database pool, where a transaction that needs a
// second connection can wait for ever). Writes do not take turns: SQLite
// commits the writers queued together in one group (sqlx.GroupWrites),
// and a bound would make its groups smaller and its fsyncs more.
type admission chan struct{}

func newAdmission(n int) admission {
	if n <= 0 {
		return nil
	}
	return make(admission, n)
}

// middleware is the strict middleware that takes a turn around the call.
func (a admission) middleware(f api.StrictHandlerFunc, _ string) api.StrictHandlerFunc {
	if a == nil {
		return f
	}
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return f(ctx, w, r, request)
		}
		select {
		case a <- struct{}{}:
		case <-ctx.Done(): // the client went away while waiting
			return nil, ctx.Err()
		}
		defer func() { <-a }()
		return f(ctx, w, r, request)
	}
}

package openapi_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// sqlBackends are the stores many processes share; the memory store's
// mutex makes the same tests trivially true.
var sqlBackends = []backend{sqliteBackend, postgresBackend}

// eachSQLBackend runs test as a parallel subtest on SQLite and PostgreSQL.
func eachSQLBackend(t *testing.T, test func(t *testing.T, b fixtureOption)) {
	t.Helper()
	t.Parallel()
	for _, b := range sqlBackends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			test(t, on(b))
		})
	}
}

// TestConcurrentIfMatchLosesNoUpdate has 64 clients each read a unit and
// rename it with the ETag they read: every 2xx is one version more, every
// other answer is 412 — no update is lost, none is a 5xx.
func TestConcurrentIfMatchLosesNoUpdate(t *testing.T) {
	eachSQLBackend(t, func(t *testing.T, b fixtureOption) {
		f := newFixture(t, b)
		ctx := context.Background()
		c := f.client(t, f.admin)
		unit := f.station(t, "CONC")
		const clients = 64
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			mu      sync.Mutex
			codes   = map[int]int{}
			readErr error
		)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := c.GetUnitWithResponse(ctx, unit.ID)
				if err == nil && got.StatusCode() != http.StatusOK {
					err = errStatus(got.StatusCode(), got.Body)
				}
				if err != nil {
					mu.Lock()
					readErr = err
					mu.Unlock()
					return
				}
				r, err := c.RenameUnitWithResponse(ctx, unit.ID, &api.RenameUnitParams{IfMatch: got.HTTPResponse.Header.Get("ETag")},
					api.UnitRename{Name: "并发派出所" + strconv.Itoa(i)})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					readErr = err
					return
				}
				codes[r.StatusCode()]++
			}()
		}
		close(start)
		wg.Wait()
		t.Logf("answers: %v", codes)
		require.NoError(t, readErr)
		after, err := c.GetUnitWithResponse(ctx, unit.ID)
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, after, after.Body)
		require.Equal(t, clients, codes[http.StatusOK]+codes[http.StatusPreconditionFailed], "only 200 and 412: %v", codes)
		require.Positive(t, codes[http.StatusOK], codes)
		require.Equal(t, int64(codes[http.StatusOK]), after.JSON200.Version-unit.Version, "every 200 is one version, %v", codes)
	})
}

// TestConcurrentIdempotentCreate sends one report 32 times at once under
// one Idempotency-Key: one dispute and one audit entry are made, every
// answer is that dispute's stored response or 409 (still in flight), and
// a replay afterwards is the stored response.
func TestConcurrentIdempotentCreate(t *testing.T) {
	eachSQLBackend(t, func(t *testing.T, b fixtureOption) {
		n := newNeighbours(t, b)
		ctx := context.Background()
		c := n.client(t, n.officer)
		params := &api.ReportDisputeParams{IdempotencyKey: ptr("call-110-20200506-01")}
		const clients = 32
		type answer struct {
			status         int
			body, location string
		}
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			answers = make([]answer, clients)
			errs    = make([]error, clients)
		)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := c.ReportDisputeWithResponse(ctx, params, n.report())
				if err != nil {
					errs[i] = err
					return
				}
				answers[i] = answer{r.StatusCode(), string(r.Body), r.HTTPResponse.Header.Get("Location")}
			}()
		}
		close(start)
		wg.Wait()
		var created *answer
		for i, a := range answers {
			require.NoError(t, errs[i])
			switch a.status {
			case http.StatusCreated:
				if created == nil {
					created = &answers[i]
				}
				require.Equal(t, *created, a, "every 201 is the stored response")
			case http.StatusConflict:
			default:
				t.Fatalf("answer %d: %d %s", i, a.status, a.body)
			}
		}
		require.NotNil(t, created, "one of the requests creates the dispute")

		replay, err := c.ReportDisputeWithResponse(ctx, params, n.report())
		require.NoError(t, err)
		require.Equal(t, *created, answer{replay.StatusCode(), string(replay.Body), replay.HTTPResponse.Header.Get("Location")})

		list, err := c.ListDisputesWithResponse(ctx, &api.ListDisputesParams{UnitId: &n.station.ID})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, list, list.Body)
		require.Len(t, list.JSON200.Items, 1, "one dispute")
		// A dispute's history is the mediation service's (the kernel's
		// audit endpoint serves kernel records).
		trail, err := n.med.History(ctx, n.officer, replay.JSON201.Id)
		require.NoError(t, err)
		require.Len(t, trail, 1, "one audit entry")
	})
}

type statusError struct {
	status int
	body   string
}

func (e statusError) Error() string { return strconv.Itoa(e.status) + " " + e.body }

func errStatus(status int, body []byte) error { return statusError{status, string(body)} }

// TestConcurrentIfMatchOnOneDispute is the same race on a dispute: 64
// officers each read it and reassess its risk with the ETag they read.
func TestConcurrentIfMatchOnOneDispute(t *testing.T) {
	eachSQLBackend(t, func(t *testing.T, b fixtureOption) {
		n := newNeighbours(t, b)
		ctx := context.Background()
		c := n.client(t, n.officer)
		created, err := c.ReportDisputeWithResponse(ctx, nil, n.report())
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, created, created.Body)
		id := created.JSON201.Id
		const clients = 64
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			mu    sync.Mutex
			codes = map[int]int{}
			fail  error
		)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := c.GetDisputeWithResponse(ctx, id)
				if err == nil && got.StatusCode() != http.StatusOK {
					err = errStatus(got.StatusCode(), got.Body)
				}
				if err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
				r, err := c.AssessDisputeRiskWithResponse(ctx, id, &api.AssessDisputeRiskParams{IfMatch: got.HTTPResponse.Header.Get("ETag")},
					api.RiskInput{Risk: api.DisputeRisk(mediation.RiskMedium), Reason: "第" + strconv.Itoa(i) + "次研判"})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					fail = err
					return
				}
				codes[r.StatusCode()]++
			}()
		}
		close(start)
		wg.Wait()
		t.Logf("answers: %v", codes)
		require.NoError(t, fail)
		after, err := c.GetDisputeWithResponse(ctx, id)
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, after, after.Body)
		require.Equal(t, clients, codes[http.StatusOK]+codes[http.StatusPreconditionFailed], "only 200 and 412: %v", codes)
		require.Positive(t, codes[http.StatusOK], codes)
		require.Equal(t, int64(codes[http.StatusOK]), after.JSON200.Version-created.JSON201.Version, "every 200 is one version, %v", codes)
	})
}

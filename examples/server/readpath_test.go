package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// readFixture is the load script's fixture (examples/loadtest), built
// in-process: an officer of a station, a person there and 60 visits.
type readFixture struct {
	r                   *running
	token, unit, person string
	getPath, listPath   string
}

// serve answers one request in-process through the whole server stack
// (request id, access log, metrics, CORS, authentication, the API).
func (f *readFixture) serve(tb testing.TB, method, path, token string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(tb, err)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	f.r.app.handler.ServeHTTP(w, req)
	return w
}

func newReadFixture(tb testing.TB, db string) *readFixture {
	tb.Helper()
	args := []string{"-demo", "-log-level", "info"}
	if db != "" {
		args = append(args, "-db", db)
	}
	f := &readFixture{r: start(tb, args...)}
	adminID, err := os.ReadFile(filepath.Join(f.r.data, adminFileName))
	require.NoError(tb, err)
	admin := f.r.token(tb, strings.TrimSpace(string(adminID)))
	var units struct {
		Items []struct {
			ID, Code string
			Level    int
		}
	}
	w := f.serve(tb, http.MethodGet, "/v1/units?limit=200", admin, nil)
	require.Equal(tb, http.StatusOK, w.Code, w.Body.String())
	require.NoError(tb, json.Unmarshal(w.Body.Bytes(), &units))
	for _, u := range units.Items {
		if u.Code == "370303001" {
			f.unit = u.ID
		}
	}
	require.NotEmpty(tb, f.unit)
	var officer struct{ ID string }
	w = f.serve(tb, http.MethodPost, "/v1/staff", admin, map[string]any{"unitId": f.unit, "name": "压测民警",
		"roles": []string{"officer", "community_officer"}})
	require.Equal(tb, http.StatusCreated, w.Code, w.Body.String())
	require.NoError(tb, json.Unmarshal(w.Body.Bytes(), &officer))
	f.token = f.r.token(tb, officer.ID)
	var person struct{ ID string }
	w = f.serve(tb, http.MethodPost, "/v1/persons", f.token, map[string]any{"unitId": f.unit, "name": "王某", "phone": "13800000001"})
	require.Equal(tb, http.StatusCreated, w.Code, w.Body.String())
	require.NoError(tb, json.Unmarshal(w.Body.Bytes(), &person))
	f.person = person.ID
	now := time.Now().UTC().Truncate(time.Second)
	from, visitedAt := now.Add(-24*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339)
	for i := range 60 {
		req := map[string]any{"unitId": f.unit, "personId": f.person, "targetKind": "difficult_family", "visitedAt": visitedAt, "notes": "压测前的走访"}
		b, _ := json.Marshal(req)
		hr := httptest.NewRequest(http.MethodPost, "/v1/visits", bytes.NewReader(b))
		hr.Header.Set("Authorization", "Bearer "+f.token)
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Idempotency-Key", "seed-"+strconv.Itoa(i))
		rw := httptest.NewRecorder()
		f.r.app.handler.ServeHTTP(rw, hr)
		require.Equal(tb, http.StatusCreated, rw.Code, rw.Body.String())
	}
	f.getPath = "/v1/persons/" + f.person
	f.listPath = "/v1/visits?unitId=" + f.unit + "&targetKind=difficult_family&from=" + from + "&limit=50"
	return f
}

// BenchmarkReadPath drives the load script's GET and list through the
// whole in-process handler: go test -run '^$' -bench ReadPath ./examples/server/
func BenchmarkReadPath(b *testing.B) {
	for _, db := range []string{"memory", "sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			var dsn string // the default: SQLite in the data directory
			switch db {
			case "memory":
				dsn = "memory"
			case "postgres":
				dsn = testdb.Postgres(b).URL()
			}
			f := newReadFixture(b, dsn)
			f.r.app.log = f.r.app.log.Output(discard{})
			for _, sc := range []struct{ name, path string }{{"get", f.getPath}, {"list", f.listPath}} {
				b.Run(sc.name, func(b *testing.B) {
					w := f.serve(b, http.MethodGet, sc.path, f.token, nil)
					require.Equal(b, http.StatusOK, w.Code, w.Body.String())
					b.ReportAllocs()
					cpu := cpuTime()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							req := httptest.NewRequest(http.MethodGet, sc.path, nil)
							req.Header.Set("Authorization", "Bearer "+f.token)
							req.Header.Set("Accept", "application/json")
							w := &answer{header: http.Header{}}
							f.r.app.handler.ServeHTTP(w, req)
							if w.status != http.StatusOK {
								b.Fatalf("%s: %d %s", sc.path, w.status, f.serve(b, http.MethodGet, sc.path, f.token, nil).Body.String())
							}
						}
					})
					b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// answer is what the benchmark answers into: like net/http's response it
// gives each request a header of its own, keeps the status and passes the
// body on (here nowhere). httptest.ResponseRecorder instead grows a buffer
// for every body, 25 KB for the list: with its garbage, a sixth of the
// list's CPU in process, which no server spends.
type answer struct {
	header http.Header
	status int
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return len(b), nil
}

// cpuTime is the process's user and system CPU time so far: under the
// load of other processes it says more than wall time per operation.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

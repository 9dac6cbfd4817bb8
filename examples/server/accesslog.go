package main

import (
	"context"
	"net/http"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// requestNote is what the layers below tell the layers above about a
// request: the authenticated staff id for the access log line, and why
// authentication failed for the 401's challenge (challenging). One note
// serves both so that the request is copied for its context once.
type requestNote struct {
	staffID string
	failure authReason
}

type noteKey struct{}

// noteOf returns the request's note, or nil outside accessLog.
func noteOf(ctx context.Context) *requestNote {
	n, _ := ctx.Value(noteKey{}).(*requestNote)
	return n
}

// noteStaff records the authenticated staff id for the access log line.
func noteStaff(ctx context.Context, staffID string) {
	if n := noteOf(ctx); n != nil {
		n.staffID = staffID
	}
}

// apiRoutes are the contract's route patterns, as the generated router
// registers them. The server's mux routes each of them (and "/", for
// what none matches) to the API, so that the pattern it matched names the
// request in the access line and the metrics — "GET /v1/disputes/{id}",
// never a path that holds ids — without routing the request again.
var apiRoutes = func() []string {
	var l patternList
	api.HandlerWithOptions(api.NewStrictHandler(nil, nil), api.StdHTTPServerOptions{BaseRouter: &l})
	return l
}()

// patternList is a router that only lists the patterns given it.
type patternList []string

func (l *patternList) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*l = append(*l, pattern)
}

func (l *patternList) ServeHTTP(http.ResponseWriter, *http.Request) {}

// accessLog writes one line per request: request id, route pattern,
// status, duration and the staff id — never a header, query, body or token,
// which may hold personal data or credentials.
func (a *app) accessLog(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.active.Add(1)
		defer a.active.Add(-1)
		start := time.Now()
		// The recorder and the note in one allocation; the request id
		// (openapi.WithRequestID's) and the note in one copy of the
		// request.
		logged := &struct {
			rec  statusRecorder
			note requestNote
		}{rec: statusRecorder{ResponseWriter: w, conn: gatherConnFor(r)}}
		rec, note := &logged.rec, &logged.note
		ctx := context.WithValue(openapi.RequestIDContext(w, r), noteKey{}, note)
		served := r.WithContext(ctx)
		next.ServeHTTP(rec, served)
		route := served.Pattern // what next matched (see apiRoutes)
		if route == "" || route == "/" {
			route = "unmatched"
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		took := time.Since(start)
		a.metrics.observe(route, r.Method, rec.status, took)
		a.log.Info().
			Str("request_id", casework.RequestIDFrom(ctx)).
			Str("route", route).
			Int("status", rec.status).
			Dur("duration", took).
			Str("staff_id", note.staffID).
			Msg("request")
	})
}

// statusRecorder keeps the status a handler answered, and sends a long
// body in one write (writeGathered).
type statusRecorder struct {
	http.ResponseWriter
	status int
	conn   *gatherConn // nil: none to gather on
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return writeGathered(s.ResponseWriter, s.conn, b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

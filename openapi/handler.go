package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// DefaultMaxBodyBytes is the largest JSON body a request may carry unless
// Config.MaxBodyBytes says otherwise (issue 11, item 7).
const DefaultMaxBodyBytes = 1 << 20

// DefaultListCacheBytes is what the lists keep of the records they
// answered unless Config.ListCacheBytes says otherwise: about 3,000
// visits (an encoded visit and its entry take about 700 bytes), 50 for
// each of 60 stations' work lists; small beside the server's RSS target.
const DefaultListCacheBytes = 2 << 20

// Config is what NewHandler serves: the services an embedder already built
// (all five are required, so that every operation of the contract answers),
// how requests are authenticated, and where failures are logged.
type Config struct {
	Kernel    *casework.Kernel
	Cases     *cases.Service
	Mediation *mediation.Service
	Outreach  *outreach.Service
	Recovery  *recovery.Service

	// Auth turns a request into the acting staff member. Nil answers every
	// request 401: there is no anonymous access to police records.
	Auth Authenticator
	// Logger receives every 5xx with its request id. Nil logs nothing.
	Logger *zerolog.Logger
	// MaxBodyBytes caps a JSON request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ListCacheBytes bounds what the handler keeps of the records its
	// lists answer (each visit's encoded JSON in the visit list) by record
	// id, version and view, so that a page of records unchanged since an
	// earlier answer costs one narrow query: the list is still read, and
	// reach, permissions and masking still decided, on every request, and
	// every update moves a record's version on, so nothing kept is ever
	// answered stale. 0 means DefaultListCacheBytes; negative keeps none.
	ListCacheBytes int64
	// MaxConcurrent bounds how many reads (GET) run their service call at
	// once, the rest waiting in arrival order; 0 means no bound. A few per
	// core keep the tail latency short under load (see admission).
	MaxConcurrent int
}

// server implements api.StrictServerInterface. Its methods translate API
// types to service calls and back, one file per tag (server_<tag>.go), and
// hold no business rule: reach, roles, masking, validation, versions and
// audit are the services' work.
type server struct {
	kernel    *casework.Kernel
	cases     *cases.Service
	mediation *mediation.Service
	outreach  *outreach.Service
	recovery  *recovery.Service
	// listed keeps the encoded objects of listed records (cachedObjects),
	// shared by every list.
	listed *casework.VersionCache[[]byte]
}

var _ api.StrictServerInterface = (*server)(nil)

// handler holds what the middleware needs.
type handler struct {
	auth    Authenticator
	log     zerolog.Logger
	maxBody int64
	// mux serves the generated routes and, at "/", unmatched; routes
	// holds the generated routes alone, for unmatched to tell a 404 from
	// a 405. So a matched request is routed once.
	mux, routes *http.ServeMux
}

// NewHandler returns one http.Handler serving the whole API under /v1/. It
// may be mounted under any prefix (behind http.StripPrefix); health,
// metrics and docs are the server program's. Every error it answers is an
// RFC 9457 problem.
func NewHandler(cfg *Config) (http.Handler, error) {
	if _, err := operations(); err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, errors.New("openapi: NewHandler needs a Config")
	}
	if cfg.Kernel == nil || cfg.Cases == nil || cfg.Mediation == nil || cfg.Outreach == nil || cfg.Recovery == nil {
		return nil, errors.New("openapi: Config needs the kernel and all four workflow services")
	}
	h := &handler{auth: cfg.Auth, log: zerolog.Nop(), maxBody: cfg.MaxBodyBytes, mux: http.NewServeMux(), routes: http.NewServeMux()}
	if cfg.Logger != nil {
		h.log = *cfg.Logger
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	s := &server{kernel: cfg.Kernel, cases: cfg.Cases, mediation: cfg.Mediation, outreach: cfg.Outreach, recovery: cfg.Recovery}
	cacheBytes := cfg.ListCacheBytes
	if cacheBytes == 0 {
		cacheBytes = DefaultListCacheBytes
	}
	s.listed = casework.NewVersionCache(cacheBytes, func(b []byte) int64 { return int64(cap(b)) })
	strict := api.NewStrictHandlerWithOptions(s, []api.StrictMiddlewareFunc{newAdmission(cfg.MaxConcurrent).middleware, boundsChecked, strictBody}, api.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  h.requestErrorHandler,
		ResponseErrorHandlerFunc: h.writeError,
	})
	for _, m := range []*http.ServeMux{h.mux, h.routes} {
		api.HandlerWithOptions(strict, api.StdHTTPServerOptions{
			BaseRouter:       m,
			ErrorHandlerFunc: h.requestErrorHandler,
		})
	}
	h.mux.HandleFunc("/", h.unmatched)
	return WithRequestID(h.recoverPanics(h.authenticate(h.limitBody(http.HandlerFunc(h.route))))), nil
}

func (h *handler) requestErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var format *api.InvalidParamFormatError
	if errors.As(err, &format) && format.ParamName == "If-Match" && strings.TrimSpace(r.Header.Get("If-Match")) == "" {
		// An empty If-Match (what a generated client sends when none is
		// set) names no version: the same 428 as a missing one.
		err = &api.RequiredHeaderError{ParamName: "If-Match", Err: err}
	}
	h.writeError(w, r, requestError(err))
}

// route serves the generated routes, and answers what they do not match
// (404, 405) as problems (unmatched).
func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, withMount(r))
}

// unmatched answers a request no generated route matched: 404 or 405 as a
// problem, keeping the mux's Allow header, or the mux's own redirect.
func (h *handler) unmatched(w http.ResponseWriter, r *http.Request) {
	next, _ := h.routes.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	next.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusNotFound:
		h.writeError(w, r, &httpError{kind: casework.ErrNotFound, detail: "no such operation: " + r.Method + " " + r.URL.Path})
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		h.writeError(w, r, &httpError{kind: errMethodNotAllowed, detail: r.Method + " is not allowed on " + r.URL.Path})
	default: // a redirect to the cleaned path
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
	}
}

// headerRecorder keeps what the mux answers an unmatched request, so that
// route can answer a problem instead of its plain text.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
func (h *headerRecorder) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

// recoverPanics turns a panic below into a logged 500 problem: no exported
// method should panic, but if one does the client learns nothing of it.
func (h *handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.writeError(w, r, &panicError{value: v})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type panicError struct{ value any }

func (p *panicError) Error() string { return fmt.Sprint("panic: ", p.value) }

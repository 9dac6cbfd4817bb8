package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The kinds of failure only HTTP has. Like the library's sentinels they are
// matched with errors.Is, and each has one row in problemKinds.
var (
	errBadRequest       = errors.New("bad request")
	errUnauthenticated  = errors.New("unauthenticated")
	errTooLarge         = errors.New("payload too large")
	errUnsupportedMedia = errors.New("unsupported media type")
	errMethodNotAllowed = errors.New("method not allowed")
	errNotImplemented   = errors.New("not implemented")
)

// problemKind is one row of the table that maps an error kind to a response.
type problemKind struct {
	kind   error
	status int
	slug   string // the last segment of the problem type URI
	title  string
	detail string // the generic detail; the error's own text never reaches a client
}

// problemKinds is the one table from error kinds to statuses (issue 11,
// item 4). The first row whose kind matches wins: a reused Idempotency-Key is
// also a conflict, so it comes before the conflict row. A conflict on a
// request whose If-Match named an old version is 412 (withETag marks it).
var problemKinds = []problemKind{
	{casework.ErrRequestKeyReused, http.StatusUnprocessableEntity, "invalid", "Invalid input", "the Idempotency-Key was used before with another request"},
	{casework.ErrNotFound, http.StatusNotFound, "not-found", "Not found", "no such record within reach"},
	{casework.ErrConflict, http.StatusConflict, "conflict", "Conflict", "the record conflicts with one that exists or a request still running"},
	{casework.ErrInvalid, http.StatusUnprocessableEntity, "invalid", "Invalid input", "the input breaks a rule"},
	{casework.ErrInvalidTransition, http.StatusConflict, "invalid-transition", "Invalid transition", "the record's state does not allow this change"},
	{casework.ErrForbidden, http.StatusForbidden, "forbidden", "Forbidden", "the actor may not do this"},
	{casework.ErrPreconditionRequired, http.StatusPreconditionRequired, "precondition-required", "Precondition required", "If-Match is required"},
	{errBadRequest, http.StatusBadRequest, "bad-request", "Bad request", "the request is malformed"},
	{errUnauthenticated, http.StatusUnauthorized, "unauthorized", "Unauthorized", "no valid credentials"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "too-large", "Payload too large", "the body is too large"},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "the body is not of a type this operation accepts"},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed", "the path does not take this method"},
	{errNotImplemented, http.StatusNotImplemented, "not-implemented", "Not implemented", "not implemented yet"},
}

// staleKind answers a conflict on a request that carried If-Match.
var staleKind = problemKind{casework.ErrConflict, http.StatusPreconditionFailed, "stale-version", "Precondition failed", "If-Match names a version that is no longer current"}

// internalKind answers everything the table does not know.
var internalKind = problemKind{nil, http.StatusInternalServerError, "internal", "Internal server error", "an unexpected error; it was logged with the request id"}

const problemBase = "https://grassroots.example/problems/"

// httpError is an error the HTTP layer makes itself: a kind from
// problemKinds, a detail written for clients, the fields at fault, and for a
// stale version the current ETag.
type httpError struct {
	kind   error
	detail string
	fields []api.FieldError
	etag   string
	stale  bool // a conflict because If-Match named an old version: 412
	cause  error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return e.kind.Error() + ": " + e.detail + ": " + e.cause.Error()
	}
	return e.kind.Error() + ": " + e.detail
}

func (e *httpError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// badRequest is a 400 naming the parameter or body field at fault.
func badRequest(field, rule, message string) error {
	return &httpError{kind: errBadRequest, detail: field + ": " + message,
		fields: []api.FieldError{{Field: field, Rule: rule, Message: message}}}
}

// notImplemented answers an operation whose handler is not written yet.
func notImplemented(op string) error {
	return &httpError{kind: errNotImplemented, detail: op + " is not implemented yet"}
}

// problemFor builds the problem for err: the table's row, the fields of an
// invalid input, the current ETag of a stale version. Only text written for
// clients goes in: the table's detail, our own httpError's detail, a
// transition's states and the library's per-field messages.
func problemFor(r *http.Request, err error) (api.Problem, string) {
	pk := internalKind
	for _, row := range problemKinds {
		if errors.Is(err, row.kind) {
			pk = row
			break
		}
	}
	var stale *httpError
	if pk.kind == casework.ErrConflict && errors.As(err, &stale) && stale.stale {
		pk = staleKind
	}
	p := api.Problem{Type: problemBase + pk.slug, Title: pk.title, Status: pk.status, Detail: pk.detail}
	var etag string
	var he *httpError
	var inv *casework.InvalidError
	var tr *casework.TransitionError
	switch {
	case errors.As(err, &he):
		if he.detail != "" && errors.Is(he, pk.kind) {
			p.Detail = he.detail
		}
		p.Errors = he.fields
		etag = he.etag
	case errors.As(err, &inv) && pk.kind == casework.ErrInvalid:
		for _, f := range inv.Fields {
			p.Errors = append(p.Errors, api.FieldError{Field: pointer(f.Field), Rule: f.Rule, Message: f.Message})
		}
	case errors.As(err, &tr) && pk.kind == casework.ErrInvalidTransition:
		p.Detail = fmt.Sprintf("cannot move from %s to %s: %s", tr.From, tr.To, tr.Why)
	}
	return p, etag
}

// pointer turns the library's field names ("parties[0].personId") into the
// JSON-pointer-like paths of the API ("/parties/0/personId").
func pointer(field string) string {
	if field == "" || strings.HasPrefix(field, "/") {
		return field
	}
	r := strings.NewReplacer("[", "/", "].", "/", "]", "", ".", "/")
	return "/" + r.Replace(field)
}

// writeError answers err as application/problem+json. Every 5xx is logged
// with the request id, since its problem tells the client nothing.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, etag := problemFor(r, err)
	id := casework.RequestIDFrom(r.Context())
	p.Instance = r.URL.Path
	if id != "" {
		p.Instance += "#" + id
	}
	if p.Status >= 500 {
		h.log.Error().Err(err).Str("request_id", id).Str("method", r.Method).Str("path", r.URL.Path).Int("status", p.Status).Msg("request failed")
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="grassroots"`)
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p api.Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// requestError maps what the generated code reports before a handler runs:
// a parameter that would not bind, a missing If-Match (428), a body that is
// not JSON or does not fit the request type (400, naming the field when
// encoding/json knows it), a body over the limit (413).
func requestError(err error) error {
	var (
		reqHeader *api.RequiredHeaderError
		reqParam  *api.RequiredParamError
		format    *api.InvalidParamFormatError
		unmarshal *api.UnmarshalingParamError
		many      *api.TooManyValuesForParamError
		typeErr   *json.UnmarshalTypeError
		syntax    *json.SyntaxError
		tooLarge  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &reqHeader) && http.CanonicalHeaderKey(reqHeader.ParamName) == "If-Match":
		return &httpError{kind: casework.ErrPreconditionRequired, detail: "If-Match is required: send the ETag of the version the change is based on"}
	case errors.As(err, &reqHeader):
		return badRequest(reqHeader.ParamName, "required", "is required")
	case errors.As(err, &reqParam):
		return badRequest(reqParam.ParamName, "required", "is required")
	case errors.As(err, &format):
		return badRequest(format.ParamName, "format", "is not well-formed")
	case errors.As(err, &unmarshal):
		return badRequest(unmarshal.ParamName, "format", "is not well-formed")
	case errors.As(err, &many):
		return badRequest(many.ParamName, "max", "is given more than once")
	case errors.As(err, &tooLarge):
		return &httpError{kind: errTooLarge, detail: fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit)}
	case errors.As(err, &typeErr):
		field := "/" + strings.ReplaceAll(typeErr.Field, ".", "/")
		return badRequest(field, "type", "has the wrong type (got "+typeErr.Value+")")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &httpError{kind: errBadRequest, detail: "the body is not well-formed JSON"}
	case errors.Is(err, io.EOF):
		return &httpError{kind: errBadRequest, detail: "a JSON body is required"}
	}
	return &httpError{kind: errBadRequest, detail: "the request is malformed", cause: err}
}

package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// TestProblemTable pins the one table from error kinds to statuses, and
// that only text written for clients reaches the detail.
func TestProblemTable(t *testing.T) {
	t.Parallel()
	backend := errors.New("pq: duplicate key value violates unique constraint password=hunter2")
	wrapped := func(kind error) error { return fmt.Errorf("store: %w: %w", kind, backend) }
	tests := []struct {
		name    string
		err     error
		ifMatch bool
		status  int
		slug    string
	}{
		{"not found", wrapped(casework.ErrNotFound), false, 404, "not-found"},
		{"conflict", wrapped(casework.ErrConflict), false, 409, "conflict"},
		{"conflict under If-Match is stale", wrapped(casework.ErrConflict), true, 412, "stale-version"},
		{"request key reused", fmt.Errorf("%w: %w", casework.ErrConflict, casework.ErrRequestKeyReused), false, 422, "invalid"},
		{"invalid", &casework.InvalidError{Fields: []casework.FieldError{{Field: "parties[0].personId", Rule: "required", Message: "is required"}}}, false, 422, "invalid"},
		{"invalid transition", &casework.TransitionError{From: "reported", To: "agreed", Why: "not accepted"}, true, 409, "invalid-transition"},
		{"forbidden", wrapped(casework.ErrForbidden), false, 403, "forbidden"},
		{"precondition required", wrapped(casework.ErrPreconditionRequired), false, 428, "precondition-required"},
		{"not implemented", notImplemented("listDisputes"), false, 501, "not-implemented"},
		{"anything else", backend, false, 500, "internal"},
		{"a panic", &panicError{value: backend.Error()}, false, 500, "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("PATCH", "/v1/disputes/x", nil)
			if tc.ifMatch {
				r.Header.Set("If-Match", `"3"`)
			}
			p, _ := problemFor(r, tc.err)
			require.Equal(t, tc.status, p.Status)
			require.Equal(t, problemBase+tc.slug, p.Type)
			require.NotContains(t, p.Detail, "hunter2")
			require.NotContains(t, p.Detail, "pq:")
		})
	}
	p, _ := problemFor(httptest.NewRequest("POST", "/v1/disputes", nil), tests[4].err)
	require.Equal(t, "/parties/0/personId", p.Errors[0].Field, "library field names become JSON pointers")
	p, _ = problemFor(httptest.NewRequest("POST", "/v1/disputes", nil), tests[5].err)
	require.Equal(t, "cannot move from reported to agreed: not accepted", p.Detail)
}

func TestStaleCarriesCurrentETag(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("PATCH", "/v1/units/u", nil)
	r.Header.Set("If-Match", `"1"`)
	err := withETag(fmt.Errorf("save: %w", casework.ErrConflict), func() (int64, error) { return 7, nil })
	p, tag := problemFor(r, err)
	require.Equal(t, 412, p.Status)
	require.Equal(t, `"7"`, tag)
	require.ErrorIs(t, err, casework.ErrConflict)

	other := withETag(casework.ErrNotFound, func() (int64, error) { panic("not called") })
	require.Equal(t, casework.ErrNotFound, other)
	failed := withETag(casework.ErrConflict, func() (int64, error) { return 0, casework.ErrNotFound })
	require.Equal(t, casework.ErrConflict, failed, "a failing re-read leaves the conflict as it was")
}

func TestIfMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   int64
		status int
	}{
		{`"3"`, 3, 0}, {`"0"`, 0, 0}, {`"+3"`, 0, 400}, {`" 3"`, 0, 400}, {`""`, 0, 400}, {"", 0, 428}, {"3", 0, 400}, {`W/"3"`, 0, 400}, {`"-1"`, 0, 400}, {`"3`, 0, 400}, {`"x"`, 0, 400}, {`*`, 0, 400},
	}
	for _, tc := range tests {
		v, err := ifMatch(tc.header)
		if tc.status == 0 {
			require.NoError(t, err, tc.header)
			require.Equal(t, tc.want, v)
			require.Equal(t, tc.header, etag(v), "an ETag reads back")
			continue
		}
		p, _ := problemFor(httptest.NewRequest("PATCH", "/", nil), err)
		require.Equal(t, tc.status, p.Status, tc.header)
		require.Zero(t, v)
	}
}

func TestUnknownField(t *testing.T) {
	t.Parallel()
	type party struct {
		PersonID string `json:"personId"`
		Role     string `json:"role,omitempty"`
	}
	type base struct {
		Note string `json:"note"`
	}
	type input struct {
		base
		Parties []party          `json:"parties"`
		Tags    map[string]party `json:"tags"`
		Skip    string           `json:"-"`
		Plain   string
	}
	tests := []struct{ doc, want string }{
		{`{"note":"n","parties":[{"personId":"p"}],"Plain":"x"}`, ""},
		{`{"parties":[{"personId":"p"},{"personId":"q","age":3}]}`, "/parties/1/age"},
		{`{"tags":{"a/b":{"nope":1}}}`, "/tags/a~1b/nope"},
		{`{"Skip":"x"}`, "/Skip"},
		{`{"zeta":1,"alpha":2}`, "/alpha"},
		{`{"parties":"not a list"}`, ""},
	}
	for _, tc := range tests {
		var doc any
		require.NoError(t, json.Unmarshal([]byte(tc.doc), &doc))
		require.Equal(t, tc.want, unknownField(reflect.TypeFor[*input](), doc, ""), tc.doc)
	}
}

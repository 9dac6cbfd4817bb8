package openapi

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// rawBodyKey keeps the JSON body limitBody read, for strictBody.
type rawBodyKey struct{}

// streamedBodies are the operations whose body is not JSON and is streamed
// to its handler, which applies its own limit.
var streamedBodies = map[string]bool{"POST /v1/attachments": true}

// limitBody reads a JSON body up to the limit (413 beyond it) and refuses a
// body of another type (415), so that the generated decoding only ever sees
// a bounded JSON document.
func (h *handler) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if _, pattern := h.mux.Handler(r); streamedBodies[pattern] {
			next.ServeHTTP(w, r)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			h.writeError(w, r, &httpError{kind: errUnsupportedMedia, detail: "the body must be application/json"})
			return
		}
		if r.ContentLength > h.maxBody {
			h.writeError(w, r, requestError(&http.MaxBytesError{Limit: h.maxBody}))
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
		if err != nil {
			h.writeError(w, r, requestError(err))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), rawBodyKey{}, raw))
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next.ServeHTTP(w, r)
	})
}

// strictBody refuses a JSON body with a member its request type does not
// have (400 naming it by its path), or with anything after the document.
// The generated strict handler decodes with encoding/json, which ignores
// unknown members and matches names case-insensitively; rather than replace
// the generated decoding, this re-reads the raw body against the type the
// generated code decoded it into (the request object's Body field).
func strictBody(f api.StrictHandlerFunc, _ string) api.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		raw, _ := ctx.Value(rawBodyKey{}).([]byte)
		rv := reflect.ValueOf(request)
		if len(raw) == 0 || rv.Kind() != reflect.Struct {
			return f(ctx, w, r, request)
		}
		body := rv.FieldByName("Body")
		if !body.IsValid() || body.Kind() != reflect.Pointer || body.IsNil() {
			return f(ctx, w, r, request)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return nil, requestError(err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, &httpError{kind: errBadRequest, detail: "the body holds more than one JSON document"}
		}
		if path := unknownField(body.Type(), doc, ""); path != "" {
			return nil, badRequest(path, "unknown_field", "unknown field")
		}
		return f(ctx, w, r, request)
	}
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// unknownField returns the JSON-pointer path of the first member of doc
// (in sorted order, for a stable answer) that type t has no field for, or
// "". Types that decode themselves are trusted.
func unknownField(t reflect.Type, doc any, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return ""
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := doc.(map[string]any)
		if !ok {
			return ""
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ft, ok := fields[k]
			p := path + "/" + escapePointer(k)
			if !ok {
				return p
			}
			if bad := unknownField(ft, m[k], p); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		a, _ := doc.([]any)
		for i, v := range a {
			if bad := unknownField(t.Elem(), v, fmt.Sprintf("%s/%d", path, i)); bad != "" {
				return bad
			}
		}
	case reflect.Map:
		m, _ := doc.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if bad := unknownField(t.Elem(), m[k], path+"/"+escapePointer(k)); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// jsonFields maps the JSON member names of a struct to their types, as
// encoding/json names them (tags, embedded structs promoted).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func escapePointer(s string) string { return pointerEscaper.Replace(s) }

// pointerEscaper is built once: building a Replacer per call was a tenth of
// the server's CPU on a create (bodyBounds escapes every member name).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// bodyHas reports whether the request's JSON body has the top-level member
// name: what a PATCH handler needs to tell "set to the zero value" from
// "leave as it is", which the generated types (plain values) cannot.
func bodyHas(ctx context.Context, name string) bool {
	raw, _ := ctx.Value(rawBodyKey{}).([]byte)
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return false
	}
	_, ok := members[name]
	return ok
}

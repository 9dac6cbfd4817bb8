package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/grassroots-policing/grassroots/casework"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The spec bounds every string (maxLength) and every array (maxItems) a
// request may carry; boundsChecked enforces those bounds on the body and the
// parameters of each operation before its handler runs, so the server
// refuses what it publishes as refused even where the library's own limits
// are wider (422 naming the field; 400 for a parameter). Everything else
// about a request — types, required members, unknown members — stays with
// the generated decoding, strictBody and the library's validation.

// operations maps an operation's generated name (its operationId with the
// first letter upper-cased: "GetPerson" for getPerson, as the strict
// middlewares are told) to its operation in openapi.yaml, refs resolved;
// loaded once.
var operations = sync.OnceValues(func() (map[string]*openapi3.Operation, error) {
	doc, err := openapi3.NewLoader().LoadFromData(Spec)
	if err != nil {
		return nil, fmt.Errorf("openapi: load the spec: %w", err)
	}
	ops := map[string]*openapi3.Operation{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == "" {
				continue // the spec's tests require one; nothing could name it here
			}
			ops[strings.ToUpper(op.OperationID[:1])+op.OperationID[1:]] = op
		}
	}
	return ops, nil
})

// boundsChecked is the strict middleware that applies the spec's bounds.
// The operation is looked up once, when the chain is built (NewHandler has
// loaded the spec by then).
func boundsChecked(f api.StrictHandlerFunc, operationID string) api.StrictHandlerFunc {
	ops, err := operations()
	if err != nil {
		return func(context.Context, http.ResponseWriter, *http.Request, any) (any, error) { return nil, err }
	}
	op := ops[operationID]
	if op == nil {
		return f
	}
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		if err := paramBounds(r, op); err != nil {
			return nil, err
		}
		if err := bodyBounds(ctx, op); err != nil {
			return nil, err
		}
		return f(ctx, w, r, request)
	}
}

// paramBounds checks the length of every string parameter the request
// carries (path, query, header) against its maxLength.
func paramBounds(r *http.Request, op *openapi3.Operation) error {
	var query url.Values // parsed only if a raw value is too long, and then once
	longest := -1        // the raw query's longest value, measured once
	for _, ref := range op.Parameters {
		p := ref.Value
		if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Schema.Value.MaxLength == nil {
			continue
		}
		var values []string
		switch p.In {
		case openapi3.ParameterInPath:
			if v := r.PathValue(p.Name); uint64(len(v)) <= *p.Schema.Value.MaxLength {
				continue // no more runes than bytes: within the bound, known without a copy
			}
			values = []string{r.PathValue(p.Name)}
		case openapi3.ParameterInQuery:
			if longest < 0 {
				longest = longestValue(r.URL.RawQuery)
			}
			if uint64(longest) <= *p.Schema.Value.MaxLength || !mayExceed(r.URL.RawQuery, p.Name, *p.Schema.Value.MaxLength) {
				continue // known from the raw query, without parsing it
			}
			if query == nil {
				query = r.URL.Query()
			}
			values = query[p.Name]
		case openapi3.ParameterInHeader:
			values = r.Header.Values(p.Name)
		}
		for _, v := range values {
			if uint64(utf8.RuneCountInString(v)) > *p.Schema.Value.MaxLength {
				return badRequest(p.Name, "max", fmt.Sprintf("must be at most %d characters long", *p.Schema.Value.MaxLength))
			}
		}
	}
	return nil
}

// mayExceed reports whether the raw query may give the query parameter
// name a value longer than most characters: whether a pair that may be
// name's (its key is name, or is escaped and may decode to it) has a raw
// value longer than most bytes. Decoding never lengthens a value and a
// character is at least a byte, so when it says no, no value url.ParseQuery
// gives name is too long, and the query need not be parsed (on every
// request, it was a tenth of a list's CPU); when it says yes, paramBounds
// parses the query and checks exactly.
func mayExceed(rawQuery, name string, most uint64) bool {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		key, value, _ := strings.Cut(pair, "=")
		if uint64(len(value)) > most && (key == name || strings.ContainsAny(key, "%+")) {
			return true
		}
	}
	return false
}

// longestValue is the length in bytes of the raw query's longest value:
// when it is within a parameter's bound, so is every value of that
// parameter (see mayExceed), and a list's ten parameters are checked with
// one pass over the query.
func longestValue(rawQuery string) int {
	most := 0
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		if _, value, ok := strings.Cut(pair, "="); ok {
			most = max(most, len(value))
		}
	}
	return most
}

// bodyBounds checks the JSON body (buffered by limitBody) against the
// maxLength and maxItems of its schema, at any depth.
func bodyBounds(ctx context.Context, op *openapi3.Operation) error {
	raw, _ := ctx.Value(rawBodyKey{}).([]byte)
	if len(raw) == 0 || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	media := op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil // malformed JSON is strictBody's and the decoder's to refuse
	}
	var inv []api.FieldError
	collectBounds(media.Schema.Value, doc, "", &inv)
	if len(inv) == 0 {
		return nil
	}
	return &httpError{kind: casework.ErrInvalid, detail: "a value is longer than the API allows", fields: inv}
}

// collectBounds walks doc along schema and records every string longer than
// its maxLength and every array longer than its maxItems.
func collectBounds(s *openapi3.Schema, doc any, path string, out *[]api.FieldError) {
	if s == nil {
		return
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			collectBounds(sub.Value, doc, path, out)
		}
	}
	switch v := doc.(type) {
	case string:
		if s.MaxLength != nil && uint64(utf8.RuneCountInString(v)) > *s.MaxLength {
			*out = append(*out, api.FieldError{Field: path, Rule: "max", Message: fmt.Sprintf("must be at most %d characters long", *s.MaxLength)})
		}
	case []any:
		if s.MaxItems != nil && uint64(len(v)) > *s.MaxItems {
			*out = append(*out, api.FieldError{Field: path, Rule: "max", Message: fmt.Sprintf("must hold at most %d items", *s.MaxItems)})
			return
		}
		if s.Items != nil && s.Items.Value != nil {
			for i, e := range v {
				collectBounds(s.Items.Value, e, fmt.Sprintf("%s/%d", path, i), out)
			}
		}
	case map[string]any:
		for name, e := range v {
			p := path + "/" + escapePointer(name)
			if prop, ok := s.Properties[name]; ok && prop.Value != nil {
				collectBounds(prop.Value, e, p, out)
			} else if s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil {
				collectBounds(s.AdditionalProperties.Schema.Value, e, p, out)
			}
		}
	}
}

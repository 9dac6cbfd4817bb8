package openapi_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/grassroots-policing/grassroots/openapi"
)

// The contract's conventions (issue 11, items 4–8) are checked here rather
// than left to review, so that a hand edit of openapi.yaml that forgets a
// header, a limit or an error response fails before any code is generated.

type node = map[string]any

func loadSpec(t *testing.T) node {
	t.Helper()
	var doc node
	require.NoError(t, yaml.Unmarshal(openapi.Spec, &doc))
	return doc
}

type operation struct {
	method, path string
	op           node
}

func operations(doc node) []operation {
	var ops []operation
	for path, item := range doc["paths"].(node) {
		for method, op := range item.(node) {
			ops = append(ops, operation{strings.ToUpper(method), path, op.(node)})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return ops
}

// resolve follows a local $ref ("#/components/parameters/IfMatch").
func resolve(doc, n node) node {
	ref, ok := n["$ref"].(string)
	if !ok {
		return n
	}
	cur := doc
	for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur[p].(node)
	}
	return cur
}

func paramNames(doc node, op node) map[string]node {
	out := map[string]node{}
	ps, _ := op["parameters"].([]any)
	for _, p := range ps {
		pn := resolve(doc, p.(node))
		out[pn["name"].(string)] = pn
	}
	return out
}

func successStatus(op node) (string, node) {
	for _, st := range []string{"200", "201"} {
		if r, ok := op["responses"].(node)[st]; ok {
			return st, r.(node)
		}
	}
	return "", nil
}

// recordSchema reports whether a JSON response is a single versioned record.
func recordSchema(doc, resp node) bool {
	content, _ := resp["content"].(node)
	js, ok := content["application/json"].(node)
	if !ok {
		return false
	}
	s := resolve(doc, js["schema"].(node))
	props, _ := s["properties"].(node)
	_, versioned := props["version"]
	return versioned
}

func TestSpecIsTheEmbeddedFile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	require.Equal(t, b, openapi.Spec)
	require.Equal(t, "3.0.3", loadSpec(t)["openapi"])
}

func TestEveryOperationIsDocumented(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	tags := map[string]bool{}
	for _, tg := range doc["tags"].([]any) {
		tags[tg.(node)["name"].(string)] = true
	}
	require.Equal(t, map[string]bool{"kernel": true, "mediation": true, "outreach": true, "cases": true, "recovery": true, "reports": true}, tags)
	ids := map[string]bool{}
	for _, o := range operations(doc) {
		name := o.method + " " + o.path
		require.True(t, strings.HasPrefix(o.path, "/v1/"), name)
		id, _ := o.op["operationId"].(string)
		require.NotEmpty(t, id, name)
		require.False(t, ids[id], "duplicate operationId %s", id)
		ids[id] = true
		require.NotEmpty(t, o.op["summary"], name)
		require.NotEmpty(t, o.op["description"], name)
		opTags := o.op["tags"].([]any)
		require.Len(t, opTags, 1, name)
		require.True(t, tags[opTags[0].(string)], name)
		resp := o.op["responses"].(node)
		for _, st := range []string{"401", "403", "default"} {
			require.Contains(t, resp, st, name)
		}
		if o.method != "GET" {
			require.Contains(t, resp, "422", name)
		}
		if strings.Contains(o.path, "{") {
			require.Contains(t, resp, "404", name)
		}
		for st, r := range resp {
			if st[0] == '4' || st[0] == '5' || st == "default" {
				content := resolve(doc, r.(node))["content"].(node)
				require.Contains(t, content, "application/problem+json", "%s %s", name, st)
			}
		}
	}
}

// Operations that change no versioned record, or whose service takes no
// version, and so ask no If-Match; each says why in its description.
var noIfMatch = map[string]bool{
	"revealPerson":       true, // reads; only the audit log grows
	"revokeShare":        true, // final; revoking twice changes nothing
	"unshareCase":        true, // same
	"shareDispute":       true, // creates a share; the dispute is unchanged
	"verifyAuditAgainst": true, // reads
	"compareProperty":    true, // reads
}

// Creates whose service takes no request key.
var noIdempotencyKey = map[string]bool{
	"putAttachment":  true, // content-addressed: a repeat stores nothing new
	"shareDispute":   true, // the kernel's shares take no request key
	"attachToCase":   true, // content-addressed: attaching a digest again returns the first link
	"attachToVisit":  true, // same
	"attachToHazard": true, // same
}

func TestSafeWrites(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	for _, o := range operations(doc) {
		id := o.op["operationId"].(string)
		ps := paramNames(doc, o.op)
		st, ok := successStatus(o.op)
		require.NotEmpty(t, st, id)
		switch {
		case o.method == "GET":
			require.NotContains(t, ps, "If-Match", id)
		case st == "201":
			if !noIdempotencyKey[id] {
				require.Contains(t, ps, "Idempotency-Key", id)
				require.False(t, ps["Idempotency-Key"]["required"] == true, id)
			}
			require.Contains(t, ok["headers"], "Location", id)
		case !noIfMatch[id]:
			require.Contains(t, ps, "If-Match", id)
			require.Equal(t, true, ps["If-Match"]["required"], id)
			resp := o.op["responses"].(node)
			for _, s := range []string{"412", "428"} {
				require.Contains(t, resp, s, id)
			}
		}
		if recordSchema(doc, ok) {
			require.Contains(t, ok["headers"], "ETag", "%s returns a record without ETag", id)
		}
	}
}

func TestListsArePaged(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	for _, o := range operations(doc) {
		_, ok := successStatus(o.op)
		js, _ := ok["content"].(node)["application/json"].(node)
		if js == nil {
			continue
		}
		ref, _ := js["schema"].(node)["$ref"].(string)
		if !strings.HasSuffix(ref, "Page") {
			continue
		}
		id := o.op["operationId"].(string)
		ps := paramNames(doc, o.op)
		require.Contains(t, ps, "limit", id)
		require.Contains(t, ps, "cursor", id)
		lim := ps["limit"]["schema"].(node)
		require.Equal(t, 50, lim["default"], id)
		require.Equal(t, 200, lim["maximum"], id)
		page := resolve(doc, js["schema"].(node))["properties"].(node)
		require.Contains(t, page, "items", id)
		require.Contains(t, page, "next", id)
	}
}

// TestEveryStringAndArrayIsBounded walks the whole document: the server
// enforces these bounds, so a schema without one would be unbounded input.
func TestEveryStringAndArrayIsBounded(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case node:
			switch v["type"] {
			case "string":
				if _, enum := v["enum"]; !enum {
					require.Contains(t, v, "maxLength", path)
				}
			case "array":
				require.Contains(t, v, "maxItems", path)
			}
			for k, c := range v {
				if k != "example" && k != "examples" {
					walk(path+"/"+k, c)
				}
			}
		case []any:
			for _, c := range v {
				walk(path+"/[]", c)
			}
		}
	}
	walk("", doc)
}

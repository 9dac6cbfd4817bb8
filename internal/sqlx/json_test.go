package sqlx_test

import (
	"encoding/json"
	"testing"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/stretchr/testify/require"
)

// JSON.Scan sets every target exactly as json.Unmarshal does, for the
// documents it decodes without the decoder (null, []) and for others, into
// fresh and into already filled targets, from text and from bytes.
func TestJSONScanAsUnmarshal(t *testing.T) {
	t.Parallel()
	type item struct{ A string }
	targets := map[string]func() any{
		"strings":    func() any { v := []string{"x"}; return &v },
		"no strings": func() any { var v []string; return &v },
		"nil slice":  func() any { var v []item; return &v },
		"items":      func() any { v := []item{{A: "x"}}; return &v },
		"map":        func() any { v := map[string]int{"a": 1}; return &v },
		"pointer":    func() any { v := &item{A: "x"}; return &v },
		"struct":     func() any { v := item{A: "x"}; return &v },
		"int":        func() any { v := 7; return &v },
		"any":        func() any { var v any = "x"; return &v },
		"array":      func() any { v := [2]int{1, 2}; return &v },
	}
	for name, target := range targets {
		for _, doc := range []string{"null", "[]", `["a"]`, `[{"A":"b"}]`, `{"a":2}`, `{"A":"c"}`, "3",
			// string lists, which Scan splits itself when they are plain
			`["01HX","st-2"]`, ` [ "a" ,"b" ] `, "[\"a\",\n\"b\"]", `["", "~ !"]`, `["a\"b"]`, `["a\u0041"]`, `["é"]`,
			"[\"\xff\"]", "[\"a\tb\"]", `["a",]`, `["a"`, `["a"] x`, `["a" "b"]`, `[1]`, `["a",1]`, `[,"a"]`, `[ ]`, `"a"`} {
			want, got, gotBytes := target(), target(), target()
			wantErr := json.Unmarshal([]byte(doc), want)
			err := sqlx.JSON{V: got}.Scan(doc)
			errBytes := sqlx.JSON{V: gotBytes}.Scan([]byte(doc))
			require.Equal(t, wantErr != nil, err != nil, "%s %s: %v", name, doc, err)
			require.Equal(t, wantErr != nil, errBytes != nil, "%s %s: %v", name, doc, errBytes)
			if wantErr == nil {
				require.Equal(t, want, got, "%s %s", name, doc)
				require.Equal(t, want, gotBytes, "%s %s", name, doc)
			}
		}
	}
}

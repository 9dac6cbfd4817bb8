package openapi

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// longestParsed is what paramBounds compared before mayExceed: the longest
// value, in characters, url.ParseQuery gives name.
func longestParsed(rawQuery, name string) uint64 {
	q, _ := url.ParseQuery(rawQuery)
	var most uint64
	for _, v := range q[name] {
		most = max(most, uint64(utf8.RuneCountInString(v)))
	}
	return most
}

// TestMayExceed: mayExceed and longestValue say no only where no value of
// the parsed query is too long, so that paramBounds may skip parsing it;
// and they say no for the queries clients send, so that it does skip it.
func TestMayExceed(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("u", 65)
	tests := []struct {
		name, query string
		want        bool
	}{
		{"no query", "", false},
		{"within the bound", "unitId=" + strings.Repeat("u", 64) + "&limit=50", false},
		{"another parameter's long value", "cursor=" + long + "&unitId=u", false},
		{"too long", "limit=50&unitId=" + long, true},
		{"too long, repeated", "unitId=u&unitId=" + long, true},
		{"escaped name", "unit%49d=" + long, true},
		{"escaped value longer than it decodes to", "unitId=" + strings.Repeat("%E6%B4%BE", 10), true},
		{"name without a value", "unitId&limit=" + long, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, mayExceed(tc.query, "unitId", 64))
			if !tc.want {
				require.LessOrEqual(t, longestParsed(tc.query, "unitId"), uint64(64))
			}
		})
	}
	// Random queries over an alphabet of separators, escapes and
	// multi-byte characters: never a no where a value is too long.
	rng := rand.New(rand.NewPCG(13, 13))
	alphabet := []string{"a", "=", "&", ";", "%", "4", "9", "+", "%41", "%E6%B4%BE", "派", "unitId", "unit%49d", "unit+Id"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		q := b.String()
		most := uint64(rng.IntN(6))
		if !mayExceed(q, "unitId", most) || uint64(longestValue(q)) <= most {
			require.LessOrEqual(t, longestParsed(q, "unitId"), most, "query %q", q)
		}
	}
}

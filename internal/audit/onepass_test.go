package audit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nestedRecord has what records carry: nested structs (whose keys encoding/json
// writes in field order, not sorted), slices, maps, pointers, times, large
// integers, omitted empties and strings that need escaping.
type nestedRecord struct {
	ID      string            `json:"id"`
	Zeta    string            `json:"zeta"`
	Alpha   *nestedInner      `json:"alpha,omitempty"`
	Items   []nestedInner     `json:"items"`
	Labels  map[string]string `json:"labels,omitempty"`
	Big     int64             `json:"big"`
	Ratio   float64           `json:"ratio"`
	At      time.Time         `json:"at"`
	Raw     any               `json:"raw"`
	Skipped string            `json:"-"`
}

type nestedInner struct {
	Z string `json:"z"`
	A []int  `json:"a"`
	M string `json:"m,omitempty"`
}

func randomNested(rng *rand.Rand) nestedRecord {
	r := nestedRecord{ID: fmt.Sprintf("n-%d", rng.IntN(5)), Zeta: randomString(rng), Big: rng.Int64N(1 << 62),
		Ratio: rng.Float64() * 1e4, At: time.Unix(rng.Int64N(2e9), rng.Int64N(1e9)).UTC(), Raw: randomGeneric(rng, 0),
		Skipped: "never shown"}
	if rng.IntN(2) == 0 {
		r.Alpha = &nestedInner{Z: randomString(rng), A: []int{rng.IntN(9), -rng.IntN(9)}, M: randomString(rng)}
	}
	for range rng.IntN(3) {
		r.Items = append(r.Items, nestedInner{Z: randomString(rng), M: randomString(rng)})
	}
	if rng.IntN(2) == 0 {
		r.Labels = map[string]string{randomString(rng): randomString(rng), "<b>": randomString(rng), "é": "x"}
	}
	return r
}

// TestRedactCanonicalMatchesRedact proves that the one-pass payload is the
// definition's, byte for byte and so digest for digest, for creations,
// updates and deletions of structs and maps: entries written before the
// one-pass path verify after it and the other way round.
func TestRedactCanonicalMatchesRedact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	sensitives := []func(string) bool{nil, sensitiveSSN, func(f string) bool { return strings.HasPrefix(f, "z") }}
	type pair struct{ before, after any }
	var cases []pair
	for range 1500 {
		a, b := randomNested(rng), randomNested(rng)
		if rng.IntN(3) == 0 {
			b = a
			b.Zeta = randomString(rng)
		}
		o, p := randomRecord(rng), randomRecord(rng)
		m1, _ := randomGeneric(rng, 1).(map[string]any)
		m2, _ := randomGeneric(rng, 1).(map[string]any)
		cases = append(cases, pair{nil, a}, pair{a, b}, pair{&a, (*nestedRecord)(nil)}, pair{nil, o}, pair{o, p}, pair{m1, m2},
			pair{nil, m2})
	}
	cases = append(cases, pair{nil, "not an object"}, pair{[]int{1}, nil}, pair{nil, map[string]any{"\xff": 1, "\xfe": 2}},
		pair{nil, map[string]any{"bad": func() {}}}, pair{nil, nil})
	for i, c := range cases {
		sensitive := sensitives[i%len(sensitives)]
		p, wantErr := Redact(c.before, c.after, sensitive)
		var want []byte
		if wantErr == nil {
			want, wantErr = p.Canonical()
		}
		got, gotErr := RedactCanonical(c.before, c.after, sensitive)
		if wantErr != nil {
			require.Error(t, gotErr, "case %d: %#v -> %#v", i, c.before, c.after)
			continue
		}
		require.NoError(t, gotErr, "case %d", i)
		require.Equal(t, string(want), string(got), "case %d: %#v -> %#v", i, c.before, c.after)
		require.Equal(t, sha256.Sum256(want), sha256.Sum256(got))
	}
}

// TestRedactCanonicalTakesTheFastPath guards the point of the function: a
// plain record must not fall back to the definition, nor its states leave
// the typed path.
func TestRedactCanonicalTakesTheFastPath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name          string
		before, after any
	}{
		{"create", nil, randomNested(rng)},
		{"update", randomRecord(rng), randomRecord(rng)},
		{"delete", randomRecord(rng), nil},
		{"every kind", nil, typedAll{Num: "1", Any: map[string]any{"k": []any{json.Number("2"), "s", nil}}, Inner: &typedAll{}}},
	} {
		for _, state := range []any{c.before, c.after} {
			_, _, ok := typedState(state, new(stateScratch))
			require.True(t, ok, c.name)
		}
		_, ok := redactCanonicalFast(c.before, c.after, sensitiveSSN)
		require.True(t, ok, c.name)
	}
}

func BenchmarkRedactCreate(b *testing.B) {
	rec := randomNested(rand.New(rand.NewPCG(3, 4)))
	b.Run("definition", func(b *testing.B) {
		for b.Loop() {
			p, err := Redact(nil, rec, sensitiveSSN)
			require.NoError(b, err)
			_, err = p.Canonical()
			require.NoError(b, err)
		}
	})
	b.Run("one-pass", func(b *testing.B) {
		for b.Loop() {
			_, err := RedactCanonical(nil, rec, sensitiveSSN)
			require.NoError(b, err)
		}
	})
}

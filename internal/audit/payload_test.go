package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	rec := officerRecord{ID: "o-1", Name: "Ada", Badge: 4411, SSN: "111-22-3333", Notes: "n", Active: true}
	renamed := rec
	renamed.Name = "Ada L."
	renamed.Badge = 9007199254740993 // 2^53+1: must not round through float64

	tests := []struct {
		name          string
		before, after any
		sensitive     func(string) bool
		wantDiff      []FieldChange
		wantBefore    bool
		wantAfter     bool
	}{
		{
			name:      "creation lists every field, sensitive ones redacted",
			before:    nil,
			after:     rec,
			sensitive: sensitiveSSN,
			wantAfter: true,
			wantDiff: []FieldChange{
				{Field: "active", New: true},
				{Field: "badge", New: json.Number("4411")},
				{Field: "id", New: "o-1"},
				{Field: "name", New: "Ada"},
				{Field: "notes", New: "n"},
				{Field: "ssn", New: Redacted},
			},
		},
		{
			name:       "update lists changed fields only, in field order",
			before:     rec,
			after:      renamed,
			sensitive:  sensitiveSSN,
			wantBefore: true, wantAfter: true,
			wantDiff: []FieldChange{
				{Field: "badge", Old: json.Number("4411"), New: json.Number("9007199254740993")},
				{Field: "name", Old: "Ada", New: "Ada L."},
			},
		},
		{
			name:       "deletion through a typed nil pointer",
			before:     &rec,
			after:      (*officerRecord)(nil),
			sensitive:  func(f string) bool { return f == "ssn" || f == "notes" },
			wantBefore: true,
			wantDiff: []FieldChange{
				{Field: "active", Old: true},
				{Field: "badge", Old: json.Number("4411")},
				{Field: "id", Old: "o-1"},
				{Field: "name", Old: "Ada"},
				{Field: "notes", Old: Redacted},
				{Field: "ssn", Old: Redacted},
			},
		},
		{
			name:       "no change gives an empty diff",
			before:     rec,
			after:      rec,
			sensitive:  sensitiveSSN,
			wantBefore: true, wantAfter: true,
			wantDiff: []FieldChange{},
		},
		{
			name:       "nil sensitive redacts everything",
			before:     rec,
			after:      renamed,
			sensitive:  nil,
			wantBefore: true, wantAfter: true,
			wantDiff: []FieldChange{
				{Field: "badge", Old: Redacted, New: Redacted},
				{Field: "name", Old: Redacted, New: Redacted},
			},
		},
		{
			name:       "maps, nested values and added or removed fields",
			before:     map[string]any{"tags": []string{"a"}, "gone": 1, "same": map[string]int{"x": 1}},
			after:      map[string]any{"tags": []string{"a", "b"}, "new": "v", "same": map[string]int{"x": 1}},
			sensitive:  func(string) bool { return false },
			wantBefore: true, wantAfter: true,
			wantDiff: []FieldChange{
				{Field: "gone", Old: json.Number("1")},
				{Field: "new", New: "v"},
				{Field: "tags", Old: []any{"a"}, New: []any{"a", "b"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Redact(tt.before, tt.after, tt.sensitive)
			require.NoError(t, err)
			require.Equal(t, tt.wantDiff, p.Diff)

			wantBefore, err := StateDigest(tt.before)
			require.NoError(t, err)
			require.Equal(t, wantBefore, p.Before)
			require.Equal(t, tt.wantBefore, p.Before != "")
			wantAfter, err := StateDigest(tt.after)
			require.NoError(t, err)
			require.Equal(t, wantAfter, p.After)
			require.Equal(t, tt.wantAfter, p.After != "")

			again, err := Redact(tt.before, tt.after, tt.sensitive)
			require.NoError(t, err)
			require.Equal(t, p, again, "Redact must be deterministic")
		})
	}
}

// TestRedactCanary plants a unique value in sensitive fields and checks it
// appears nowhere a payload could be read from.
func TestRedactCanary(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-987-65-4321"
	type withNested struct {
		Name    string            `json:"name"`
		Private map[string]string `json:"private"`
	}
	tests := []struct {
		name          string
		before, after any
		sensitive     func(string) bool
	}{
		{"created with a secret", nil, officerRecord{ID: "x", SSN: canary}, sensitiveSSN},
		{"secret changed", officerRecord{ID: "x", SSN: "old"}, officerRecord{ID: "x", SSN: canary}, sensitiveSSN},
		{"secret removed", officerRecord{ID: "x", SSN: canary}, officerRecord{ID: "x"}, sensitiveSSN},
		{"deleted with a secret", officerRecord{ID: "x", SSN: canary}, nil, sensitiveSSN},
		{"secret unchanged while others change", officerRecord{ID: "x", SSN: canary}, officerRecord{ID: "y", SSN: canary}, sensitiveSSN},
		{
			"secret nested under a sensitive field",
			withNested{Name: "a", Private: map[string]string{"ssn": "old"}},
			withNested{Name: "b", Private: map[string]string{"ssn": canary}},
			func(f string) bool { return f == "private" },
		},
		{"no sensitive function", nil, officerRecord{ID: "x", SSN: canary}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Redact(tt.before, tt.after, tt.sensitive)
			require.NoError(t, err)

			canon, err := p.Canonical()
			require.NoError(t, err)
			require.NotContains(t, string(canon), canary)
			require.NotContains(t, fmt.Sprintf("%#v", p), canary)
			plain, err := json.Marshal(p)
			require.NoError(t, err)
			require.NotContains(t, string(plain), canary)
		})
	}
}

func TestRedactErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after any
	}{
		{"before is not an object", "just a string", nil},
		{"after is not an object", nil, []int{1, 2}},
		{"unencodable value", nil, map[string]any{"c": make(chan int)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Redact(tt.before, tt.after, sensitiveSSN)
			require.Error(t, err)
		})
	}
}

func TestStateDigest(t *testing.T) {
	t.Parallel()
	d, err := StateDigest(map[string]any{"b": 1, "a": "<x>"})
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(`{"a":"<x>","b":1}`))
	require.Equal(t, hex.EncodeToString(sum[:]), d, "keys sorted, no HTML escaping, no whitespace")

	d, err = StateDigest(nil)
	require.NoError(t, err)
	require.Empty(t, d)
}

func TestPayloadDigestSurvivesStorage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Payload
	}{
		{"zero payload", Payload{}},
		{"empty diff", Payload{Before: "aa", Diff: []FieldChange{}}},
		{"go values, not generic ones", Payload{Diff: []FieldChange{
			{Field: "n", Old: 3, New: 4.5},
			{Field: "big", Old: int64(1) << 62, New: uint64(1<<64 - 1)},
			{Field: "s", Old: []string{"x", "<y>"}, New: map[string]int{"b": 2, "a": 1}},
			{Field: "r", Old: struct{ Z, A int }{1, 2}, New: nil},
		}}},
		{"awkward strings", Payload{Before: "\u2028\x00\"\\\xff", Diff: []FieldChange{
			{Field: "ctl\t\n\b\f\x1f", Old: "é\u2029", New: "<&>"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := tt.p.Digest()
			require.NoError(t, err)
			canon, err := tt.p.Canonical()
			require.NoError(t, err)
			require.Equal(t, sha256.Sum256(canon), d)

			stored, err := ParsePayload(canon)
			require.NoError(t, err)
			d2, err := stored.Digest()
			require.NoError(t, err)
			require.Equal(t, d, d2, "digest changed across a store round trip")
			canon2, err := stored.Canonical()
			require.NoError(t, err)
			require.Equal(t, string(canon), string(canon2))
		})
	}
}

func TestPayloadNilAndEmptyDiffAgree(t *testing.T) {
	t.Parallel()
	a, err := Payload{Before: "x"}.Digest()
	require.NoError(t, err)
	b, err := Payload{Before: "x", Diff: []FieldChange{}}.Digest()
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestParsePayloadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"unknown field", `{"after":"","before":"","diff":[],"extra":1}`},
		{"trailing data", `{"after":"","before":"","diff":[]} {}`},
		{"not json", `nope`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePayload([]byte(tt.in))
			require.Error(t, err)
		})
	}
}

// randomString mixes pieces that hit every escaping rule, including
// invalid and truncated UTF-8.
func randomString(rng *rand.Rand) string {
	pieces := []string{"a", "é", "\u2028", "\u2029", "\x00", "\x1f", "\x7f", "\"", "\\", "<", ">", "&", "\n", "\t", "\xff", "\xe2\x80", "😀", " "}
	var b strings.Builder
	for range rng.IntN(6) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// randomGeneric builds the kind of value ParsePayload yields, plus a few
// Go values that force the encoding/json fallback.
func randomGeneric(rng *rand.Rand, depth int) any {
	str := func() string { return randomString(rng) }
	numbers := []json.Number{"0", "-0", "12", "-3.25", "1e9", "1E+2", "6.02e-23", "9007199254740993", "", "01", "1.", "abc", "+1"}
	k := rng.IntN(8)
	if depth > 2 {
		k = rng.IntN(4)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return str()
	case 3:
		return numbers[rng.IntN(len(numbers))]
	case 4:
		if rng.IntN(5) == 0 {
			return []any(nil)
		}
		s := make([]any, rng.IntN(4))
		for i := range s {
			s[i] = randomGeneric(rng, depth+1)
		}
		return s
	case 5:
		if rng.IntN(5) == 0 {
			return map[string]any(nil)
		}
		m := make(map[string]any)
		for range rng.IntN(4) {
			m[str()] = randomGeneric(rng, depth+1)
		}
		return m
	case 6:
		return rng.Float64() * 1e6
	default:
		return []string{str()}
	}
}

// TestCanonicalFastPathMatchesEncodingJSON pins the hand-written encoder to
// its definition: any divergence would make digests depend on which path ran.
func TestCanonicalFastPathMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(42, 43))
	for i := range 3000 {
		p := Payload{Before: randomString(rng), After: fmt.Sprint(i)}
		for range rng.IntN(4) {
			p.Diff = append(p.Diff, FieldChange{Field: randomString(rng), Old: randomGeneric(rng, 0), New: randomGeneric(rng, 0)})
		}
		want, wantErr := p.canonicalSlow()
		got, gotErr := p.Canonical()
		if wantErr != nil {
			require.Error(t, gotErr, "payload %#v", p)
			continue
		}
		require.NoError(t, gotErr, "payload %#v", p)
		require.Equal(t, string(want), string(got), "payload %#v", p)
	}
}

func FuzzCanonicalString(f *testing.F) {
	for _, s := range []string{"", "plain", "\u2028\u2029", "\xff\xfe", "\x00\x1f\x7f", `"\`, "<&>", "\xe2\x80"} {
		f.Add(s, "1.5e3")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, s, num string) {
		p := Payload{Before: s, Diff: []FieldChange{{Field: s, Old: s, New: json.Number(num)}}}
		want, wantErr := p.canonicalSlow()
		got, gotErr := p.Canonical()
		if wantErr != nil {
			require.Error(t, gotErr)
			return
		}
		require.NoError(t, gotErr)
		require.Equal(t, string(want), string(got))

		stored, err := ParsePayload(got)
		require.NoError(t, err)
		again, err := stored.Canonical()
		require.NoError(t, err)
		require.Equal(t, string(got), string(again), "not stable across a store round trip")
	})
}

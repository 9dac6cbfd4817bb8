package audit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// typedAll has a field for every branch of the typed path: each kind,
// json.Number, times and pointers to them, interfaces, maps, byte slices
// and arrays, every omit rule (IsZero by value and by pointer receiver),
// tag names encoding/json refuses, skipped and unexported fields, and
// recursion.
type typedAll struct {
	S        string         `json:"s"`
	I8       int8           `json:"i8,omitempty"`
	U        uint64         `json:"u"`
	F32      float32        `json:"f32"`
	F64      float64        `json:"f64,omitempty"`
	B        bool           `json:"b,omitempty"`
	Bytes    []byte         `json:"bytes"`
	Arr      [2]uint8       `json:"arr"`
	Num      json.Number    `json:"num,omitempty"`
	T        time.Time      `json:"t,omitzero"`
	TP       *time.Time     `json:"tp,omitzero"`
	Any      any            `json:"any"`
	M        map[string]any `json:"m,omitempty"`
	Named    typedName      `json:"named"`
	Zero     valueZero      `json:"zero,omitzero"`
	PtrZero  pointerZero    `json:"ptrZero,omitzero"`
	Plain    typedInner     `json:"plain,omitzero"`
	Stringer fmt.Stringer   `json:"stringer"`
	NoTag    string
	Odd      string `json:"x-y z!"`
	//lint:ignore SA5008 a tag name encoding/json refuses is the point
	Refused string            `json:"a\"b"`
	Inner   *typedAll         `json:"inner,omitempty"`
	Slice   []typedInner      `json:"slice"`
	ByName  map[typedName]int `json:"byName"`
	Skip    string            `json:"-"`
	//lint:ignore SA5008 the member named "-" is the point
	Dash   string `json:"-,"`
	hidden int
}

type typedName string

func (n typedName) String() string { return string(n) }

type typedInner struct {
	Z string    `json:"z"`
	A []int     `json:"a"`
	W time.Time `json:"w"`
}

type valueZero struct{ N int }

func (z valueZero) IsZero() bool { return z.N < 0 }

type pointerZero struct{ N int }

func (z *pointerZero) IsZero() bool { return z.N == 7 }

func randomTime(rng *rand.Rand) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("LMT", 8*3600+343),
		time.FixedZone("W", -(3*3600 + 30*60)), time.FixedZone("far", 23*3600+59*60)}
	return time.Unix(rng.Int64N(4e9)-1e9, rng.Int64N(1e9)*int64(rng.IntN(2))).In(zones[rng.IntN(len(zones))])
}

func randomTypedAll(rng *rand.Rand, depth int) typedAll {
	floats := []float64{0, math.Copysign(0, -1), 1, -2.5, 1e21, 1e20, 1e-6, 1e-7, 123.456, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64}
	v := typedAll{
		S: randomString(rng), I8: int8(rng.IntN(256) - 128), U: rng.Uint64(), F32: float32(floats[rng.IntN(len(floats)-2)]),
		F64: floats[rng.IntN(len(floats))], B: rng.IntN(2) == 0, Arr: [2]uint8{uint8(rng.IntN(256)), 0},
		Num: []json.Number{"", "0", "-1.5e3", "12345678901234567890"}[rng.IntN(4)], Any: randomGeneric(rng, 1),
		Named: typedName(randomString(rng)), Zero: valueZero{rng.IntN(3) - 1}, PtrZero: pointerZero{6 + rng.IntN(2)},
		NoTag: randomString(rng), Odd: "o", Refused: "r", Skip: "never", Dash: "dash", hidden: 1,
	}
	if rng.IntN(3) > 0 {
		v.T = randomTime(rng)
	}
	if rng.IntN(2) == 0 {
		t := randomTime(rng)
		v.TP = &t
	}
	if rng.IntN(2) == 0 {
		v.Bytes = []byte(randomString(rng))
	}
	if rng.IntN(2) == 0 {
		v.Plain = typedInner{Z: randomString(rng), A: []int{rng.IntN(9)}, W: randomTime(rng)}
	}
	if rng.IntN(2) == 0 {
		v.Stringer = typedName(randomString(rng))
	}
	if m, ok := randomGeneric(rng, 1).(map[string]any); ok {
		v.M = m
	}
	for range rng.IntN(3) {
		v.Slice = append(v.Slice, typedInner{Z: randomString(rng), W: randomTime(rng)})
	}
	if rng.IntN(2) == 0 {
		v.ByName = map[typedName]int{typedName(randomString(rng)): 1, "b": 2}
	}
	if depth < 2 && rng.IntN(2) == 0 {
		in := randomTypedAll(rng, depth+1)
		v.Inner = &in
	}
	if rng.IntN(4) == 0 {
		v.Any = randomTypedAll(rng, 2)
	}
	return v
}

// definitionState is what Redact's definition makes of a state: its
// top-level members as canonical JSON and its digest.
func definitionState(t *testing.T, v any) (map[string]string, string) {
	t.Helper()
	m, digest, err := state(v)
	require.NoError(t, err)
	out := map[string]string{}
	for k, x := range m {
		b, err := marshalJSON(x)
		require.NoError(t, err)
		out[k] = string(b)
	}
	return out, digest
}

// TestTypedStateMatchesDefinition pins the typed path to the definition,
// member by member and digest by digest, over every branch it takes; a
// state it cannot write exactly must make it step aside, never differ.
func TestTypedStateMatchesDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	var states []any
	for range 3000 {
		v := randomTypedAll(rng, 0)
		states = append(states, v, &v)
	}
	states = append(states, nil, (*typedAll)(nil), map[string]any(nil), map[string]int{"b": 1, "a": 2}, map[typedName]any{"z": nil},
		typedAll{}, &typedInner{}, map[string]typedInner{"k": {}})
	taken := 0
	for i, v := range states {
		fields, digest, ok := typedState(v, new(stateScratch))
		if !ok {
			continue
		}
		taken++
		want, wantDigest := definitionState(t, v)
		require.Equal(t, wantDigest, digest, "state %d: %#v", i, v)
		got := map[string]string{}
		for j, f := range fields {
			if j > 0 {
				require.Less(t, fields[j-1].name, f.name, "state %d: members not sorted", i)
			}
			got[f.name] = string(f.value)
		}
		if wantDigest == "" {
			require.Empty(t, got)
			continue
		}
		require.Equal(t, want, got, "state %d: %#v", i, v)
	}
	// An empty or invalid json.Number or an invalid UTF-8 map key sends a
	// state aside (a quarter of the numbers are empty, and the generic
	// values have both); nothing else does.
	require.Greater(t, taken, len(states)/3, "the typed path stepped aside too often")
}

type withEmbedded struct {
	typedInner
	X int `json:"x"`
}

type marshalsItself struct{ N int }

func (m marshalsItself) MarshalJSON() ([]byte, error) { return []byte(`{"n" : 1}`), nil }

type textByPointer struct{ N int }

func (m *textByPointer) MarshalText() ([]byte, error) { return []byte("text"), nil }

type quoted struct {
	N int `json:"n,string"`
}

type cyclic struct {
	Next *cyclic `json:"next"`
}

type withFloat struct {
	F float64 `json:"f"`
}

type withTime struct {
	T time.Time `json:"t"`
}

type withNumber struct {
	N json.Number `json:"n"`
}

// duplicate has two members named A: encoding/json keeps the tagged one.
type duplicate struct {
	A string
	B string `json:"A"`
}

// TestTypedStateStepsAside lists what the typed path leaves to the
// definition (which may encode it, or refuse it): RedactCanonical must give
// the definition's bytes, or an error where it errs.
func TestTypedStateStepsAside(t *testing.T) {
	t.Parallel()
	loop := &cyclic{}
	loop.Next = loop
	for _, c := range []struct {
		name string
		v    any
	}{
		{"embedded struct", withEmbedded{X: 1}},
		{"own marshaler", marshalsItself{}},
		{"field with its own marshaler", struct {
			M marshalsItself `json:"m"`
		}{}},
		{"text marshaler by pointer", struct {
			T textByPointer `json:"t"`
		}{}},
		{"string option", quoted{N: 3}},
		{"NaN", withFloat{F: math.NaN()}},
		{"infinity", withFloat{F: math.Inf(-1)}},
		{"year 10000", withTime{T: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year -1", withTime{T: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"offset of a day", withTime{T: time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))}},
		{"empty number", withNumber{N: ""}},
		{"invalid number", withNumber{N: "1."}},
		{"int keys", map[int]string{2: "b", 1: "a"}},
		{"invalid UTF-8 key", map[string]int{"\xff": 1, "\xfe": 2}},
		{"cycle", loop},
		{"duplicate names", duplicate{A: "a", B: "b"}},
		{"not an object", []int{1}},
		{"a time", time.Now()},
		{"a func", map[string]any{"f": func() {}}},
	} {
		_, _, ok := typedState(c.v, new(stateScratch))
		require.False(t, ok, c.name)
		p, wantErr := Redact(nil, c.v, nil)
		var want []byte
		if wantErr == nil {
			want, wantErr = p.Canonical()
		}
		got, err := RedactCanonical(nil, c.v, nil)
		if wantErr != nil {
			require.Error(t, err, c.name)
			continue
		}
		require.NoError(t, err, c.name)
		require.Equal(t, string(want), string(got), c.name)
	}
}

// TestRedactCanonicalTypedMatchesRedact is TestRedactCanonicalMatchesRedact
// over typed states: creations, updates (with a few members changed) and
// deletions.
func TestRedactCanonicalTypedMatchesRedact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 14))
	sensitive := func(f string) bool { return f == "s" || f == "bytes" }
	for i := range 1000 {
		a, b := randomTypedAll(rng, 0), randomTypedAll(rng, 0)
		if i%2 == 0 {
			b = a
			b.S, b.U = randomString(rng), rng.Uint64()
		}
		for _, c := range [][2]any{{nil, a}, {a, b}, {&a, nil}} {
			p, wantErr := Redact(c[0], c[1], sensitive)
			var want []byte
			if wantErr == nil {
				want, wantErr = p.Canonical()
			}
			got, err := RedactCanonical(c[0], c[1], sensitive)
			if wantErr != nil {
				// An invalid json.Number in the generic values.
				require.Error(t, err, "case %d", i)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, string(want), string(got), "case %d", i)
			require.Equal(t, sha256.Sum256(want), sha256.Sum256(got))
		}
	}
}

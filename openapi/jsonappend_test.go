package openapi

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tricky are the strings a random value draws from: what encoding/json
// escapes (quotes, backslashes, control characters, < > &, U+2028 and
// U+2029), invalid UTF-8, Chinese text, and the empty string.
var tricky = []string{"", "a", "王某", "压测前的走访", `"quoted"`, `back\slash`, "<script>&amp;</script>", "line\nbreak\ttab\r",
	"\b\f\x00\x01\x1f\x7f", "bad \xff\xfe utf8", "sep\u2028ara\u2029tors", "emoji 🚓", "\xe2\x80", "é", "a>b&c<d"}

// fillRandom sets every field that v reaches to a random value, so that a field
// added to a type is filled (and compared) without changing this test.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(tricky[rng.IntN(len(tricky))] + tricky[rng.IntN(len(tricky))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch rng.IntN(3) {
		case 0:
		case 1:
			v.SetInt(rng.Int64N(100) - 50)
		default:
			v.SetInt(rng.Int64())
		}
	case reflect.Slice:
		switch n := rng.IntN(5); n {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fillRandom(rng, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(randomTime(rng)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i))
			}
		}
	default:
		panic("fill: no random " + v.Type().String())
	}
}

// randomTime is the zero time, or a time in 0001–9999 with or without
// fractions of a second, in UTC, Beijing time or a fixed odd offset.
func randomTime(rng *rand.Rand) time.Time {
	if rng.IntN(5) == 0 {
		return time.Time{}
	}
	t := time.Date(1+rng.IntN(9999), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0, time.UTC)
	switch rng.IntN(3) {
	case 1:
		t = t.Add(time.Duration(rng.IntN(1e9)))
	case 2:
		t = t.Add(time.Duration(rng.IntN(1e6)) * time.Microsecond)
	}
	switch rng.IntN(3) {
	case 1:
		t = t.In(time.FixedZone("CST", 8*3600))
	case 2:
		t = t.In(time.FixedZone("", -(3*3600 + 30*60)))
	}
	return t
}

// TestAppendString quotes every pair of tricky strings as encoding/json
// does.
func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, a := range tricky {
		for _, b := range tricky {
			want, err := json.Marshal(a + b)
			require.NoError(t, err)
			require.Equal(t, string(want), string(appendString(nil, a+b)))
		}
	}
}

// TestAppendTimeEdges writes the edges of a time as time.Time's
// MarshalJSON does: the first and last years, fractions of one to nine
// digits, trailing zeros, and other zones than UTC.
func TestAppendTimeEdges(t *testing.T) {
	t.Parallel()
	beijing := time.FixedZone("CST", 8*3600)
	for _, year := range []int{0, 1, 999, 2020, 9999} {
		for _, ns := range []int{0, 1, 10, 999, 1000, 123000000, 100000000, 999999999, 120} {
			for _, loc := range []*time.Location{time.UTC, beijing} {
				at := time.Date(year, 12, 31, 23, 59, 59, ns, loc)
				want, err := json.Marshal(at)
				require.NoError(t, err)
				got, err := appendTime(nil, at)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got))
			}
		}
	}
}

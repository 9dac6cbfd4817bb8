package openapi

import (
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
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

// stdEncoded is what the generated answer writes: encoding/json.
func stdEncoded(t *testing.T, r api.ListVisits200JSONResponse) (*httptest.ResponseRecorder, error) {
	t.Helper()
	w := httptest.NewRecorder()
	return w, r.VisitListVisitsResponse(w)
}

// TestVisitJSON holds the append encoder of a visit to encoding/json's
// bytes over random visits: every field of api.Visit and of its elements
// filled with escapable text, invalid UTF-8, empty and nil lists, zero and
// zoned times.
func TestVisitJSON(t *testing.T) {
	t.Parallel()
	for seed := range uint64(5000) {
		rng := rand.New(rand.NewPCG(seed, 13))
		var v api.Visit
		fillRandom(rng, reflect.ValueOf(&v).Elem())
		want, err := json.Marshal(v)
		require.NoError(t, err)
		var o object
		appendVisit(&o, v)
		require.NoError(t, o.err)
		require.Equal(t, string(want), string(o.b), "seed %d", seed)
	}
}

// TestVisitPageAnswer compares the whole answer, translation included,
// with the generated one over random stored visits: status, headers and
// body, an empty page and a page with a cursor among them.
func TestVisitPageAnswer(t *testing.T) {
	t.Parallel()
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 50))
		var visits []outreach.Visit
		fillRandom(rng, reflect.ValueOf(&visits).Elem())
		next := tricky[rng.IntN(len(tricky))]
		want, err := stdEncoded(t, api.ListVisits200JSONResponse{Items: mapSlice(visits, visitOut), Next: next})
		require.NoError(t, err)
		got := httptest.NewRecorder()
		require.NoError(t, visitPage{visits: visits, next: next}.VisitListVisitsResponse(got))
		require.Equal(t, want.Code, got.Code)
		require.Equal(t, want.Header(), got.Header())
		require.Equal(t, want.Body.String(), got.Body.String(), "seed %d", seed)
	}
}

// TestVisitPageBadTime answers a time JSON cannot carry with an error, as
// encoding/json does, and writes nothing.
func TestVisitPageBadTime(t *testing.T) {
	t.Parallel()
	for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		visits := []outreach.Visit{{ID: "v1", VisitedAt: at}}
		_, wantErr := stdEncoded(t, api.ListVisits200JSONResponse{Items: mapSlice(visits, visitOut)})
		require.Error(t, wantErr)
		got := httptest.NewRecorder()
		require.Error(t, visitPage{visits: visits}.VisitListVisitsResponse(got))
		require.Zero(t, got.Body.Len())
		require.Empty(t, got.Header().Get("Content-Type"))
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

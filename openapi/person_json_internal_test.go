package openapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// encodingJSON is what the generated GetPerson200JSONResponse writes.
func encodingJSON(t *testing.T, p api.Person) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(p))
	return buf.Bytes()
}

// randomPerson sets every field of a person (found by reflection, so a
// field added to the contract is filled too) from r.
func randomPerson(r *rand.Rand) api.Person {
	var p api.Person
	fillRandom(r, reflect.ValueOf(&p).Elem())
	return p
}

// TestPersonJSONIsEncodingJSON: GetPerson's direct encoder writes exactly
// the bytes encoding/json writes, for the empty person, one with every
// field set, and many random ones (each field empty or not, every escape).
func TestPersonJSONIsEncodingJSON(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(13, 1))
	full := randomPerson(r)
	v := reflect.ValueOf(&full).Elem()
	for i := range v.NumField() { // every field present at least once
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.String && f.String() == "":
			f.SetString("x")
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Slice && f.Len() == 0:
			f.Set(reflect.ValueOf(filledSlice(f.Type())))
		case f.Type() == reflect.TypeFor[time.Time]() && f.Interface().(time.Time).IsZero():
			f.Set(reflect.ValueOf(time.Date(2020, 5, 6, 1, 0, 0, 0, time.UTC)))
		}
	}
	persons := []api.Person{{}, full}
	for range 2000 {
		persons = append(persons, randomPerson(r))
	}
	for _, p := range persons {
		got, err := appendPerson(nil, &p)
		require.NoError(t, err)
		require.Equal(t, string(encodingJSON(t, p)), string(got))
	}
	require.Contains(t, string(encodingJSON(t, full)), `"unidentified":true`) // full has every field
}

func filledSlice(typ reflect.Type) any {
	s := reflect.MakeSlice(typ, 1, 1)
	e := s.Index(0)
	if e.Kind() == reflect.String {
		e.SetString("key")
	} else {
		for k := range e.NumField() {
			e.Field(k).SetString("mobile")
		}
	}
	return s.Interface()
}

// TestPersonResponseAnswersAsGenerated: the status, headers and body are
// those of the generated response.
func TestPersonResponseAnswersAsGenerated(t *testing.T) {
	t.Parallel()
	p := randomPerson(rand.New(rand.NewPCG(1, 2)))
	want, got := httptest.NewRecorder(), httptest.NewRecorder()
	require.NoError(t, api.GetPerson200JSONResponse{Body: p, Headers: api.GetPerson200ResponseHeaders{ETag: etag(7)}}.VisitGetPersonResponse(want))
	require.NoError(t, personResponse{p: p, etag: etag(7)}.VisitGetPersonResponse(got))
	requireAnswersAs(t, want, got)
}

// TestPersonJSONRefusesWhatEncodingJSONRefuses: a time out of RFC 3339's
// years fails as Time.MarshalJSON does, rather than writing bad JSON.
func TestPersonJSONRefusesWhatEncodingJSONRefuses(t *testing.T) {
	t.Parallel()
	p := api.Person{Id: "p", CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, err := json.Marshal(p)
	require.Error(t, err)
	_, err = appendPerson(nil, &p)
	require.Error(t, err)
}

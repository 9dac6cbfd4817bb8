package openapi

import (
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// stdEncoded is what the generated answer writes: encoding/json.
func stdEncoded(t *testing.T, r api.ListVisits200JSONResponse) (*httptest.ResponseRecorder, error) {
	t.Helper()
	w := httptest.NewRecorder()
	return w, r.VisitListVisitsResponse(w)
}

// requireAnswersAs: got is want's answer, status, headers and body, with
// one header more where want's body is longer than net/http sends
// unchunked: its Content-Length (see writeDocument).
func requireAnswersAs(t *testing.T, want, got *httptest.ResponseRecorder) {
	t.Helper()
	require.Equal(t, want.Code, got.Code)
	require.Equal(t, want.Body.String(), got.Body.String())
	header := want.Header().Clone()
	if want.Body.Len() > unframedBody {
		header.Set("Content-Length", strconv.Itoa(want.Body.Len()))
	}
	require.Equal(t, header, got.Header())
}

// visitPageOf is the answer of a page of visits, each encoded anew.
func visitPageOf(visits []outreach.Visit, next string) (visitPage, error) {
	p := visitPage{items: make([][]byte, len(visits)), next: next}
	for i, v := range visits {
		var err error
		if p.items[i], err = encodeObject(v, visitObject); err != nil {
			return visitPage{}, err
		}
	}
	return p, nil
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
		o.open()
		visitFields(&o, v)
		o.close()
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
		page, err := visitPageOf(visits, next)
		require.NoError(t, err)
		require.NoError(t, page.VisitListVisitsResponse(got))
		requireAnswersAs(t, want, got)
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
		_, err := visitPageOf(visits, "")
		require.Error(t, err)
	}
}

package openapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi"
	"github.com/grassroots-policing/grassroots/outreach"
)

// TestVisitListCacheAnswersAsUncached lists visits through handlers that
// keep the encoded visits (a roomy cache, and one so small that it evicts
// all the time) and through one that keeps none, over the same services:
// for actors who see sensitive visits, who see them masked and who may not
// see them at all, every page of every list, asked twice, is the same
// bytes; and after visits are amended (their notes, a person merge's
// re-pointing aside) no handler answers their old version.
func TestVisitListCacheAnswersAsUncached(t *testing.T) {
	eachBackend(t, testVisitListCacheAnswersAsUncached)
}

func testVisitListCacheAnswersAsUncached(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b)
	ctx := context.Background()
	addr := w.address(t, "张店区潘庄社区7号楼", "潘庄社区")
	p, err := w.k.CreatePerson(ctx, w.community, casework.PersonInput{UnitID: w.station.ID, Name: "赵某", AddressID: addr.ID,
		Tags: []casework.Tag{casework.TagKeyPerson, casework.TagDifficultFamily}})
	require.NoError(t, err)
	t0 := time.Date(2020, 3, 1, 2, 0, 0, 0, time.UTC)
	kinds := []outreach.TargetKind{outreach.KeyPersonFamily, outreach.DifficultFamily, outreach.SpecialPersonFamily}
	var visits []outreach.Visit
	for i := range 12 {
		v, err := w.out.RecordVisit(ctx, w.community, outreach.VisitInput{UnitID: w.station.ID, AddressID: addr.ID, PersonID: p.ID,
			TargetKind: kinds[i%len(kinds)], VisitedAt: t0.Add(time.Duration(i/2) * time.Hour), Notes: fmt.Sprintf("走访记录 %d", i),
			Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: "送米送油"}}})
		require.NoError(t, err)
		visits = append(visits, v)
	}
	grid := w.staff(t, w.station, "网格员", []string{"潘庄社区"}, casework.RoleGridWorker)
	actors := map[string]casework.Actor{"community officer (sees sensitive)": w.community, "officer (masked)": w.officer,
		"branch chief (sees sensitive)": w.chief, "grid worker (no sensitive visits)": grid, "admin (masked)": w.admin}

	handler := func(cacheBytes int64) *httptest.Server {
		h, err := openapi.NewHandler(&openapi.Config{Kernel: w.k, Cases: w.cases, Mediation: w.med, Outreach: w.out, Recovery: w.rec,
			Auth: w.auth, ListCacheBytes: cacheBytes})
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	uncached := handler(-1)
	cached := map[string]*httptest.Server{"default": handler(0), "tiny": handler(2500)}
	get := func(srv *httptest.Server, a casework.Actor, path string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+a.StaffID)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	// compare walks every page of each list as each actor and requires
	// every cached handler to answer each page as the uncached one does,
	// twice; it returns the uncached bodies.
	compare := func() string {
		t.Helper()
		var all strings.Builder
		for name, a := range actors {
			for _, query := range []string{"limit=4", "limit=50", "targetKind=key_person_family&limit=2",
				"from=" + url.QueryEscape(t0.Add(2*time.Hour).Format(time.RFC3339)) + "&limit=3", "unitId=" + w.branch.ID + "&limit=5"} {
				path := "/v1/visits?" + query
				for page := 0; ; page++ {
					code, want := get(uncached, a, path)
					for cname, srv := range cached {
						for round := range 2 {
							gotCode, got := get(srv, a, path)
							require.Equal(t, code, gotCode, "%s, %s cache, %s, round %d: %s", name, cname, path, round, got)
							if code == http.StatusOK { // a problem names its request
								require.Equal(t, want, got, "%s, %s cache, %s, round %d", name, cname, path, round)
							}
						}
					}
					all.WriteString(want)
					next := nextCursor(t, want)
					if code != http.StatusOK || next == "" {
						break
					}
					path = "/v1/visits?" + query + "&cursor=" + url.QueryEscape(next)
				}
			}
		}
		return all.String()
	}
	before := compare()
	require.Contains(t, before, "走访记录 0", "a sensitive visit's notes, for those who see them")
	require.Contains(t, before, `"masked":true`)

	for _, i := range []int{0, 1, 5, 10} {
		notes := fmt.Sprintf("补充记录 %d", i)
		cur, err := w.out.GetVisit(ctx, w.community, visits[i].ID)
		require.NoError(t, err)
		_, err = w.out.AmendVisit(ctx, w.community, visits[i].ID, cur.Version, outreach.VisitAmendment{Notes: &notes})
		require.NoError(t, err)
	}
	after := compare()
	for _, i := range []int{0, 1, 5, 10} {
		require.Contains(t, after, fmt.Sprintf("补充记录 %d", i))
		require.NotContains(t, after, fmt.Sprintf(`"notes":"走访记录 %d"`, i), "an amended visit answered at its old version")
	}
}

// nextCursor is a list answer's next cursor ("" for none).
func nextCursor(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `"next":"`)
	if !ok {
		return ""
	}
	next, _, ok := strings.Cut(rest, `"`)
	require.True(t, ok)
	return next
}

// TestLongAnswerIsSentWithItsLength: a page of visits longer than net/http
// sends unchunked carries its Content-Length (one write fewer for the
// server than a chunked body), and a short page too, as net/http sends it.
func TestLongAnswerIsSentWithItsLength(t *testing.T) {
	t.Parallel()
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区")
	ctx := context.Background()
	addr := w.address(t, "张店区潘庄社区7号楼", "潘庄社区")
	t0 := time.Date(2020, 3, 1, 2, 0, 0, 0, time.UTC)
	for i := range 12 {
		_, err := w.out.RecordVisit(ctx, w.community, outreach.VisitInput{UnitID: w.station.ID, AddressID: addr.ID, TargetKind: outreach.DifficultFamily,
			VisitedAt: t0.Add(time.Duration(i) * time.Hour), Notes: fmt.Sprintf("走访记录 %d", i)})
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		limit   int
		chunked bool // what net/http would do without the handler's length
	}{{12, true}, {1, false}} {
		resp := w.do(t, w.community, http.MethodGet, fmt.Sprintf("/v1/visits?limit=%d", tc.limit), "")
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Equal(t, tc.chunked, len(body) > 2048)
		require.Empty(t, resp.TransferEncoding)
		require.Equal(t, int64(len(body)), resp.ContentLength)
	}
}

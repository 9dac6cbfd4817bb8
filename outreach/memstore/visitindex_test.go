package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

var (
	indexUnits = []string{"u1", "u2", "u3", "u4"}
	indexKinds = []outreach.TargetKind{outreach.DifficultFamily, outreach.School, outreach.Village}
	indexT0    = time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	// indexZones are the locations visits' times come in: the index keeps
	// each, so that a ref's time is the row's.
	indexZones = []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("EST", -5*3600)}
)

// randomVisit is a visit of a random unit, kind, hour (many share one
// time, so the id breaks ties) and location, a random one of two
// officers and of two campaigns.
func randomVisit(rng *rand.Rand, id string) outreach.Visit {
	return outreach.Visit{ID: id, UnitID: indexUnits[rng.IntN(len(indexUnits))], TargetKind: indexKinds[rng.IntN(len(indexKinds))],
		VisitedAt:  indexT0.Add(time.Duration(rng.IntN(48)) * time.Hour).In(indexZones[rng.IntN(len(indexZones))]),
		OfficerIDs: []string{fmt.Sprintf("st-%d", rng.IntN(2))}, CampaignID: fmt.Sprintf("c-%d", rng.IntN(2)), Version: 1}
}

// randomQuery is a filter of a random unit set (nil: all), kind, period
// and officer, and a page size.
func randomQuery(rng *rand.Rand) (cmem.UnitSet, outreach.VisitFilter, int) {
	var u cmem.UnitSet
	if rng.IntN(4) > 0 {
		u = cmem.UnitSet{}
		for _, id := range indexUnits {
			if rng.IntN(2) == 0 {
				u[id] = true
			}
		}
	}
	var f outreach.VisitFilter
	if rng.IntN(2) == 0 {
		f.TargetKind = indexKinds[rng.IntN(len(indexKinds))]
	}
	if rng.IntN(2) == 0 {
		f.From = indexT0.Add(time.Duration(rng.IntN(48)) * time.Hour)
	}
	if rng.IntN(2) == 0 {
		f.To = indexT0.Add(time.Duration(rng.IntN(48)) * time.Hour)
	}
	if rng.IntN(3) == 0 {
		f.OfficerID = "st-1"
	}
	if rng.IntN(4) == 0 {
		f.CampaignID = "c-1"
	}
	return u, f, 1 + rng.IntN(7)
}

// keep is ListVisits' filter for u and f, as a scan of every visit
// applies it.
func keep(u cmem.UnitSet, f outreach.VisitFilter) func(outreach.Visit) bool {
	return func(v outreach.Visit) bool {
		return u.Has(v.UnitID) && (f.TargetKind == "" || v.TargetKind == f.TargetKind) && within(v.VisitedAt, f.From, f.To) &&
			(f.OfficerID == "" || slices.Contains(v.OfficerIDs, f.OfficerID)) && (f.CampaignID == "" || v.CampaignID == f.CampaignID)
	}
}

// requirePagesMatchScan walks every page of a query through the index and
// through a scan of every visit, and requires the same visits in the same
// order, and their refs (times in their locations) in the list of refs.
func requirePagesMatchScan(t *testing.T, s *Store, u cmem.UnitSet, f outreach.VisitFilter, limit int) {
	t.Helper()
	after := ""
	for {
		p := casework.Page{Limit: limit, After: after}
		var got, want []outreach.Visit
		var refs []outreach.VisitRef
		require.NoError(t, s.db.Read(t.Context(), func() (err error) {
			if _, got, err = s.page(u, f, p, true); err != nil {
				return err
			}
			if refs, _, err = s.page(u, f, p, false); err != nil {
				return err
			}
			want, err = cmem.List(s.allVisits(t), keep(u, f), func(v outreach.Visit) casework.Cursor {
				return casework.Cursor{At: v.VisitedAt, ID: v.ID}
			}, outreach.Visit.Clone, p)
			return err
		}))
		require.Equal(t, want, got, "units %v, filter %+v, page %+v", u, f, p)
		wantRefs := make([]outreach.VisitRef, len(want))
		for i, v := range want {
			wantRefs[i] = v.Ref()
		}
		require.Equal(t, wantRefs, refs, "units %v, filter %+v, page %+v", u, f, p)
		if len(got) < limit {
			return
		}
		last := got[len(got)-1]
		after = casework.Cursor{At: last.VisitedAt, ID: last.ID}.Encode()
	}
}

// TestVisitIndexPagesMatchScan compares every page of random queries read
// through the index with a scan of every visit, as visits are added and
// amended, and after an atomic write that failed put the store back.
func TestVisitIndexPagesMatchScan(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	db := cmem.New()
	s := New(db)
	for i := range 300 {
		v := randomVisit(rng, fmt.Sprintf("v%03d", rng.IntN(1000))+fmt.Sprint(i))
		require.NoError(t, s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}))
		for n := range i % 3 {
			v.Notes, v.Version = fmt.Sprint("amended ", n), v.Version+1
			require.NoError(t, s.UpdateVisit(ctx, v, casework.Change{}))
		}
		if i%25 == 0 {
			for range 20 {
				u, f, limit := randomQuery(rng)
				requirePagesMatchScan(t, s, u, f, limit)
			}
		}
	}
	failed := errors.New("the write failed")
	require.ErrorIs(t, db.Atomically(ctx, func(ctx context.Context) error {
		for i := range 50 {
			require.NoError(t, s.CreateVisit(ctx, outreach.VisitWrite{Visit: randomVisit(rng, fmt.Sprint("rolled-back-", i))}, casework.Change{}))
		}
		for _, v := range s.allVisits(t) { // versions the put-back must undo
			v.Notes, v.Version = "rolled back", v.Version+1
			require.NoError(t, s.UpdateVisit(ctx, v, casework.Change{}))
		}
		return failed
	}), failed)
	for range 50 {
		u, f, limit := randomQuery(rng)
		requirePagesMatchScan(t, s, u, f, limit)
	}
	require.Equal(t, s.index, s.rebuiltIndex(t))
}

// rebuiltIndex is the index built afresh from the stored visits.
func (s *Store) rebuiltIndex(t testing.TB) visitIndex {
	x := visitIndex{}
	for _, v := range s.allVisits(t) {
		x.put(s.db.Symbols(), nil, &v)
	}
	return x
}

// allVisits reads every stored visit.
func (s *Store) allVisits(t testing.TB) map[string]outreach.Visit {
	all := make(map[string]outreach.Visit, len(s.visits))
	for id := range s.visits {
		var v outreach.Visit
		ok, err := s.visit(id, &v, false)
		require.NoError(t, err)
		require.True(t, ok)
		all[id] = v
	}
	return all
}

// TestVisitIndexMoves moves visits between units, kinds and times (which
// no update does today, but the index must not rely on that) and requires
// the index of a fresh build after each move.
func TestVisitIndexMoves(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	s := New(cmem.New())
	for i := range 200 {
		v := randomVisit(rng, fmt.Sprint("v", i))
		s.putVisit(nil, &v)
	}
	for range 500 {
		id := fmt.Sprint("v", rng.IntN(200))
		var prev outreach.Visit
		_, err := s.visit(id, &prev, false)
		require.NoError(t, err)
		next := randomVisit(rng, id)
		next.Version = prev.Version + 1
		s.putVisit(&prev, &next)
	}
	require.Equal(t, s.rebuiltIndex(t), s.index)
}

// TestVisitIndexConcurrent lists while other goroutines record and amend
// visits (run with -race): every page is in order and holds only visits of
// the filter.
func TestVisitIndexConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(cmem.New())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 200 {
				v := randomVisit(rng, fmt.Sprintf("w%d-%d", w, i))
				if err := s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}); err != nil {
					t.Error(err)
					return
				}
				v.Notes, v.Version = "amended", 2
				if err := s.UpdateVisit(ctx, v, casework.Change{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for r := range 2 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 10))
			for range 200 {
				u, f, limit := randomQuery(rng)
				var page []outreach.Visit
				err := s.db.Read(ctx, func() (err error) {
					_, page, err = s.page(u, f, casework.Page{Limit: limit}, true)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				for i, v := range page {
					if !keep(u, f)(v) || (i > 0 && !(casework.Cursor{At: page[i-1].VisitedAt, ID: page[i-1].ID}).After(v.VisitedAt, v.ID)) {
						t.Errorf("page %v of %+v out of order or filter", page, f)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, s.rebuiltIndex(t), s.index)
}

// BenchmarkVisitPage lists a station's page of 50 visits of one kind
// from a day on (the load test's list) over 30,000 visits of 20 stations,
// as refs and as visits, and (for comparison) through the scan of every
// visit that ListVisits did before the index:
// go test -run '^$' -bench VisitPage ./outreach/memstore/
func BenchmarkVisitPage(b *testing.B) {
	ctx := context.Background()
	db := cmem.New()
	s := New(db)
	require.NoError(b, db.CreateUnit(ctx, casework.Unit{ID: "city", Code: "city", Name: "city", Level: 1, Path: "/city/", Version: 1}, casework.Change{}))
	for i := range 20 {
		id := fmt.Sprint("station-", i)
		require.NoError(b, db.CreateUnit(ctx, casework.Unit{ID: id, Code: id, Name: id, Level: 2, ParentID: "city", Path: "/city/" + id + "/",
			Version: 1}, casework.Change{}))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 30000 {
		v := outreach.Visit{ID: fmt.Sprintf("v%05d", i), UnitID: fmt.Sprint("station-", rng.IntN(20)), TargetKind: indexKinds[rng.IntN(len(indexKinds))],
			VisitedAt: indexT0.Add(time.Duration(i) * time.Minute), OfficerIDs: []string{"st-1"}, Version: 1}
		require.NoError(b, s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}))
	}
	f := outreach.VisitFilter{UnitUnder: "/city/station-3/", TargetKind: outreach.DifficultFamily, From: indexT0.Add(24 * time.Hour)}
	u := cmem.UnitSet{"station-3": true}
	p := casework.Page{Limit: 51}
	all := s.allVisits(b)
	for _, c := range []struct {
		name string
		list func() (int, error)
	}{
		{"refs", func() (int, error) { page, err := s.ListVisitRefs(ctx, f, p); return len(page), err }},
		{"visits", func() (int, error) { page, err := s.ListVisits(ctx, f, p); return len(page), err }},
		{"scan", func() (int, error) {
			page, err := cmem.List(all, keep(u, f), func(v outreach.Visit) casework.Cursor {
				return casework.Cursor{At: v.VisitedAt, ID: v.ID}
			}, outreach.Visit.Clone, p)
			return len(page), err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n, err := c.list(); err != nil || n != 51 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

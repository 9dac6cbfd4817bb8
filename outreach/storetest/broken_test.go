package storetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/brokentest"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/grassroots-policing/grassroots/outreach/storetest"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the outreach.Store doc comment. The suite must catch
// every one.

// ignoresVersion writes visit updates whatever version the caller read.
type ignoresVersion struct{ outreach.Store }

func (s ignoresVersion) UpdateVisit(ctx context.Context, v outreach.Visit, ch casework.Change) error {
	cur, err := s.Store.GetVisit(ctx, v.ID)
	if err != nil {
		return err
	}
	v.Version = cur.Version + 1
	return s.Store.UpdateVisit(ctx, v, ch)
}

// aliased hands out the same slices every time.
type aliased struct {
	outreach.Store
	mu    sync.Mutex
	cache map[string]outreach.Visit
}

func (s *aliased) GetVisit(ctx context.Context, id string) (outreach.Visit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cache[id]; ok {
		return v, nil
	}
	v, err := s.Store.GetVisit(ctx, id)
	if err == nil {
		s.cache[id] = v
	}
	return v, err
}

// dropsFilter ignores the status filter of hazards.
type dropsFilter struct{ outreach.Store }

func (s dropsFilter) ListHazards(ctx context.Context, f outreach.HazardFilter, p casework.Page) ([]outreach.Hazard, error) {
	f.Status = nil
	return s.Store.ListHazards(ctx, f, p)
}

// subtreeLost forgets the unit subtree when an area is listed.
type subtreeLost struct{ outreach.Store }

func (s subtreeLost) ListHazards(ctx context.Context, f outreach.HazardFilter, p casework.Page) ([]outreach.Hazard, error) {
	if len(f.Areas) > 0 {
		f.UnitUnder = ""
	}
	return s.Store.ListHazards(ctx, f, p)
}

// dropsChange records visits without their audit entries.
type dropsChange struct{ outreach.Store }

func (s dropsChange) CreateVisit(ctx context.Context, w outreach.VisitWrite, ch casework.Change) error {
	ch.Audit = nil
	return s.Store.CreateVisit(ctx, w, ch)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ outreach.Store }

func (s ignoresCancel) CreateVisit(_ context.Context, w outreach.VisitWrite, ch casework.Change) error {
	return s.Store.CreateVisit(context.Background(), w, ch)
}

// firstVersionRefs lists every visit at its first version, as a store
// that read versions from somewhere never updated would.
type firstVersionRefs struct{ outreach.Store }

func (s firstVersionRefs) ListVisitRefs(ctx context.Context, f outreach.VisitFilter, p casework.Page) ([]outreach.VisitRef, error) {
	refs, err := s.Store.ListVisitRefs(ctx, f, p)
	for i := range refs {
		refs[i].Version = 1
	}
	return refs, err
}

// getVisitsOnce reads only the first id of a batch.
type getVisitsOnce struct{ outreach.Store }

func (s getVisitsOnce) GetVisits(ctx context.Context, ids []string) ([]outreach.Visit, error) {
	return s.Store.GetVisits(ctx, ids[:min(len(ids), 1)])
}

var broken = map[string]func(outreach.Store) outreach.Store{
	"first_version_refs": func(s outreach.Store) outreach.Store { return firstVersionRefs{s} },
	"get_visits_once":    func(s outreach.Store) outreach.Store { return getVisitsOnce{s} },
	"ignores_version":    func(s outreach.Store) outreach.Store { return ignoresVersion{s} },
	"aliased":            func(s outreach.Store) outreach.Store { return &aliased{Store: s, cache: map[string]outreach.Visit{}} },
	"drops_filter":       func(s outreach.Store) outreach.Store { return dropsFilter{s} },
	"subtree_lost":       func(s outreach.Store) outreach.Store { return subtreeLost{s} },
	"drops_change":       func(s outreach.Store) outreach.Store { return dropsChange{s} },
	"ignores_cancel":     func(s outreach.Store) outreach.Store { return ignoresCancel{s} },
}

// TestBrokenStore is the child half of TestSuiteCatchesBrokenStores; run
// directly it does nothing.
func TestBrokenStore(t *testing.T) {
	breaker, ok := broken[brokentest.Name()]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) (outreach.Store, casework.KernelStore) {
		db := cmem.New()
		return breaker(memstore.New(db)), db
	})
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	brokentest.Catches(t, "TestBrokenStore", map[string]string{
		"first_version_refs": "VisitFiltersOrderPaging",
		"get_visits_once":    "GetVisits",
		"ignores_version":    "StaleVersion|ConcurrentCAS",
		"aliased":            "NoAliasing",
		"drops_filter":       "HazardFilters",
		"subtree_lost":       "HazardFilters",
		"drops_change":       "ChangeCommitsWithRecord",
		"ignores_cancel":     "CancelledContext",
	})
}

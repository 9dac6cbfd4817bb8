package storetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/brokentest"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/grassroots-policing/grassroots/mediation/storetest"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the mediation.Store doc comment. The suite must catch
// every one.

// ignoresVersion writes whatever version the caller read: last writer wins.
type ignoresVersion struct{ mediation.Store }

func (s ignoresVersion) UpdateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	cur, err := s.Store.GetDispute(ctx, d.ID)
	if err != nil {
		return err
	}
	d.Version = cur.Version + 1
	return s.Store.UpdateDispute(ctx, d, ch)
}

// aliased hands out the same slices every time.
type aliased struct {
	mediation.Store
	mu    sync.Mutex
	cache map[string]mediation.Dispute
}

func (s *aliased) GetDispute(ctx context.Context, id string) (mediation.Dispute, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.cache[id]; ok {
		return d, nil
	}
	d, err := s.Store.GetDispute(ctx, id)
	if err == nil {
		s.cache[id] = d
	}
	return d, err
}

// dropsFilter ignores the category filter.
type dropsFilter struct{ mediation.Store }

func (s dropsFilter) ListDisputes(ctx context.Context, f mediation.Filter, p casework.Page) ([]mediation.Dispute, error) {
	f.Category = ""
	return s.Store.ListDisputes(ctx, f, p)
}

// subtreeLost forgets the unit subtree when a party's document is searched.
type subtreeLost struct{ mediation.Store }

func (s subtreeLost) ListDisputes(ctx context.Context, f mediation.Filter, p casework.Page) ([]mediation.Dispute, error) {
	if f.PartyDocIndex != "" || f.AssignedTo != "" {
		f.UnitUnder = ""
	}
	return s.Store.ListDisputes(ctx, f, p)
}

// dropsChange commits updates without their audit entries.
type dropsChange struct{ mediation.Store }

func (s dropsChange) UpdateDispute(ctx context.Context, d mediation.Dispute, ch casework.Change) error {
	ch.Audit = nil
	return s.Store.UpdateDispute(ctx, d, ch)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ mediation.Store }

func (s ignoresCancel) UpdateDispute(_ context.Context, d mediation.Dispute, ch casework.Change) error {
	return s.Store.UpdateDispute(context.Background(), d, ch)
}

func (s ignoresCancel) GetDispute(_ context.Context, id string) (mediation.Dispute, error) {
	return s.Store.GetDispute(context.Background(), id)
}

var broken = map[string]func(mediation.Store) mediation.Store{
	"ignores_version": func(s mediation.Store) mediation.Store { return ignoresVersion{s} },
	"aliased": func(s mediation.Store) mediation.Store {
		return &aliased{Store: s, cache: map[string]mediation.Dispute{}}
	},
	"drops_filter":   func(s mediation.Store) mediation.Store { return dropsFilter{s} },
	"subtree_lost":   func(s mediation.Store) mediation.Store { return subtreeLost{s} },
	"drops_change":   func(s mediation.Store) mediation.Store { return dropsChange{s} },
	"ignores_cancel": func(s mediation.Store) mediation.Store { return ignoresCancel{s} },
}

// TestBrokenStore is the child half of TestSuiteCatchesBrokenStores; run
// directly it does nothing.
func TestBrokenStore(t *testing.T) {
	breaker, ok := broken[brokentest.Name()]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) (mediation.Store, casework.KernelStore) {
		db := casemem.New()
		return breaker(memstore.New(db)), db
	})
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	brokentest.Catches(t, "TestBrokenStore", map[string]string{
		"ignores_version": "StaleVersion|ConcurrentCAS",
		"aliased":         "NoAliasing",
		"drops_filter":    "FiltersOrderPaging",
		"subtree_lost":    "FiltersOrderPaging",
		"drops_change":    "ChangeCommitsWithRecord|StaleVersion|ConcurrentCAS",
		"ignores_cancel":  "CancelledContext",
	})
}

package storetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/memstore"
	"github.com/grassroots-policing/grassroots/casework/cases/storetest"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/brokentest"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the cases.Store doc comment. The suite must catch every
// one.

// ignoresVersion writes case updates whatever version the caller read.
type ignoresVersion struct{ cases.Store }

func (s ignoresVersion) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	w.Cases = append([]cases.Case(nil), w.Cases...)
	for i, c := range w.Cases {
		cur, err := s.Store.GetCase(ctx, c.ID)
		if err != nil {
			return err
		}
		w.Cases[i].Version = cur.Version + 1
	}
	return s.Store.CommitCases(ctx, w, ch)
}

// aliased hands out the same slices every time.
type aliased struct {
	cases.Store
	mu    sync.Mutex
	cache map[string]cases.Case
}

func (s *aliased) GetCase(ctx context.Context, id string) (cases.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[id]; ok {
		return c, nil
	}
	c, err := s.Store.GetCase(ctx, id)
	if err == nil {
		s.cache[id] = c
	}
	return c, err
}

// dropsFilter ignores the kind filter.
type dropsFilter struct{ cases.Store }

func (s dropsFilter) ListCases(ctx context.Context, f cases.Filter, p casework.Page) ([]cases.Case, error) {
	f.Kind = ""
	return s.Store.ListCases(ctx, f, p)
}

// subtreeLost forgets the unit subtree when a suspect or an identifier is
// searched.
type subtreeLost struct{ cases.Store }

func (s subtreeLost) ListCases(ctx context.Context, f cases.Filter, p casework.Page) ([]cases.Case, error) {
	if f.Identifier != "" || f.SuspectIDs != nil {
		f.UnitUnder = ""
	}
	return s.Store.ListCases(ctx, f, p)
}

// dropsChange commits writes without their audit entries.
type dropsChange struct{ cases.Store }

func (s dropsChange) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	ch.Audit = nil
	return s.Store.CommitCases(ctx, w, ch)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ cases.Store }

func (s ignoresCancel) CommitCases(_ context.Context, w cases.Write, ch casework.Change) error {
	return s.Store.CommitCases(context.Background(), w, ch)
}

func (s ignoresCancel) GetCase(_ context.Context, id string) (cases.Case, error) {
	return s.Store.GetCase(context.Background(), id)
}

var broken = map[string]func(cases.Store) cases.Store{
	"ignores_version": func(s cases.Store) cases.Store { return ignoresVersion{s} },
	"aliased":         func(s cases.Store) cases.Store { return &aliased{Store: s, cache: map[string]cases.Case{}} },
	"drops_filter":    func(s cases.Store) cases.Store { return dropsFilter{s} },
	"subtree_lost":    func(s cases.Store) cases.Store { return subtreeLost{s} },
	"drops_change":    func(s cases.Store) cases.Store { return dropsChange{s} },
	"ignores_cancel":  func(s cases.Store) cases.Store { return ignoresCancel{s} },
}

// TestBrokenStore is the child half of TestSuiteCatchesBrokenStores; run
// directly it does nothing.
func TestBrokenStore(t *testing.T) {
	breaker, ok := broken[brokentest.Name()]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) (cases.Store, casework.KernelStore) {
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
		"drops_change":    "CommitsChangeAndShares",
		"ignores_cancel":  "CancelledContext",
	})
}

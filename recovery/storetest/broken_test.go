package storetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/brokentest"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/grassroots-policing/grassroots/recovery/memstore"
	"github.com/grassroots-policing/grassroots/recovery/storetest"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the recovery.Store doc comment. The suite must catch
// every one.

// ignoresVersion writes item updates whatever version the caller read.
type ignoresVersion struct{ recovery.Store }

func (s ignoresVersion) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	b.Items = append([]recovery.Item(nil), b.Items...)
	for i, it := range b.Items {
		cur, err := s.Store.GetItem(ctx, it.ID)
		if err != nil {
			return err
		}
		b.Items[i].Version = cur.Version + 1
	}
	return s.Store.Apply(ctx, b, ch)
}

// renumbersCustody appends a custody entry whatever Seq the caller gave it,
// so two writers both append instead of one losing.
type renumbersCustody struct{ recovery.Store }

func (s renumbersCustody) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	b.Custody = append([]recovery.CustodyEntry(nil), b.Custody...)
	next := map[string]int64{}
	for i, e := range b.Custody {
		if _, ok := next[e.ItemID]; !ok {
			stored, err := s.Store.Custody(ctx, e.ItemID)
			if err != nil {
				return err
			}
			next[e.ItemID] = int64(len(stored)) + 1
		}
		b.Custody[i].Seq = next[e.ItemID]
		next[e.ItemID]++
	}
	return s.Store.Apply(ctx, b, ch)
}

// aliased hands out the same slices every time.
type aliased struct {
	recovery.Store
	mu    sync.Mutex
	cache map[string]recovery.Item
}

func (s *aliased) GetItem(ctx context.Context, id string) (recovery.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.cache[id]; ok {
		return it, nil
	}
	it, err := s.Store.GetItem(ctx, id)
	if err == nil {
		s.cache[id] = it
	}
	return it, err
}

// dropsFilter ignores the category filter.
type dropsFilter struct{ recovery.Store }

func (s dropsFilter) ListItems(ctx context.Context, f recovery.ItemFilter, p casework.Page) ([]recovery.Item, error) {
	f.Category = ""
	return s.Store.ListItems(ctx, f, p)
}

// subtreeLost forgets the unit subtree when an identifier or an owner is
// searched.
type subtreeLost struct{ recovery.Store }

func (s subtreeLost) ListItems(ctx context.Context, f recovery.ItemFilter, p casework.Page) ([]recovery.Item, error) {
	if f.Identifier != "" || f.OwnerPersonID != "" {
		f.UnitUnder = ""
	}
	return s.Store.ListItems(ctx, f, p)
}

// dropsChange commits batches without their audit entries.
type dropsChange struct{ recovery.Store }

func (s dropsChange) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	ch.Audit = nil
	return s.Store.Apply(ctx, b, ch)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ recovery.Store }

func (s ignoresCancel) Apply(_ context.Context, b recovery.Batch, ch casework.Change) error {
	return s.Store.Apply(context.Background(), b, ch)
}

func (s ignoresCancel) GetItem(_ context.Context, id string) (recovery.Item, error) {
	return s.Store.GetItem(context.Background(), id)
}

var broken = map[string]func(recovery.Store) recovery.Store{
	"ignores_version":   func(s recovery.Store) recovery.Store { return ignoresVersion{s} },
	"renumbers_custody": func(s recovery.Store) recovery.Store { return renumbersCustody{s} },
	"aliased":           func(s recovery.Store) recovery.Store { return &aliased{Store: s, cache: map[string]recovery.Item{}} },
	"drops_filter":      func(s recovery.Store) recovery.Store { return dropsFilter{s} },
	"subtree_lost":      func(s recovery.Store) recovery.Store { return subtreeLost{s} },
	"drops_change":      func(s recovery.Store) recovery.Store { return dropsChange{s} },
	"ignores_cancel":    func(s recovery.Store) recovery.Store { return ignoresCancel{s} },
}

// TestBrokenStore is the child half of TestSuiteCatchesBrokenStores; run
// directly it does nothing.
func TestBrokenStore(t *testing.T) {
	breaker, ok := broken[brokentest.Name()]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) (recovery.Store, casework.KernelStore) {
		db := kmem.New()
		return breaker(memstore.New(db)), db
	})
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	brokentest.Catches(t, "TestBrokenStore", map[string]string{
		"ignores_version":   "StaleVersion|ConcurrentCAS",
		"renumbers_custody": "CustodyAppendOnly",
		"aliased":           "NoAliasing",
		"drops_filter":      "ItemFiltersOrderPaging",
		"subtree_lost":      "ItemFiltersOrderPaging",
		"drops_change":      "ChangeCommitsWithRecord",
		"ignores_cancel":    "CancelledContext",
	})
}

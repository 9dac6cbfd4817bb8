// Package memstore is the in-memory recovery.Store, built on the kernel's
// shared memory database so that one audit chain, one outbox and one set
// of request keys span every workflow. It is for tests, demos and
// embedding without a database. Values are copied in and out.
package memstore

import (
	"context"
	"maps"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/recovery"
)

// Store keeps the recovery records in memory. Its maps are guarded by the
// kernel database's lock: writes go through DB.Write, reads through
// DB.Read.
type Store struct {
	db        kmem.Host
	items     map[string]recovery.Item
	custody   map[string][]recovery.CustodyEntry
	returns   map[string]recovery.Return
	events    map[string]recovery.Event
	disposals map[string]recovery.Disposal
}

var _ recovery.Store = (*Store)(nil)

// New returns an empty store on db.
func New(db kmem.Host) *Store {
	s := &Store{db: db, items: map[string]recovery.Item{}, custody: map[string][]recovery.CustodyEntry{},
		returns: map[string]recovery.Return{}, events: map[string]recovery.Event{}, disposals: map[string]recovery.Disposal{}}
	db.Join(s)
	return s
}

// Snapshot implements kmem.Participant, so that an atomic write of the
// database (a person merge) that fails puts these records back too. Stored
// values are replaced, never changed in place, so copying the maps is a
// snapshot.
func (s *Store) Snapshot() (restore func()) {
	items, custody, returns := maps.Clone(s.items), maps.Clone(s.custody), maps.Clone(s.returns)
	events, disposals := maps.Clone(s.events), maps.Clone(s.disposals)
	return func() {
		s.items, s.custody, s.returns, s.events, s.disposals = items, custody, returns, events, disposals
	}
}

func itemVersion(it recovery.Item) int64            { return it.Version }
func returnVersion(r recovery.Return) int64         { return r.Version }
func eventVersion(e recovery.Event) int64           { return e.Version }
func disposalVersion(d recovery.Disposal) int64     { return d.Version }
func itemClone(it recovery.Item) recovery.Item      { return it.Clone() }
func returnClone(r recovery.Return) recovery.Return { return r.Clone() }
func eventClone(e recovery.Event) recovery.Event    { return e.Clone() }
func disposalClone(d recovery.Disposal) recovery.Disposal {
	return d.Clone()
}

// Apply implements recovery.Store. Every check runs before anything
// changes, so a failed batch leaves no trace.
func (s *Store) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	b = cloneBatch(b)
	return s.db.Write(ctx, ch, func() error {
		if err := checkCreates(s.items, b.NewItems, func(it recovery.Item) string { return it.ID }, "recovery item"); err != nil {
			return err
		}
		if err := checkUpdates(s.items, b.Items, func(it recovery.Item) string { return it.ID }, itemVersion, "recovery item"); err != nil {
			return err
		}
		if err := checkCreates(s.returns, b.NewReturns, func(r recovery.Return) string { return r.ID }, "recovery return"); err != nil {
			return err
		}
		if err := checkUpdates(s.returns, b.Returns, func(r recovery.Return) string { return r.ID }, returnVersion, "recovery return"); err != nil {
			return err
		}
		if err := checkCreates(s.events, b.NewEvents, func(e recovery.Event) string { return e.ID }, "recovery event"); err != nil {
			return err
		}
		if err := checkUpdates(s.events, b.Events, func(e recovery.Event) string { return e.ID }, eventVersion, "recovery event"); err != nil {
			return err
		}
		if err := checkCreates(s.disposals, b.NewDisposals, func(d recovery.Disposal) string { return d.ID }, "recovery disposal"); err != nil {
			return err
		}
		if err := checkUpdates(s.disposals, b.Disposals, func(d recovery.Disposal) string { return d.ID }, disposalVersion, "recovery disposal"); err != nil {
			return err
		}
		next := map[string]int64{}
		for _, e := range b.Custody {
			n, ok := next[e.ItemID]
			if !ok {
				n = int64(len(s.custody[e.ItemID])) + 1
			}
			if e.Seq != n {
				return errs.New(errs.ErrConflict, "custody entry %s#%d is not the next entry (%d)", e.ItemID, e.Seq, n)
			}
			next[e.ItemID] = n + 1
		}
		for _, it := range append(b.NewItems, b.Items...) {
			s.items[it.ID] = it
		}
		for _, r := range append(b.NewReturns, b.Returns...) {
			s.returns[r.ID] = r
		}
		for _, e := range append(b.NewEvents, b.Events...) {
			s.events[e.ID] = e
		}
		for _, d := range append(b.NewDisposals, b.Disposals...) {
			s.disposals[d.ID] = d
		}
		for _, e := range b.Custody {
			s.custody[e.ItemID] = append(s.custody[e.ItemID], e)
		}
		return nil
	})
}

func checkCreates[T any](m map[string]T, recs []T, id func(T) string, recordType string) error {
	seen := map[string]bool{}
	for _, r := range recs {
		if _, ok := m[id(r)]; ok || seen[id(r)] {
			return errs.New(errs.ErrConflict, "%s %q exists", recordType, id(r))
		}
		seen[id(r)] = true
	}
	return nil
}

func checkUpdates[T any](m map[string]T, recs []T, id func(T) string, version func(T) int64, recordType string) error {
	seen := map[string]bool{}
	for _, r := range recs {
		cur, ok := m[id(r)]
		if !ok {
			return errs.NotFound(recordType, id(r))
		}
		if seen[id(r)] || version(cur) != version(r)-1 {
			return errs.Stale(recordType, id(r), version(r)-1)
		}
		seen[id(r)] = true
	}
	return nil
}

func cloneBatch(b recovery.Batch) recovery.Batch {
	return recovery.Batch{
		NewItems: cloneAll(b.NewItems, itemClone), Items: cloneAll(b.Items, itemClone),
		Custody:    cloneAll(b.Custody, func(e recovery.CustodyEntry) recovery.CustodyEntry { return e.Clone() }),
		NewReturns: cloneAll(b.NewReturns, returnClone), Returns: cloneAll(b.Returns, returnClone),
		NewEvents: cloneAll(b.NewEvents, eventClone), Events: cloneAll(b.Events, eventClone),
		NewDisposals: cloneAll(b.NewDisposals, disposalClone), Disposals: cloneAll(b.Disposals, disposalClone),
	}
}

func cloneAll[T any](in []T, clone func(T) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = clone(v)
	}
	return out
}

// GetItem implements recovery.Store.
func (s *Store) GetItem(ctx context.Context, id string) (it recovery.Item, err error) {
	err = s.db.Read(ctx, func() error {
		it, err = kmem.Get(s.items, id, itemClone, "recovery item")
		return err
	})
	return it, err
}

// list pages the records of a map that pass keep, under the read lock.
func list[T any](ctx context.Context, s *Store, m map[string]T, keep func(T) bool, at func(T) casework.Cursor, clone func(T) T, p casework.Page) (out []T, err error) {
	err = s.db.Read(ctx, func() error {
		out, err = kmem.List(m, keep, at, clone, p)
		return err
	})
	return out, err
}

// ListItems implements recovery.Store.
func (s *Store) ListItems(ctx context.Context, f recovery.ItemFilter, p casework.Page) ([]recovery.Item, error) {
	units, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.items, func(it recovery.Item) bool { return units.Has(it.UnitID) && f.ItemMatches(it) },
		func(it recovery.Item) casework.Cursor { return casework.Cursor{At: it.CreatedAt, ID: it.ID} }, itemClone, p)
}

// Custody implements recovery.Store.
func (s *Store) Custody(ctx context.Context, itemID string) (out []recovery.CustodyEntry, err error) {
	err = s.db.Read(ctx, func() error {
		for _, e := range s.custody[itemID] {
			out = append(out, e.Clone())
		}
		return nil
	})
	return out, err
}

// GetReturn implements recovery.Store.
func (s *Store) GetReturn(ctx context.Context, id string) (r recovery.Return, err error) {
	err = s.db.Read(ctx, func() error {
		r, err = kmem.Get(s.returns, id, returnClone, "recovery return")
		return err
	})
	return r, err
}

// ListReturns implements recovery.Store.
func (s *Store) ListReturns(ctx context.Context, f recovery.ReturnFilter, p casework.Page) ([]recovery.Return, error) {
	units, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.returns, func(r recovery.Return) bool { return units.Has(r.UnitID) && f.ReturnMatches(r) },
		func(r recovery.Return) casework.Cursor { return casework.Cursor{At: r.CreatedAt, ID: r.ID} }, returnClone, p)
}

// GetEvent implements recovery.Store.
func (s *Store) GetEvent(ctx context.Context, id string) (e recovery.Event, err error) {
	err = s.db.Read(ctx, func() error {
		e, err = kmem.Get(s.events, id, eventClone, "recovery event")
		return err
	})
	return e, err
}

// ListEvents implements recovery.Store.
func (s *Store) ListEvents(ctx context.Context, f recovery.EventFilter, p casework.Page) ([]recovery.Event, error) {
	units, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.events, func(e recovery.Event) bool { return units.Has(e.UnitID) && f.EventMatches(e) },
		func(e recovery.Event) casework.Cursor { return casework.Cursor{At: e.CreatedAt, ID: e.ID} }, eventClone, p)
}

// GetDisposal implements recovery.Store.
func (s *Store) GetDisposal(ctx context.Context, id string) (d recovery.Disposal, err error) {
	err = s.db.Read(ctx, func() error {
		d, err = kmem.Get(s.disposals, id, disposalClone, "recovery disposal")
		return err
	})
	return d, err
}

// ListDisposals implements recovery.Store.
func (s *Store) ListDisposals(ctx context.Context, f recovery.DisposalFilter, p casework.Page) ([]recovery.Disposal, error) {
	units, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.disposals, func(d recovery.Disposal) bool { return units.Has(d.UnitID) && f.DisposalMatches(d) },
		func(d recovery.Disposal) casework.Cursor { return casework.Cursor{At: d.CreatedAt, ID: d.ID} }, disposalClone, p)
}

// Totals implements recovery.Store.
// TotalsGrid implements recovery.Store cell by cell.
func (s *Store) TotalsGrid(ctx context.Context, g casework.Grid) ([]recovery.Totals, error) {
	return casework.GridCells(ctx, g, func(ctx context.Context, path string, start, end time.Time) (recovery.Totals, error) {
		return s.Totals(ctx, recovery.TotalsFilter{UnitUnder: path, Start: start, End: end})
	})
}

func (s *Store) Totals(ctx context.Context, f recovery.TotalsFilter) (recovery.Totals, error) {
	units, err := s.db.Subtree(ctx, f.UnitUnder)
	if err != nil {
		return recovery.Totals{}, err
	}
	var t recovery.Totals
	err = s.db.Read(ctx, func() error {
		for _, it := range s.items {
			// Each event counts in the unit that held the item when it
			// happened (a unit's closing moves open items).
			in := func(at time.Time) bool {
				return !at.IsZero() && recovery.InRange(at, f.Start, f.End) && units.Has(kmem.UnitAt(s.db, recovery.RecordItem, it.ID, it.UnitID, at))
			}
			if in(it.RecoveredAt) {
				t.ItemsRecovered++
				t.ValueRecoveredFen += it.ValueFen
			}
			if in(it.ReturnedAt) {
				t.ItemsReturned++
				t.ValueReturnedFen += it.ValueFen
			}
			if in(it.UnclaimedAt) {
				t.ItemsUnclaimed++
			}
			if in(it.DisposedAt) {
				t.ItemsDisposed++
			}
		}
		for _, e := range s.events {
			if units.Has(e.UnitID) && e.State == recovery.EventHeld && !e.HeldAt.IsZero() && recovery.InRange(e.HeldAt, f.Start, f.End) {
				t.ReturnEvents++
			}
		}
		for _, d := range s.disposals {
			if units.Has(d.UnitID) && d.State == recovery.DisposalCompleted && !d.CompletedAt.IsZero() && recovery.InRange(d.CompletedAt, f.Start, f.End) {
				t.DisposalProceedsFen += d.ProceedsFen
			}
		}
		return nil
	})
	return t, err
}

package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/grassroots-policing/grassroots/casework"
)

// List is the paging every memory store shares: it keeps the items that
// match, orders them by (CreatedAt, ID) through key, skips to the cursor and
// returns at most p.Limit clones. Call it under Read.
//
// It keeps only the first p.Limit matches while it scans (not a sort of
// every match), so a page costs one pass over the items and allocates for
// the page alone, however many records match: under load a list of 50 over
// thousands of visits had sorted and copied them all while it held the read
// lock. The window holds each match's key and map key, not the record: a
// record is copied once, for the page, where inserting whole records into
// a sorted window moved hundreds of bytes per match (a third of the CPU of
// a list of 50 visits over HTTP).
func List[T any](items map[string]T, keep func(T) bool, key func(T) casework.Cursor, clone func(T) T, p casework.Page) ([]T, error) {
	after, err := casework.DecodeCursor(p.After)
	if err != nil {
		return nil, err
	}
	p = p.ForStore()
	if p.Limit <= 0 || len(items) == 0 {
		return []T{}, nil
	}
	type match struct {
		k  casework.Cursor
		mk string
	}
	byKey := func(a, b match) int { return compareCursor(a.k, b.k) }
	// Matches are appended, and when the window holds twice the page it is
	// sorted and cut to the page: each match costs O(log Limit) amortised,
	// and once the window was cut, what sorts after its last is skipped.
	window := make([]match, 0, min(len(items), 2*p.Limit))
	var (
		bound   casework.Cursor
		bounded bool
	)
	for mk, it := range items {
		k := key(it)
		if (bounded && compareCursor(k, bound) >= 0) || !after.After(k.At, k.ID) || !keep(it) {
			continue
		}
		window = append(window, match{k: k, mk: mk})
		if len(window) == 2*p.Limit {
			slices.SortFunc(window, byKey)
			window = window[:p.Limit]
			bound, bounded = window[p.Limit-1].k, true
		}
	}
	slices.SortFunc(window, byKey)
	window = window[:min(len(window), p.Limit)]
	out := make([]T, len(window))
	for i, m := range window {
		out[i] = clone(items[m.mk])
	}
	return out, nil
}

// compareCursor orders by (At, ID).
func compareCursor(a, b casework.Cursor) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Identity is the clone of a value without reference fields.
func Identity[T any](v T) T { return v }

// UnitSet is the ids of the units of a subtree; nil means no filter.
type UnitSet map[string]bool

// Has reports whether the unit is in the set (always, for a nil set).
func (u UnitSet) Has(id string) bool { return u == nil || u[id] }

// Subtree returns the units of the subtree at path, or nil for "" (no
// filter). Workflow memory stores take it before their own Read: the
// database answers it under its lock, and since units never move the set
// cannot go stale — it can only miss a unit created meanwhile, whose records
// the query could not have seen either.
//
// The set of a unit's path is kept until a unit is written (every list
// of a station asks for the same one, and building it read every unit),
// and shared by its callers: do not change it.
func (db *DB) Subtree(ctx context.Context, path string) (UnitSet, error) {
	if path == "" {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if kept := db.subtrees.Load(); kept != nil {
		if set, ok := (*kept)[path]; ok {
			return set, nil
		}
	}
	var set UnitSet
	err := db.Read(ctx, func() error {
		set = UnitSet{}
		unit := false // path is a unit's: the set is worth keeping
		for _, u := range db.units {
			if casework.Contains(path, u.Path) {
				set[u.ID] = true
				unit = unit || u.Path == path
			}
		}
		if unit {
			db.keepSubtree(path, set) // under the lock, so no unit write comes between
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// subtrees are the sets Subtree keeps, by path; the map is replaced, never
// changed, so that Subtree reads it without a lock.
type subtrees = atomic.Pointer[map[string]UnitSet]

// keepSubtree keeps the set of path; call it under the database's lock.
func (db *DB) keepSubtree(path string, set UnitSet) {
	db.subtreeMu.Lock() // readers hold the lock together
	defer db.subtreeMu.Unlock()
	kept := map[string]UnitSet{}
	if old := db.subtrees.Load(); old != nil {
		kept = maps.Clone(*old)
	}
	kept[path] = set
	db.subtrees.Store(&kept)
}

// unitsChanged forgets the subtrees kept; call it under the write lock
// whenever units are written or put back.
func (db *DB) unitsChanged() { db.subtrees.Store(nil) }

package memstore

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

// visitKey is a visit's place in a list: stores order visits by
// (VisitedAt, ID).
type visitKey struct {
	at time.Time
	id string
}

func compareVisitKeys(a, b visitKey) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func keyOf(v outreach.Visit) visitKey { return visitKey{at: v.VisitedAt, id: v.ID} }

type unitKind struct {
	unit string
	kind outreach.TargetKind
}

// visitIndex keeps each unit's visits, and each unit's visits of one
// kind, in list order, as the SQL stores' (unit, [kind,] visited_at, id)
// indexes do: a page of a station's work list reads about Limit visits
// from where its cursor or period starts, where a scan read every visit
// of the store (a list fell to 673 a second after 36,000 creates). A
// visit recorded now lands at or near the end of its lists, so an insert
// moves few keys.
type visitIndex struct {
	byUnit map[string][]visitKey
	byKind map[unitKind][]visitKey
}

func newVisitIndex() visitIndex {
	return visitIndex{byUnit: map[string][]visitKey{}, byKind: map[unitKind][]visitKey{}}
}

// clone copies the index for a snapshot: add and remove change the lists
// in place.
func (x visitIndex) clone() visitIndex {
	c := visitIndex{byUnit: maps.Clone(x.byUnit), byKind: maps.Clone(x.byKind)}
	for u, keys := range c.byUnit {
		c.byUnit[u] = slices.Clone(keys)
	}
	for k, keys := range c.byKind {
		c.byKind[k] = slices.Clone(keys)
	}
	return c
}

// put moves a visit's keys from where prev had them (nil: a new visit) to
// where v has them; an update that keeps unit, kind and time moves none.
func (x visitIndex) put(prev *outreach.Visit, v outreach.Visit) {
	if prev != nil {
		if prev.UnitID == v.UnitID && prev.TargetKind == v.TargetKind && keyOf(*prev) == keyOf(v) {
			return
		}
		removeKey(x.byUnit, prev.UnitID, keyOf(*prev))
		removeKey(x.byKind, unitKind{prev.UnitID, prev.TargetKind}, keyOf(*prev))
	}
	insertKey(x.byUnit, v.UnitID, keyOf(v))
	insertKey(x.byKind, unitKind{v.UnitID, v.TargetKind}, keyOf(v))
}

func insertKey[K comparable](m map[K][]visitKey, list K, k visitKey) {
	keys := m[list]
	i, _ := slices.BinarySearchFunc(keys, k, compareVisitKeys)
	m[list] = slices.Insert(keys, i, k)
}

func removeKey[K comparable](m map[K][]visitKey, list K, k visitKey) {
	keys := m[list]
	i, found := slices.BinarySearchFunc(keys, k, compareVisitKeys)
	if !found {
		return
	}
	if keys = slices.Delete(keys, i, i+1); len(keys) == 0 {
		delete(m, list)
		return
	}
	m[list] = keys
}

// page returns the keys of the first p.Limit visits after the cursor that
// keep accepts, in list order, read from the lists of the units in u
// (every unit for nil) within f's period; kind, when set, picks the units'
// lists of that kind. Each list is read from the first key past the
// cursor and the period's start, and stops at the period's end or at
// p.Limit matches.
func (s *Store) page(u cmem.UnitSet, f outreach.VisitFilter, p casework.Page, keep func(outreach.Visit) bool) ([]visitKey, error) {
	after, err := casework.DecodeCursor(p.After)
	if err != nil {
		return nil, err
	}
	p = p.ForStore()
	var lists [][]visitKey
	switch {
	case u == nil && f.TargetKind == "":
		lists = slices.Collect(maps.Values(s.index.byUnit))
	case u == nil:
		for k, keys := range s.index.byKind {
			if k.kind == f.TargetKind {
				lists = append(lists, keys)
			}
		}
	default:
		for unit := range u {
			if f.TargetKind == "" {
				lists = append(lists, s.index.byUnit[unit])
			} else {
				lists = append(lists, s.index.byKind[unitKind{unit, f.TargetKind}])
			}
		}
	}
	matches := make([]visitKey, 0, p.Limit)
	for _, keys := range lists {
		i := 0
		if after.ID != "" {
			i, _ = slices.BinarySearchFunc(keys, visitKey{at: after.At, id: after.ID}, compareVisitKeys)
			for i < len(keys) && !after.After(keys[i].at, keys[i].id) {
				i++
			}
		}
		if !f.From.IsZero() {
			start, _ := slices.BinarySearchFunc(keys, visitKey{at: f.From}, compareVisitKeys)
			i = max(i, start)
		}
		n := 0
		for ; i < len(keys) && n < p.Limit; i++ {
			k := keys[i]
			if !f.To.IsZero() && !k.at.Before(f.To) {
				break
			}
			if keep(s.visits[k.id]) {
				matches = append(matches, k)
				n++
			}
		}
	}
	slices.SortFunc(matches, compareVisitKeys)
	return matches[:min(len(matches), p.Limit)], nil
}

package memstore

import (
	"cmp"
	"slices"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
)

// visitEntry is a visit in the index: its place in a list (stores order
// visits by (VisitedAt, ID)) and its version, so that a list's refs and
// its filter on unit, kind and period (the list the entry sits in says
// the unit and kind) read no row. It takes 40 bytes, once per visit.
type visitEntry struct {
	at      cmem.Instant // VisitedAt
	id      string
	version int64
}

func compareEntries(a, b visitEntry) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// visitIndex keeps each unit's visits of each kind in list order, as the
// SQL stores' (unit, kind, visited_at, id) index does: a page of a
// station's work list reads about Limit entries from where its cursor or
// period starts, where a scan read every visit of the store (a list fell
// to 673 a second after 36,000 creates), and a list of every kind merges
// the unit's lists of each kind. A visit recorded now lands at or near
// the end of its list, so an insert moves few entries.
type visitIndex map[string]map[outreach.TargetKind][]visitEntry // unit → kind → entries

// clone copies the index for a snapshot: put changes the lists in place.
func (x visitIndex) clone() visitIndex {
	c := make(visitIndex, len(x))
	for unit, kinds := range x {
		c[unit] = make(map[outreach.TargetKind][]visitEntry, len(kinds))
		for kind, entries := range kinds {
			c[unit][kind] = slices.Clone(entries)
		}
	}
	return c
}

// put moves a visit's entry from where prev had it (nil: a new visit) to
// where v has it, at v's version; call it inside Write.
func (x visitIndex) put(h *cmem.Symbols, prev *outreach.Visit, v *outreach.Visit) {
	e := visitEntry{at: h.Instant(v.VisitedAt), id: v.ID, version: v.Version}
	if prev != nil {
		old := visitEntry{at: cmem.InstantOf(prev.VisitedAt), id: prev.ID}
		entries := x[prev.UnitID][prev.TargetKind]
		i, found := slices.BinarySearchFunc(entries, old, compareEntries)
		if found && prev.UnitID == v.UnitID && prev.TargetKind == v.TargetKind && compareEntries(old, e) == 0 {
			entries[i] = e // an update keeps unit, kind and time: only the version moves
			return
		}
		if found {
			x.set(prev.UnitID, prev.TargetKind, slices.Delete(entries, i, i+1))
		}
	}
	entries := x[v.UnitID][v.TargetKind]
	i, _ := slices.BinarySearchFunc(entries, e, compareEntries)
	x.set(v.UnitID, v.TargetKind, slices.Insert(entries, i, e))
}

// set stores a unit's list of a kind, dropping it when empty.
func (x visitIndex) set(unit string, kind outreach.TargetKind, entries []visitEntry) {
	kinds := x[unit]
	if len(entries) == 0 {
		delete(kinds, kind)
		if len(kinds) == 0 {
			delete(x, unit)
		}
		return
	}
	if kinds == nil {
		kinds = map[outreach.TargetKind][]visitEntry{}
		x[unit] = kinds
	}
	kinds[kind] = entries
}

// rowFiltered reports whether f selects by what only a visit's row says
// (officer, campaign, plan entry, address, person): the index says the
// rest.
func rowFiltered(f outreach.VisitFilter) bool {
	return f.OfficerID != "" || f.CampaignID != "" || f.PlanEntryID != "" || f.AddressID != "" || f.PersonID != ""
}

// rowSelects is f on what only a visit's row says.
func rowSelects(f outreach.VisitFilter, v *outreach.Visit) bool {
	return (f.OfficerID == "" || slices.Contains(v.OfficerIDs, f.OfficerID)) &&
		(f.CampaignID == "" || v.CampaignID == f.CampaignID) && (f.PlanEntryID == "" || v.PlanEntryID == f.PlanEntryID) &&
		(f.AddressID == "" || v.AddressID == f.AddressID) && (f.PersonID == "" || slices.Contains(v.PersonRefs(), f.PersonID))
}

// page lists the first p.Limit visits after the cursor that f selects
// among the units in u (every unit for nil; f.UnitUnder is not read), in
// list order: as refs read from the index, or with whole as visits read
// from their rows (the other list is nil). It reads the lists of u's
// units (of f's kind, when set) from the first entry past the cursor and
// the period's start to the period's end, merged, until p.Limit match. A
// row is read only when whole or when f selects by what only the row says;
// then the head of the row, unless f names a person (whom a visit's
// findings name too). Call it inside Read.
func (s *Store) page(u cmem.UnitSet, f outreach.VisitFilter, p casework.Page, whole bool) (refs []outreach.VisitRef, visits []outreach.Visit, err error) {
	after, err := casework.DecodeCursor(p.After)
	if err != nil {
		return nil, nil, err
	}
	p = p.ForStore()
	if whole {
		visits = make([]outreach.Visit, 0, min(p.Limit, 64))
	} else {
		refs = make([]outreach.VisitRef, 0, min(p.Limit, 64))
	}
	start := visitEntry{at: cmem.InstantOf(f.From)}
	past := visitEntry{at: cmem.InstantOf(after.At), id: after.ID}
	var heads headHeap
	add := func(kind outreach.TargetKind, entries []visitEntry) {
		i := 0
		if !f.From.IsZero() {
			i, _ = slices.BinarySearchFunc(entries, start, compareEntries)
		}
		if after.ID != "" {
			j, found := slices.BinarySearchFunc(entries, past, compareEntries)
			if found {
				j++
			}
			i = max(i, j)
		}
		if i < len(entries) {
			heads = append(heads, listHead{entries: entries, i: i, kind: kind})
		}
	}
	addUnit := func(kinds map[outreach.TargetKind][]visitEntry) {
		if f.TargetKind != "" {
			if entries, ok := kinds[f.TargetKind]; ok {
				add(f.TargetKind, entries)
			}
			return
		}
		for kind, entries := range kinds {
			add(kind, entries)
		}
	}
	if u == nil {
		for _, kinds := range s.index {
			addUnit(kinds)
		}
	} else {
		for unit := range u {
			addUnit(s.index[unit])
		}
	}
	// The lists are merged in list order, so that each visit is read once,
	// and only until the page is full: the first matches of the merge are
	// the first matches of all the lists.
	heads.init()
	to := visitEntry{at: cmem.InstantOf(f.To)}
	readRow, head := whole || rowFiltered(f), !whole && f.PersonID == ""
	syms := s.db.Symbols()
	var v *outreach.Visit // each row read, as a view
	if readRow {
		v = new(outreach.Visit)
	}
	for n := 0; len(heads) > 0 && n < p.Limit; {
		top := &heads[0]
		e, kind := top.entries[top.i], top.kind
		if !f.To.IsZero() && compareEntries(e, to) >= 0 {
			heads.pop() // the rest of this list is past the period
			continue
		}
		if top.i++; top.i == len(top.entries) {
			heads.pop()
		} else {
			heads.fix()
		}
		if readRow {
			ok, err := s.readRow(e.id, v, true, head)
			if err != nil {
				return nil, nil, err
			}
			if !ok || !rowSelects(f, v) {
				continue
			}
		}
		if whole {
			visits = append(visits, v.Clone())
		} else {
			refs = append(refs, outreach.VisitRef{ID: e.id, Version: e.version, VisitedAt: syms.Time(e.at), TargetKind: kind})
		}
		n++
	}
	return refs, visits, nil
}

// listHead is where a merge has come to in one of the index's lists.
type listHead struct {
	entries []visitEntry
	i       int
	kind    outreach.TargetKind
}

// headHeap is a min-heap of list heads by their next entry.
type headHeap []listHead

func (h headHeap) less(a, b int) bool {
	return compareEntries(h[a].entries[h[a].i], h[b].entries[h[b].i]) < 0
}

func (h headHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// fix restores the heap after the first head moved on.
func (h headHeap) fix() { h.down(0) }

// pop drops the first head.
func (h *headHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}

func (h headHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

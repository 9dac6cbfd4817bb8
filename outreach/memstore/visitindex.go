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
// (VisitedAt, ID). The time is kept as its Unix seconds and nanoseconds,
// which order as it does, in 12 bytes where a time.Time takes 24: each
// visit has a key in two lists.
type visitKey struct {
	sec  int64
	nsec int32
	id   string
}

func compareVisitKeys(a, b visitKey) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func keyAt(t time.Time, id string) visitKey {
	return visitKey{sec: t.Unix(), nsec: int32(t.Nanosecond()), id: id}
}

func keyOf(v outreach.Visit) visitKey { return keyAt(v.VisitedAt, v.ID) }

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

// page calls emit with each of the first p.Limit visits after the cursor
// that keep accepts, in list order, read from the lists of the units in u
// (every unit for nil) within f's period; kind, when set, picks the units'
// lists of that kind. Each list is read from the first key past the
// cursor and the period's start, and stops at the period's end; the lists
// are read merged, until p.Limit matches. The visits keep and emit see
// are views (see visit): emit copies what it keeps (Clone, Ref). Unless
// the filter names a person (whom a visit's findings name too), keep
// sees the head of each row (visitHead), and emit too unless whole.
func (s *Store) page(u cmem.UnitSet, f outreach.VisitFilter, p casework.Page, keep func(outreach.Visit) bool, whole bool, emit func(outreach.Visit)) error {
	after, err := casework.DecodeCursor(p.After)
	if err != nil {
		return err
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
	// The lists are merged in list order, so that each visit is read once,
	// and only until the page is full: the first matches of the merge are
	// the first matches of all the lists.
	heads := make([]listHead, 0, len(lists))
	for _, keys := range lists {
		i := 0
		if after.ID != "" {
			i, _ = slices.BinarySearchFunc(keys, keyAt(after.At, after.ID), compareVisitKeys)
			for i < len(keys) && !after.After(time.Unix(keys[i].sec, int64(keys[i].nsec)), keys[i].id) {
				i++
			}
		}
		if !f.From.IsZero() {
			start, _ := slices.BinarySearchFunc(keys, keyAt(f.From, ""), compareVisitKeys)
			i = max(i, start)
		}
		if i < len(keys) {
			heads = append(heads, listHead{keys: keys, i: i})
		}
	}
	h := headHeap(heads)
	h.init()
	to := keyAt(f.To, "")
	var v outreach.Visit // each candidate, read as a view
	for n := 0; len(h) > 0 && n < p.Limit; {
		k := h[0].keys[h[0].i]
		if !f.To.IsZero() && compareVisitKeys(k, to) >= 0 {
			h.pop() // the rest of this list is past the period
			continue
		}
		if h[0].i++; h[0].i == len(h[0].keys) {
			h.pop()
		} else {
			h.fix()
		}
		var err error
		if f.PersonID == "" {
			_, err = s.visitHead(k.id, &v)
		} else {
			_, err = s.visit(k.id, &v, true)
		}
		if err != nil {
			return err
		}
		if !keep(v) {
			continue
		}
		if whole && f.PersonID == "" {
			if _, err := s.visit(k.id, &v, true); err != nil {
				return err
			}
		}
		emit(v)
		n++
	}
	return nil
}

// listHead is where a merge has come to in one of the index's lists.
type listHead struct {
	keys []visitKey
	i    int
}

// headHeap is a min-heap of list heads by their next key.
type headHeap []listHead

func (h headHeap) less(a, b int) bool {
	return compareVisitKeys(h[a].keys[h[a].i], h[b].keys[h[b].i]) < 0
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

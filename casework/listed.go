package casework

import (
	"container/list"
	"context"
	"sync"
)

// Listed is one record of a list page named for a cache of what the list
// answers about it: its type and id, the version the list read, and the
// view the actor gets of it ("" for the whole record; each reduced view,
// such as a masked one, has a name of its own). Every update of a record
// moves its Version on, and a view is a function of the record alone, so
// (RecordType, ID, Version, View) fixes what is answered: a cache keyed by
// it can never answer anything stale, in any process sharing the store.
type Listed struct {
	RecordType string
	ID         string
	Version    int64
	View       string
}

// ViewMasked names the view of a record whose sensitive fields are hidden
// from the actor (a masked answer).
const ViewMasked = "masked"

// ListedPage is one page of a list as a service hands it to a caller that
// keeps records by version: the records in list order as Listed, the
// cursor of the next page, and Load, which returns the page's records
// among ids (never any other) in the view the page names for each, as
// stored when it is called — the listed version or, after a concurrent
// update, a later one — and leaves out a record gone since. Key names a
// loaded record. The service has checked reach and permission, and
// filtered the page, before it hands it out; Load checks nothing more
// and may be called more than once, until the page is dropped.
type ListedPage[V any] struct {
	Items []Listed
	Next  string
	Load  func(ctx context.Context, ids []string) ([]V, error)
	Key   func(V) Listed
}

// VersionCache keeps values derived from records (decoded records, their
// encoded answers) by (record type, id, version, view), bounded by bytes:
// the least recently used entries go when a new one would pass the bound.
// It keeps one version of each (record type, id, view): a later version
// replaces an earlier one, and an earlier one is never kept over a later. It is safe for
// concurrent use. Values are handed out as stored: callers treat them as
// read-only.
//
// It is exact only for records whose every change moves their version on
// (the rule for every record: compare-and-swap on Version) and whose
// views are functions of the record: then nothing it answers can be
// stale. A cache must sit under the authorization check: the caller asks
// it only for what a service just listed for the actor, in the view the
// service chose for that actor.
type VersionCache[V any] struct {
	max  int64
	size func(V) int64

	mu   sync.Mutex
	used int64
	lru  *list.List // of *versionEntry[V], most recently used first
	m    map[viewKey]*list.Element
}

type viewKey struct{ typ, id, view string }

type versionEntry[V any] struct {
	key     viewKey
	version int64
	v       V
	bytes   int64
}

// versionEntryOverhead is what an entry costs beside its value and key
// strings: the map slot, the list element, the entry itself.
const versionEntryOverhead = 160

// NewVersionCache returns a cache of at most maxBytes, counting each
// entry as size(value), its key's strings and a fixed overhead; nil when
// maxBytes <= 0 (a nil cache keeps nothing, and Resolve loads every
// record).
func NewVersionCache[V any](maxBytes int64, size func(V) int64) *VersionCache[V] {
	if maxBytes <= 0 {
		return nil
	}
	return &VersionCache[V]{max: maxBytes, size: size, lru: list.New(), m: map[viewKey]*list.Element{}}
}

// Get returns the value kept for exactly k's record, version and view.
func (c *VersionCache[V]) Get(k Listed) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[viewKey{k.RecordType, k.ID, k.View}]
	if !ok {
		return zero, false
	}
	e := el.Value.(*versionEntry[V])
	if e.version != k.Version {
		return zero, false
	}
	c.lru.MoveToFront(el)
	return e.v, true
}

// Put keeps v for k, unless a later version of k's record is kept or v
// alone passes the bound.
func (c *VersionCache[V]) Put(k Listed, v V) {
	if c == nil {
		return
	}
	n := c.size(v) + int64(len(k.RecordType)+len(k.ID)+len(k.View)) + versionEntryOverhead
	if n > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := viewKey{k.RecordType, k.ID, k.View}
	if el, ok := c.m[key]; ok {
		e := el.Value.(*versionEntry[V])
		if e.version > k.Version {
			return
		}
		c.remove(el)
	}
	for c.used+n > c.max {
		c.remove(c.lru.Back())
	}
	c.m[key] = c.lru.PushFront(&versionEntry[V]{key: key, version: k.Version, v: v, bytes: n})
	c.used += n
}

func (c *VersionCache[V]) remove(el *list.Element) {
	e := c.lru.Remove(el).(*versionEntry[V])
	delete(c.m, e.key)
	c.used -= e.bytes
}

// Bytes returns what the entries kept count for, and their number.
func (c *VersionCache[V]) Bytes() (bytes int64, entries int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, len(c.m)
}

// Resolve returns what derive makes of each record of p, in p's order:
// from c where it keeps the item's (record, version, view); the others are
// loaded with one call of p.Load, derived, and kept in c under the loaded
// record's own Key (a record updated since it was listed is answered, and
// kept, at its later version). A record Load leaves out (gone since) is
// left out. c may be nil.
func Resolve[V, E any](ctx context.Context, c *VersionCache[E], p ListedPage[V], derive func(V) (E, error)) ([]E, error) {
	out := make([]E, len(p.Items))
	found := make([]bool, len(p.Items))
	var missing []string
	for i, it := range p.Items {
		if out[i], found[i] = c.Get(it); !found[i] {
			missing = append(missing, it.ID)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := p.Load(ctx, missing)
	if err != nil {
		return nil, err
	}
	type record struct{ typ, id string }
	byID := make(map[record]E, len(loaded))
	for _, v := range loaded {
		e, err := derive(v)
		if err != nil {
			return nil, err
		}
		k := p.Key(v)
		c.Put(k, e)
		byID[record{k.RecordType, k.ID}] = e
	}
	n := 0
	for i, it := range p.Items {
		e, ok := out[i], found[i]
		if !ok {
			e, ok = byID[record{it.RecordType, it.ID}]
		}
		if ok {
			out[n] = e
			n++
		}
	}
	return out[:n], nil
}

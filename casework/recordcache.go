package casework

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultStaffCacheTTL is how long, by default, the permission check trusts
// a staff record it has read (Config.StaffCacheTTL).
const DefaultStaffCacheTTL = 2 * time.Second

// DefaultPersonCacheTTL is how long, by default, GetPerson may answer from
// a person record it has read (Config.PersonCacheTTL).
const DefaultPersonCacheTTL = 2 * time.Second

// DefaultPersonCacheEntries bounds, by default, how many person records
// the kernel keeps (Config.PersonCacheEntries): about 1 KB each for a
// person with a document, an address and two contacts, so about 10 MB.
const DefaultPersonCacheEntries = 10_000

// DefaultCacheWatch is how often, by default, the caches read what other
// processes changed (Config.CacheWatch).
const DefaultCacheWatch = 100 * time.Millisecond

// cacheWatchBatch is the most audit entries one look at the chain reads;
// more since the last look and every cache is emptied instead.
const cacheWatchBatch = 1000

// staffCacheEntries bounds the staff cache: the staff who acted within one
// TTL are far fewer.
const staffCacheEntries = 10_000

// recordCachePrune is the size above which a store into a cache first
// drops the expired entries (at most once per TTL).
const recordCachePrune = 256

// recordCache keeps records the kernel read from its store by id, so that
// a read of a record read within the TTL costs no query. Only records that
// exist are kept: a record created anywhere is seen at once.
//
// Staleness is bounded: an entry is used for at most the TTL after the
// moment its read began, measured on the kernel's clock; a change made
// through this kernel drops the entry at once (after the write returned,
// so after its commit), and a read that began before that drop is never
// kept. So what this kernel changes it sees at once, and what another
// process sharing the database changes, within the TTL — and, while the
// kernel watches the audit chain (changeWatch), within its interval.
//
// It holds at most max entries: a store of a new entry into a cache of
// more than a few hundred drops the expired entries first (at most once
// per TTL), then, while the cache is still full, an arbitrary one.
type recordCache[V any] struct {
	ttl time.Duration // <= 0: off
	max int

	mu     sync.RWMutex
	gen    uint64 // bumped by every drop: a read begun before it is not kept
	m      map[string]cacheEntry[V]
	pruned time.Time
}

type cacheEntry[V any] struct {
	v  V
	at time.Time // when the read that loaded v began
}

// newRecordCache returns a cache of at most max entries each used for ttl;
// a ttl or max <= 0 turns it off.
func newRecordCache[V any](ttl time.Duration, max int) *recordCache[V] {
	if max <= 0 {
		ttl = -1
	}
	return &recordCache[V]{ttl: ttl, max: max, m: map[string]cacheEntry[V]{}}
}

func (c *recordCache[V]) on() bool { return c.ttl > 0 }

// fresh says whether an entry read at at may still be used at now; a clock
// that moved backwards (a test, or the demo city's fixed clock) makes
// every older entry stale rather than fresh for ever.
func (c *recordCache[V]) fresh(at, now time.Time) bool {
	age := now.Sub(at)
	return age >= 0 && age < c.ttl
}

// get returns a fresh entry, or false, and the generation a read that
// fills the entry must present to put. The value shares its slices with
// the cache: callers only read it.
func (c *recordCache[V]) get(id string, now time.Time) (V, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[id]
	if ok && c.fresh(e.at, now) {
		return e.v, c.gen, true
	}
	var zero V
	return zero, c.gen, false
}

// put keeps v, read from the store by a read that began at at, when no
// drop happened since the generation gen that read saw.
func (c *recordCache[V]) put(id string, v V, at time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= min(recordCachePrune, c.max) {
		if !c.fresh(c.pruned, at) {
			for k, e := range c.m {
				if !c.fresh(e.at, at) {
					delete(c.m, k)
				}
			}
			c.pruned = at
		}
		for k := range c.m {
			if len(c.m) < c.max {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[id] = cacheEntry[V]{v: v, at: at}
}

// drop forgets records and any read in flight.
func (c *recordCache[V]) drop(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		delete(c.m, id)
	}
}

// dropAll forgets every record and any read in flight.
func (c *recordCache[V]) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// len is how many entries the cache holds, fresh or not.
func (c *recordCache[V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// load returns the record id from the cache while fresh at now, else
// reads it with read (and keeps it unless a drop came in between). The
// result shares its slices with the cache; callers only read it.
func (c *recordCache[V]) load(ctx context.Context, now time.Time, id string, read func(context.Context, string) (V, error)) (V, error) {
	if !c.on() {
		return read(ctx, id)
	}
	v, gen, ok := c.get(id, now)
	if ok {
		return v, nil
	}
	v, err := read(ctx, id)
	if err != nil {
		return v, err
	}
	c.put(id, v, now, gen)
	return v, nil
}

// changeWatch follows the audit chain for the caches: every write, this
// process's or another's sharing the database, appends entries naming the
// records it changed, so reading the entries appended since the last look
// tells which cached records to drop. At most one request at a time looks,
// at most once per interval; the others go on meanwhile.
type changeWatch struct {
	every time.Duration // <= 0: off
	pages atomic.Bool   // a PageCache asked for a mark: look even with both caches off

	due  atomic.Int64 // Unix nanoseconds of the next look; 0: none yet
	mu   sync.Mutex   // held by the request that looks
	seq  atomic.Int64 // the newest entry seen
	seen atomic.Bool  // seq is known
	okAt atomic.Int64 // when the last look succeeded, on sinceStart
}

// sinceStart is monotonic time since the process started: how old the
// watch's last good look is, in real time whatever the kernel's clock says
// (a fixed clock in a test must not stretch the bound it keeps).
func sinceStart() int64 { return int64(time.Since(processStart)) }

var processStart = time.Now()

// current returns the newest entry seen, when a look succeeded within two
// intervals: a mark built on it misses another process's change for no
// longer than that.
func (w *changeWatch) current() (int64, bool) {
	if !w.seen.Load() || sinceStart()-w.okAt.Load() >= int64(2*w.every) {
		return 0, false
	}
	return w.seq.Load(), true
}

// watch drops from the caches what the audit chain says changed since the
// last look, when a look is due at now. A look that fails changes nothing
// (the TTL still bounds the caches) and is tried again an interval later.
func (k *Kernel) watch(ctx context.Context, now time.Time) {
	w := &k.watcher
	if w.every <= 0 || (!k.staffs.on() && !k.persons.on() && !w.pages.Load()) || !w.isDue(now) || !w.mu.TryLock() {
		return
	}
	defer w.mu.Unlock()
	if !w.isDue(now) {
		return
	}
	defer w.due.Store(now.Add(w.every).UnixNano())
	began := sinceStart() // what was committed before this is seen once the look is done
	if !w.seen.Load() {
		// What was cached before the first look may predate changes
		// before the head: forget it.
		h, err := k.store.AuditHead(ctx)
		if err != nil {
			return
		}
		k.staffs.dropAll()
		k.persons.dropAll()
		w.seq.Store(h.Seq)
		w.seen.Store(true)
		w.okAt.Store(began)
		return
	}
	es, err := k.store.AuditSince(ctx, w.seq.Load(), cacheWatchBatch)
	if err != nil {
		return
	}
	defer w.okAt.Store(began) // after seq moved
	if len(es) == 0 {
		return
	}
	if len(es) == cacheWatchBatch {
		k.staffs.dropAll()
		k.persons.dropAll()
	} else {
		var staff, persons []string
		for _, e := range es {
			switch e.RecordType {
			case "staff":
				staff = append(staff, e.RecordID)
			case "person":
				persons = append(persons, e.RecordID)
			}
		}
		if len(staff) > 0 {
			k.staffs.drop(staff...)
		}
		if len(persons) > 0 {
			k.persons.drop(persons...)
		}
	}
	w.seq.Store(es[len(es)-1].Seq)
}

// isDue says whether a look is due at now: the interval has passed since
// the last, or the clock moved back.
func (w *changeWatch) isDue(now time.Time) bool {
	due := w.due.Load()
	return due == 0 || now.UnixNano() >= due || now.UnixNano() < due-int64(w.every)
}

// staff returns a stored staff record as the permission check sees it:
// from the cache while fresh, else from the store (and then cached). The
// result shares its slices with the cache; callers only read it.
func (k *Kernel) staff(ctx context.Context, id string) (Staff, error) {
	now := k.clock.Now()
	k.watch(ctx, now)
	return k.staffs.load(ctx, now, id, k.store.GetStaff)
}

// person returns a stored person record as GetPerson sees it: from the
// cache while fresh (Config.PersonCacheTTL), else from the store (and
// then cached). It holds what the store returns, sealed fields sealed;
// reach, permission and masking are the caller's on every read. The
// result shares its slices with the cache; callers only read it.
func (k *Kernel) person(ctx context.Context, id string) (PersonRecord, error) {
	now := k.clock.Now()
	k.watch(ctx, now)
	return k.persons.load(ctx, now, id, k.store.GetPerson)
}

// cachedPerson is the person record in the cache, when fresh; it reads no
// record.
func (k *Kernel) cachedPerson(ctx context.Context, id string) (PersonRecord, bool) {
	now := k.clock.Now()
	k.watch(ctx, now)
	p, _, ok := k.persons.get(id, now)
	return p, ok
}

// LookupStaff returns a stored staff record without an actor, exactly as
// the permission check sees it: at most Config.StaffCacheTTL old, and
// current for every change made through this kernel. It is for an
// authenticator that turns a token's subject into an Actor (the reference
// server's) so that authenticating costs no query either. It checks no
// permission: never hand its result to a caller (GetStaff is the checked
// read).
func (k *Kernel) LookupStaff(ctx context.Context, id string) (Staff, error) {
	s, err := k.staff(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	return s.Clone(), nil
}

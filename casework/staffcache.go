package casework

import (
	"context"
	"sync"
	"time"
)

// DefaultStaffCacheTTL is how long, by default, the permission check trusts
// a staff record it has read (Config.StaffCacheTTL).
const DefaultStaffCacheTTL = 2 * time.Second

// staffCachePrune is the size above which a store into the cache first
// drops the expired entries (at most once per TTL). Only staff records that
// exist are kept, so the cache never holds more than the staff who acted
// within one TTL plus this.
const staffCachePrune = 256

// staffCache keeps the staff records the permission check read, so that
// one request's checks — the server's authentication, Reach, then
// Authorize — cost no query while the record is fresh, and an authorised
// read costs the one query that loads the record.
//
// Staleness is bounded: an entry is used for at most the TTL after the
// moment its read began, measured on the kernel's clock; a change made
// through this kernel (UpdateStaff) drops the entry at once, and a read
// that began before that drop is never kept. So a staff member deactivated
// through this kernel loses access at once, and one deactivated by another
// process sharing the database within the TTL. Records that do not exist
// are never cached: a staff member created anywhere is seen at once.
type staffCache struct {
	ttl time.Duration // <= 0: off

	mu     sync.RWMutex
	gen    uint64 // bumped by every drop: a read begun before it is not kept
	m      map[string]staffEntry
	pruned time.Time
}

type staffEntry struct {
	s  Staff
	at time.Time // when the read that loaded s began
}

func newStaffCache(ttl time.Duration) *staffCache {
	return &staffCache{ttl: ttl, m: map[string]staffEntry{}}
}

// fresh says whether an entry read at at may still be used at now; a clock
// that moved backwards (a test, or the demo city's fixed clock) makes
// every older entry stale rather than fresh for ever.
func (c *staffCache) fresh(at, now time.Time) bool {
	age := now.Sub(at)
	return age >= 0 && age < c.ttl
}

// get returns a fresh entry, or false. The value shares its slices with
// the cache: callers only read it.
func (c *staffCache) get(id string, now time.Time) (Staff, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[id]
	if ok && c.fresh(e.at, now) {
		return e.s, c.gen, true
	}
	return Staff{}, c.gen, false
}

// put keeps s read from the store by a read that began at at, when no drop
// happened since the generation gen that read saw.
func (c *staffCache) put(s Staff, at time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= staffCachePrune && !c.fresh(c.pruned, at) {
		for id, e := range c.m {
			if !c.fresh(e.at, at) {
				delete(c.m, id)
			}
		}
		c.pruned = at
	}
	c.m[s.ID] = staffEntry{s: s, at: at}
}

// drop forgets a staff member and any read of staff in flight.
func (c *staffCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, id)
}

// staff returns a stored staff record as the permission check sees it:
// from the cache while fresh, else from the store (and then cached). The
// result shares its slices with the cache; callers only read it.
func (k *Kernel) staff(ctx context.Context, id string) (Staff, error) {
	if k.staffs.ttl <= 0 {
		return k.store.GetStaff(ctx, id)
	}
	now := k.clock.Now()
	s, gen, ok := k.staffs.get(id, now)
	if ok {
		return s, nil
	}
	s, err := k.store.GetStaff(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	k.staffs.put(s, now, gen)
	return s, nil
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

package casework_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

var cacheBackends = []string{"memory", "sqlite", "postgres"}

// eachCacheWorld runs fn on a fresh cacheWorld of every backend.
func eachCacheWorld(t *testing.T, ttl time.Duration, fn func(t *testing.T, w cacheWorld)) {
	for _, backend := range cacheBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, newCacheWorld(t, backend, ttl))
		})
	}
}

// otherStation adds a second station under the branch, with an officer.
func (w cacheWorld) otherStation(t *testing.T) (casework.Unit, casework.Actor) {
	t.Helper()
	ctx := context.Background()
	u, err := w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: "370303520000", Name: "马尚派出所", Level: casework.LevelStation, ParentID: w.branch.ID})
	require.NoError(t, err)
	roles := []casework.Role{casework.RoleOfficer}
	s, err := w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: u.ID, Name: "马尚民警", Roles: roles})
	require.NoError(t, err)
	return u, casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: roles}
}

// Every change made through this kernel to a person, or to who reaches it,
// is seen by the next read at once, although the record was cached just
// before: an update, a move to another unit (the old unit's officer loses
// it, the new unit's gains it), both sides of a merge, a closing that moves
// the person, the reader's own deactivation.
func TestPersonCacheSeesOwnChangesAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type check struct {
		reader func(w cacheWorld) casework.Actor
		id     func(w cacheWorld) string
		want   func(t *testing.T, p casework.Person, err error)
	}
	found := func(name string) func(*testing.T, casework.Person, error) {
		return func(t *testing.T, p casework.Person, err error) {
			require.NoError(t, err)
			require.Equal(t, name, p.Name)
		}
	}
	gone := func(t *testing.T, _ casework.Person, err error) { require.ErrorIs(t, err, casework.ErrNotFound) }
	officer := func(w cacheWorld) casework.Actor { return w.officer }
	person := func(w cacheWorld) string { return w.person.ID }
	for _, tc := range []struct {
		name string
		// change runs through w.k and returns the reads to check, each made
		// (and cached) before the change too.
		change func(t *testing.T, w cacheWorld, other casework.Actor) []check
	}{
		{"update", func(t *testing.T, w cacheWorld, _ casework.Actor) []check {
			_, err := w.k.UpdatePerson(ctx, w.officer, w.person.ID, w.person.Version, casework.PersonInput{Name: "王某某", Phone: "13800000001"})
			require.NoError(t, err)
			return []check{{officer, person, found("王某某")}}
		}},
		{"moved to another station", func(t *testing.T, w cacheWorld, other casework.Actor) []check {
			_, err := w.k.UpdatePerson(ctx, w.branchSupervisor, w.person.ID, w.person.Version,
				casework.PersonInput{UnitID: other.UnitID, Name: "王某", Phone: "13800000001"})
			require.NoError(t, err)
			return []check{{officer, person, gone}, {func(cacheWorld) casework.Actor { return other }, person, found("王某")}}
		}},
		{"merged: both sides", func(t *testing.T, w cacheWorld, _ casework.Actor) []check {
			dup, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "王二", Phone: "13800000002"})
			require.NoError(t, err)
			for _, id := range []string{w.person.ID, dup.ID} {
				_, err := w.k.GetPerson(ctx, w.officer, id) // cached before the merge
				require.NoError(t, err)
			}
			_, err = w.k.MergePersons(ctx, w.supervisor, casework.PersonMergeInput{SurvivorID: w.person.ID, SurvivorVersion: w.person.Version,
				MergedID: dup.ID, MergedVersion: dup.Version, Reason: "同一人"})
			require.NoError(t, err)
			return []check{
				{officer, person, func(t *testing.T, p casework.Person, err error) {
					require.NoError(t, err)
					require.Equal(t, w.person.Version+1, p.Version)
					require.Len(t, p.Contacts, 2, "the survivor has the merged person's contact")
				}},
				{officer, func(cacheWorld) string { return dup.ID }, func(t *testing.T, p casework.Person, err error) {
					require.NoError(t, err)
					require.Equal(t, w.person.ID, p.MergedInto, "the merged side is a tombstone")
					require.Empty(t, p.Contacts)
				}},
			}
		}},
		{"station closed into another", func(t *testing.T, w cacheWorld, other casework.Actor) []check {
			_, err := w.k.CloseUnit(ctx, w.branchSupervisor, casework.CloseUnitInput{UnitID: w.station.ID, Version: w.station.Version,
				IntoUnitID: other.UnitID, Reason: "撤并"})
			require.NoError(t, err)
			return []check{{func(cacheWorld) casework.Actor { return other }, person, func(t *testing.T, p casework.Person, err error) {
				require.NoError(t, err)
				require.Equal(t, other.UnitID, p.UnitID)
			}}}
		}},
		{"reader deactivated", func(t *testing.T, w cacheWorld, _ casework.Actor) []check {
			w.deactivate(t, w.k, w.officer.StaffID)
			return []check{{officer, person, gone}}
		}},
	} {
		for _, backend := range cacheBackends {
			t.Run(tc.name+"/"+backend, func(t *testing.T) {
				t.Parallel()
				w := newCacheWorld(t, backend, time.Hour)
				_, other := w.otherStation(t)
				for _, a := range []casework.Actor{w.officer, other} {
					_, _ = w.k.GetPerson(ctx, a, w.person.ID) // cached (the other station's officer is refused)
				}
				for _, c := range tc.change(t, w, other) {
					p, err := w.k.GetPerson(ctx, c.reader(w), c.id(w))
					c.want(t, p, err)
				}
			})
		}
	}
}

// A read of a person that began before a change made through this kernel
// is not kept: it answers with what it read, and the next read goes to the
// store and sees the change.
func TestPersonCacheDropsReadsInFlight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eachCacheWorld(t, time.Hour, func(t *testing.T, w cacheWorld) {
		w.store.duringNextRead(w.person.ID, func() {
			_, err := w.k.UpdatePerson(ctx, w.officer, w.person.ID, w.person.Version, casework.PersonInput{Name: "王某某", Phone: "13800000001"})
			require.NoError(t, err)
		})
		p, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, "王某", p.Name, "the read began before the update")
		reads := w.store.personReads.Load()
		p, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, "王某某", p.Name, "the stale record read in flight was not cached")
		require.Equal(t, reads+1, w.store.personReads.Load())
		_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, reads+1, w.store.personReads.Load(), "the fresh record is cached")
	})
}

// Readers racing updates (run with -race): once the last update returned,
// every read sees it.
func TestPersonCacheReadersRaceUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newCacheWorld(t, "sqlite", time.Hour)
	const updates = 20
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
				if err != nil {
					panic(err)
				}
			}
		}()
	}
	version := w.person.Version
	for i := range updates {
		p, err := w.k.UpdatePerson(ctx, w.officer, w.person.ID, version, casework.PersonInput{Name: fmt.Sprintf("王%d", i), Phone: "13800000001"})
		require.NoError(t, err)
		version = p.Version
		got, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, version, got.Version, "update %d is seen at once while others read", i)
	}
	close(stop)
	wg.Wait()
	got, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, version, got.Version)
}

// The cache sits under the checks: a cached record answers an actor out of
// reach as not found, masking holds on every read, a reveal reads the store
// and is audited every time, and what the cache hands out cannot change it.
func TestPersonCacheUnderChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eachCacheWorld(t, time.Hour, func(t *testing.T, w cacheWorld) {
		p, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.NotEqual(t, "13800000001", p.Phone, "masked")
		p.Contacts[0].Value = "changed"
		_, err = w.k.GetPerson(ctx, w.otherOfficer, w.person.ID)
		require.ErrorIs(t, err, casework.ErrNotFound, "cached, but out of the actor's reach")
		ok, err := w.k.RefInReach(ctx, w.otherOfficer, "person", w.person.ID)
		require.NoError(t, err)
		require.False(t, ok)
		ok, err = w.k.RefInReach(ctx, w.officer, "person", w.person.ID)
		require.NoError(t, err)
		require.True(t, ok)
		reads := w.store.personReads.Load()
		for range 2 {
			r, err := w.k.RevealPerson(ctx, w.officer, w.person.ID, "核实身份")
			require.NoError(t, err)
			require.Equal(t, "13800000001", r.Phone)
		}
		require.Equal(t, reads+2, w.store.personReads.Load(), "a reveal reads the store")
		trail, err := w.k.AuditTrail(ctx, w.auditor, "person", w.person.ID)
		require.NoError(t, err)
		reveals := 0
		for _, e := range trail {
			if e.Action == string(casework.ActionRevealPerson) {
				reveals++
			}
		}
		require.Equal(t, 2, reveals, "every reveal is audited")
		reads = w.store.personReads.Load()
		again, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, reads, w.store.personReads.Load(), "answered from the cache")
		require.NotEqual(t, "13800000001", again.Phone, "still masked after a reveal")
		require.NotEqual(t, "changed", again.Contacts[0].Value, "a returned value shares nothing with the cache")
		rec, ok, err := w.k.PersonInReach(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, reads, w.store.personReads.Load(), "answered from the cache")
		require.NotEmpty(t, rec.Contacts[0].Sealed, "the cache holds the sealed record")
		require.NotContains(t, string(rec.Contacts[0].Sealed), "13800000001")
		sealed := string(rec.Contacts[0].Sealed)
		rec.Contacts[0].Sealed[0] ^= 0xff
		rec, _, err = w.k.PersonInReach(ctx, w.officer, w.person.ID)
		require.NoError(t, err)
		require.Equal(t, sealed, string(rec.Contacts[0].Sealed), "PersonInReach hands out a copy")
	})
}

// The cache keeps at most PersonCacheEntries records: reading more persons
// than that and then all of them again reads the store again for at least
// the excess; within the bound, never. Negative settings read the store
// every time.
func TestPersonCacheBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const persons = 12
	for _, tc := range []struct {
		name               string
		cfg                casework.Config
		minReads, maxReads int64 // store reads of the second round
	}{
		{"within the bound", casework.Config{PersonCacheEntries: persons + 1}, 0, 0},
		{"bound of 4", casework.Config{PersonCacheEntries: 4}, persons - 4, persons},
		{"entries off", casework.Config{PersonCacheEntries: -1}, persons, persons},
		{"ttl off", casework.Config{PersonCacheTTL: -1}, persons, persons},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCacheWorldConfig(t, "memory", tc.cfg)
			ids := []string{w.person.ID}
			for i := 1; i < persons; i++ {
				p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: fmt.Sprintf("居民%d", i)})
				require.NoError(t, err)
				ids = append(ids, p.ID)
			}
			for _, id := range ids {
				_, err := w.k.GetPerson(ctx, w.officer, id)
				require.NoError(t, err)
			}
			reads := w.store.personReads.Load()
			for _, id := range ids {
				_, err := w.k.GetPerson(ctx, w.officer, id)
				require.NoError(t, err)
			}
			n := w.store.personReads.Load() - reads
			require.GreaterOrEqual(t, n, tc.minReads)
			require.LessOrEqual(t, n, tc.maxReads)
		})
	}
}

// A change by another process sharing the database (a second kernel on the
// same store) is seen once the bound has passed on the kernel's clock,
// never later, and within it the cached record may still answer: the TTL
// when the caches do not watch the audit chain, the watch's interval when
// they do (long before the TTL). Changes: an update, a move out of the
// reader's reach, the reader's deactivation.
func TestCachesSeeOtherProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const ttl, every = 3 * time.Second, 100 * time.Millisecond
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, w cacheWorld)
		before func(t *testing.T, p casework.Person, err error) // within the bound
		after  func(t *testing.T, p casework.Person, err error) // from the bound on
	}{
		{"update", func(t *testing.T, w cacheWorld) {
			_, err := w.other.UpdatePerson(ctx, w.officer, w.person.ID, w.person.Version, casework.PersonInput{Name: "王某某", Phone: "13800000001"})
			require.NoError(t, err)
		}, func(t *testing.T, p casework.Person, err error) {
			require.NoError(t, err)
			require.Equal(t, "王某", p.Name, "within the documented staleness the cached record may still answer")
		}, func(t *testing.T, p casework.Person, err error) {
			require.NoError(t, err)
			require.Equal(t, "王某某", p.Name)
		}},
		{"moved out of reach", func(t *testing.T, w cacheWorld) {
			roles := []casework.Role{casework.RoleSupervisor}
			s, err := w.other.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.bureau.ID, Name: "市局领导", Roles: roles})
			require.NoError(t, err)
			_, err = w.other.UpdatePerson(ctx, casework.Actor{StaffID: s.ID, UnitID: w.bureau.ID, Roles: roles}, w.person.ID, w.person.Version,
				casework.PersonInput{UnitID: w.otherBranch.ID, Name: "王某", Phone: "13800000001"})
			require.NoError(t, err)
		}, func(t *testing.T, _ casework.Person, err error) {
			require.NoError(t, err)
		}, func(t *testing.T, _ casework.Person, err error) {
			require.ErrorIs(t, err, casework.ErrNotFound)
		}},
		{"reader deactivated", func(t *testing.T, w cacheWorld) {
			w.deactivate(t, w.other, w.officer.StaffID)
		}, func(t *testing.T, _ casework.Person, err error) {
			require.NoError(t, err)
		}, func(t *testing.T, _ casework.Person, err error) {
			require.ErrorIs(t, err, casework.ErrNotFound)
		}},
	} {
		for _, mode := range []struct {
			name  string
			cfg   casework.Config
			bound time.Duration
		}{
			{"ttl", casework.Config{StaffCacheTTL: ttl, PersonCacheTTL: ttl, CacheWatch: -1}, ttl},
			{"watch", casework.Config{StaffCacheTTL: time.Hour, PersonCacheTTL: time.Hour, CacheWatch: every}, every},
		} {
			for _, backend := range cacheBackends {
				t.Run(tc.name+"/"+mode.name+"/"+backend, func(t *testing.T) {
					t.Parallel()
					w := newCacheWorldConfig(t, backend, mode.cfg)
					start := w.clock.Now()
					_, err := w.k.GetPerson(ctx, w.officer, w.person.ID) // (watch: looks first) caches
					require.NoError(t, err)
					tc.change(t, w)
					w.clock.Set(start.Add(mode.bound - time.Microsecond))
					p, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
					tc.before(t, p, err)
					for _, at := range []time.Duration{mode.bound, mode.bound + time.Hour} {
						w.clock.Set(start.Add(at))
						p, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
						tc.after(t, p, err)
					}
				})
			}
		}
	}
}

// A look drops only the records the new entries name, so writes elsewhere
// leave the cache alone; when more entries than one look reads (1,000)
// were appended, it empties the caches.
func TestCacheWatchDropsWhatChanged(t *testing.T) {
	t.Parallel()
	const every = 100 * time.Millisecond
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		entries int   // appended by the other process between two looks
		reads   int64 // store reads of the cached person after the look
	}{
		{"nothing new", 0, 0},
		{"other records", 999, 0},
		{"more than a look reads", 1000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCacheWorldConfig(t, "memory", casework.Config{CacheWatch: every})
			w.clock.Advance(every) // the look reads the set-up's entries (the person's creation among them) ...
			_, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
			require.NoError(t, err) // ... and the person is cached after it
			for i := range tc.entries {
				_, err := w.other.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: fmt.Sprintf("居民%d", i)})
				require.NoError(t, err)
			}
			w.clock.Advance(every)
			reads := w.store.personReads.Load()
			_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
			require.NoError(t, err)
			require.Equal(t, tc.reads, w.store.personReads.Load()-reads)
		})
	}
}

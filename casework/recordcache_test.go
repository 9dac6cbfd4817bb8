package casework_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// countingStore counts the reads the permission check and a record read
// make, and can run a hook in the middle of one staff read (after the
// store answered, before the kernel sees the answer).
type countingStore struct {
	casework.KernelStore
	staffReads, personReads atomic.Int64

	mu     sync.Mutex
	during map[string]func() // staff id → run once inside its next read
}

func (s *countingStore) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	s.staffReads.Add(1)
	st, err := s.KernelStore.GetStaff(ctx, id)
	s.runHook(id)
	return st, err
}

func (s *countingStore) GetPerson(ctx context.Context, id string) (casework.PersonRecord, error) {
	s.personReads.Add(1)
	p, err := s.KernelStore.GetPerson(ctx, id)
	s.runHook(id)
	return p, err
}

// runHook runs the hook set for id's next read, once.
func (s *countingStore) runHook(id string) {
	s.mu.Lock()
	hook := s.during[id]
	delete(s.during, id)
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
}

func (s *countingStore) duringNextRead(id string, hook func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.during == nil {
		s.during = map[string]func(){}
	}
	s.during[id] = hook
}

// cacheWorld is a kernel world over a counting store, a person in the
// station, and a second kernel on the same store: another server process
// sharing the database.
type cacheWorld struct {
	*kernelWorld
	store  *countingStore
	other  *casework.Kernel
	person casework.Person
}

// The caches' TTLs are ttl, and they do not watch the audit chain: what
// another process changes is seen at the TTL (the watch has its own tests).
func newCacheWorld(t *testing.T, backend string, ttl time.Duration) cacheWorld {
	t.Helper()
	return newCacheWorldConfig(t, backend, casework.Config{StaffCacheTTL: ttl, PersonCacheTTL: ttl, CacheWatch: -1})
}

// newCacheWorldConfig is newCacheWorld with the caches' settings of cfg
// on both kernels.
func newCacheWorldConfig(t *testing.T, backend string, cfg casework.Config) cacheWorld {
	t.Helper()
	store := &countingStore{KernelStore: kernelBackends[backend](t)}
	mine := cfg
	w := newKernelWorld(t, store, &mine)
	cfg.Clock = w.clock
	other, err := casework.New(store, &cfg)
	require.NoError(t, err)
	p, err := w.k.CreatePerson(context.Background(), w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "王某", Phone: "13800000001"})
	require.NoError(t, err)
	return cacheWorld{kernelWorld: w, store: store, other: other, person: p}
}

// deactivate turns a staff member off through kernel k.
func (w cacheWorld) deactivate(t *testing.T, k *casework.Kernel, staffID string) {
	t.Helper()
	ctx := context.Background()
	s, err := w.store.KernelStore.GetStaff(ctx, staffID)
	require.NoError(t, err)
	off := false
	_, err = k.UpdateStaff(ctx, w.admin, staffID, s.Version, casework.StaffUpdate{Active: &off})
	require.NoError(t, err)
}

// readAfterOtherDeactivates reads the person as the officer through w.k
// (caching the officer), deactivates the officer through the other kernel,
// runs move (on the clock) and returns the error of w.k's next read.
func (w cacheWorld) readAfterOtherDeactivates(t *testing.T, move func()) error {
	t.Helper()
	ctx := context.Background()
	_, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
	require.NoError(t, err)
	w.deactivate(t, w.other, w.officer.StaffID)
	_, err = w.other.GetPerson(ctx, w.officer, w.person.ID)
	require.ErrorIs(t, err, casework.ErrNotFound, "the process that made the change sees it at once")
	move()
	_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
	return err
}

// An authorised, masked read costs one query once the actor's staff record
// is cached: the record's own; none while the person record is cached too.
// Without the staff cache it costs the staff reads of Reach and Authorize
// too.
func TestAuthorisedReadIsOneQuery(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		for _, tc := range []struct {
			name                    string
			staffTTL, personTTL     time.Duration
			staffReads, personReads int64
		}{
			{"staff cached", 0, -1, 0, 1},
			{"staff and person cached", 0, 0, 0, 0},
			{"caches off", -1, -1, 2, 1},
		} {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				w := newCacheWorldConfig(t, backend, casework.Config{StaffCacheTTL: tc.staffTTL, PersonCacheTTL: tc.personTTL})
				ctx := context.Background()
				_, err := w.k.GetPerson(ctx, w.officer, w.person.ID) // warms the cache
				require.NoError(t, err)
				staff0, person0 := w.store.staffReads.Load(), w.store.personReads.Load()
				for range 5 {
					p, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
					require.NoError(t, err)
					require.NotEqual(t, "13800000001", p.Phone, "masked")
				}
				require.Equal(t, 5*tc.staffReads, w.store.staffReads.Load()-staff0)
				require.Equal(t, 5*tc.personReads, w.store.personReads.Load()-person0)
			})
		}
	}
}

// A staff member deactivated through this kernel loses access at once; one
// deactivated by another process is refused once the TTL has passed, and
// never later. A negative TTL sees every change at once.
func TestStaffCacheStalenessBound(t *testing.T) {
	t.Parallel()
	const ttl = 3 * time.Second
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()

			t.Run("same kernel: at once", func(t *testing.T) {
				t.Parallel()
				w := newCacheWorld(t, backend, ttl)
				_, err := w.k.GetPerson(ctx, w.officer, w.person.ID)
				require.NoError(t, err)
				w.deactivate(t, w.k, w.officer.StaffID)
				_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
				require.ErrorIs(t, err, casework.ErrNotFound, "a deactivated officer sees nothing, as if the record did not exist")
				s, err := w.k.LookupStaff(ctx, w.officer.StaffID)
				require.NoError(t, err)
				require.False(t, s.Active, "the authenticator sees the change at once too")
			})

			t.Run("other process: within the TTL", func(t *testing.T) {
				t.Parallel()
				w := newCacheWorld(t, backend, ttl)
				start := w.clock.Now()
				err := w.readAfterOtherDeactivates(t, func() { w.clock.Set(start.Add(ttl - time.Microsecond)) })
				require.NoError(t, err, "within the documented staleness the cached record may still answer")
				w.clock.Set(start.Add(ttl))
				_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
				require.ErrorIs(t, err, casework.ErrNotFound, "at the bound the change has taken effect")
				w.clock.Set(start.Add(ttl + time.Hour))
				_, err = w.k.GetPerson(ctx, w.officer, w.person.ID)
				require.ErrorIs(t, err, casework.ErrNotFound)
			})

			t.Run("cache off: at once everywhere", func(t *testing.T) {
				t.Parallel()
				w := newCacheWorld(t, backend, -1)
				require.ErrorIs(t, w.readAfterOtherDeactivates(t, func() {}), casework.ErrNotFound)
			})
		})
	}
}

// A clock that moves backwards (the demo city loads on a fixed clock in
// 2020) makes cached records stale, never fresh for years.
func TestStaffCacheClockBackwards(t *testing.T) {
	t.Parallel()
	w := newCacheWorld(t, "memory", time.Minute)
	err := w.readAfterOtherDeactivates(t, func() { w.clock.Set(w.clock.Now().Add(-time.Second)) })
	require.ErrorIs(t, err, casework.ErrNotFound)
}

// A staff read that began before a change made through this kernel is not
// kept: the old record it returns answers that one lookup, and the next
// one, and every check, sees the change.
func TestStaffCacheDropsReadsInFlight(t *testing.T) {
	t.Parallel()
	w := newCacheWorld(t, "memory", time.Hour)
	ctx := context.Background() // w.other has read no staff yet
	w.store.duringNextRead(w.officer.StaffID, func() { w.deactivate(t, w.other, w.officer.StaffID) })
	s, err := w.other.LookupStaff(ctx, w.officer.StaffID)
	require.NoError(t, err)
	require.True(t, s.Active, "the read began while the officer was active")
	s, err = w.other.LookupStaff(ctx, w.officer.StaffID)
	require.NoError(t, err)
	require.False(t, s.Active, "the stale record read in flight was not cached")
	_, err = w.other.GetPerson(ctx, w.officer, w.person.ID)
	require.ErrorIs(t, err, casework.ErrNotFound)
}

// A moved or re-roled staff member is checked against the new record at
// once: roles the actor no longer holds are refused.
func TestStaffCacheSeesRoleChanges(t *testing.T) {
	t.Parallel()
	w := newCacheWorld(t, "sqlite", time.Hour)
	ctx := context.Background()
	require.NoError(t, w.k.Authorize(ctx, w.officer, casework.ActionRead, casework.Target{}))
	s, err := w.store.KernelStore.GetStaff(ctx, w.officer.StaffID)
	require.NoError(t, err)
	_, err = w.k.UpdateStaff(ctx, w.admin, s.ID, s.Version, casework.StaffUpdate{Roles: []casework.Role{casework.RoleMediator}})
	require.NoError(t, err)
	require.ErrorIs(t, w.k.Authorize(ctx, w.officer, casework.ActionRead, casework.Target{}), casework.ErrForbidden,
		"the actor claims officer roles the record no longer holds")
}

// LookupStaff hands out copies: changing one changes nothing the
// permission check sees.
func TestLookupStaffNoAliasing(t *testing.T) {
	t.Parallel()
	w := newCacheWorld(t, "memory", time.Hour)
	ctx := context.Background()
	s, err := w.k.LookupStaff(ctx, w.supervisor.StaffID)
	require.NoError(t, err)
	s.Roles[0] = casework.RoleAdmin
	again, err := w.k.LookupStaff(ctx, w.supervisor.StaffID)
	require.NoError(t, err)
	require.Equal(t, []casework.Role{casework.RoleSupervisor}, again.Roles)
	_, err = w.k.LookupStaff(ctx, "no-such-staff")
	require.ErrorIs(t, err, casework.ErrNotFound)
}

// On SQL the authorised, masked read of a person with several contacts is
// one statement (the person and its contacts together), whatever the
// number of contacts, and the contacts come back in order. (With the
// person cache off: on, a read of a cached person is none.)
func TestAuthorisedReadIsOneStatement(t *testing.T) {
	t.Parallel()
	db, st := testdb.CountingSQLite(t)
	s, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	w := newKernelWorld(t, s, &casework.Config{PersonCacheTTL: -1})
	ctx := context.Background()
	for _, contacts := range [][]casework.Contact{nil, {{Kind: casework.ContactMobile, Value: "13800000001"}},
		{{Kind: casework.ContactMobile, Value: "13800000001"}, {Kind: casework.ContactLandline, Value: "05332345678"},
			{Kind: casework.ContactMobile, Value: "13900000002"}}} {
		p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "王某", Contacts: contacts})
		require.NoError(t, err)
		_, err = w.k.GetPerson(ctx, w.officer, p.ID) // warms the staff cache
		require.NoError(t, err)
		before := st.N()
		got, err := w.k.GetPerson(ctx, w.officer, p.ID)
		require.NoError(t, err)
		require.Equal(t, int64(1), st.N()-before, "%d contacts", len(contacts))
		require.Equal(t, p.ID, got.ID)
		require.Equal(t, p.Contacts, got.Contacts)
		require.Len(t, got.Contacts, len(contacts))
		for i, c := range got.Contacts {
			require.Equal(t, contacts[i].Kind, c.Kind)
			require.NotEqual(t, contacts[i].Value, c.Value, "masked")
		}
	}
	_, err = w.k.GetPerson(ctx, w.officer, "no-such-person")
	require.ErrorIs(t, err, casework.ErrNotFound)
}

package storetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// keyedStaff prepares the create of staff member id under the request key
// "k" of actor "actor", replacing a stored key created before
// expiredBefore, and returns the write: preparing uses the fixture clock, so
// concurrent callers prepare under a lock and write outside it.
func (f *fixture) keyedStaff(root casework.Unit, id string, at, expiredBefore time.Time) func() error {
	ch := f.change("staff", id)
	ch.RequestKey = &casework.RequestKey{ActorID: "actor", Key: "k", Fingerprint: "fp-" + id, RecordType: "staff", RecordID: id,
		Result: []byte(`"` + id + `"`), CreatedAt: at, ExpiredBefore: expiredBefore}
	m := casework.Staff{ID: id, UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: at, UpdatedAt: at}
	return func() error { return f.s.CreateStaff(context.Background(), m, ch) }
}

// testExpiredRequestKeyReplaced: a stored key created before the cutoff a
// new key carries gives way to it in the same write; one created at or
// after the cutoff is still ErrConflict and the write commits nothing. A
// store that keeps the unique key without the cutoff refuses every create
// under an expired key for ever.
func testExpiredRequestKeyReplaced(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	first := f.tick()
	require.NoError(t, f.keyedStaff(root, "rk-first", first, time.Time{})())

	for name, cutoff := range map[string]time.Time{"no cutoff": {}, "cutoff at the key's creation": first} {
		err := f.keyedStaff(root, "rk-early", f.tick(), cutoff)()
		require.ErrorIs(t, err, casework.ErrConflict, name)
		_, err = s.GetStaff(ctx, "rk-early")
		require.ErrorIs(t, err, casework.ErrNotFound, "%s: the refused write commits nothing", name)
	}

	at := f.tick()
	require.NoError(t, f.keyedStaff(root, "rk-second", at, first.Add(time.Microsecond))(), "the expired key gives way")
	rk, err := s.GetRequestKey(ctx, "actor", "k")
	require.NoError(t, err)
	require.Equal(t, casework.RequestKey{ActorID: "actor", Key: "k", Fingerprint: "fp-rk-second", RecordType: "staff", RecordID: "rk-second",
		Result: []byte(`"rk-second"`), CreatedAt: at.UTC()}, normalizeKey(rk), "the new key replaced the old one; no cutoff is stored")
	for _, id := range []string{"rk-first", "rk-second"} {
		_, err := s.GetStaff(ctx, id)
		require.NoError(t, err, "%s: replacing a key deletes no record", id)
	}
}

// normalizeKey puts a key's time in UTC, as stores may return it in any
// zone.
func normalizeKey(rk casework.RequestKey) casework.RequestKey {
	rk.CreatedAt = rk.CreatedAt.UTC()
	return rk
}

// testConcurrentExpiredRequestKey: writers racing to replace one expired
// key create exactly one record; the others are ErrConflict. A store that
// deletes the expired key outside the write's transaction, or upserts it
// unconditionally, lets two of them commit.
func testConcurrentExpiredRequestKey(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	old := f.tick()
	require.NoError(t, f.keyedStaff(root, "rk-old", old, time.Time{})())
	cutoff := f.tick()
	const workers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var wins []string
	conflicts := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "rk-new-" + strconv.Itoa(w)
			mu.Lock()
			write := f.keyedStaff(root, id, f.tick(), cutoff)
			mu.Unlock()
			err := write()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins = append(wins, id)
			case errors.Is(err, casework.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	require.Len(t, wins, 1)
	require.Equal(t, workers-1, conflicts)
	list, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, list, 2, "the old record and exactly one new one")
	rk, err := s.GetRequestKey(ctx, "actor", "k")
	require.NoError(t, err)
	require.Equal(t, wins[0], rk.RecordID)
}

// testDeleteRequestKeys: the sweep's delete takes the keys created before
// its cutoff, every actor's, and no other; a second run deletes none.
func testDeleteRequestKeys(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	var times []time.Time
	for i, actor := range []string{"a", "b", "a"} {
		id := "rk-del-" + strconv.Itoa(i)
		ch := f.change("staff", id)
		at := f.tick()
		times = append(times, at)
		ch.RequestKey = &casework.RequestKey{ActorID: actor, Key: "k" + strconv.Itoa(i), Fingerprint: "fp", RecordType: "staff", RecordID: id, CreatedAt: at}
		require.NoError(t, s.CreateStaff(ctx, casework.Staff{ID: id, UnitID: root.ID, Name: "x", Roles: []casework.Role{"officer"}, Version: 1, CreatedAt: at, UpdatedAt: at}, ch))
	}
	n, err := s.DeleteRequestKeys(ctx, times[2])
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	for i, actor := range []string{"a", "b"} {
		_, err := s.GetRequestKey(ctx, actor, "k"+strconv.Itoa(i))
		require.ErrorIs(t, err, casework.ErrNotFound, "key %d was older than the cutoff", i)
	}
	_, err = s.GetRequestKey(ctx, "a", "k2")
	require.NoError(t, err, "a key created at the cutoff stays")
	n, err = s.DeleteRequestKeys(ctx, times[2])
	require.NoError(t, err)
	require.Zero(t, n, "a second run deletes nothing")
	list, err := s.ListStaff(ctx, casework.StaffFilter{}, casework.Page{})
	require.NoError(t, err)
	require.Len(t, list, 3, "deleting keys deletes no record")
}

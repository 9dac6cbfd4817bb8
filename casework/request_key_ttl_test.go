package casework_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// TestRequestKeysExpire: a request key answers repeats of its request for
// Config.RequestKeyTTL and no longer: after it, the same key is a new
// request — even concurrently, exactly one new record — and Sweep deletes
// the old keys.
func TestRequestKeysExpire(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Hour
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newKernelWorld(t, open(t), &casework.Config{RequestKeyTTL: ttl})
			in := casework.PersonInput{UnitID: w.station.ID, Name: "孟庆花", Gender: casework.GenderFemale, RequestKey: "req-1"}
			count := func() int {
				list, _, err := w.k.FindPersons(ctx, w.officer, casework.PersonQuery{Name: in.Name})
				require.NoError(t, err)
				return len(list)
			}
			first, err := w.k.CreatePerson(ctx, w.officer, in)
			require.NoError(t, err)

			w.clock.Advance(ttl)
			again, err := w.k.CreatePerson(ctx, w.officer, in)
			require.NoError(t, err)
			require.Equal(t, first.ID, again.ID, "a repeat at the end of the TTL returns the first record")
			changed := in
			changed.Name = "孟庆华"
			_, err = w.k.CreatePerson(ctx, w.officer, changed)
			require.ErrorIs(t, err, casework.ErrRequestKeyReused, "within the TTL the key is still the first request's")
			res, err := w.k.Sweep(ctx, w.clock.Now())
			require.NoError(t, err)
			require.Zero(t, res.Changed)
			_, err = w.store.GetRequestKey(ctx, w.officer.StaffID, "req-1")
			require.NoError(t, err, "the sweep keeps a key within the TTL")
			require.Equal(t, 1, count())

			w.clock.Advance(time.Microsecond)
			const workers = 8
			var wg sync.WaitGroup
			got := make([]casework.Person, workers)
			errs := make([]error, workers)
			for i := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = w.k.CreatePerson(ctx, w.officer, in)
				}()
			}
			wg.Wait()
			for i := range workers {
				require.NoError(t, errs[i])
				require.Equal(t, got[0].ID, got[i].ID, "every concurrent request under the expired key returns the one new record")
			}
			require.NotEqual(t, first.ID, got[0].ID, "after the TTL the same key creates a new record")
			require.Equal(t, 2, count(), "exactly one new record")

			w.clock.Advance(ttl + time.Microsecond)
			other, err := w.k.CreatePerson(ctx, w.officer, changed)
			require.NoError(t, err, "an expired key with another body is a new request, not a reuse")
			require.NotEqual(t, got[0].ID, other.ID)

			w.clock.Advance(ttl + time.Microsecond)
			_, err = w.k.Sweep(ctx, w.clock.Now())
			require.NoError(t, err)
			_, err = w.store.GetRequestKey(ctx, w.officer.StaffID, "req-1")
			require.ErrorIs(t, err, casework.ErrNotFound, "the sweep deletes a key older than the TTL")
		})
	}
}

// TestRequestKeyTTLDefault: without RequestKeyTTL a key answers repeats for
// DefaultRequestKeyTTL, a day.
func TestRequestKeyTTLDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	in := casework.PersonInput{UnitID: w.station.ID, Name: "孟庆花", Gender: casework.GenderFemale, RequestKey: "req-1"}
	first, err := w.k.CreatePerson(ctx, w.officer, in)
	require.NoError(t, err)
	w.clock.Advance(casework.DefaultRequestKeyTTL)
	again, err := w.k.CreatePerson(ctx, w.officer, in)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID)
	w.clock.Advance(time.Microsecond)
	later, err := w.k.CreatePerson(ctx, w.officer, in)
	require.NoError(t, err)
	require.NotEqual(t, first.ID, later.ID)
	require.Equal(t, 24*time.Hour, casework.DefaultRequestKeyTTL)
}

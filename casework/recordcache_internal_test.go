package casework

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A record cache never holds more than its bound, whatever was stored, and
// keeps nothing when off; dropAll forgets everything.
func TestRecordCacheBound(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		ttl      time.Duration
		max, n   int
		want     int
		wantLast bool // the last record stored is kept
	}{
		{"under the bound", time.Hour, 10_000, 500, 500, true},
		{"small bound", time.Hour, 3, 50, 3, true},
		{"bound above the prune size", time.Hour, 300, 2_000, 300, true},
		{"ttl off", -1, 100, 50, 0, false},
		{"entries off", time.Hour, -1, 50, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newRecordCache[int](tc.ttl, tc.max)
			for i := range tc.n {
				_, gen, _ := c.get(strconv.Itoa(i), at)
				if c.on() {
					c.put(strconv.Itoa(i), i, at, gen)
				}
				require.LessOrEqual(t, c.len(), max(tc.max, 0))
			}
			require.Equal(t, tc.want, c.len())
			v, _, ok := c.get(strconv.Itoa(tc.n-1), at)
			require.Equal(t, tc.wantLast, ok)
			if ok {
				require.Equal(t, tc.n-1, v)
			}
			c.dropAll()
			require.Zero(t, c.len())
		})
	}
}

// Expired entries are pruned before a full cache evicts a fresh one.
func TestRecordCachePrunesExpiredFirst(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC)
	c := newRecordCache[int](time.Second, recordCachePrune)
	for i := range recordCachePrune {
		_, gen, _ := c.get(strconv.Itoa(i), at)
		c.put(strconv.Itoa(i), i, at, gen)
	}
	fresh := strconv.Itoa(recordCachePrune - 1)
	later := at.Add(time.Second / 2)
	_, gen, _ := c.get(fresh, later)
	c.put(fresh, -1, later, gen) // refreshes an entry: nothing is evicted
	require.Equal(t, recordCachePrune, c.len())
	later = at.Add(time.Second)
	_, gen, _ = c.get("new", later)
	c.put("new", 1, later, gen)
	require.Equal(t, 2, c.len(), "every entry read at the start expired; the refreshed one and the new one stay")
	_, _, ok := c.get(fresh, later)
	require.True(t, ok)
}

package casework_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

func byteCache(max int64) *casework.VersionCache[[]byte] {
	return casework.NewVersionCache(max, func(b []byte) int64 { return int64(len(b)) })
}

func key(id string, version int64, view string) casework.Listed {
	return casework.Listed{RecordType: "visit", ID: id, Version: version, View: view}
}

func TestVersionCacheKeepsExactVersionAndView(t *testing.T) {
	t.Parallel()
	c := byteCache(1 << 20)
	c.Put(key("v1", 2, ""), []byte("whole v1@2"))
	c.Put(key("v1", 2, casework.ViewMasked), []byte("masked v1@2"))
	for _, tc := range []struct {
		name string
		k    casework.Listed
		want string // "" for a miss
	}{
		{"whole", key("v1", 2, ""), "whole v1@2"},
		{"masked", key("v1", 2, casework.ViewMasked), "masked v1@2"},
		{"older version", key("v1", 1, ""), ""},
		{"newer version", key("v1", 3, ""), ""},
		{"other view", key("v1", 2, "other"), ""},
		{"other type", casework.Listed{RecordType: "hazard", ID: "v1", Version: 2}, ""},
		{"other id", key("v2", 2, ""), ""},
	} {
		got, ok := c.Get(tc.k)
		require.Equal(t, tc.want != "", ok, tc.name)
		require.Equal(t, tc.want, string(got), tc.name)
	}

	// A later version replaces the earlier; an earlier one never replaces
	// a later.
	c.Put(key("v1", 3, ""), []byte("whole v1@3"))
	_, ok := c.Get(key("v1", 2, ""))
	require.False(t, ok)
	c.Put(key("v1", 2, ""), []byte("whole v1@2 again"))
	got, ok := c.Get(key("v1", 3, ""))
	require.True(t, ok)
	require.Equal(t, "whole v1@3", string(got))
	_, ok = c.Get(key("v1", 2, ""))
	require.False(t, ok)
	_, n := c.Bytes()
	require.Equal(t, 2, n, "one entry per record and view")
}

// TestVersionCacheBound fills a cache far past its bound, in random sizes
// and orders, and requires the bytes it counts never to pass the bound,
// to count exactly what it keeps, and to let the least recently used
// entries go first.
func TestVersionCacheBound(t *testing.T) {
	t.Parallel()
	const max = 10_000
	for _, seed := range []uint64{1, 2, 3} {
		rng := rand.New(rand.NewPCG(seed, 7))
		c := byteCache(max)
		kept := map[string]int64{} // what the cache should count for each id, if kept
		for i := range 3000 {
			id := fmt.Sprintf("r%03d", rng.IntN(400))
			v := make([]byte, rng.IntN(600))
			c.Put(key(id, int64(i), ""), v)
			kept[id] = int64(len(v) + len("visit") + len(id))
			used, n := c.Bytes()
			require.LessOrEqual(t, used, int64(max))
			require.Positive(t, n)
		}
		used, n := c.Bytes()
		var sum int64
		found := 0
		for id, size := range kept {
			for v := range int64(3000) {
				if _, ok := c.Get(key(id, v, "")); ok {
					sum += size
					found++
				}
			}
		}
		require.Equal(t, n, found)
		require.Less(t, used-sum, int64(n*200), "the counted bytes are the values, keys and a fixed overhead")
		require.Greater(t, used-sum, int64(0))
	}

	// Least recently used goes first.
	c := byteCache(int64(3 * (100 + len("visit") + 2 + 160)))
	for _, id := range []string{"a1", "a2", "a3"} {
		c.Put(key(id, 1, ""), make([]byte, 100))
	}
	_, ok := c.Get(key("a1", 1, ""))
	require.True(t, ok)
	c.Put(key("a4", 1, ""), make([]byte, 100))
	for id, want := range map[string]bool{"a1": true, "a2": false, "a3": true, "a4": true} {
		_, ok := c.Get(key(id, 1, ""))
		require.Equal(t, want, ok, id)
	}

	// A value larger than the whole bound is not kept, and evicts nothing.
	c.Put(key("huge", 1, ""), make([]byte, 10_000))
	_, ok = c.Get(key("huge", 1, ""))
	require.False(t, ok)
	_, n := c.Bytes()
	require.Equal(t, 3, n)
}

func TestVersionCacheOff(t *testing.T) {
	t.Parallel()
	for _, max := range []int64{0, -1} {
		c := byteCache(max)
		require.Nil(t, c)
		c.Put(key("v1", 1, ""), []byte("x"))
		_, ok := c.Get(key("v1", 1, ""))
		require.False(t, ok)
		used, n := c.Bytes()
		require.Zero(t, used)
		require.Zero(t, n)
	}
}

// rec is a stored record for Resolve's tests.
type rec struct {
	id      string
	version int64
	masked  bool
	body    string
}

func recKey(r rec) casework.Listed {
	k := key(r.id, r.version, "")
	if r.masked {
		k.View = casework.ViewMasked
	}
	return k
}

func derive(r rec) ([]byte, error) {
	return fmt.Appendf(nil, "%s@%d masked=%v %s", r.id, r.version, r.masked, r.body), nil
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := map[string]rec{}
	for i := range 6 {
		id := fmt.Sprintf("v%d", i)
		store[id] = rec{id: id, version: 1, body: "body of " + id}
	}
	var loads [][]string
	page := func(ids ...string) casework.ListedPage[rec] {
		var items []casework.Listed
		for _, id := range ids {
			r, ok := store[id]
			if !ok {
				r = rec{id: id, version: 1}
			}
			items = append(items, recKey(r))
		}
		return casework.ListedPage[rec]{Items: items, Key: recKey, Load: func(_ context.Context, ids []string) ([]rec, error) {
			loads = append(loads, slices.Clone(ids))
			var out []rec
			for _, id := range slices.Backward(ids) { // any order
				if r, ok := store[id]; ok {
					out = append(out, r)
				}
			}
			return out, nil
		}}
	}
	resolve := func(c *casework.VersionCache[[]byte], p casework.ListedPage[rec]) []string {
		t.Helper()
		out, err := casework.Resolve(ctx, c, p, derive)
		require.NoError(t, err)
		var s []string
		for _, b := range out {
			s = append(s, string(b))
		}
		return s
	}
	want := func(ids ...string) []string {
		var s []string
		for _, id := range ids {
			b, _ := derive(store[id])
			s = append(s, string(b))
		}
		return s
	}

	c := byteCache(1 << 20)
	require.Equal(t, want("v3", "v1", "v2"), resolve(c, page("v3", "v1", "v2")))
	require.Equal(t, [][]string{{"v3", "v1", "v2"}}, loads)
	loads = nil
	require.Equal(t, want("v0", "v1", "v2", "v3"), resolve(c, page("v0", "v1", "v2", "v3")))
	require.Equal(t, [][]string{{"v0"}}, loads, "only what the cache lacks is loaded, in one call")
	loads = nil
	require.Equal(t, want("v2", "v1"), resolve(c, page("v2", "v1")))
	require.Nil(t, loads, "a page the cache holds loads nothing")

	// An update moves the version the list reads: never the old answer.
	store["v1"] = rec{id: "v1", version: 2, body: "amended"}
	require.Equal(t, want("v1", "v2"), resolve(c, page("v1", "v2")))
	require.Equal(t, [][]string{{"v1"}}, loads)
	loads = nil

	// Listed at version 2, updated to 3 before the load: answered and kept
	// at 3.
	p := page("v1", "v4")
	store["v1"] = rec{id: "v1", version: 3, body: "amended again"}
	require.Equal(t, want("v1", "v4"), resolve(byteCache(1<<20), p))
	loads = nil
	require.Equal(t, want("v1"), resolve(c, page("v1")))
	require.Equal(t, [][]string{{"v1"}}, loads)
	loads = nil
	require.Equal(t, want("v1"), resolve(c, page("v1")))
	require.Nil(t, loads, "kept at the version loaded")

	// A view is its own entry.
	store["v5"] = rec{id: "v5", version: 1, masked: true, body: "masked"}
	require.Equal(t, want("v5"), resolve(c, page("v5")))
	got, ok := c.Get(key("v5", 1, casework.ViewMasked))
	require.True(t, ok)
	require.Contains(t, string(got), "masked=true")
	_, ok = c.Get(key("v5", 1, ""))
	require.False(t, ok)

	// A record gone between the list and the load is left out; no cache
	// loads everything.
	require.Equal(t, want("v0", "v2"), resolve(nil, page("v0", "gone", "v2")))

	// The load's error is the answer's.
	boom := errors.New("boom")
	p = page("v9")
	p.Load = func(context.Context, []string) ([]rec, error) { return nil, boom }
	_, err := casework.Resolve(ctx, c, p, derive)
	require.ErrorIs(t, err, boom)
}

// TestVersionCacheConcurrent hammers one small cache from several
// goroutines (run with -race): every value found is the one put for that
// version, and the bound holds.
func TestVersionCacheConcurrent(t *testing.T) {
	t.Parallel()
	const max = 4000
	c := byteCache(max)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for range 5000 {
				id := fmt.Sprintf("r%d", rng.IntN(50))
				v := rng.Int64N(5)
				k := key(id, v, "")
				if got, ok := c.Get(k); ok {
					if string(got) != fmt.Sprintf("%s@%d", id, v) {
						t.Errorf("%v answered %q", k, got)
					}
					continue
				}
				c.Put(k, fmt.Appendf(nil, "%s@%d", id, v))
				if used, _ := c.Bytes(); used > max {
					t.Errorf("%d bytes kept, bound %d", used, max)
				}
			}
		})
	}
	wg.Wait()
}

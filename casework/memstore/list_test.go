package memstore_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

type item struct {
	id  string
	at  time.Time
	odd bool
}

// List answers what sorting every match and cutting the page would, for
// every limit, cursor and filter — with ties in time ordered by id.
func TestListMatchesSortThenCut(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	items := map[string]item{}
	for i := range 500 {
		it := item{id: fmt.Sprintf("i%03d", i), at: base.Add(time.Duration(r.IntN(100)) * time.Minute), odd: i%2 == 1}
		items[it.id] = it
	}
	key := func(it item) casework.Cursor { return casework.Cursor{At: it.at, ID: it.id} }
	all := slices.Collect(func(yield func(item) bool) {
		for _, it := range items {
			if !yield(it) {
				return
			}
		}
	})
	slices.SortFunc(all, func(a, b item) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, limit := range []int{1, 7, 50, 201, 1000} {
		for _, onlyOdd := range []bool{false, true} {
			keep := func(it item) bool { return !onlyOdd || it.odd }
			var want []item
			for _, it := range all {
				if keep(it) {
					want = append(want, it)
				}
			}
			after := ""
			for page := 0; ; page++ {
				got, err := memstore.List(items, keep, key, memstore.Identity[item], casework.Page{Limit: limit, After: after})
				require.NoError(t, err)
				n := min(len(want), casework.Page{Limit: limit}.ForStore().Limit)
				require.Equal(t, want[:n], got, "limit %d odd %v page %d", limit, onlyOdd, page)
				if len(want) <= n {
					break
				}
				after = key(got[n-1]).Encode() // the next page starts after the last returned
				want = want[n:]
			}
		}
	}
}

// Subtree keeps the set of a unit's path, and answers every unit under it
// after units are created, and none that a failed atomic write created:
// a kept set never outlives the units it was built from.
func TestSubtreeFollowsUnitWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := memstore.New()
	unit := func(ctx context.Context, id, parent string) casework.Unit {
		u := casework.Unit{ID: id, Code: id, Name: id, Level: 1, ParentID: parent, Path: casework.UnitPath("", id), Version: 1}
		if parent != "" {
			p, err := db.GetUnit(ctx, parent)
			require.NoError(t, err)
			u.Level, u.Path = p.Level+1, casework.UnitPath(p.Path, id)
		}
		return u
	}
	create := func(ctx context.Context, id, parent string) {
		require.NoError(t, db.CreateUnit(ctx, unit(ctx, id, parent), casework.Change{}))
	}
	create(ctx, "city", "")
	create(ctx, "district", "city")
	failed := errors.New("the write failed")
	for _, c := range []struct {
		name  string
		write func()
		path  string
		want  []string
	}{
		{"before", func() {}, "/city/district/", []string{"district"}},
		{"a station is created", func() { create(ctx, "station", "district") }, "/city/district/", []string{"district", "station"}},
		{"the city sees it", func() {}, "/city/", []string{"city", "district", "station"}},
		{"a station of a failed atomic write", func() {
			require.ErrorIs(t, db.Atomically(ctx, func(ctx context.Context) error {
				create(ctx, "rolled-back", "district")
				set, err := db.Subtree(ctx, "/city/district/") // kept inside the write
				require.NoError(t, err)
				require.True(t, set.Has("rolled-back"))
				return failed
			}), failed)
		}, "/city/district/", []string{"district", "station"}},
		{"a path of no unit", func() {}, "/nowhere/", nil},
	} {
		c.write()
		for range 2 { // built, then kept
			set, err := db.Subtree(ctx, c.path)
			require.NoError(t, err, c.name)
			require.ElementsMatch(t, c.want, slices.Collect(maps.Keys(set)), c.name)
		}
	}
	set, err := db.Subtree(ctx, "")
	require.NoError(t, err)
	require.Nil(t, set, "no path: no filter")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = db.Subtree(cancelled, "/city/")
	require.ErrorIs(t, err, context.Canceled)
}

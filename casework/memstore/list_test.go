package memstore_test

import (
	"cmp"
	"fmt"
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

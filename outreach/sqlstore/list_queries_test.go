package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// A filtered list of visits (the load script's station work list) costs
// the same statements at any page size and over any subtree: the
// subtree's units, then the page; each full and in order.
func TestListVisitsStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, st := testdb.CountingSQLite(t)
	s, k := open(t, db, casesql.SQLite)
	root, stations := kstoretest.UnitTree(t, k, 2, 2)
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 240
	for i := range n {
		at := start.Add(time.Duration(i) * time.Hour)
		kind := outreach.DifficultFamily
		if i%4 == 3 {
			kind = outreach.Community
		}
		require.NoError(t, s.CreateVisit(ctx, outreach.VisitWrite{Visit: outreach.Visit{ID: fmt.Sprintf("v-%05d", i),
			UnitID: stations[i%len(stations)].ID, OfficerIDs: []string{"st-1"}, VisitedAt: at, TargetKind: kind,
			TargetKey: fmt.Sprintf("org:%d", i), Organisation: "org", RecordedBy: "st-1", Version: 1, CreatedAt: at, UpdatedAt: at}},
			casework.Change{}))
	}
	var counts []int64
	for _, under := range []string{stations[0].Path, root.Path} {
		for _, limit := range []int{5, 50} {
			f := outreach.VisitFilter{UnitUnder: under, TargetKind: outreach.DifficultFamily, From: start.Add(10 * time.Hour)}
			before := st.N()
			page, err := s.ListVisits(ctx, f, casework.Page{Limit: limit})
			require.NoError(t, err)
			counts = append(counts, st.N()-before)
			require.Len(t, page, limit, "%s limit %d", under, limit)
			for i, v := range page {
				require.Equal(t, outreach.DifficultFamily, v.TargetKind)
				require.False(t, v.VisitedAt.Before(f.From))
				if i > 0 {
					require.True(t, page[i-1].VisitedAt.Before(v.VisitedAt), "in order")
				}
			}
		}
	}
	t.Logf("statements per list: %v", counts)
	for _, c := range counts {
		require.Equal(t, int64(2), c, "the subtree's units and the page, whatever the page size or subtree: %v", counts)
	}
}

// A station's page (a subtree of one unit) is read in the order of the
// unit's index and stops at the limit: SQLite's plan sorts nothing, where
// the union of several units' arms sorts the page.
func TestOneUnitPageSortsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.SQLite(t)
	open(t, db, casesql.SQLite)
	plan := func(units []string) string {
		var a sqlx.Args
		where := ` AND target_kind = ` + a.Add("difficult_family") + ` AND visited_at >= ` + a.Add(int64(0))
		q, err := casesql.PageByUnit(units, &a, casework.Page{Limit: 50}, casesql.UnitPage{Table: "outreach_visits",
			Cols: "id, notes", UnitCol: "unit_id", AtCol: "visited_at", IDCol: "id", Where: where})
		require.NoError(t, err)
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, a.Values()...)
		require.NoError(t, err)
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			steps = append(steps, detail)
		}
		require.NoError(t, rows.Err())
		return strings.Join(steps, "\n")
	}
	one := plan([]string{"u-1"})
	require.NotContains(t, one, "TEMP B-TREE", one)
	require.Contains(t, one, "outreach_visits_unit_kind", one)
	require.Contains(t, plan([]string{"u-1", "u-2"}), "TEMP B-TREE", "the test can tell")
}

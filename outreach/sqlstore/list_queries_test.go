package sqlstore_test

import (
	"context"
	"database/sql"
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
// the same statements at any page size and over any subtree: the first
// list of a subtree reads its units, then the page; every later one the
// page alone; each full and in order.
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
	require.Equal(t, []int64{2, 1, 2, 1}, counts, "the subtree's units once, then the page alone, whatever the page size or subtree")
}

// newVisit is a visit of kind by unit at at, for the list tests.
func newVisit(id, unit string, at time.Time, kind outreach.TargetKind) outreach.VisitWrite {
	return outreach.VisitWrite{Visit: outreach.Visit{ID: id, UnitID: unit, OfficerIDs: []string{"st-1"}, VisitedAt: at, TargetKind: kind,
		TargetKey: "org:" + id, Organisation: "org", RecordedBy: "st-1", Version: 1, CreatedAt: at, UpdatedAt: at}}
}

// A list keeps the units of the subtrees it listed (casesql.Lister), yet a
// unit created afterwards under a listed subtree, here through the kernel
// store as another process would, is listed at once: on a page that
// still has rows (the visit of the new unit comes first) and on one that
// would be empty without it; the statements say when the units were read
// again.
func TestListVisitsSeesNewUnits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, st := testdb.CountingSQLite(t)
	for _, engine := range []struct {
		name string
		db   *sql.DB
		e    casesql.Engine
	}{{"sqlite", db, casesql.SQLite}, {"postgres", testdb.Postgres(t).DB, casesql.Postgres}} {
		t.Run(engine.name, func(t *testing.T) {
			s, k := open(t, engine.db, engine.e)
			_, stations := kstoretest.UnitTree(t, k, 1, 1)
			station := stations[0]
			start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range 3 {
				require.NoError(t, s.CreateVisit(ctx, newVisit(fmt.Sprintf("v-%d", i), station.ID, start.Add(time.Duration(i+1)*time.Hour),
					outreach.DifficultFamily), casework.Change{}))
			}
			child := func(id string) casework.Unit {
				u := casework.Unit{ID: id, Code: id, Name: id, Level: casework.LevelOffice, ParentID: station.ID,
					Path: casework.UnitPath(station.Path, id), Version: 1, CreatedAt: start, UpdatedAt: start}
				require.NoError(t, k.CreateUnit(ctx, u, casework.Change{}))
				return u
			}
			list := func(kind outreach.TargetKind) ([]string, int64) {
				before := st.N()
				rows, err := s.ListVisits(ctx, outreach.VisitFilter{UnitUnder: station.Path, TargetKind: kind}, casework.Page{Limit: 10})
				require.NoError(t, err)
				ids := make([]string, len(rows))
				for i, v := range rows {
					ids[i] = v.ID
				}
				return ids, st.N() - before
			}
			steps := []struct {
				name   string
				add    func()
				kind   outreach.TargetKind
				want   []string
				sqlite int64 // statements on SQLite
			}{
				{"first list reads the units", nil, outreach.DifficultFamily, []string{"v-0", "v-1", "v-2"}, 2},
				{"then the page alone", nil, outreach.DifficultFamily, []string{"v-0", "v-1", "v-2"}, 1},
				{"an empty page checks the units", nil, outreach.Community, []string{}, 2},
				{"a new unit's visit on a page that would be empty", func() {
					require.NoError(t, s.CreateVisit(ctx, newVisit("v-x", child("post-x").ID, start, outreach.Community), casework.Change{}))
				}, outreach.Community, []string{"v-x"}, 3},
				{"a new unit's visit first on a page with rows", func() {
					require.NoError(t, s.CreateVisit(ctx, newVisit("v-y", child("post-y").ID, start, outreach.DifficultFamily), casework.Change{}))
				}, outreach.DifficultFamily, []string{"v-y", "v-0", "v-1", "v-2"}, 3},
				{"and then the page alone again", nil, outreach.DifficultFamily, []string{"v-y", "v-0", "v-1", "v-2"}, 1},
			}
			for _, step := range steps {
				if step.add != nil {
					step.add()
				}
				got, n := list(step.kind)
				require.Equal(t, step.want, got, step.name)
				if engine.e == casesql.SQLite {
					require.Equal(t, step.sqlite, n, step.name)
				}
			}
		})
	}
}

// A station's page of refs (a subtree of one unit) is read from the
// unit's covering index in order and stops at the limit: SQLite's plan
// sorts nothing and reads no row of the table, where the union of several
// units' arms sorts the page.
func TestOneUnitPageSortsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.SQLite(t)
	open(t, db, casesql.SQLite)
	plan := func(units []string) string {
		var a sqlx.Args
		where := ` AND target_kind = ` + a.Add("difficult_family") + ` AND visited_at >= ` + a.Add(int64(0))
		q, err := casesql.PageByUnit(units, &a, casework.Page{Limit: 50}, casesql.UnitPage{Table: "outreach_visits",
			Cols: "id, version, visited_at, target_kind", UnitCol: "unit_id", AtCol: "visited_at", IDCol: "id", Where: where})
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
	require.Contains(t, one, "COVERING INDEX outreach_visits_unit_kind_refs", one)
	require.Contains(t, plan([]string{"u-1", "u-2"}), "TEMP B-TREE", "the test can tell")
}

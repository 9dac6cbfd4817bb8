package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/outreach"
)

// TestVisitPersons: the persons a visit names (the visited resident and
// its findings' persons) are indexed on every write, an update re-points
// them, and migration step 8 indexes those of visits written before it
// from their columns.
func TestVisitPersons(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, engine sqlx.Engine) {
		ctx := context.Background()
		k, err := casesql.New(db, engine)
		require.NoError(t, err)
		s := New(k)
		require.NoError(t, s.Migrate(ctx))
		_, stations := kstoretest.UnitTree(t, k, 1, 1)
		at := time.Date(2020, 5, 6, 1, 0, 0, 0, time.UTC)
		visit := func(id, person string, found ...string) outreach.Visit {
			v := outreach.Visit{ID: id, UnitID: stations[0].ID, OfficerIDs: []string{"st-1"}, VisitedAt: at, TargetKind: outreach.DifficultFamily,
				TargetKey: "k/" + id, PersonID: person, RecordedBy: "st-1", Version: 1, CreatedAt: at, UpdatedAt: at}
			if len(found) > 0 {
				v.Findings = []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", Summary: "邻里", PersonIDs: found, OutboxID: "o-" + id}}
			}
			return v
		}
		v := visit("v-all", "p-resident", "p-a", "p-b")
		require.Equal(t, []string{"p-a", "p-b", "p-resident"}, v.PersonRefs())
		require.NoError(t, s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}))
		for i := range 30 {
			require.NoError(t, s.CreateVisit(ctx, outreach.VisitWrite{Visit: visit(fmt.Sprintf("v-%02d", i), fmt.Sprintf("p-other-%d", i))}, casework.Change{}))
		}
		lookup := func(p string) []string {
			t.Helper()
			got, err := s.ListVisits(ctx, outreach.VisitFilter{PersonID: p}, casework.Page{})
			require.NoError(t, err)
			ids := []string{}
			for _, x := range got {
				ids = append(ids, x.ID)
			}
			return ids
		}
		check := func(stage string, resident string) {
			t.Helper()
			for _, p := range []string{resident, "p-a", "p-b"} {
				require.Equal(t, []string{"v-all"}, lookup(p), "%s: %s", stage, p)
			}
			require.Equal(t, []string{"v-07"}, lookup("p-other-7"), stage)
			require.Empty(t, lookup("st-1"), "%s: officers are not persons", stage)
		}
		check("written", "p-resident")

		// A merge's update re-points the resident, column and index.
		next := v
		next.PersonID, next.Version = "p-survivor", 2
		require.NoError(t, s.UpdateVisit(ctx, next, casework.Change{}))
		got, err := s.GetVisit(ctx, v.ID)
		require.NoError(t, err)
		require.Equal(t, "p-survivor", got.PersonID)
		require.Empty(t, lookup("p-resident"))
		check("updated", "p-survivor")

		_, err = db.ExecContext(ctx, `DELETE FROM outreach_visit_persons`)
		require.NoError(t, err)
		step := migrations[7]
		require.Equal(t, 8, step.Version)
		dialect, err := sqlx.Of(engine)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, step.Stmts(dialect)[2])
		require.NoError(t, err)
		check("migrated", "p-survivor")
	})
}

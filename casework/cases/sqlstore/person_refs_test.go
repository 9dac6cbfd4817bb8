package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

// TestPersonRefs: the persons a case or lead names are indexed on every
// write, and migration step 5 indexes those of records written before it
// from their bodies, as Case.PersonRefs and Lead.PersonRefs say.
func TestPersonRefs(t *testing.T) {
	t.Parallel()
	testdb.EachEngine(t, func(t *testing.T, db *sql.DB, engine sqlx.Engine) {
		ctx := context.Background()
		k, err := casesql.New(db, engine)
		require.NoError(t, err)
		k.CheckRollups()
		s := New(k)
		require.NoError(t, k.MigrateAll(ctx, s))
		_, stations := kstoretest.UnitTree(t, k, 1, 1)
		at := time.Date(2020, 5, 6, 1, 0, 0, 0, time.UTC)
		c := cases.Case{ID: "c-all", UnitID: stations[0].ID, Kind: "theft", State: cases.StateSolved, IncidentAt: at, ReportedAt: at,
			ReporterID: "p-reporter", VictimIDs: []string{"p-victim", "p-victim2"}, SuspectIDs: []string{"p-suspect"},
			Arrests: []cases.Arrest{{ID: "a1", SuspectID: "p-arrested", At: at}},
			Items:   []cases.Item{{ItemID: "i1", OwnerPersonID: "p-owner"}}, Version: 1, CreatedAt: at, UpdatedAt: at}
		want := []string{"p-arrested", "p-owner", "p-reporter", "p-suspect", "p-victim", "p-victim2"}
		require.Equal(t, want, c.PersonRefs())
		l := cases.Lead{ID: "l-1", UnitID: stations[0].ID, Source: casework.Source{Kind: "visit", ID: "v1"}, Summary: "线索",
			PersonIDs: []string{"p-lead", "p-victim"}, FoundAt: at, FoundBy: "staff-1", State: cases.LeadNew, Version: 1, CreatedAt: at, UpdatedAt: at}
		w := cases.Write{NewCases: []cases.Case{c}, NewLeads: []cases.Lead{l}}
		for i := range 50 {
			o := c
			o.ID, o.ReporterID, o.VictimIDs, o.SuspectIDs, o.Arrests, o.Items = fmt.Sprintf("c-%02d", i), "", []string{fmt.Sprintf("p-other-%d", i)}, nil, nil, nil
			w.NewCases = append(w.NewCases, o)
		}
		require.NoError(t, s.CommitCases(ctx, w, casework.Change{}))
		check := func(stage string) {
			t.Helper()
			for _, p := range append(want, "p-lead", "p-other-7", "p-nobody") {
				got, err := s.ListCases(ctx, cases.Filter{PersonID: p}, casework.Page{})
				require.NoError(t, err)
				ids := []string{}
				for _, x := range got {
					ids = append(ids, x.ID)
				}
				switch p {
				case "p-lead", "p-nobody":
					require.Empty(t, ids, "%s: %s", stage, p)
				case "p-other-7":
					require.Equal(t, []string{"c-07"}, ids, stage)
				default:
					require.Equal(t, []string{"c-all"}, ids, "%s: %s", stage, p)
				}
				leads, err := s.ListLeads(ctx, cases.LeadFilter{PersonID: p}, casework.Page{})
				require.NoError(t, err)
				require.Equal(t, p == "p-lead" || p == "p-victim", len(leads) == 1, "%s: lead by %s", stage, p)
			}
		}
		check("written")
		_, err = db.ExecContext(ctx, `DELETE FROM case_person_refs`)
		require.NoError(t, err)
		step := migrations[4]
		require.Equal(t, 5, step.Version)
		dialect, err := sqlx.Of(engine)
		require.NoError(t, err)
		for _, stmt := range step.Stmts(dialect)[2:] { // the table and its index exist
			_, err := db.ExecContext(ctx, stmt)
			require.NoError(t, err)
		}
		check("migrated")
	})
}

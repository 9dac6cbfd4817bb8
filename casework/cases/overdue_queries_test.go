package cases_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestOverdueListCostsTheSameAtAnySize counts the SQL statements of one
// page of the overdue list over a station with 40 and with 1,200 open
// cases, two in three of them with every step done (not overdue), so that
// a list filtering in Go would page through many more rows: the count is
// the same, and every page is full and in order.
func TestOverdueListCostsTheSameAtAnySize(t *testing.T) {
	t.Parallel()
	var counted [2]int64
	for i, n := range []int{40, 1200} {
		var st *testdb.Statements
		e := newCaseEnv(t, func(t *testing.T) (casework.KernelStore, cases.Store, func(*testing.T) (casework.KernelStore, cases.Store)) {
			sdb, s := testdb.CountingSQLite(t)
			st = s
			k, err := casesql.New(sdb, casesql.SQLite)
			require.NoError(t, err)
			require.NoError(t, k.Migrate(context.Background()))
			c := sqlstore.New(k)
			require.NoError(t, c.Migrate(context.Background()))
			return k, c, nil
		})
		var w cases.Write
		old := e.clock.Now().Add(-60 * 24 * time.Hour)
		for j := range n {
			at := old.Add(time.Duration(j) * time.Minute)
			c := cases.Case{ID: fmt.Sprintf("c-%05d", j), UnitID: e.team.ID, Kind: cases.KindTheft, State: cases.StateFiled,
				Summary: "旧案", IncidentAt: at.Add(-time.Hour), Place: "门前", ReportedAt: at, ReportedBy: e.officer.StaffID,
				Version: 1, CreatedAt: at, UpdatedAt: at}
			if j%3 > 0 { // every step expected of a filed case is done
				c.Dispatch = &cases.DispatchStep{At: at}
				c.Survey = &cases.SurveyStep{At: at}
				c.Analysis = &cases.AnalysisStep{At: at}
				c.Arrests = []cases.Arrest{{ID: "a-" + c.ID, SuspectID: e.suspect.ID, At: at, By: e.officer.StaffID, RecordedAt: at}}
			}
			w.NewCases = append(w.NewCases, c)
		}
		require.NoError(t, e.cases.CommitCases(e.ctx, w, casework.Change{}))
		now := e.clock.Now()
		_, _, err := e.svc.Overdue(e.ctx, e.officer, "", now, casework.Page{Limit: 10}) // warms the kernel's unit cache
		require.NoError(t, err)
		before := st.N()
		list, next, err := e.svc.Overdue(e.ctx, e.officer, "", now, casework.Page{Limit: 10})
		require.NoError(t, err)
		counted[i] = st.N() - before
		require.Len(t, list, 10)
		require.NotEmpty(t, next)
		for k, o := range list {
			require.Equal(t, fmt.Sprintf("c-%05d", 3*k), o.Case.ID, "the overdue cases in order, the others skipped")
			require.Equal(t, []cases.Step{cases.StepSurvey, cases.StepAnalyse, cases.StepArrest}, o.Steps)
		}
		page2, _, err := e.svc.Overdue(e.ctx, e.officer, "", now, casework.Page{Limit: 10, After: next})
		require.NoError(t, err)
		require.Equal(t, "c-00030", page2[0].Case.ID)
	}
	t.Logf("statements for one page: %d at 40 cases, %d at 1,200", counted[0], counted[1])
	require.Equal(t, counted[0], counted[1], "one page costs the same at 40 and at 1,200 cases")
	require.LessOrEqual(t, counted[0], int64(4), "the staff check and one query for the page")
}

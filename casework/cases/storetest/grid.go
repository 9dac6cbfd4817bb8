package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/stretchr/testify/require"
)

// testGrid fills the store with random cases, arrests and leads whose
// event times sit on and next to the grids' bounds, and checks that every
// cell of CountCasesGrid equals both CountCases of its subtree and period
// and cases.CountOf over the records written (the count by the letter of
// the contract, independent of any store).
func testGrid(t *testing.T, f *fixture) {
	ctx := context.Background()
	c := kstoretest.NewGridCheck(t, 13, f.root, f.a, f.a1, f.b)
	pathOf := map[string]string{}
	for _, u := range []casework.Unit{f.root, f.a, f.a1, f.b} {
		pathOf[u.ID] = u.Path
	}
	var cs []cases.Case
	var leads []cases.Lead
	for i := range 120 {
		x := newCase(fmt.Sprintf("g-%03d", i), c.Unit().ID, 0)
		x.ReportedAt = c.Time()
		x.FiledAt, x.SolvedAt, x.ClosedAt, x.DroppedAt, x.ReopenedAt = c.Maybe(), c.Maybe(), c.Maybe(), c.Maybe(), c.Maybe()
		for j := range c.IntN(3) {
			x.Arrests = append(x.Arrests, cases.Arrest{ID: fmt.Sprintf("%s-a%d", x.ID, j), SuspectID: fmt.Sprintf("p%d", c.IntN(6)), At: c.Time()})
		}
		cs = append(cs, x)
		l := newLead(fmt.Sprintf("gl-%03d", i), c.Unit().ID, 0)
		l.FoundAt = c.Time()
		leads = append(leads, l)
	}
	require.NoError(t, f.Cases.CommitCases(ctx, cases.Write{NewCases: cs, NewLeads: leads}, casework.Change{}))
	kstoretest.GridMatches(t, c, f.Cases.CountCasesGrid, f.Cases.CountCases)
	kstoretest.GridMatches(t, c, f.Cases.CountCasesGrid, func(_ context.Context, path string, start, end time.Time) (cases.Counts, error) {
		return cases.CountOf(cs, leads, func(_, _, unitID string, _ time.Time) bool { return casework.Contains(path, pathOf[unitID]) }, start, end), nil
	})
}

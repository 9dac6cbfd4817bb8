package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// testGrid fills the store with random disputes whose event times sit on
// and next to the grids' bounds, and checks that every cell of TotalsGrid
// equals Totals of its subtree and period.
func testGrid(t *testing.T, e *env) {
	ctx := context.Background()
	c := kstoretest.NewGridCheck(t, 17, e.root, e.a, e.a1, e.b)
	for i := range 120 {
		d := minimal(fmt.Sprintf("g-%03d", i), c.Unit().ID, c.Time())
		d.AcceptedAt, d.SettledAt, d.FailedAt, d.ReferredAt, d.ReopenedAt = c.Maybe(), c.Maybe(), c.Maybe(), c.Maybe(), c.Maybe()
		require.NoError(t, e.s.CreateDispute(ctx, d, e.change(d.ID)))
	}
	kstoretest.GridMatches(t, c, e.s.TotalsGrid, func(ctx context.Context, path string, start, end time.Time) (mediation.TotalsRow, error) {
		rows, err := e.s.Totals(ctx, mediation.TotalsQuery{UnitUnder: path, Start: start, End: end})
		if err != nil {
			return mediation.TotalsRow{}, err
		}
		return rows[0], nil
	})
}

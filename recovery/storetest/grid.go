package storetest

import (
	"context"
	"testing"
	"time"

	kstoretest "github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/grassroots-policing/grassroots/recovery"
)

// testGrid fills the store with random items, return events and disposals
// whose event times sit on and next to the grids' bounds, and checks that
// every cell of TotalsGrid equals Totals of its subtree and period.
func testGrid(t *testing.T, f *fixture) {
	c := kstoretest.NewGridCheck(t, 23, f.root, f.a, f.a1, f.b)
	var b recovery.Batch
	for range 100 {
		it := f.item(c.Unit())
		it.ValueFen = int64(100 * (1 + c.IntN(5000)))
		it.RecoveredAt, it.ReturnedAt, it.UnclaimedAt, it.DisposedAt = c.Maybe(), c.Maybe(), c.Maybe(), c.Maybe()
		b.NewItems = append(b.NewItems, it)
	}
	for i := range 40 {
		e := f.event(c.Unit())
		e.HeldAt = c.Maybe()
		if !e.HeldAt.IsZero() && c.IntN(4) > 0 {
			e.State = recovery.EventHeld
		}
		b.NewEvents = append(b.NewEvents, e)
		d := f.disposal(b.NewItems[i])
		d.UnitID, d.ProceedsFen, d.CompletedAt = c.Unit().ID, int64(c.IntN(100000)), c.Maybe()
		if !d.CompletedAt.IsZero() && c.IntN(4) > 0 {
			d.State = recovery.DisposalCompleted
		}
		b.NewDisposals = append(b.NewDisposals, d)
	}
	f.put(t, b)
	kstoretest.GridMatches(t, c, f.s.TotalsGrid, func(ctx context.Context, path string, start, end time.Time) (recovery.Totals, error) {
		return f.s.Totals(ctx, recovery.TotalsFilter{UnitUnder: path, Start: start, End: end})
	})
}

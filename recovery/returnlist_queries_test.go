package recovery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	recsql "github.com/grassroots-policing/grassroots/recovery/sqlstore"
	"github.com/stretchr/testify/require"
)

// TestReturnListCostsTheSameAtAnySize counts the SQL statements of a
// case's return list of 20 and of 400 items, half of them with a return
// to a delegate: the same count, and every item listed with its owner and
// recipient.
func TestReturnListCostsTheSameAtAnySize(t *testing.T) {
	t.Parallel()
	var counted [2]int64
	for i, n := range []int{20, 400} {
		db, st := testdb.CountingSQLite(t)
		k, err := ksql.New(db, ksql.SQLite)
		require.NoError(t, err)
		require.NoError(t, k.Migrate(context.Background()))
		rs := recsql.New(k)
		require.NoError(t, rs.Migrate(context.Background()))
		e := newEnvOn(t, k, rs, nil)
		var b recovery.Batch
		for j := range n {
			at := start.Add(time.Duration(j) * time.Minute)
			it := recovery.Item{ID: fmt.Sprintf("item-%04d", j), UnitID: e.station.ID, CaseID: "case-1", Origin: recovery.OriginFound,
				Category: "e_bike", Description: "电动自行车", Quantity: 1, ValueFen: 100000, OwnerPersonID: e.owner.ID,
				State: recovery.StateIdentified, RecoveredAt: at, Holder: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01", Name: "仓库"},
				Version: 1, CreatedAt: at, UpdatedAt: at}
			if j%2 == 1 {
				r := recovery.Return{ID: "ret-" + it.ID, UnitID: it.UnitID, ItemID: it.ID, CaseID: it.CaseID, State: recovery.ReturnApproved,
					OwnerPersonID: e.owner.ID, RecipientPersonID: e.delegate.ID, Delegate: true, RequestedBy: e.officer.StaffID, RequestedAt: at,
					Version: 1, CreatedAt: at, UpdatedAt: at}
				it.State, it.ReturnID = recovery.StateReturnApproved, r.ID
				b.NewReturns = append(b.NewReturns, r)
			}
			b.NewItems = append(b.NewItems, it)
		}
		require.NoError(t, rs.Apply(e.ctx, b, casework.Change{}))
		_, err = e.svc.ReturnList(e.ctx, e.officer, recovery.ReturnListQuery{CaseID: "case-1"}) // warms the kernel's caches
		require.NoError(t, err)
		before := st.N()
		l, err := e.svc.ReturnList(e.ctx, e.officer, recovery.ReturnListQuery{CaseID: "case-1"})
		require.NoError(t, err)
		counted[i] = st.N() - before
		require.Len(t, l.Rows, n)
		require.Equal(t, "陈某某", l.Rows[0].OwnerName)
		require.Equal(t, "刘某", l.Rows[1].RecipientName)
		require.Equal(t, "ret-item-0001", l.Rows[1].ReturnID)
	}
	t.Logf("statements for the list: %d at 20 items, %d at 400", counted[0], counted[1])
	require.Equal(t, counted[0], counted[1], "the list costs the same at 20 and at 400 items")
}

// TestEventReturnListCostsTheSameAtAnySize counts the SQL statements of a
// return event's list of 1 and of 50 planned returns (a held event, one
// return of them not handed over): the same count, every return listed in
// the event's order with its owner, recipient and the event's note.
func TestEventReturnListCostsTheSameAtAnySize(t *testing.T) {
	t.Parallel()
	var counted [2]int64
	for i, n := range []int{1, 50} {
		db, st := testdb.CountingSQLite(t)
		k, err := ksql.New(db, ksql.SQLite)
		require.NoError(t, err)
		require.NoError(t, k.Migrate(context.Background()))
		rs := recsql.New(k)
		require.NoError(t, rs.Migrate(context.Background()))
		e := newEnvOn(t, k, rs, nil)
		var b recovery.Batch
		ev := recovery.Event{ID: "event-1", UnitID: e.branch.ID, Name: "返还会", Date: start, Place: "广场", State: recovery.EventHeld,
			CreatedBy: e.supervisor.StaffID, HeldBy: e.supervisor.StaffID, HeldAt: start, Version: 2, CreatedAt: start, UpdatedAt: start}
		for j := range n {
			at := start.Add(time.Duration(j) * time.Minute)
			it := recovery.Item{ID: fmt.Sprintf("item-%04d", j), UnitID: e.station.ID, CaseID: "case-1", Origin: recovery.OriginFound,
				Category: "e_bike", Description: "电动自行车", Quantity: 1, ValueFen: 100000, OwnerPersonID: e.owner.ID,
				State: recovery.StateReturned, RecoveredAt: at, ReturnedAt: at, Holder: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01", Name: "仓库"},
				Version: 1, CreatedAt: at, UpdatedAt: at}
			r := recovery.Return{ID: "ret-" + it.ID, UnitID: it.UnitID, ItemID: it.ID, CaseID: it.CaseID, State: recovery.ReturnCompleted,
				OwnerPersonID: e.owner.ID, RecipientPersonID: e.delegate.ID, Delegate: true, RequestedBy: e.officer.StaffID, RequestedAt: at,
				EventID: ev.ID, Version: 1, CreatedAt: at, UpdatedAt: at}
			res := recovery.EventResult{ReturnID: r.ID, ItemID: it.ID, Returned: true}
			if j == n-1 {
				it.State, r.State = recovery.StateReturnApproved, recovery.ReturnApproved
				res = recovery.EventResult{ReturnID: r.ID, ItemID: it.ID, Reason: "失主未到场"}
			}
			it.ReturnID = r.ID
			b.NewItems, b.NewReturns = append(b.NewItems, it), append(b.NewReturns, r)
			// The event's order, not the records' creation order.
			ev.ReturnIDs, ev.Results = append([]string{r.ID}, ev.ReturnIDs...), append(ev.Results, res)
		}
		b.NewEvents = []recovery.Event{ev}
		require.NoError(t, rs.Apply(e.ctx, b, casework.Change{}))
		_, err = e.svc.ReturnList(e.ctx, e.supervisor, recovery.ReturnListQuery{EventID: ev.ID}) // warms the kernel's caches
		require.NoError(t, err)
		before := st.N()
		l, err := e.svc.ReturnList(e.ctx, e.supervisor, recovery.ReturnListQuery{EventID: ev.ID})
		require.NoError(t, err)
		counted[i] = st.N() - before
		require.Len(t, l.Rows, n)
		for j, row := range l.Rows {
			require.Equal(t, ev.ReturnIDs[j], row.ReturnID)
			require.Equal(t, "陈某某", row.OwnerName)
			require.Equal(t, "刘某", row.RecipientName)
		}
		require.Equal(t, "返还会上未发还：失主未到场", l.Rows[0].Note, "the last return, listed first, was not handed over")
		require.Equal(t, n-1, l.Returned)
		// Out of reach: an officer of another branch sees no event.
		_, err = e.svc.ReturnList(e.ctx, e.away, recovery.ReturnListQuery{EventID: ev.ID})
		require.ErrorIs(t, err, errs.ErrNotFound)
	}
	t.Logf("statements for the event's list: %d at 1 return, %d at 50", counted[0], counted[1])
	require.Equal(t, counted[0], counted[1], "the list costs the same at 1 and at 50 returns")
}

package recovery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
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

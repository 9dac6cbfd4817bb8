package casework_test

import (
	"context"
	"errors"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/stretchr/testify/require"
)

// unitsDown fails every unit read after it is switched on.
type unitsDown struct {
	casework.KernelStore
	down bool
}

var errUnitsDown = errors.New("units table unreachable")

func (s *unitsDown) GetUnit(ctx context.Context, id string) (casework.Unit, error) {
	if s.down {
		return casework.Unit{}, errUnitsDown
	}
	return s.KernelStore.GetUnit(ctx, id)
}

// A failing store is not an answer about reach: Reach and the reports built
// on it return the store's error, never "not found".
func TestReachReturnsStoreErrors(t *testing.T) {
	t.Parallel()
	store := &unitsDown{KernelStore: memstore.New()}
	w := newKernelWorld(t, store, nil)
	// A fresh kernel on the same store has no unit cached.
	k, err := casework.New(store, nil)
	require.NoError(t, err)
	store.down = true
	err = k.Reach(context.Background(), w.officer, casework.Target{RecordType: "person", RecordID: "p-1", UnitID: w.station.ID})
	require.ErrorIs(t, err, errUnitsDown)
	require.NotErrorIs(t, err, casework.ErrNotFound)
}

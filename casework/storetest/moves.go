package storetest

import (
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testRecordMoves: a unit's closing is stored on the unit (ClosedAt,
// ClosedInto) and its Change's record moves are kept with it, both or
// neither, and read back per record, oldest first, whatever order they were
// written in.
func testRecordMoves(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	a, b, c := f.unit(&root, casework.LevelBranch), f.unit(&root, casework.LevelBranch), f.unit(&root, casework.LevelBranch)
	t1, t2 := f.tick(), f.tick()
	later := casework.RecordMove{Kind: "dispute", RecordID: "d1", FromUnit: b.ID, ToUnit: c.ID, MovedAt: t2}
	first := casework.RecordMove{Kind: "dispute", RecordID: "d1", FromUnit: a.ID, ToUnit: b.ID, MovedAt: t1}
	other := casework.RecordMove{Kind: "case", RecordID: "d1", FromUnit: a.ID, ToUnit: b.ID, MovedAt: t1}

	closed := a
	closed.Version, closed.UpdatedAt, closed.ClosedAt, closed.ClosedInto = a.Version+1, t2, t2, b.ID
	stale := closed
	stale.Version++
	ch := f.change("unit", a.ID)
	ch.Moves = []casework.RecordMove{later, first, other}
	require.ErrorIs(t, s.UpdateUnit(ctx, stale, ch), casework.ErrConflict)
	none, err := s.RecordMoves(ctx, "dispute", "d1")
	require.NoError(t, err)
	require.Empty(t, none, "a failed write keeps no move")

	require.NoError(t, s.UpdateUnit(ctx, closed, ch))
	got, err := s.GetUnit(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, t2, got.ClosedAt)
	require.Equal(t, b.ID, got.ClosedInto)
	require.True(t, got.Closed())
	open, err := s.GetUnit(ctx, b.ID)
	require.NoError(t, err)
	require.False(t, open.Closed())
	require.Empty(t, open.ClosedInto)

	moves, err := s.RecordMoves(ctx, "dispute", "d1")
	require.NoError(t, err)
	require.Equal(t, []casework.RecordMove{first, later}, moves, "oldest first, by kind and record")
	moves[0].ToUnit = "changed"
	again, err := s.RecordMoves(ctx, "dispute", "d1")
	require.NoError(t, err)
	require.Equal(t, []casework.RecordMove{first, later}, again, "values are copied out")
	cases, err := s.RecordMoves(ctx, "case", "d1")
	require.NoError(t, err)
	require.Equal(t, []casework.RecordMove{other}, cases)
	nothing, err := s.RecordMoves(ctx, "dispute", "no-such")
	require.NoError(t, err)
	require.Empty(t, nothing)
}

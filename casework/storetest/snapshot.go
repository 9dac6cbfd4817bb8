package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testSnapshot checks that reads under Snapshot see one state of the store
// while another writer commits: a unit created by a concurrent writer
// after the snapshot's first read is seen neither by the snapshot's second
// read (SQL: the writer commits, the snapshot does not see it; memory: the
// writer waits for the snapshot) nor lost after it. A nested Snapshot keeps
// the outer one.
func testSnapshot(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	f.unit(&root, casework.LevelBranch)
	late := casework.Unit{ID: f.id("unit"), Level: casework.LevelBranch, ParentID: root.ID, Version: 1, CreatedAt: f.tick()}
	late.Code, late.Name, late.Path, late.UpdatedAt = "LATE", "迟到的单位", casework.UnitPath(root.Path, late.ID), late.CreatedAt
	written := make(chan error, 1)
	err := s.Snapshot(ctx, func(ctx context.Context) error {
		before, err := s.ListUnits(ctx, casework.UnitFilter{Under: root.Path})
		require.NoError(t, err)
		require.Len(t, before, 2)
		go func() { written <- s.CreateUnit(context.Background(), late, casework.Change{}) }()
		select {
		case err := <-written: // SQL: the writer does not wait for readers
			require.NoError(t, err)
			written <- nil
		case <-time.After(300 * time.Millisecond): // memory: it waits for the snapshot
		}
		return s.Snapshot(ctx, func(ctx context.Context) error {
			during, err := s.ListUnits(ctx, casework.UnitFilter{Under: root.Path})
			require.NoError(t, err)
			require.Equal(t, before, during, "a write committed during the snapshot is not seen in it")
			return nil
		})
	})
	require.NoError(t, err)
	require.NoError(t, <-written)
	after, err := s.ListUnits(ctx, casework.UnitFilter{Under: root.Path})
	require.NoError(t, err)
	require.Len(t, after, 3, "the write is there once the snapshot ends")

	require.ErrorIs(t, s.Snapshot(ctx, func(context.Context) error { return casework.ErrConflict }), casework.ErrConflict, "fn's error comes back")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Snapshot(cancelled, func(context.Context) error { return nil }), context.Canceled)
}

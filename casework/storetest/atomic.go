package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testAtomically checks the promise a person merge rests on: the writes
// made inside Atomically commit together, or none does — the tombstone,
// the document index it frees and the survivor that takes it.
func testAtomically(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	survivor := f.person(root, "", "", "无名氏")
	merged := f.person(root, "doc-merged", "", "陈某某")
	before := f.auditLen()
	tomb := merged.Clone()
	tomb.DocIndex, tomb.MergedInto, tomb.MergedAt, tomb.Version = "", survivor.ID, f.tick(), 2
	next := survivor.Clone()
	next.Name, next.DocIndex, next.Version = "陈某某", "doc-merged", 2
	both := func(ctx context.Context) error {
		if err := s.UpdatePerson(ctx, tomb, f.change("person", tomb.ID)); err != nil {
			return err
		}
		return s.UpdatePerson(ctx, next, f.change("person", next.ID))
	}

	failed := errors.New("the last step failed")
	err := s.Atomically(ctx, func(ctx context.Context) error {
		require.NoError(t, both(ctx))
		return failed
	})
	require.ErrorIs(t, err, failed)
	require.Equal(t, before, f.auditLen(), "a failed atomic write leaves no audit entry")
	for _, want := range []casework.PersonRecord{survivor, merged} {
		got, err := s.GetPerson(ctx, want.ID)
		require.NoError(t, err)
		require.Equal(t, want.Version, got.Version, "a failed atomic write leaves %s as it was", want.Name)
		require.Empty(t, got.MergedInto)
	}
	byDoc, err := s.ListPersons(ctx, casework.PersonFilter{DocIndex: "doc-merged"}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{merged.ID}, ids(byDoc, func(p casework.PersonRecord) string { return p.ID }))

	require.NoError(t, s.Atomically(ctx, both))
	require.Equal(t, before+2, f.auditLen())
	got, err := s.GetPerson(ctx, merged.ID)
	require.NoError(t, err)
	require.Equal(t, survivor.ID, got.MergedInto, "the tombstone names its survivor")
	require.True(t, tomb.MergedAt.Equal(got.MergedAt))
	byDoc, err = s.ListPersons(ctx, casework.PersonFilter{DocIndex: "doc-merged"}, casework.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{survivor.ID}, ids(byDoc, func(p casework.PersonRecord) string { return p.ID }))
	verifyChain(t, s)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Atomically(cancelled, func(context.Context) error { return nil }), context.Canceled)
}

package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// testDeadOutbox: a message out of attempts is dead — never claimed again,
// listed with its last error in (DeadAt, ID) order, counted — until a
// replay, compare-and-swap on Replays and committed with its audit entry,
// makes it pending again with its attempts reset.
func testDeadOutbox(t *testing.T, s casework.KernelStore) {
	ctx := context.Background()
	f := newFixture(t, s)
	root := f.unit(nil, casework.LevelBureau)
	ch := f.change("unit", root.ID)
	for i := range 3 {
		ch.Outbox = append(ch.Outbox, casework.OutboxMessage{ID: "out-" + strconv.Itoa(i), Kind: "k", SourceKind: "unit", SourceID: root.ID, Step: strconv.Itoa(i),
			Payload: []byte(`{}`), CreatedAt: f.tick()})
	}
	require.NoError(t, s.CommitChange(ctx, ch))
	msgID := func(m casework.OutboxMessage) string { return m.ID }

	now := f.tick()
	claimed, err := s.ClaimOutbox(ctx, "p1", now, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 3)
	require.ErrorIs(t, s.MarkOutboxDead(ctx, "out-1", "p2", "boom", now), casework.ErrConflict, "only the lease holder buries a message")
	died1, died0 := f.tick(), f.tick()
	require.NoError(t, s.MarkOutboxDead(ctx, "out-1", "p1", "receiver refused: bad IMEI", died1))
	require.NoError(t, s.MarkOutboxDead(ctx, "out-0", "p1", "no receiver", died0))
	require.NoError(t, s.FailOutbox(ctx, "out-2", "p1", "down", now))

	again, err := s.ClaimOutbox(ctx, "p2", now.Add(time.Hour), time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"out-2"}, ids(again, msgID), "a dead message is not handed out, however late")

	first, err := s.ListDeadOutbox(ctx, casework.Page{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"out-1"}, ids(first, msgID), "ordered by the time of death")
	require.Equal(t, "receiver refused: bad IMEI", first[0].LastError)
	require.True(t, first[0].DeadAt.Equal(died1))
	require.Equal(t, 1, first[0].Attempts)
	rest, err := s.ListDeadOutbox(ctx, casework.Page{Limit: 10, After: casework.Cursor{At: first[0].DeadAt, ID: first[0].ID}.Encode()})
	require.NoError(t, err)
	require.Equal(t, []string{"out-0"}, ids(rest, msgID))
	n, err := s.CountDeadOutbox(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	before := f.auditLen()
	require.ErrorIs(t, s.ReplayOutbox(ctx, "out-1", 2, f.change("handoff", "out-1")), casework.ErrConflict, "replays is the compare-and-swap version")
	require.ErrorIs(t, s.ReplayOutbox(ctx, "out-2", 1, f.change("handoff", "out-2")), casework.ErrConflict, "a message that is not dead is not replayed")
	require.ErrorIs(t, s.ReplayOutbox(ctx, "nope", 1, f.change("handoff", "nope")), casework.ErrNotFound)
	require.Equal(t, before, f.auditLen(), "a refused replay audits nothing")
	require.NoError(t, s.ReplayOutbox(ctx, "out-1", 1, f.change("handoff", "out-1")))
	require.Equal(t, before+1, f.auditLen(), "the replay commits its audit entry")
	require.ErrorIs(t, s.ReplayOutbox(ctx, "out-1", 1, f.change("handoff", "out-1")), casework.ErrConflict, "a replay happens once")

	got, err := s.GetOutbox(ctx, "out-1")
	require.NoError(t, err)
	require.False(t, got.Dead())
	require.Equal(t, 0, got.Attempts)
	require.Equal(t, 1, got.Replays)
	_, err = s.GetOutbox(ctx, "nope")
	require.ErrorIs(t, err, casework.ErrNotFound)
	n, err = s.CountDeadOutbox(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)

	replayed, err := s.ClaimOutbox(ctx, "p3", now.Add(time.Minute), time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"out-1"}, ids(replayed, msgID), "a replayed message is due at once")
	require.Equal(t, 1, replayed[0].Attempts)
}

package casework_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// addressIntake is a receiver that creates an address per hand-off,
// idempotently through the kernel inbox.
type addressIntake struct {
	w     *kernelWorld
	calls atomic.Int32
	// after runs after the receiver's commit: a test uses it to kill the
	// delivery before the acknowledgement.
	after func()
	fail  error
}

func (a *addressIntake) receive(ctx context.Context, f casework.LeadFinding) (string, error) {
	a.calls.Add(1)
	if a.fail != nil {
		return "", a.fail
	}
	id, err := a.w.k.ReceiveOnce(ctx, f.Source, "address", func(in *casework.InboxEntry) (string, error) {
		now := a.w.k.Now()
		addr := casework.Address{ID: a.w.k.NewID(), UnitID: f.UnitID, Text: f.Summary, Version: 1, CreatedAt: now, UpdatedAt: now}
		in.RecordID = addr.ID
		ch, err := a.w.k.Change(ctx, f.Actor, "address.intake", "address", addr.ID, nil, addr)
		if err != nil {
			return "", err
		}
		ch.Inbox = in
		return addr.ID, a.w.store.CreateAddress(ctx, addr, ch)
	})
	if a.after != nil {
		a.after()
	}
	return id, err
}

func sendFinding(t *testing.T, w *kernelWorld, step string) casework.OutboxMessage {
	t.Helper()
	f := casework.LeadFinding{Source: casework.Source{Kind: "visit", ID: "visit-1", Step: step}, Actor: w.officer, UnitID: w.station.ID,
		Summary: "张店某旅馆门前树上鸟笼被盗线索", FoundAt: w.k.Now()}
	msg, err := w.k.NewOutboxMessage(casework.KindLeadFinding, f.Source, f)
	require.NoError(t, err)
	require.NoError(t, w.store.CommitChange(context.Background(), casework.Change{Outbox: []casework.OutboxMessage{msg}}))
	return msg
}

func TestDeliveryKilledAfterReceiverCommitIsDeliveredOnceInEffect(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		msg := sendFinding(t, w, "lead/1")
		ctx, kill := context.WithCancel(context.Background())
		intake := &addressIntake{w: w, after: kill}
		register(t, w.k, casework.Provision{Name: "intake", Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(intake.receive)}})
		_, err := w.k.DeliverPending(ctx, &casework.DeliveryConfig{Lease: time.Minute})
		require.ErrorIs(t, err, context.Canceled, "the process died before acknowledging")

		// A second process (a new kernel on the same store) takes over after
		// the dead one's lease expires.
		w.clock.Advance(2 * time.Minute)
		k2, err := casework.New(w.store, &casework.Config{Clock: w.clock})
		require.NoError(t, err)
		intake.after = nil
		register(t, k2, casework.Provision{Name: "intake", Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(intake.receive)}})
		n, err := k2.DeliverPending(context.Background(), nil)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.EqualValues(t, 2, intake.calls.Load(), "delivered twice (at least once) …")

		addrs, err := w.store.ListAddresses(context.Background(), casework.AddressFilter{}, casework.Page{})
		require.NoError(t, err)
		require.Len(t, addrs, 1, "… but created once")
		out, err := w.store.ListOutbox(context.Background(), "visit", "visit-1")
		require.NoError(t, err)
		require.Len(t, out, 1)
		require.Equal(t, msg.ID, out[0].ID)
		require.True(t, out[0].Delivered())
		require.Equal(t, addrs[0].ID, out[0].ResultID)

		n, err = k2.DeliverPending(context.Background(), nil)
		require.NoError(t, err)
		require.Zero(t, n, "nothing left to deliver")
	})
}

func TestDeliveryRetriesWhileReceiverIsDown(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		sendFinding(t, w, "lead/1")
		n, err := w.k.DeliverPending(ctx, nil)
		require.NoError(t, err)
		require.Zero(t, n, "no receiver registered yet: the message waits")

		intake := &addressIntake{w: w, fail: errors.New("casework service down")}
		var wroteBack atomic.Int32
		register(t, w.k, casework.Provision{Name: "intake",
			Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(intake.receive)},
			Writebacks: map[string]casework.Writeback{casework.KindLeadFinding: func(_ context.Context, _ casework.OutboxMessage, id string) error {
				require.NotEmpty(t, id)
				wroteBack.Add(1)
				return nil
			}},
		})
		w.clock.Advance(time.Hour)
		n, err = w.k.DeliverPending(ctx, nil)
		require.NoError(t, err)
		require.Zero(t, n)
		out, err := w.store.ListOutbox(ctx, "", "")
		require.NoError(t, err)
		require.Contains(t, out[0].LastError, "casework service down")

		n, err = w.k.DeliverPending(ctx, nil)
		require.NoError(t, err)
		require.Zero(t, n, "a failed message waits for its back-off")

		intake.fail = nil
		w.clock.Advance(2 * time.Hour)
		n, err = w.k.DeliverPending(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.EqualValues(t, 1, wroteBack.Load(), "the sender learns the receiver's id")
	})
}

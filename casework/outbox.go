package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Receiver takes one hand-off and returns the id of what it created. It must
// be idempotent on (SourceKind, SourceID, Step): deliveries repeat when a
// process dies between the receiver's commit and the acknowledgement. Use
// ReceiveOnce.
type Receiver func(ctx context.Context, msg OutboxMessage) (resultID string, err error)

// Writeback records the receiver's id on the sender's record, in a small
// second transaction, audited. It must tolerate being called twice.
type Writeback func(ctx context.Context, msg OutboxMessage, resultID string) error

// NewOutboxMessage builds a hand-off for a Change.
func (k *Kernel) NewOutboxMessage(kind string, src Source, payload any) (OutboxMessage, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return OutboxMessage{}, errs.Wrap(errs.ErrInvalid, err, "outbox payload cannot be encoded")
	}
	return OutboxMessage{ID: k.NewID(), Kind: kind, SourceKind: src.Kind, SourceID: src.ID, Step: src.Step,
		Payload: b, CreatedAt: k.Now()}, nil
}

// DeliveryConfig tunes DeliverPending.
type DeliveryConfig struct {
	Lease time.Duration // default 30 s: a dead deliverer's messages are retried after it
	Batch int           // default 100
}

// DeliverPending delivers every due outbox message once: it leases a batch,
// calls each kind's receiver, writes the result back on the sender's record
// and marks the message delivered. A receiver that fails, or a kind with no
// receiver yet, leaves the message pending with a growing back-off (2^n
// seconds after attempt n, at most an hour); after Config.HandoffMaxAttempts
// attempts it is dead — kept with its last error for an admin to list
// (DeadHandoffs) and replay after a fix (ReplayHandoff), and counted in the
// report (FigureHandoffsDead); nothing is lost. Several processes may run it
// at once: leases keep them apart.
// It returns how many messages were delivered.
func (k *Kernel) DeliverPending(ctx context.Context, cfg *DeliveryConfig) (int, error) {
	lease, batch := 30*time.Second, 100
	if cfg != nil && cfg.Lease > 0 {
		lease = cfg.Lease
	}
	if cfg != nil && cfg.Batch > 0 {
		batch = cfg.Batch
	}
	delivered := 0
	for {
		now := k.Now()
		msgs, err := k.store.ClaimOutbox(ctx, k.deliverer, now, lease, batch)
		if err != nil {
			return delivered, err
		}
		for _, m := range msgs {
			if err := k.deliver(ctx, m); err != nil {
				if ctx.Err() != nil {
					return delivered, ctx.Err()
				}
				if ferr := k.failDelivery(ctx, m, err); ferr != nil {
					return delivered, ferr
				}
				continue
			}
			delivered++
		}
		if len(msgs) < batch {
			return delivered, nil
		}
	}
}

func (k *Kernel) deliver(ctx context.Context, m OutboxMessage) error {
	k.mu.RLock()
	recv, wb := k.receivers[m.Kind], k.writebacks[m.Kind]
	k.mu.RUnlock()
	if recv == nil {
		return fmt.Errorf("no receiver registered for %q", m.Kind)
	}
	id, err := recv(context.WithValue(context.WithValue(ctx, deliveryKey{}, m.ID), deliveringKernel{}, k), m)
	if err != nil {
		return err
	}
	if wb != nil {
		if err := wb(ctx, m, id); err != nil {
			return fmt.Errorf("write back: %w", err)
		}
	}
	return k.store.CompleteOutbox(ctx, m.ID, k.deliverer, id, k.Now())
}

// failDelivery schedules a retry of a message whose delivery failed, or
// marks it dead when it has had its attempts. A lease lost meanwhile (the
// message was slower than its lease) is not an error: the new holder
// reports the outcome.
func (k *Kernel) failDelivery(ctx context.Context, m OutboxMessage, cause error) error {
	msg := truncate(cause.Error(), 500)
	var err error
	if m.Attempts >= k.handoffMaxAttempts {
		err = k.store.MarkOutboxDead(ctx, m.ID, k.deliverer, msg, k.Now())
		if err == nil {
			k.log.Error().Str("outbox_id", m.ID).Str("kind", m.Kind).Int("attempts", m.Attempts).Err(cause).Msg("hand-off dead; an admin must replay it")
		}
	} else {
		err = k.store.FailOutbox(ctx, m.ID, k.deliverer, msg, k.Now().Add(backoff(m.Attempts)))
		if err == nil {
			k.log.Warn().Str("outbox_id", m.ID).Str("kind", m.Kind).Int("attempts", m.Attempts).Err(cause).Msg("hand-off not delivered; will retry")
		}
	}
	if errors.Is(err, errs.ErrConflict) {
		return nil
	}
	return err
}

func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 12)
	return min(d, time.Hour)
}

// truncate cuts s to at most n bytes on a character boundary: a cut inside
// a UTF-8 sequence would be refused by PostgreSQL.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ReceiveOnce makes a receiver idempotent: if the hand-off from src was
// received before, it returns the id recorded then; otherwise create runs
// with the inbox entry to commit in its Change (create sets its RecordID).
// A concurrent duplicate loses on the inbox's unique key and gets the
// winner's id.
func (k *Kernel) ReceiveOnce(ctx context.Context, src Source, recordType string, create func(in *InboxEntry) (string, error)) (string, error) {
	if create == nil {
		return "", errs.Invalid("create", "required", "a receiver needs a create function")
	}
	if in, err := k.store.GetInboxEntry(ctx, src.Kind, src.ID, src.Step); err == nil {
		return in.RecordID, nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return "", err
	}
	in := &InboxEntry{SourceKind: src.Kind, SourceID: src.ID, Step: src.Step, RecordType: recordType, CreatedAt: k.Now()}
	id, err := create(in)
	if errors.Is(err, errs.ErrConflict) {
		if prev, gerr := k.store.GetInboxEntry(ctx, src.Kind, src.ID, src.Step); gerr == nil {
			return prev.RecordID, nil
		}
	}
	return id, err
}

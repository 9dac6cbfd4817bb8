package outreach_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// fakeIntake is a receiver that can be down (fail before doing anything) or
// crash after its own commit but before the acknowledgement. It is
// idempotent the way a real receiver is: through the kernel inbox.
type fakeIntake struct {
	k       *casework.Kernel
	mu      sync.Mutex
	down    int                // fail this many deliveries first
	crash   context.CancelFunc // when set, "crash" after the next commit
	created map[string]string  // record id → source step: the records in effect
	seq     map[string]int     // per kind
	calls   int
}

func newFakeIntake(k *casework.Kernel) *fakeIntake {
	return &fakeIntake{k: k, created: map[string]string{}, seq: map[string]int{}}
}

func (f *fakeIntake) receive(ctx context.Context, src casework.Source, kind string) (string, error) {
	f.mu.Lock()
	f.calls++
	if f.down > 0 {
		f.down--
		f.mu.Unlock()
		return "", errors.New("receiver is down")
	}
	crash := f.crash
	f.crash = nil
	f.mu.Unlock()
	id, err := f.k.ReceiveOnce(ctx, src, kind, func(in *casework.InboxEntry) (string, error) {
		f.mu.Lock()
		f.seq[kind]++
		id := fmt.Sprintf("%s-%d", kind, f.seq[kind])
		f.mu.Unlock()
		in.RecordID = id
		rec, err := f.k.AuditRecord(ctx, casework.Actor{StaffID: casework.SystemActorID}, casework.Action(kind+".intake"), kind, id, nil, in)
		if err != nil {
			return "", err
		}
		if err := f.k.Store().CommitChange(ctx, casework.Change{Inbox: in, Audit: []casework.AuditRecord{rec}}); err != nil {
			return "", err
		}
		f.mu.Lock()
		f.created[id] = src.Step
		f.mu.Unlock()
		return id, nil
	})
	if err == nil && crash != nil {
		crash() // the process dies: no acknowledgement, no release of the lease
		return "", context.Canceled
	}
	return id, err
}

func (f *fakeIntake) IntakeDispute(ctx context.Context, d casework.DisputeFinding) (string, error) {
	return f.receive(ctx, d.Source, "dispute")
}

func (f *fakeIntake) IntakeLead(ctx context.Context, l casework.LeadFinding) (string, error) {
	return f.receive(ctx, l.Source, "lead")
}

func (f *fakeIntake) records() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.created {
		out[k] = v
	}
	return out
}

func (b *bundle) visitWithFindings(t *testing.T) outreach.Visit {
	t.Helper()
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.Village, Organisation: "西高新村",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: "大型犬扰民", Risk: "low"}},
		Leads:    []outreach.LeadInput{{Summary: "夜间有人撬电动车锁"}}})
	require.NoError(t, err)
	require.Len(t, v.Findings, 2)
	return v
}

func TestHandOffs(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			t.Run("receiver down, then up", func(t *testing.T) {
				t.Parallel()
				b := setupOn(t, backend, nil)
				in := newFakeIntake(b.k)
				in.down = 1
				connect(t, b.k, in, in)
				v := b.visitWithFindings(t)

				n, err := b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Equal(t, 1, n, "the lead went through; the dispute failed")
				n, err = b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Zero(t, n, "the failed one waits for its back-off")
				msgs, err := b.svc.HandOffs(b.ctx, b.officer, v.ID)
				require.NoError(t, err)
				require.Len(t, msgs, 2)
				require.False(t, msgs[0].Delivered())
				require.Equal(t, "receiver is down", msgs[0].LastError)

				b.clock.Advance(time.Minute)
				n, err = b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Equal(t, 1, n)
				got, err := b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				require.Equal(t, "dispute-1", got.Findings[0].ResultID)
				require.Equal(t, "lead-1", got.Findings[1].ResultID)
				require.Equal(t, map[string]string{"dispute-1": "dispute/1", "lead-1": "lead/1"}, in.records())
				b.verify(t)
			})
			t.Run("receiver crashes after its commit, before the ack", func(t *testing.T) {
				t.Parallel()
				b := setupOn(t, backend, nil)
				in := newFakeIntake(b.k)
				connect(t, b.k, in, nil) // no lead receiver yet
				v := b.visitWithFindings(t)
				ctx, cancel := context.WithCancel(b.ctx)
				in.crash = cancel
				_, err := b.k.DeliverPending(ctx, nil)
				require.ErrorIs(t, err, context.Canceled)
				require.Len(t, in.records(), 1, "the receiver committed its record")

				// The lease (30 s) still holds: nobody delivers it again yet.
				n, err := b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Zero(t, n)
				got, err := b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				require.Empty(t, got.Findings[0].ResultID)

				b.clock.Advance(31 * time.Second)
				n, err = b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Equal(t, 1, n, "redelivered after the lease expired; the lead still has no receiver")
				require.Equal(t, map[string]string{"dispute-1": "dispute/1"}, in.records(), "exactly one record in effect")
				got, err = b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				require.Equal(t, "dispute-1", got.Findings[0].ResultID)
				require.Empty(t, got.Findings[1].ResultID)

				// Casework comes up later: the lead is delivered then.
				connect(t, b.k, nil, in)
				b.clock.Advance(time.Hour)
				n, err = b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				require.Equal(t, 1, n)
				got, err = b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				require.Equal(t, "lead-1", got.Findings[1].ResultID)
				trail, err := b.svc.History(b.ctx, b.chief, outreach.RecordVisit, v.ID)
				require.NoError(t, err)
				var actions []string
				for _, e := range trail {
					actions = append(actions, e.Action)
				}
				require.Equal(t, []string{"visit.record", "visit.link_finding", "visit.link_finding"}, actions)
				b.verify(t)
			})
			t.Run("a repeated write-back changes nothing", func(t *testing.T) {
				t.Parallel()
				b := setupOn(t, backend, nil)
				in := newFakeIntake(b.k)
				connect(t, b.k, in, in)
				v := b.visitWithFindings(t)
				_, err := b.k.DeliverPending(b.ctx, nil)
				require.NoError(t, err)
				msgs, err := b.k.Store().ListOutbox(b.ctx, outreach.RecordVisit, v.ID)
				require.NoError(t, err)
				before, err := b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				// Call the registered path again, as a second deliverer would.
				for _, m := range msgs {
					id, err := in.receive(b.ctx, casework.Source{Kind: m.SourceKind, ID: m.SourceID, Step: m.Step}, map[string]string{
						casework.KindDisputeFinding: "dispute", casework.KindLeadFinding: "lead"}[m.Kind])
					require.NoError(t, err)
					require.Equal(t, m.ResultID, id)
				}
				after, err := b.svc.GetVisit(b.ctx, b.community, v.ID)
				require.NoError(t, err)
				require.Equal(t, before, after)
				require.Len(t, in.records(), 2)
			})
		})
	}
}

// intakes stands in for the receiving workflows: it registers the fake
// receivers with the kernel the way mediation and casework/cases do.
type intakes struct {
	name  string
	recvs map[string]casework.Receiver
}

func (i intakes) Provides() casework.Provision {
	return casework.Provision{Name: i.name, Receivers: i.recvs}
}

// connect registers d and l (either may be nil) as the receivers of
// outreach's findings.
func connect(t testing.TB, k *casework.Kernel, d casework.DisputeIntake, l casework.LeadIntake) {
	t.Helper()
	if d != nil {
		require.NoError(t, k.Register(intakes{"fake-mediation", map[string]casework.Receiver{casework.KindDisputeFinding: casework.Receive(d.IntakeDispute)}}))
	}
	if l != nil {
		require.NoError(t, k.Register(intakes{"fake-cases", map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(l.IntakeLead)}}))
	}
}

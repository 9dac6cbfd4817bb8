package recovery_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	ksql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// Promise: audit. Every exported method that changes data checks its actor
// and audits what it writes, whoever calls it; custody entries are vouched
// for by the audit chain, so a row rewritten behind the service is found.

// TestReceiversCheckTheirActor: the hand-off receivers are exported, so an
// embedder can call them directly. Called so by someone who is no staff
// member they answer as for a unit that does not exist — before a repeat
// is answered — and write nothing: no item, no inbox mark, no audit entry.
// A hand-off that changes no item (an arrest in a case whose items are all
// traced already) still audits its inbox mark.
func TestReceiversCheckTheirActor(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			nobody := casework.Actor{StaffID: "nobody", UnitID: e.station.ID, Roles: []casework.Role{casework.RoleOfficer}}
			it := e.stolen(t, "bicycle", "自行车", fen(500), e.owner)
			head := func() int64 {
				h, err := e.k.Store().AuditHead(e.ctx)
				require.NoError(t, err)
				return h.Seq
			}
			noInbox := func(src casework.Source) {
				t.Helper()
				_, err := e.k.Store().GetInboxEntry(e.ctx, src.Kind, src.ID, src.Step)
				require.ErrorIs(t, err, recovery.ErrNotFound, "no inbox mark")
			}

			before := head()
			trace := casework.TraceItems{Source: casework.Source{Kind: "case", ID: "case-1", Step: "arrest/a1"}, Actor: nobody,
				CaseID: "case-1", ArrestID: "a1", ItemIDs: []string{it.ID}}
			id, err := e.svc.MarkTraced(e.ctx, trace)
			requireNotFoundZero(t, id, err, "MarkTraced by no staff member")
			trace.ItemIDs = nil // nothing named: the case's items, or none
			trace.CaseID, trace.Source.ID = "case-none", "case-none"
			id, err = e.svc.MarkTraced(e.ctx, trace)
			requireNotFoundZero(t, id, err, "MarkTraced of a case without items by no staff member")
			noInbox(trace.Source)
			stolen := casework.StolenItems{Source: casework.Source{Kind: "case", ID: "case-2", Step: "items"}, Actor: nobody, UnitID: e.station.ID,
				CaseID: "case-2", StolenAt: e.k.Now().Add(-time.Hour), Place: "华光路",
				Items: []casework.StolenItem{{ItemID: "stolen-2", Category: "bicycle", Description: "自行车", ValueFen: fen(500)}}}
			id, err = e.svc.RegisterStolen(e.ctx, stolen)
			requireNotFoundZero(t, id, err, "RegisterStolen by no staff member")
			noInbox(stolen.Source)
			require.ErrorIs(t, e.svc.CheckStolen(e.ctx, stolen), recovery.ErrNotFound)
			require.Equal(t, before, head(), "nothing audited, nothing written")

			// Received once by its real sender, a repeat by someone else is
			// not answered with the first result.
			stolen.Actor = e.officer
			id, err = e.svc.RegisterStolen(e.ctx, stolen)
			require.NoError(t, err)
			require.Equal(t, "case-2", id)
			stolen.Actor = nobody
			id, err = e.svc.RegisterStolen(e.ctx, stolen)
			requireNotFoundZero(t, id, err, "a repeat by no staff member")

			// An arrest that changes no item still audits its mark.
			trace.Actor = e.officer
			id, err = e.svc.MarkTraced(e.ctx, trace)
			require.NoError(t, err)
			require.Equal(t, "case-none", id)
			trail, err := e.k.Store().AuditTrail(e.ctx, recovery.RecordHandoff, "case/case-none/arrest/a1")
			require.NoError(t, err)
			require.Len(t, trail, 1, "the inbox mark is audited")
			require.Equal(t, e.officer.StaffID, trail[0].ActorID)
			e.verify(t)
		})
	}
}

// TestVerifyCustodyOverALifecycle: the custody entries of an item taken in,
// moved, corrected and returned verify against the audit chain on every
// backend (the canonical encoding survives each store's round trip).
func TestVerifyCustodyOverALifecycle(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			custodyLifecycle(t, newEnv(t, backend, nil))
		})
	}
}

// custodyLifecycle takes a found item through four custody entries and
// checks that they verify; it returns the item.
func custodyLifecycle(t *testing.T, e *env) recovery.Item {
	t.Helper()
	it := e.toStore(t, e.found(t, "bicycle", "蓝色捷安特自行车", fen(800)))
	it, err := e.svc.Correct(e.ctx, e.custodian, it.ID, it.Version, recovery.CorrectionInput{Corrects: 2,
		CustodyDetails: recovery.CustodyDetails{Reason: "封条号更正", Condition: "完好", SealNumber: "F2020-002",
			Photos: []string{" AB" + strings.Repeat("0123456789abcdef", 4)[2:]}}})
	require.NoError(t, err)
	it, err = e.svc.Identify(e.ctx, e.officer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: e.owner.ID})
	require.NoError(t, err)
	r := e.approved(t, it)
	_, err = e.svc.CompleteReturn(e.ctx, e.officer, r.ID, r.Version, recovery.Handover{Receipt: e.attach(t, e.officer, "签收.jpg", "签收"),
		RecipientDocNumber: e.docs[e.owner.ID]})
	require.NoError(t, err)
	rep, err := e.svc.VerifyCustody(e.ctx, e.auditor, it.ID)
	require.NoError(t, err)
	require.Equal(t, recovery.CustodyReport{OK: true, Entries: 4}, rep)
	return e.get(t, it.ID)
}

// TestVerifyCustodyDetectsRewrites plays an attacker with database rights:
// with the append-only guard of recovery_custody dropped, a custody entry
// is rewritten (holder, actor, reason), deleted or forged, and the guard
// put back. The audit chain itself still verifies — it holds only digests
// — but VerifyCustody names the entry that no longer matches.
func TestVerifyCustodyDetectsRewrites(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, tc := range []struct {
			name    string
			stmt    string
			badSeq  int64
			entries int
		}{
			{"rewrite", `UPDATE recovery_custody SET to_id = 'B-99', actor_id = 'attacker', reason = 'edited' WHERE item_id = $1 AND seq = 2`, 2, 4},
			{"delete", `DELETE FROM recovery_custody WHERE item_id = $1 AND seq = 3`, 3, 3},
			{"delete last", `DELETE FROM recovery_custody WHERE item_id = $1 AND seq = 4`, 4, 3},
			{"forge", `INSERT INTO recovery_custody (item_id, seq, kind, from_kind, from_id, from_name, to_kind, to_id, to_name, actor_id,
				unit_id, witness_id, at, reason, item_condition, seal, seal_number, photos, corrects, created_at)
				SELECT item_id, 5, kind, from_kind, from_id, from_name, to_kind, 'B-99', to_name, 'attacker', unit_id,
				witness_id, at, 'forged', item_condition, seal, seal_number, photos, corrects, created_at FROM recovery_custody WHERE item_id = $1 AND seq = 4`, 5, 5},
		} {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, backend, nil)
				it := custodyLifecycle(t, e)
				ks := e.k.Store().(*ksql.Store)
				d := &sqlx.Dialect{Engine: ks.Engine()}
				exec := func(stmts []string) {
					t.Helper()
					for _, q := range stmts {
						_, err := ks.DB().ExecContext(e.ctx, d.DDL(q))
						require.NoError(t, err, q)
					}
				}
				exec(d.DropAppendOnly("recovery_custody"))
				exec([]string{strings.ReplaceAll(tc.stmt, "$1", "'"+it.ID+"'")})
				exec(d.AppendOnly("recovery_custody"))

				rep, err := e.svc.VerifyCustody(e.ctx, e.auditor, it.ID)
				require.NoError(t, err)
				require.False(t, rep.OK, "%+v", rep)
				require.Equal(t, tc.badSeq, rep.FirstBadSeq, rep.Reason)
				require.Equal(t, tc.entries, rep.Entries)
				require.NotEmpty(t, rep.Reason)
				e.verify(t) // the audit chain alone does not see it
			})
		}
	}
}

// failingApply is a recovery store whose Apply fails from the nth call on,
// as a database that goes away mid-sweep.
type failingApply struct {
	recovery.Store
	mu    sync.Mutex
	calls int
	from  int
}

func (s *failingApply) Apply(ctx context.Context, b recovery.Batch, ch casework.Change) error {
	s.mu.Lock()
	s.calls++
	fail := s.calls >= s.from
	s.mu.Unlock()
	if fail {
		return errors.New("database went away")
	}
	return s.Store.Apply(ctx, b, ch)
}

// TestSweepFailureReturnsZero: a sweep that fails part-way returns the
// zero SweepResult with its error, not the count of what it did before.
func TestSweepFailureReturnsZero(t *testing.T) {
	t.Parallel()
	ks, rs := stores(t, "memory")
	fs := &failingApply{Store: rs, from: 1 << 30}
	e := newEnvOn(t, ks, fs, &recovery.Config{HoldingPeriodDays: 1})
	a := e.found(t, "bicycle", "自行车", fen(300))
	e.found(t, "bicycle", "自行车", fen(300))
	fs.mu.Lock()
	fs.from = fs.calls + 2 // the first item is swept, the second fails
	fs.mu.Unlock()
	e.clock.Set(a.HoldUntil.Add(time.Hour))
	res, err := e.svc.Sweep(e.ctx, e.k.Now())
	require.Error(t, err)
	require.Equal(t, casework.SweepResult{}, res)
}

package casework_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// A receiver that always fails: after HandoffMaxAttempts rounds the
// hand-off is dead — listed for the root admin with its error, counted in
// the deployment's report, never attempted again — until a replay after
// the fix delivers it once.
func TestDeadHandoffIsListedCountedAndReplayedOnce(t *testing.T) {
	t.Parallel()
	for name, open := range kernelBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newKernelWorld(t, open(t), &casework.Config{HandoffMaxAttempts: 3})
			msg := sendFinding(t, w, "lead/1")
			intake := &addressIntake{w: w, fail: errors.New("recovery refuses the item: bad IMEI")}
			register(t, w.k, casework.Provision{Name: "intake", Receivers: map[string]casework.Receiver{casework.KindLeadFinding: casework.Receive(intake.receive)}})
			for range 6 {
				n, err := w.k.DeliverPending(ctx, nil)
				require.NoError(t, err)
				require.Zero(t, n)
				w.clock.Advance(2 * time.Hour) // past any back-off
			}
			require.EqualValues(t, 3, intake.calls.Load(), "tried HandoffMaxAttempts times, then never again")

			dead, next, err := w.k.DeadHandoffs(ctx, w.admin, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Len(t, dead, 1)
			require.Equal(t, msg.ID, dead[0].ID)
			require.True(t, dead[0].Dead())
			require.Contains(t, dead[0].LastError, "bad IMEI")
			require.Equal(t, 3, dead[0].Attempts)

			figure := func(actor casework.Actor, unit string) (int64, bool) {
				day := w.k.Now().In(w.k.Zone())
				figs, err := w.k.Report(ctx, actor, casework.ReportQuery{UnitID: unit, From: day, To: day})
				require.NoError(t, err)
				for _, f := range figs {
					if f.Key == casework.FigureHandoffsDead {
						return f.Value, true
					}
				}
				return 0, false
			}
			n, ok := figure(w.auditor, w.bureau.ID)
			require.True(t, ok, "the deployment's report counts dead hand-offs")
			require.EqualValues(t, 1, n)
			_, ok = figure(w.branchSupervisor, w.branch.ID)
			require.False(t, ok, "a hand-off belongs to no unit: a branch report does not carry it")

			_, err = w.k.ReplayHandoff(ctx, w.admin, msg.ID, 1)
			require.ErrorIs(t, err, casework.ErrConflict, "replays is the version the admin read")
			intake.fail = nil
			replayed, err := w.k.ReplayHandoff(ctx, w.admin, msg.ID, 0)
			require.NoError(t, err)
			require.False(t, replayed.Dead())
			require.Equal(t, 0, replayed.Attempts)
			require.Equal(t, 1, replayed.Replays)
			_, err = w.k.ReplayHandoff(ctx, w.admin, msg.ID, 0)
			require.ErrorIs(t, err, casework.ErrConflict, "a second replay of the same death is refused")
			trail, err := w.store.AuditTrail(ctx, "handoff", msg.ID)
			require.NoError(t, err)
			require.Len(t, trail, 1)
			require.Equal(t, string(casework.ActionReplayHandoff), trail[0].Action)
			require.Equal(t, w.admin.StaffID, trail[0].ActorID)

			delivered, err := w.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 1, delivered)
			delivered, err = w.k.DeliverPending(ctx, nil)
			require.NoError(t, err)
			require.Zero(t, delivered)
			require.EqualValues(t, 4, intake.calls.Load(), "delivered once after the replay")
			_, ok = figure(w.auditor, w.bureau.ID)
			require.False(t, ok, "nothing dead any more")
			dead, _, err = w.k.DeadHandoffs(ctx, w.admin, casework.Page{})
			require.NoError(t, err)
			require.Empty(t, dead)
		})
	}
}

// Only an admin of the root unit reaches dead hand-offs: another role is
// forbidden, an admin of a lower unit finds nothing.
func TestDeadHandoffsAreForTheRootAdminOnly(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		st, err := w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.branch.ID, Name: "分局管理员", Roles: []casework.Role{casework.RoleAdmin}})
		require.NoError(t, err)
		branchAdmin := casework.Actor{StaffID: st.ID, UnitID: w.branch.ID, Roles: st.Roles}
		msg := sendFinding(t, w, "lead/1")
		tests := []struct {
			name  string
			actor casework.Actor
			want  error
		}{
			{"officer", w.officer, casework.ErrForbidden},
			{"supervisor", w.branchSupervisor, casework.ErrForbidden},
			{"auditor", w.auditor, casework.ErrForbidden},
			{"branch admin", branchAdmin, casework.ErrNotFound},
		}
		for _, tc := range tests {
			_, _, err := w.k.DeadHandoffs(ctx, tc.actor, casework.Page{})
			require.ErrorIs(t, err, tc.want, tc.name)
			_, err = w.k.ReplayHandoff(ctx, tc.actor, msg.ID, 0)
			require.ErrorIs(t, err, tc.want, tc.name)
		}
		_, err = w.k.ReplayHandoff(ctx, w.admin, msg.ID, 0)
		require.ErrorIs(t, err, casework.ErrConflict, "a pending hand-off is not replayed")
		_, err = w.k.ReplayHandoff(ctx, w.admin, "missing", 0)
		require.ErrorIs(t, err, casework.ErrNotFound)
	})
}

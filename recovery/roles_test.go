package recovery_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
)

// Promise: roles — consulted only for a record in reach. An actor in reach
// without the role is refused (ErrForbidden); one out of reach learns
// nothing, whatever roles it claims (ErrNotFound, as for a made-up id).
// The requester of a return or disposal never decides it: the kernel's
// separation of duties, asked through Target.RequestedBy.
func TestRolesAfterReach(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memory", nil)
	j := e.jurisdiction(t)
	it := e.found(t, "bicycle", "自行车", fen(500))
	move := func(a casework.Actor) (recovery.Item, error) {
		return e.svc.Move(e.ctx, a, it.ID, it.Version, recovery.MoveInput{To: recovery.Holder{Kind: recovery.HolderLocation, ID: "A-01"},
			CustodyDetails: recovery.CustodyDetails{WitnessID: e.officer2.StaffID, Reason: "入库", Condition: "完好"}})
	}
	for _, tc := range []struct {
		who   string
		actor casework.Actor
		want  error
	}{
		{"a plain officer of the station", e.officer, recovery.ErrForbidden},
		{"an auditor above it", e.auditor, recovery.ErrForbidden},
		{"the away officer-custodian", e.away, recovery.ErrNotFound},
		{"a sibling claiming custodian it does not hold", casework.Actor{StaffID: j.sibling.StaffID, UnitID: j.sibling.UnitID,
			Roles: []casework.Role{casework.RoleCustodian, casework.RoleAdmin}}, recovery.ErrNotFound},
	} {
		got, err := move(tc.actor)
		require.ErrorIs(t, err, tc.want, tc.who)
		if tc.want == recovery.ErrNotFound {
			require.NotErrorIs(t, err, recovery.ErrForbidden, tc.who)
		}
		require.Zero(t, got, tc.who)
	}

	// supervisor2 (branch, supervisor and officer) requests a return: it
	// may neither approve nor reject it; another supervisor may.
	own := identifiedItem(t, e)
	r, err := e.svc.RequestReturn(e.ctx, e.supervisor2, recovery.ReturnInput{ItemID: own.ID, Recipient: recovery.Holder{Kind: recovery.HolderPerson, ID: e.owner.ID}})
	require.NoError(t, err)
	got, err := e.svc.ApproveReturn(e.ctx, e.supervisor2, r.ID, r.Version, "")
	require.ErrorIs(t, err, recovery.ErrForbidden)
	require.Zero(t, got)
	got, err = e.svc.RejectReturn(e.ctx, e.supervisor2, r.ID, r.Version, "撤回")
	require.ErrorIs(t, err, recovery.ErrForbidden)
	require.Zero(t, got)
	got, err = e.svc.ApproveReturn(e.ctx, e.supervisor, r.ID, r.Version, "")
	require.NoError(t, err)
	require.Equal(t, recovery.ReturnApproved, got.State)
}

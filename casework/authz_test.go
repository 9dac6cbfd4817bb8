package casework_test

import (
	"context"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

func TestAuthorize(t *testing.T) {
	t.Parallel()
	eachKernelBackend(t, func(t *testing.T, w *kernelWorld) {
		ctx := context.Background()
		k := w.k
		require.NoError(t, k.Policy().Default(
			casework.Rule{Action: "test.write", Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer, casework.RoleMediator}},
			casework.Rule{Action: "test.approve", Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}, MinLevel: casework.LevelBranch},
		))
		stationRecord := casework.Target{RecordType: "dispute", RecordID: "d1", UnitID: w.station.ID}
		shared := stationRecord
		shared.SharedWith = []string{w.otherBranch.ID}
		assigned := stationRecord
		assigned.AssignedTo = []string{w.mediator.StaffID}
		forged := w.officer
		forged.Roles = append(forged.Roles, casework.RoleSupervisor)
		wrongUnit := w.officer
		wrongUnit.UnitID = w.branch.ID

		tests := []struct {
			name   string
			actor  casework.Actor
			action casework.Action
			target casework.Target
			want   error
		}{
			{"officer writes own station record", w.officer, "test.write", stationRecord, nil},
			{"branch supervisor reads station record below", w.branchSupervisor, casework.ActionRead, stationRecord, nil},
			{"other branch cannot see it at all", w.otherOfficer, casework.ActionRead, stationRecord, casework.ErrNotFound},
			{"other branch reads a shared record", w.otherOfficer, casework.ActionRead, shared, nil},
			{"a shared record is read-only", w.otherOfficer, "test.write", shared, casework.ErrForbidden},
			{"mediator not assigned", w.mediator, "test.write", stationRecord, casework.ErrForbidden},
			{"mediator assigned", w.mediator, "test.write", assigned, nil},
			{"station supervisor below approval level", w.supervisor, "test.approve", stationRecord, casework.ErrForbidden},
			{"branch supervisor approves", w.branchSupervisor, "test.approve", stationRecord, nil},
			{"admin never reveals", w.admin, casework.ActionRevealPerson, stationRecord, casework.ErrForbidden},
			{"auditor verifies", w.auditor, casework.ActionVerifyAudit, casework.Target{}, nil},
			{"auditor changes nothing", w.auditor, casework.ActionWritePerson, casework.Target{UnitID: w.bureau.ID}, casework.ErrForbidden},
			{"claimed role the staff member lacks", forged, "test.approve", stationRecord, casework.ErrForbidden},
			{"claimed unit the staff member is not in", wrongUnit, "test.write", stationRecord, casework.ErrForbidden},
			{"unknown staff", casework.Actor{StaffID: "ghost", UnitID: w.station.ID, Roles: []casework.Role{casework.RoleOfficer}}, "test.write", stationRecord, casework.ErrForbidden},
			{"action without a rule", w.officer, "nobody.grants.this", stationRecord, casework.ErrForbidden},
		}
		for _, tc := range tests {
			err := k.Authorize(ctx, tc.actor, tc.action, tc.target)
			if tc.want == nil {
				require.NoError(t, err, tc.name)
			} else {
				require.ErrorIs(t, err, tc.want, tc.name)
			}
		}
	})
}

func TestPolicySeparationOfDuties(t *testing.T) {
	t.Parallel()
	p := casework.NewPolicy()
	require.Error(t, p.Set(casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindReveal, Roles: []casework.Role{casework.RoleAdmin}}))
	require.Error(t, p.Set(casework.Rule{Action: "x.write", Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleAuditor}}))
	require.NoError(t, p.Set(casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindReveal, Roles: []casework.Role{casework.RoleSupervisor}}))
	require.NoError(t, p.Default(casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindReveal, Roles: []casework.Role{casework.RoleOfficer}}))
	r, ok := p.Rule(casework.ActionRevealPerson)
	require.True(t, ok)
	require.Equal(t, []casework.Role{casework.RoleSupervisor}, r.Roles, "a default never replaces an integrator's row")
}

func TestDeactivatedStaffCannotAct(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	s, err := w.k.GetStaff(ctx, w.admin, w.officer.StaffID)
	require.NoError(t, err)
	off := false
	_, err = w.k.UpdateStaff(ctx, w.admin, s.ID, s.Version, casework.StaffUpdate{Active: &off})
	require.NoError(t, err)
	require.ErrorIs(t, w.k.Authorize(ctx, w.officer, casework.ActionRead, casework.Target{}), casework.ErrForbidden)
	_, err = w.k.UpdateStaff(ctx, w.admin, s.ID, s.Version, casework.StaffUpdate{Active: &off})
	require.ErrorIs(t, err, casework.ErrConflict, "stale version")
}

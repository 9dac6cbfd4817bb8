package casework_test

import (
	"context"
	"errors"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// requireInvalidField asserts err is ErrInvalid naming field.
func requireInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, casework.ErrInvalid)
	var inv *casework.InvalidError
	require.True(t, errors.As(err, &inv), "%v", err)
	var names []string
	for _, f := range inv.Fields {
		names = append(names, f.Field)
	}
	require.Contains(t, names, field, "%v", err)
}

// Separation of duties hangs on an action's kind, so a policy row cannot
// re-declare a kind to get around it; and whatever rows are allowed, the
// hard rules hold in the check itself.
func TestPolicyCannotConfigureAwaySeparationOfDuties(t *testing.T) {
	t.Parallel()
	admin := []casework.Role{casework.RoleAdmin}
	auditor := []casework.Role{casework.RoleAuditor}
	const wfClose, wfApprove casework.Action = "wf.close", "wf.approve"
	wfDefaults := []casework.Rule{
		{Action: wfClose, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer}},
		{Action: wfApprove, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}},
	}
	refused := []struct {
		name  string
		rule  casework.Rule
		field string
	}{
		{"reveal declared a read for admin", casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindRead, Roles: admin}, "kind"},
		{"reveal declared admin work for admin", casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindAdmin, Roles: admin}, "kind"},
		{"reveal granted to admin", casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindReveal, Roles: admin}, "roles"},
		{"person write declared a read for auditor", casework.Rule{Action: casework.ActionWritePerson, Kind: casework.KindRead, Roles: auditor}, "kind"},
		{"workflow close declared a read for auditor", casework.Rule{Action: wfClose, Kind: casework.KindRead, Roles: auditor}, "kind"},
		{"workflow approval declared a write", casework.Rule{Action: wfApprove, Kind: casework.KindWrite, Roles: auditor}, "kind"},
		{"workflow close granted to auditor", casework.Rule{Action: wfClose, Kind: casework.KindWrite, Roles: auditor}, "roles"},
		{"workflow approval granted to a grid worker", casework.Rule{Action: wfApprove, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleOfficer, casework.RoleGridWorker}}, "roles"},
		{"reveal granted to a volunteer", casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindReveal, Roles: []casework.Role{casework.RoleVolunteer}}, "roles"},
		{"staff administration granted to committee staff", casework.Rule{Action: casework.ActionAdminStaff, Kind: casework.KindAdmin, Roles: []casework.Role{casework.RoleCommitteeStaff}}, "roles"},
		{"no kind", casework.Rule{Action: wfClose, Roles: auditor}, "kind"},
		{"unknown kind", casework.Rule{Action: "x.y", Kind: 99, Roles: auditor}, "kind"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := casework.NewPolicy()
			require.NoError(t, p.Default(wfDefaults...))
			before := p.Rules()
			requireInvalidField(t, p.Set(tc.rule), tc.field)
			require.Equal(t, before, p.Rules(), "a refused row changes nothing")
		})
	}

	t.Run("a wrong kind set before the package registers makes its Default fail", func(t *testing.T) {
		t.Parallel()
		p := &casework.Policy{}
		require.NoError(t, p.Set(casework.Rule{Action: wfClose, Kind: casework.KindRead, Roles: auditor}))
		requireInvalidField(t, p.Default(wfDefaults...), "kind")
	})
	t.Run("the zero policy knows the kernel's kinds", func(t *testing.T) {
		t.Parallel()
		p := &casework.Policy{}
		requireInvalidField(t, p.Set(casework.Rule{Action: casework.ActionRevealPerson, Kind: casework.KindRead, Roles: admin}), "kind")
	})

	ctx := context.Background()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	p := w.k.Policy()
	require.NoError(t, p.Default(wfDefaults...))
	for _, tc := range refused {
		_ = p.Set(tc.rule) // refused above; a caller that ignores the error gains nothing
	}
	// Every row an integrator may set, at its fixed kind, granted widely.
	for _, r := range p.Rules() {
		r.Roles = nil
		for _, role := range casework.AllRoles {
			if role == casework.RoleAdmin && r.Kind == casework.KindReveal || role == casework.RoleAuditor && r.Kind != casework.KindRead ||
				role.Helper() && r.Kind != casework.KindRead && r.Kind != casework.KindWrite {
				continue
			}
			r.Roles = append(r.Roles, role)
		}
		require.NoError(t, p.Set(r), r.Action)
	}
	record := casework.Target{RecordType: "person", RecordID: "p1", UnitID: w.station.ID}
	require.ErrorIs(t, w.k.Authorize(ctx, w.admin, casework.ActionRevealPerson, record), casework.ErrForbidden, "admin never reveals")
	for _, a := range []casework.Action{casework.ActionWritePerson, casework.ActionShareRecord, wfClose, wfApprove, casework.ActionAdminStaff} {
		require.ErrorIs(t, w.k.Authorize(ctx, w.auditor, a, record), casework.ErrForbidden, "auditor never %s", a)
	}
	require.NoError(t, w.k.Authorize(ctx, w.auditor, casework.ActionRead, record), "the auditor still reads")

	mine := record
	mine.RequestedBy = w.branchSupervisor.StaffID
	require.ErrorIs(t, w.k.Authorize(ctx, w.branchSupervisor, wfApprove, mine), casework.ErrForbidden, "approver ≠ requester")
	mine.RequestedBy = w.officer.StaffID
	require.NoError(t, w.k.Authorize(ctx, w.branchSupervisor, wfApprove, mine))
}

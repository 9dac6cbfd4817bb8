package mediation_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// Promise: roles — consulted only for a dispute in reach. A plain officer
// may not review a high-risk dispute of its own unit (ErrForbidden); a
// plain officer of another unit learns nothing: ErrNotFound, as for a
// made-up id.
func TestRolesAfterReach(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	j := f.jurisdiction()
	plainSibling := f.staff(j.siblingUnit, "兄弟所民警甲", casework.RoleOfficer)
	d := f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "可能民转刑" })

	got, err := f.svc.Review(f.ctx, f.officer, d.ID, d.Version, "note")
	require.ErrorIs(t, err, mediation.ErrForbidden)
	require.Zero(t, got)
	got, err = f.svc.Review(f.ctx, plainSibling, d.ID, d.Version, "note")
	require.ErrorIs(t, err, mediation.ErrNotFound)
	require.NotErrorIs(t, err, mediation.ErrForbidden)
	require.Zero(t, got)
	got, err = f.svc.Review(f.ctx, f.mediator, d.ID, d.Version, "note")
	require.ErrorIs(t, err, mediation.ErrForbidden, "a mediator in reach but not assigned is refused, not hidden")
	require.Zero(t, got)
}

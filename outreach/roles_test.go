package outreach_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// Promise: roles — consulted only for a record in reach. Inside reach a
// missing role or the separation of duties answers ErrForbidden; outside
// it the same call learns nothing: ErrNotFound, as for a made-up id.
func TestRolesAfterReach(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jurisdiction(t)
	plainSibling := b.staff(t, j.siblingUnit.ID, "兄弟所民警甲", nil, casework.RoleOfficer)
	h, err := b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, Place: "配电箱", Kind: "electrical",
		Severity: outreach.SeverityMajor, Description: "线路裸露", Responsible: "站长", DueInDays: 3})
	require.NoError(t, err)
	h, err = b.svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "")
	require.NoError(t, err)
	h, err = b.svc.RecordRectified(b.ctx, b.officer, h.ID, h.Version, "已更换")
	require.NoError(t, err)
	c, err := b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "百万警进千万家", From: start, To: start})
	require.NoError(t, err)
	name := "新名"

	for _, tc := range []struct {
		name string
		call func() (any, error)
		want error
	}{
		{"the fixer verifies its own fix", func() (any, error) { return b.svc.VerifyHazard(b.ctx, b.officer, h.ID, h.Version, "") }, outreach.ErrForbidden},
		{"the fixer rejects its own fix", func() (any, error) {
			return b.svc.RejectRectification(b.ctx, b.officer, h.ID, h.Version, "不合格")
		}, outreach.ErrForbidden},
		{"an auditor changes a hazard", func() (any, error) { return b.svc.VerifyHazard(b.ctx, b.auditor, h.ID, h.Version, "") }, outreach.ErrForbidden},
		{"a plain officer of another unit verifies", func() (any, error) {
			return b.svc.VerifyHazard(b.ctx, plainSibling, h.ID, h.Version, "")
		}, outreach.ErrNotFound},
		{"a plain officer renames a campaign of its unit", func() (any, error) {
			return b.svc.UpdateCampaign(b.ctx, b.officer, c.ID, c.Version, outreach.CampaignUpdate{Name: &name})
		}, outreach.ErrForbidden},
		{"a plain officer of another unit renames it", func() (any, error) {
			return b.svc.UpdateCampaign(b.ctx, plainSibling, c.ID, c.Version, outreach.CampaignUpdate{Name: &name})
		}, outreach.ErrNotFound},
		{"a plain officer of another unit starts a campaign there", func() (any, error) {
			return b.svc.CreateCampaign(b.ctx, plainSibling, outreach.CampaignInput{UnitID: b.station.ID, Name: "n", From: start, To: start})
		}, outreach.ErrNotFound},
		{"a plain officer of another unit lists its hazards", func() (any, error) {
			rows, _, err := b.svc.ListHazards(b.ctx, plainSibling, outreach.HazardQuery{UnitID: b.station.ID})
			return rows, err
		}, outreach.ErrNotFound},
		{"an admin of the bureau counts", func() (any, error) {
			return b.svc.Totals(b.ctx, b.admin, casework.ReportQuery{From: start, To: start.Add(time.Hour)})
		}, outreach.ErrForbidden},
	} {
		v, err := tc.call()
		require.ErrorIs(t, err, tc.want, tc.name)
		if tc.want == outreach.ErrNotFound {
			require.NotErrorIs(t, err, outreach.ErrForbidden, tc.name)
		}
		require.True(t, isZero(v), "%s: a value beside the error: %+v", tc.name, v)
	}
}

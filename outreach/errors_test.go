package outreach_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// errBroken is what a broken kernel store answers: not ErrNotFound.
var errBroken = errors.New("broken store: connection reset")

// brokenUnits is a kernel store whose reads of one unit or address fail as
// a database does, not as a missing record.
type brokenUnits struct {
	casework.KernelStore
	id string
}

func (b brokenUnits) GetUnit(ctx context.Context, id string) (casework.Unit, error) {
	if id == b.id {
		return casework.Unit{}, errBroken
	}
	return b.KernelStore.GetUnit(ctx, id)
}

func (b brokenUnits) GetAddress(ctx context.Context, id string) (casework.Address, error) {
	if id == b.id {
		return casework.Address{}, errBroken
	}
	return b.KernelStore.GetAddress(ctx, id)
}

// TestAddressStoreError: a failing store while reading the address a
// record points at is the error returned, not "no address".
func TestAddressStoreError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	k, err := casework.New(brokenUnits{KernelStore: b.ks, id: b.address.ID}, &casework.Config{Clock: b.clock})
	require.NoError(t, err)
	svc, err := outreach.New(k, b.os, nil)
	require.NoError(t, err)
	for name, call := range map[string]func() error{
		"visit": func() error {
			_, err := svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Village, AddressID: b.address.ID})
			return err
		},
		"hazard": func() error {
			_, err := svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, AddressID: b.address.ID, Place: "楼道",
				Kind: "fire", Severity: outreach.SeverityGeneral, Description: "杂物", Responsible: "物业", DueInDays: 3})
			return err
		},
		"plan": func() error {
			_, err := svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.SecurityKeySite, AddressID: b.address.ID,
				Organisation: "加油站"})
			return err
		},
	} {
		err := call()
		require.ErrorIs(t, err, errBroken, name)
		require.NotErrorIs(t, err, outreach.ErrInvalid, name)
	}
}

// TestVisitCampaignStoreError: a failing store while checking a campaign's
// units is the error returned, not "no unit" blamed on the input.
func TestVisitCampaignStoreError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// A station under the second branch, created after it: the campaign's
	// units are checked in id order, the first branch before it.
	st := b.unit(t, "370305001", "稷下派出所", casework.LevelStation, b.other.ID)
	officer := b.staff(t, st.ID, "民警戊", nil, casework.RoleOfficer)
	lead := b.staff(t, b.root.ID, "市局领导", nil, casework.RoleSupervisor)
	c, err := b.svc.CreateCampaign(b.ctx, lead, outreach.CampaignInput{UnitID: b.root.ID, Name: "百万警进千万家",
		From: start, To: start.Add(48 * time.Hour), UnitIDs: []string{b.branch.ID, st.ID}})
	require.NoError(t, err)
	in := outreach.VisitInput{UnitID: st.ID, TargetKind: outreach.Online, CampaignID: c.ID}

	// A kernel that has not read the first branch yet, on a store that
	// fails to read it.
	k, err := casework.New(brokenUnits{KernelStore: b.ks, id: b.branch.ID}, &casework.Config{Clock: b.clock})
	require.NoError(t, err)
	svc, err := outreach.New(k, b.os, nil)
	require.NoError(t, err)
	_, err = svc.RecordVisit(b.ctx, officer, in)
	require.ErrorIs(t, err, errBroken)
	require.NotErrorIs(t, err, outreach.ErrInvalid)

	// The visit's own unit failing is the error too, not "no unit".
	k, err = casework.New(brokenUnits{KernelStore: b.ks, id: st.ID}, &casework.Config{Clock: b.clock})
	require.NoError(t, err)
	svc, err = outreach.New(k, b.os, nil)
	require.NoError(t, err)
	_, err = svc.RecordVisit(b.ctx, officer, in)
	require.ErrorIs(t, err, errBroken)
	require.NotErrorIs(t, err, outreach.ErrInvalid)

	// On a sound store the visit is recorded.
	_, err = b.svc.RecordVisit(b.ctx, officer, in)
	require.NoError(t, err)
}

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

// Promise: input. Text outside input structs (notes, reasons) follows the
// kernel's one text rule; names and codes are one line; no method writes
// into its caller's arguments; a method that fails returns the zero value.

func TestTextParameters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	hazard := func(rectified bool) outreach.Hazard {
		h, err := b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, Place: "配电箱", Kind: "electrical",
			Severity: outreach.SeverityMajor, Description: "线路裸露", Responsible: "站长", DueInDays: 3})
		require.NoError(t, err)
		if rectified {
			h, err = b.svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "")
			require.NoError(t, err)
			h, err = b.svc.RecordRectified(b.ctx, b.officer, h.ID, h.Version, "")
			require.NoError(t, err)
		}
		return h
	}
	slot := 0
	accepted := func() outreach.Appointment {
		slot++
		at := start.Add(-time.Duration(slot) * 2 * time.Hour)
		a, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor,
			Requester: "居民", Place: "社区", Request: "咨询", StartsAt: at, EndsAt: at.Add(time.Hour)})
		require.NoError(t, err)
		a, err = b.svc.AcceptAppointment(b.ctx, b.officer, a.ID, a.Version, "")
		require.NoError(t, err)
		return a
	}
	for _, tc := range []struct {
		name, field, rule string
		call              func() error
	}{
		{"start rectifying note NUL", "note", "text", func() error {
			h := hazard(false)
			_, err := b.svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "整改\x00")
			return err
		}},
		{"rectified note invalid UTF-8", "note", "utf8", func() error {
			h := hazard(false)
			h, err := b.svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "")
			require.NoError(t, err)
			_, err = b.svc.RecordRectified(b.ctx, b.officer, h.ID, h.Version, "已改\xff")
			return err
		}},
		{"verify note escape", "note", "text", func() error {
			h := hazard(true)
			_, err := b.svc.VerifyHazard(b.ctx, b.chief, h.ID, h.Version, "ok\x1b[2J")
			return err
		}},
		{"reject reason NUL", "reason", "text", func() error {
			h := hazard(true)
			_, err := b.svc.RejectRectification(b.ctx, b.chief, h.ID, h.Version, "a\x00b")
			return err
		}},
		{"reject a fix never recorded", "", "", func() error {
			h := hazard(false)
			_, err := b.svc.RejectRectification(b.ctx, b.chief, h.ID, h.Version, "不合格")
			require.ErrorIs(t, err, outreach.ErrInvalidTransition)
			return nil
		}},
		{"decline reason bell", "reason", "text", func() error {
			a := accepted()
			_, err := b.svc.DeclineAppointment(b.ctx, b.officer, a.ID, a.Version, "退回\x07")
			return err
		}},
		{"no-show note invalid UTF-8", "note", "utf8", func() error {
			a := accepted()
			_, err := b.svc.MarkNoShow(b.ctx, b.officer, a.ID, a.Version, "\xc3")
			return err
		}},
		{"complete note NUL", "note", "text", func() error {
			a := accepted()
			_, err := b.svc.CompleteAppointment(b.ctx, b.officer, a.ID, a.Version, "办结\x00", "")
			return err
		}},
		{"remove-from-plan reason invalid UTF-8", "reason", "utf8", func() error {
			e, err := b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.School, AddressID: b.address.ID})
			require.NoError(t, err)
			_, err = b.svc.RemoveFromPlan(b.ctx, b.officer, e.ID, e.Version, "搬离\xff")
			return err
		}},
		{"amended notes NUL", "notes", "text", func() error {
			v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网上"})
			require.NoError(t, err)
			notes := "补记\x00"
			_, err = b.svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, outreach.VisitAmendment{Notes: &notes})
			return err
		}},
		{"responsible party is one line", "responsible", "text", func() error {
			_, err := b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, Place: "楼道", Kind: "electrical",
				Severity: outreach.SeverityGeneral, Description: "多行\n描述可以", Responsible: "物业\n经理", DueInDays: 3})
			return err
		}},
		{"requester is one line", "requester", "text", func() error {
			_, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor,
				Requester: "张\t三", Place: "社区", Request: "咨询", StartsAt: start, EndsAt: start.Add(time.Hour)})
			return err
		}},
		{"campaign name is one line", "name", "text", func() error {
			_, err := b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "百万警\n进千万家", From: start, To: start})
			return err
		}},
		{"organisation is one line", "organisation", "text", func() error {
			_, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网\n上"})
			return err
		}},
		{"aid unit is one line", "aid[0].unit", "text", func() error {
			_, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网上",
				Aid: []outreach.Aid{{Item: "大米", Quantity: 1, Unit: "袋\n"}}})
			return err
		}},
	} {
		err := tc.call()
		if tc.field == "" {
			continue
		}
		requireField(t, err, tc.field, tc.rule)
	}
}

// TestNoWriteIntoArguments shares one input value, slices included, across
// concurrent calls of every create and update (go test -race catches a
// write), and checks the value is unchanged afterwards. RecordVisit once
// trimmed the summaries of the caller's Disputes and Leads in place.
func TestNoWriteIntoArguments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.person(t, "张某")
	visit := outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID, TargetKind: outreach.SecurityKeySite, Organisation: " 加油站 ",
		OfficerIDs: []string{b.officer.StaffID, b.officer.StaffID}, Notes: " n ", PersonID: p.ID,
		Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: " s "}}, Aid: []outreach.Aid{{Item: "大米", Quantity: 1, Unit: "袋"}},
		Disputes: []outreach.DisputeInput{{Category: "neighbour/animal", Summary: " 大型犬扰民 ", PartyIDs: []string{p.ID}}},
		Leads:    []outreach.LeadInput{{Summary: " 可疑人员 ", PersonIDs: []string{p.ID}}},
		Hazards: []outreach.HazardInput{{Place: " 配电箱 ", Kind: "electrical", Severity: outreach.SeverityMajor, Description: " 线路裸露 ",
			Responsible: " 站长 ", DueInDays: 3}}}
	hazard := outreach.HazardInput{UnitID: b.station.ID, AddressID: b.address.ID, Place: " 楼道 ", Kind: "electrical",
		Severity: outreach.SeverityGeneral, Description: " 堆物 ", Responsible: " 物业 ", DueInDays: 3}
	appt := outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor, Requester: " 居民 ", Place: " 社区 ",
		Request: " 咨询 ", StartsAt: start.Add(time.Hour + 7*time.Microsecond), EndsAt: start.Add(2 * time.Hour)}
	campaign := outreach.CampaignInput{UnitID: b.station.ID, Name: " 百万警进千万家 ", From: start, To: start,
		UnitIDs: []string{b.station.ID, b.station.ID}, Goals: []outreach.Goal{{Kind: outreach.Online, Count: 3}}}
	plan := outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.DifficultFamily, AddressID: b.address.ID, PersonID: p.ID, Note: " n "}
	name := " 新名 "
	update := outreach.CampaignUpdate{Name: &name, Goals: []outreach.Goal{{Kind: outreach.School, Count: 2}}}
	notes := " 补记 "
	amend := outreach.VisitAmendment{Notes: &notes, Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: " s "}},
		Aid: []outreach.Aid{{Item: " 油 ", Quantity: 1, Unit: "桶"}}}
	inputs := []any{&visit, &hazard, &appt, &campaign, &plan, &update, &amend}
	before := fmt.Sprintf("%#v %s %s", inputs, name, notes)

	const n = 8
	campaigns := make([]outreach.Campaign, n)
	visits := make([]outreach.Visit, n)
	for i := range n {
		var err error
		campaigns[i], err = b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "c", From: start, To: start})
		require.NoError(t, err)
		visits[i], err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网上"})
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			keyed := visit
			keyed.RequestKey = "one-request" // a client retrying one request
			for _, in := range []outreach.VisitInput{visit, keyed} {
				_, err := b.svc.RecordVisit(b.ctx, b.officer, in)
				require.NoError(t, err)
			}
			_, err := b.svc.ReportHazard(b.ctx, b.officer, hazard)
			require.NoError(t, err)
			_, err = b.svc.RequestAppointment(b.ctx, b.officer, appt)
			require.NoError(t, err)
			_, err = b.svc.CreateCampaign(b.ctx, b.chief, campaign)
			require.NoError(t, err)
			_, err = b.svc.AddToPlan(b.ctx, b.officer, plan)
			require.NoError(t, err)
			_, err = b.svc.UpdateCampaign(b.ctx, b.chief, campaigns[i].ID, campaigns[i].Version, update)
			require.NoError(t, err)
			_, err = b.svc.AmendVisit(b.ctx, b.officer, visits[i].ID, visits[i].Version, amend)
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, before, fmt.Sprintf("%#v %s %s", inputs, name, notes))
}

// failingWrites is a store whose updates fail, and whose visit creates
// fail, after the record was checked: the service then holds a finished
// next version it must not hand out.
type failingWrites struct{ outreach.Store }

var errDiskFull = errors.New("disk full")

func (failingWrites) CreateVisit(context.Context, outreach.VisitWrite, casework.Change) error {
	return errDiskFull
}
func (failingWrites) UpdateVisit(context.Context, outreach.Visit, casework.Change) error {
	return errDiskFull
}
func (failingWrites) UpdateHazard(context.Context, outreach.Hazard, casework.Change) error {
	return errDiskFull
}
func (failingWrites) UpdateAppointment(context.Context, outreach.Appointment, casework.Change) error {
	return errDiskFull
}
func (failingWrites) UpdateCampaign(context.Context, outreach.Campaign, casework.Change) error {
	return errDiskFull
}
func (failingWrites) UpdatePlanEntry(context.Context, outreach.PlanEntry, casework.Change) error {
	return errDiskFull
}

// TestFailedWriteReturnsZero: a write its store refuses answers the zero
// value with the store's error, never the version it failed to store.
func TestFailedWriteReturnsZero(t *testing.T) {
	t.Parallel()
	b := setup(t)
	h, err := b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, Place: "p", Kind: "electrical",
		Severity: outreach.SeverityGeneral, Description: "d", Responsible: "r", DueInDays: 3})
	require.NoError(t, err)
	a, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor,
		Requester: "居民", Place: "社区", Request: "咨询", StartsAt: start, EndsAt: start.Add(time.Hour)})
	require.NoError(t, err)
	c, err := b.svc.CreateCampaign(b.ctx, b.chief, outreach.CampaignInput{UnitID: b.station.ID, Name: "c", From: start, To: start})
	require.NoError(t, err)
	e, err := b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.School, AddressID: b.address.ID})
	require.NoError(t, err)
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网上"})
	require.NoError(t, err)

	// A second kernel on the same database carries the service over the
	// failing store: a kernel registers each workflow once.
	k2, err := casework.New(b.k.Store(), &casework.Config{Clock: b.clock})
	require.NoError(t, err)
	svc, err := outreach.New(k2, failingWrites{b.os}, nil)
	require.NoError(t, err)
	name, notes := "n", "n"
	for _, tc := range []struct {
		name string
		call func() (any, error)
	}{
		{"RecordVisit", func() (any, error) {
			return svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Online, Organisation: "网上"})
		}},
		{"RecordVisit on the plan", func() (any, error) {
			return svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: e.ID})
		}},
		{"AmendVisit", func() (any, error) {
			return svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, outreach.VisitAmendment{Notes: &notes})
		}},
		{"StartRectifying", func() (any, error) { return svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "") }},
		{"AcceptAppointment", func() (any, error) { return svc.AcceptAppointment(b.ctx, b.officer, a.ID, a.Version, "") }},
		{"UpdateCampaign", func() (any, error) {
			return svc.UpdateCampaign(b.ctx, b.chief, c.ID, c.Version, outreach.CampaignUpdate{Name: &name})
		}},
		{"RemoveFromPlan", func() (any, error) { return svc.RemoveFromPlan(b.ctx, b.officer, e.ID, e.Version, "搬离") }},
	} {
		got, err := tc.call()
		require.ErrorIs(t, err, errDiskFull, tc.name)
		require.True(t, isZero(got), "%s: a value beside the error: %+v", tc.name, got)
	}
}

package outreach_test

import (
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

// TestTotals builds a known mix of visits across bureau → branch → station
// (and a second branch) and checks every figure of the article's outreach
// table for the branch with its station, and for the station alone.
func TestTotals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := b.ctx
	branchLead := b.staff(t, b.branch.ID, "分局领导", nil, casework.RoleSupervisor, casework.RoleOfficer)
	p1, p2 := b.person(t, "困难户甲"), b.person(t, "困难户乙")
	services := func(kinds ...outreach.ServiceKind) []outreach.ServiceGiven {
		var out []outreach.ServiceGiven
		for _, k := range kinds {
			out = append(out, outreach.ServiceGiven{Kind: k})
		}
		return out
	}
	visit := func(a casework.Actor, unit casework.Unit, in outreach.VisitInput) outreach.Visit {
		t.Helper()
		in.UnitID = unit.ID
		if in.AddressID == "" && in.TargetKind != outreach.Online {
			in.AddressID = b.address.ID
		}
		v, err := b.svc.RecordVisit(ctx, a, in)
		require.NoError(t, err)
		return v
	}
	door, errand, appt := outreach.ServiceDoorToDoor, outreach.ServiceErrand, outreach.ServiceAppointment
	aid := []outreach.Aid{{Item: "大米", Quantity: 10, Unit: "斤"}}
	st, off := b.station, b.officer

	// The station.
	d1 := visit(off, st, outreach.VisitInput{TargetKind: outreach.DifficultFamily, PersonID: p1.ID, Services: services(door), Aid: aid,
		Hazards: []outreach.HazardInput{{Place: "厨房", Kind: "gas", Severity: outreach.SeverityMajor, Description: "燃气管老化",
			Responsible: "困难户甲", DueInDays: 7}}})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.DifficultFamily, PersonID: p1.ID, Services: services(door)})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.DifficultFamily, PersonID: p2.ID, Services: services(door), Aid: aid})
	visit(b.community, st, outreach.VisitInput{TargetKind: outreach.KeyPersonFamily, PersonID: p1.ID, Services: services(errand, errand)})
	visit(b.community, st, outreach.VisitInput{TargetKind: outreach.KeyPersonFamily, PersonID: p2.ID})
	visit(b.community, st, outreach.VisitInput{TargetKind: outreach.SpecialPersonFamily, PersonID: p2.ID})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.SecurityKeySite, Organisation: "加油站",
		Hazards: []outreach.HazardInput{{Place: "配电箱", Kind: "electrical", Severity: outreach.SeverityGeneral, Description: "线路裸露",
			Responsible: "加油站站长", DueInDays: 3}}})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.SecurityKeySite, Organisation: "加油站"})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.SecurityKeySite, Organisation: "银行网点"})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.StrugglingEnterprise, Organisation: "某纺织厂"})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.StrugglingEnterprise, Organisation: "某纺织厂"})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.School, Organisation: "潘庄小学", Services: services(appt)})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.Village, Organisation: "潘庄村",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/noise", Summary: "楼上楼下噪音"}, {Category: "labour", Summary: "欠薪"}},
		Leads:    []outreach.LeadInput{{Summary: "有人收购来路不明的电动车"}}})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.Community, Organisation: "潘庄社区"})
	visit(off, st, outreach.VisitInput{TargetKind: outreach.Online, Organisation: "社区微信群"})
	// Before the period: never counted.
	visit(off, st, outreach.VisitInput{TargetKind: outreach.DifficultFamily, PersonID: p1.ID, VisitedAt: time.Date(2020, 4, 20, 2, 0, 0, 0, time.UTC)})

	// The hazard found with d1 is fixed, and verified by someone else: it
	// counts as rectified from the moment it reached rectified.
	h, err := b.svc.GetHazard(ctx, off, d1.HazardIDs[0])
	require.NoError(t, err)
	h, err = b.svc.StartRectifying(ctx, off, h.ID, h.Version, "户主已联系燃气公司")
	require.NoError(t, err)
	h, err = b.svc.RecordRectified(ctx, off, h.ID, h.Version, "已更换燃气管")
	require.NoError(t, err)
	_, err = b.svc.VerifyHazard(ctx, b.chief, h.ID, h.Version, "复查合格")
	require.NoError(t, err)
	// An appointment done at the station.
	a, err := b.svc.RequestAppointment(ctx, off, outreach.AppointmentInput{UnitID: st.ID, Service: outreach.ServiceAppointment,
		Requester: "居民", Place: "潘庄社区", Request: "上门办理居住证", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)})
	require.NoError(t, err)
	a, err = b.svc.AcceptAppointment(ctx, off, a.ID, a.Version, "")
	require.NoError(t, err)
	_, err = b.svc.CompleteAppointment(ctx, off, a.ID, a.Version, "已办理", "")
	require.NoError(t, err)

	// The branch itself: one more difficult family, the same petrol station
	// (still one site in the branch's count), and a hazard on patrol.
	visit(branchLead, b.branch, outreach.VisitInput{TargetKind: outreach.DifficultFamily, PersonID: p2.ID, Services: services(door)})
	visit(branchLead, b.branch, outreach.VisitInput{TargetKind: outreach.SecurityKeySite, Organisation: "加油站"})
	_, err = b.svc.ReportHazard(ctx, branchLead, outreach.HazardInput{UnitID: b.branch.ID, Place: "集市", Kind: "fire",
		Severity: outreach.SeverityGeneral, Description: "通道堆物", Responsible: "市场管理方", DueInDays: 5})
	require.NoError(t, err)

	// The other branch: counted in neither.
	otherAddr, err := b.k.CreateAddress(ctx, b.otherOfficer, casework.AddressInput{UnitID: b.other.ID, Text: "临淄区某村", Community: "某村"})
	require.NoError(t, err)
	visit(b.otherOfficer, b.other, outreach.VisitInput{TargetKind: outreach.DifficultFamily, AddressID: otherAddr.ID, Organisation: "某户"})

	may := casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
	want := map[string]map[string]int64{
		"branch": {
			"outreach.visits.difficult_family": 4, "outreach.visits.key_person_family": 2, "outreach.visits.special_person_family": 1,
			"outreach.visits.security_key_site": 2, "outreach.visits.struggling_enterprise": 1, "outreach.visits.school": 1,
			"outreach.visits.village": 1, "outreach.visits.community": 1, "outreach.visits.online": 1,
			"outreach.hazards.found": 3, "outreach.hazards.rectified": 1, "outreach.hazards.fix_rejected": 0, "outreach.disputes.handed": 2, "outreach.leads.collected": 1,
			"outreach.services.appointment": 1, "outreach.services.door_to_door": 4, "outreach.services.errand": 2,
			"outreach.aid.visits": 2, "outreach.appointments.done": 1, "outreach.aid.quantity.斤.大米": 20,
			"outreach.referrals.made": 0, "outreach.referrals.closed": 0,
		},
		"station": {
			"outreach.visits.difficult_family": 3, "outreach.visits.key_person_family": 2, "outreach.visits.special_person_family": 1,
			"outreach.visits.security_key_site": 2, "outreach.visits.struggling_enterprise": 1, "outreach.visits.school": 1,
			"outreach.visits.village": 1, "outreach.visits.community": 1, "outreach.visits.online": 1,
			"outreach.hazards.found": 2, "outreach.hazards.rectified": 1, "outreach.hazards.fix_rejected": 0, "outreach.disputes.handed": 2, "outreach.leads.collected": 1,
			"outreach.services.appointment": 1, "outreach.services.door_to_door": 3, "outreach.services.errand": 2,
			"outreach.aid.visits": 2, "outreach.appointments.done": 1, "outreach.aid.quantity.斤.大米": 20,
			"outreach.referrals.made": 0, "outreach.referrals.closed": 0,
		},
	}
	for name, unit := range map[string]casework.Unit{"branch": b.branch, "station": b.station} {
		q := may
		q.UnitID = unit.ID
		tot, err := b.svc.Totals(ctx, branchLead, q)
		require.NoError(t, err)
		got := map[string]int64{}
		for _, f := range tot.Figures() {
			got[f.Key] = f.Value
		}
		require.Equal(t, want[name], got, name)
		// The raw counts behind the distinct figures.
		require.Equal(t, map[string]int64{"branch": 4, "station": 3}[name], tot.Visits[outreach.SecurityKeySite], name)
		require.Equal(t, int64(2), tot.Visits[outreach.StrugglingEnterprise], name)

		// The kernel's one report carries the same figures.
		figs, err := b.k.Report(ctx, branchLead, q)
		require.NoError(t, err)
		fromReport := map[string]int64{}
		for _, f := range figs {
			fromReport[f.Key] = f.Value
		}
		for k, v := range want[name] {
			require.Equal(t, v, fromReport[k], "%s %s", name, k)
		}
	}

	// By unit, from the bureau: the bureau, then each branch.
	rootLead := b.staff(t, b.root.ID, "市局领导", nil, casework.RoleSupervisor)
	rows, err := b.svc.TotalsByUnit(ctx, rootLead, may)
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, b.root.ID, rows[0].Unit.ID)
	byUnit := map[string]outreach.Totals{}
	for _, r := range rows {
		require.Equal(t, r.Unit.ID, r.Totals.UnitID)
		byUnit[r.Unit.ID] = r.Totals
	}
	require.Equal(t, int64(5), byUnit[b.root.ID].Figure(outreach.DifficultFamily))
	require.Equal(t, int64(4), byUnit[b.branch.ID].Figure(outreach.DifficultFamily))
	require.Equal(t, int64(1), byUnit[b.other.ID].Figure(outreach.DifficultFamily))

	// A station officer cannot ask for the branch: out of reach.
	q := may
	q.UnitID = b.branch.ID
	_, err = b.svc.Totals(ctx, off, q)
	require.ErrorIs(t, err, outreach.ErrNotFound)
	b.verify(t)
}

// TestDistinctTargetPlannedAndAdHoc visits one struggling firm once through
// its plan entry and once ad hoc: the 家 figure counts it once, on every
// backend. A third visit that types the name with stray and full-width space
// is still the same firm; another firm at the same address is not.
func TestDistinctTargetPlannedAndAdHoc(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			ctx := b.ctx
			entry, err := b.svc.AddToPlan(ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.StrugglingEnterprise,
				AddressID: b.address.ID, Organisation: "鑫源机械厂"})
			require.NoError(t, err)
			planned, err := b.svc.RecordVisit(ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: entry.ID})
			require.NoError(t, err)
			adHoc, err := b.svc.RecordVisit(ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.StrugglingEnterprise,
				AddressID: b.address.ID, Organisation: "鑫源机械厂"})
			require.NoError(t, err)
			require.Equal(t, planned.TargetKey, adHoc.TargetKey)
			require.NotContains(t, planned.TargetKey, entry.ID, "the key names the target, not the plan entry")

			may := casework.ReportQuery{UnitID: b.station.ID, From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
			totals := func() outreach.Totals {
				t.Helper()
				tot, err := b.svc.Totals(ctx, b.officer, may)
				require.NoError(t, err)
				return tot
			}
			tot := totals()
			require.Equal(t, int64(1), tot.Figure(outreach.StrugglingEnterprise))
			require.Equal(t, int64(2), tot.Visits[outreach.StrugglingEnterprise])

			// The same name typed loosely is the same firm.
			_, err = b.svc.RecordVisit(ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.StrugglingEnterprise,
				AddressID: b.address.ID, Organisation: "\u3000鑫源机械厂 "})
			require.NoError(t, err)
			tot = totals()
			require.Equal(t, int64(1), tot.Figure(outreach.StrugglingEnterprise))
			require.Equal(t, int64(3), tot.Visits[outreach.StrugglingEnterprise])

			// Another firm at the same address is another target.
			_, err = b.svc.RecordVisit(ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.StrugglingEnterprise,
				AddressID: b.address.ID, Organisation: "宏达纺织厂"})
			require.NoError(t, err)
			tot = totals()
			require.Equal(t, int64(2), tot.Figure(outreach.StrugglingEnterprise))
			require.Equal(t, int64(4), tot.Visits[outreach.StrugglingEnterprise])
			b.verify(t)
		})
	}
}

// TestHazardFiguresNeverChange: a period's figures count what happened in
// it. A fix recorded in May stays counted in May when a verifier rejects it
// in June; the rejection is June's own figure, and the fix recorded again
// in June counts in June.
func TestHazardFiguresNeverChange(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			ctx, off := b.ctx, b.officer
			may := casework.ReportQuery{UnitID: b.station.ID, From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
			june := casework.ReportQuery{UnitID: b.station.ID, From: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC)}
			figures := func(q casework.ReportQuery) map[string]int64 {
				t.Helper()
				tot, err := b.svc.Totals(ctx, b.chief, q)
				require.NoError(t, err)
				got := map[string]int64{}
				for _, f := range tot.Figures() {
					if strings.HasPrefix(f.Key, "outreach.hazards.") {
						got[f.Key] = f.Value
					}
				}
				return got
			}
			counts := func(found, rectified, rejected int64) map[string]int64 {
				return map[string]int64{"outreach.hazards.found": found, "outreach.hazards.rectified": rectified, "outreach.hazards.fix_rejected": rejected}
			}

			h, err := b.svc.ReportHazard(ctx, off, outreach.HazardInput{UnitID: b.station.ID, Place: "潘庄社区3号楼", Kind: "fire",
				Severity: outreach.SeverityGeneral, Description: "楼道堆放杂物", Responsible: "物业", DueInDays: 30})
			require.NoError(t, err)
			h, err = b.svc.StartRectifying(ctx, off, h.ID, h.Version, "")
			require.NoError(t, err)
			h, err = b.svc.RecordRectified(ctx, off, h.ID, h.Version, "已清理")
			require.NoError(t, err)
			require.Equal(t, counts(1, 1, 0), figures(may), "May as reported at the end of May")

			b.clock.Set(time.Date(2020, 6, 10, 2, 0, 0, 0, time.UTC))
			h, err = b.svc.RejectRectification(ctx, b.chief, h.ID, h.Version, "复查仍有杂物")
			require.NoError(t, err)
			require.Equal(t, counts(1, 1, 0), figures(may), "May does not change")
			require.Equal(t, counts(0, 0, 1), figures(june), "the rejection is June's")

			b.clock.Advance(24 * time.Hour)
			_, err = b.svc.RecordRectified(ctx, off, h.ID, h.Version, "已彻底清理")
			require.NoError(t, err)
			require.Equal(t, counts(1, 1, 0), figures(may))
			require.Equal(t, counts(0, 1, 1), figures(june), "fixed again in June")

			// The kernel's one report reads the same figures.
			rep, err := b.k.Report(ctx, b.chief, may)
			require.NoError(t, err)
			got := map[string]int64{}
			for _, f := range rep {
				got[f.Key] = f.Value
			}
			require.Equal(t, int64(1), got["outreach.hazards.rectified"])
		})
	}
}

package outreach_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/stretchr/testify/require"
)

func fieldRules(t *testing.T, err error) map[string]string {
	t.Helper()
	var inv *casework.InvalidError
	require.ErrorAs(t, err, &inv)
	out := map[string]string{}
	for _, f := range inv.Fields {
		out[f.Field] = f.Rule
	}
	return out
}

func TestRecordVisitValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name string
		in   outreach.VisitInput
		want map[string]string
	}{
		{"unknown kind and nothing visited", outreach.VisitInput{UnitID: b.station.ID, TargetKind: "pub"},
			map[string]string{"targetKind": "code", "addressId": "required"}},
		{"bad services and aid", outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.School, Organisation: "小学",
			Services: []outreach.ServiceGiven{{Kind: "massage"}}, Aid: []outreach.Aid{{Item: "", Quantity: -1}, {Item: "米", Quantity: 10}}},
			map[string]string{"services[0].kind": "code", "aid[0].item": "required", "aid[0].quantity": "min", "aid[1].unit": "required"}},
		{"a visit tomorrow", outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.School, Organisation: "小学", VisitedAt: start.Add(25 * time.Hour)},
			map[string]string{"visitedAt": "past"}},
		{"unknown person, officer, address, plan, campaign", outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.DifficultFamily,
			PersonID: "nobody", OfficerIDs: []string{"ghost"}, AddressID: "nowhere", PlanEntryID: "nothing", CampaignID: "none"},
			map[string]string{"personId": "exists", "officerIds[0]": "exists", "addressId": "exists", "planEntryId": "exists", "campaignId": "exists"}},
		{"bad findings and hazard", outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.Village, Organisation: "村",
			Disputes: []outreach.DisputeInput{{Risk: "extreme"}}, Leads: []outreach.LeadInput{{}},
			Hazards: []outreach.HazardInput{{Kind: "ghosts", Severity: "huge"}}},
			map[string]string{"disputes[0].category": "required", "disputes[0].summary": "required", "disputes[0].risk": "oneof",
				"leads[0].summary": "required", "hazards[0].kind": "code", "hazards[0].severity": "oneof", "hazards[0].place": "required",
				"hazards[0].description": "required", "hazards[0].responsible": "required", "hazards[0].deadline": "required"}},
		{"registry without an address", outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.School, Organisation: "小学",
			Registry: &outreach.RegistryUpdate{AddressVersion: 1}}, map[string]string{"registry": "address"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.RecordVisit(b.ctx, b.officer, tc.in)
			require.ErrorIs(t, err, outreach.ErrInvalid)
			got := fieldRules(t, err)
			for f, rule := range tc.want {
				require.Equal(t, rule, got[f], "field %s in %v", f, got)
			}
		})
	}
	// Registry errors come back under the visit's field names.
	_, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.DifficultFamily,
		AddressID: b.address.ID, Registry: &outreach.RegistryUpdate{AddressVersion: b.address.Version,
			Registry: casework.Registry{Residents: []casework.Resident{{PersonID: "ghost"}}}}})
	require.Equal(t, "exists", fieldRules(t, err)["registry.registry.residents[0].personId"])
	_, err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.DifficultFamily,
		AddressID: b.address.ID, Registry: &outreach.RegistryUpdate{AddressVersion: 9}})
	require.ErrorIs(t, err, outreach.ErrConflict, "a stale address version")

	// The registry update commits with the visit, audited on the address.
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.DifficultFamily,
		AddressID: b.address.ID, Registry: &outreach.RegistryUpdate{AddressVersion: b.address.Version,
			Registry: casework.Registry{Organisations: []casework.Organisation{{Name: "潘庄社区居委会"}}}}})
	require.NoError(t, err)
	addr, err := b.k.GetAddress(b.ctx, b.officer, b.address.ID)
	require.NoError(t, err)
	require.Equal(t, b.address.Version+1, addr.Version)
	require.Equal(t, addr.Version, v.RegistryVersion)
	trail, err := b.k.AuditTrail(b.ctx, b.officer, "address", addr.ID)
	require.NoError(t, err)
	require.Equal(t, "address.registry", trail[len(trail)-1].Action)
	visitTrail, err := b.svc.History(b.ctx, b.officer, outreach.RecordVisit, v.ID)
	require.NoError(t, err)
	require.Equal(t, trail[len(trail)-1].Seq, visitTrail[0].Seq+1, "one transaction: the visit and its registry update are adjacent in the chain")
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := outreach.VisitInput{UnitID: b.station.ID, TargetKind: outreach.School, Organisation: "潘庄小学"}
	_, err := b.svc.RecordVisit(b.ctx, b.admin, in)
	require.ErrorIs(t, err, outreach.ErrForbidden, "an admin administers, never visits")
	_, err = b.svc.RecordVisit(b.ctx, b.auditor, in)
	require.ErrorIs(t, err, outreach.ErrForbidden, "an auditor only reads")
	_, err = b.svc.RecordVisit(b.ctx, b.otherOfficer, in)
	require.ErrorIs(t, err, outreach.ErrNotFound, "another branch's unit is out of reach")
	forged := b.officer
	forged.Roles = []casework.Role{casework.RoleSupervisor}
	_, err = b.svc.RecordVisit(b.ctx, forged, in)
	require.ErrorIs(t, err, outreach.ErrForbidden, "roles the staff member does not hold")
	v, err := b.svc.RecordVisit(b.ctx, b.officer, in)
	require.NoError(t, err)
	_, err = b.svc.GetVisit(b.ctx, b.otherOfficer, v.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound)
	got, err := b.svc.GetVisit(b.ctx, b.auditor, v.ID)
	require.NoError(t, err)
	require.Equal(t, v, got)
	_, err = b.svc.CreateCampaign(b.ctx, b.officer, outreach.CampaignInput{UnitID: b.station.ID, Name: "x", From: start, To: start})
	require.ErrorIs(t, err, outreach.ErrForbidden, "campaigns are a supervisor's")
}

func TestSensitiveVisitsAreMasked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.person(t, "重点人员家属", casework.TagKeyPerson)
	v, err := b.svc.RecordVisit(b.ctx, b.community, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.KeyPersonFamily, PersonID: p.ID, Notes: "近况稳定",
		Leads: []outreach.LeadInput{{Summary: "提到有人销赃", PersonIDs: []string{p.ID}}}})
	require.NoError(t, err)
	_, err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.School, Organisation: "小学", Notes: "安全检查"})
	require.NoError(t, err)
	photo, err := b.k.PutAttachment(b.ctx, b.community, "走访照片.jpg", "image/jpeg", strings.NewReader("a photo of the visit"))
	require.NoError(t, err)
	_, err = b.svc.AttachToVisit(b.ctx, b.community, v.ID, photo)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		a      casework.Actor
		masked bool
	}{
		"community officer": {b.community, false}, "supervisor": {b.chief, false}, "officer": {b.officer, true}, "auditor": {b.auditor, true},
	} {
		got, err := b.svc.GetVisit(b.ctx, tc.a, v.ID)
		require.NoError(t, err, name)
		require.Equal(t, tc.masked, got.Masked, name)
		withFiles, files, err := b.svc.GetVisitWithAttachments(b.ctx, tc.a, v.ID)
		require.NoError(t, err, name)
		require.Equal(t, got, withFiles, name)
		if tc.masked {
			require.Empty(t, files, "%s: the photos of a sensitive visit are its details", name)
		} else {
			require.Len(t, files, 1, name)
			require.Equal(t, photo.SHA256, files[0].SHA256, name)
		}
		if tc.masked {
			require.Empty(t, got.PersonID, name)
			require.Empty(t, got.Notes, name)
			require.Empty(t, got.Findings[0].Summary, name)
			require.Empty(t, got.Findings[0].PersonIDs, name)
			require.Equal(t, outreach.KeyPersonFamily, got.TargetKind, "the kind stays, for counts")
		} else {
			require.Equal(t, v, got, name)
		}
		list, _, err := b.svc.ListVisits(b.ctx, tc.a, outreach.VisitQuery{})
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, tc.masked, list[0].Masked, name)
		require.False(t, list[1].Masked, "%s: a school visit is never masked", name)
		require.Equal(t, "安全检查", list[1].Notes)
	}
	_, err = b.svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, outreach.VisitAmendment{Notes: new(string)})
	require.ErrorIs(t, err, outreach.ErrForbidden, "amending needs the sensitive view")
	b.verify(t)
}

func TestAmendVisit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.DifficultFamily, Organisation: "某户", Aid: []outreach.Aid{{Item: "米", Quantity: 5, Unit: "斤"}}})
	require.NoError(t, err)
	notes := "补记：另送面粉"
	am := outreach.VisitAmendment{Notes: &notes, Aid: []outreach.Aid{{Item: "米", Quantity: 5, Unit: "斤"}, {Item: "面粉", Quantity: 5, Unit: "斤"}}}
	got, err := b.svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, am)
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version)
	require.Len(t, got.Aid, 2)
	_, err = b.svc.AmendVisit(b.ctx, b.officer, v.ID, v.Version, am)
	require.ErrorIs(t, err, outreach.ErrConflict, "stale version")
	_, err = b.svc.AmendVisit(b.ctx, b.officer, v.ID, got.Version, outreach.VisitAmendment{Services: []outreach.ServiceGiven{{Kind: "x"}}})
	require.Equal(t, "code", fieldRules(t, err)["services[0].kind"])
	b.verify(t)
}

func TestRequestKeyReplays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID, TargetKind: outreach.Community, Organisation: "潘庄社区",
		Disputes: []outreach.DisputeInput{{Category: "neighbour/noise", Summary: "噪音"}}, RequestKey: "visit-1"}
	v1, err := b.svc.RecordVisit(b.ctx, b.officer, in)
	require.NoError(t, err)
	v2, err := b.svc.RecordVisit(b.ctx, b.officer, in)
	require.NoError(t, err)
	require.Equal(t, v1, v2)
	b.clock.Advance(time.Minute)
	v2, err = b.svc.RecordVisit(b.ctx, b.officer, in)
	require.NoError(t, err, "a replay later, its visit time defaulted again, is still the same request")
	require.Equal(t, v1, v2)
	msgs, err := b.k.Store().ListOutbox(b.ctx, outreach.RecordVisit, "")
	require.NoError(t, err)
	require.Len(t, msgs, 1, "one hand-off, not two")
	in.Notes = "different"
	_, err = b.svc.RecordVisit(b.ctx, b.officer, in)
	require.ErrorIs(t, err, outreach.ErrConflict)
}

func TestHazardFlow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
		TargetKind: outreach.SecurityKeySite, Organisation: "加油站",
		Hazards: []outreach.HazardInput{{Place: "配电箱", Kind: "electrical", Severity: outreach.SeverityMajor, Description: "线路裸露",
			Responsible: "站长", DueInDays: 3}}})
	require.NoError(t, err)
	h, err := b.svc.GetHazard(b.ctx, b.officer, v.HazardIDs[0])
	require.NoError(t, err)
	require.Equal(t, outreach.HazardFound, h.Status)
	require.Equal(t, "潘庄社区", h.Community)
	require.Equal(t, v.ID, h.VisitID)
	// 12 May (found) + 3 days: the deadline is 24:00 on 15 May in Zibo.
	require.Equal(t, time.Date(2020, 5, 15, 16, 0, 0, 0, time.UTC), h.Deadline)

	_, err = b.svc.VerifyHazard(b.ctx, b.chief, h.ID, h.Version, "")
	require.ErrorIs(t, err, outreach.ErrInvalidTransition, "not yet rectified")
	h, err = b.svc.StartRectifying(b.ctx, b.officer, h.ID, h.Version, "")
	require.NoError(t, err)
	// Overdue at the deadline, listed for the officer whose area holds it.
	b.clock.Set(h.Deadline)
	list, _, err := b.svc.ListHazards(b.ctx, b.chief, outreach.HazardQuery{Overdue: true, OfficerID: b.community.StaffID})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, _, err = b.svc.ListHazards(b.ctx, b.chief, outreach.HazardQuery{Overdue: true, OfficerID: b.officer.StaffID})
	require.NoError(t, err)
	require.Empty(t, list, "the officer has no responsibility area")

	h, err = b.svc.RecordRectified(b.ctx, b.officer, h.ID, h.Version, "已更换线路")
	require.NoError(t, err)
	require.Equal(t, b.officer.StaffID, h.RectifiedBy)
	_, err = b.svc.VerifyHazard(b.ctx, b.officer, h.ID, h.Version, "")
	require.ErrorIs(t, err, outreach.ErrForbidden, "nobody verifies their own fix")
	_, err = b.svc.RejectRectification(b.ctx, b.chief, h.ID, h.Version, " ")
	require.ErrorIs(t, err, outreach.ErrInvalid)
	h, err = b.svc.RejectRectification(b.ctx, b.chief, h.ID, h.Version, "仍有裸露线头")
	require.NoError(t, err)
	require.Equal(t, outreach.HazardRectifying, h.Status)
	require.True(t, h.RectifiedAt.IsZero())
	h, err = b.svc.RecordRectified(b.ctx, b.community, h.ID, h.Version, "已全部整改")
	require.NoError(t, err)
	_, err = b.svc.VerifyHazard(b.ctx, b.chief, h.ID, h.Version-1, "")
	require.ErrorIs(t, err, outreach.ErrConflict)
	h, err = b.svc.VerifyHazard(b.ctx, b.officer, h.ID, h.Version, "复查合格")
	require.NoError(t, err, "the officer did not record this fix")
	require.Equal(t, outreach.HazardVerified, h.Status)
	require.False(t, h.Overdue(b.k.Now().Add(time.Hour)))

	_, err = b.svc.ReportHazard(b.ctx, b.officer, outreach.HazardInput{UnitID: b.station.ID, Place: "x", Kind: "fire",
		Severity: outreach.SeverityGeneral, Description: "x", Responsible: "x", Deadline: b.k.Now().Add(-time.Hour)})
	require.Equal(t, "after_found", fieldRules(t, err)["deadline"])
	b.verify(t)
}

func TestAppointmentFlow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req := func(startH int, lengthH time.Duration) outreach.Appointment {
		t.Helper()
		a, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: outreach.ServiceDoorToDoor,
			Requester: "居民", Place: "潘庄社区", Request: "办理居住证", StartsAt: start.Add(time.Duration(startH) * time.Hour),
			EndsAt: start.Add(time.Duration(startH)*time.Hour + lengthH*time.Hour)})
		require.NoError(t, err)
		return a
	}
	_, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID, Service: "massage",
		Requester: "x", Place: "x", Request: "x", StartsAt: start, EndsAt: start})
	rules := fieldRules(t, err)
	require.Equal(t, "code", rules["service"])
	require.Equal(t, "gtfield", rules["endsAt"])

	a1 := req(1, 2)
	a1, err = b.svc.AcceptAppointment(b.ctx, b.officer, a1.ID, a1.Version, "")
	require.NoError(t, err)
	require.Equal(t, b.officer.StaffID, a1.OfficerID)
	a2 := req(2, 1)
	_, err = b.svc.AcceptAppointment(b.ctx, b.officer, a2.ID, a2.Version, "")
	require.ErrorIs(t, err, outreach.ErrOverlap)
	require.ErrorIs(t, err, outreach.ErrConflict)
	a2, err = b.svc.AcceptAppointment(b.ctx, b.chief, a2.ID, a2.Version, b.community.StaffID)
	require.NoError(t, err, "a supervisor gives it to a free officer")
	_, err = b.svc.AcceptAppointment(b.ctx, b.officer, req(3, 1).ID, 1, b.otherOfficer.StaffID)
	require.Equal(t, "exists", fieldRules(t, err)["officerId"], "an officer out of reach")

	_, err = b.svc.MarkNoShow(b.ctx, b.officer, a1.ID, a1.Version, "")
	require.ErrorIs(t, err, outreach.ErrInvalidTransition, "not begun yet")
	_, err = b.svc.DeclineAppointment(b.ctx, b.officer, a1.ID, a1.Version, "")
	require.ErrorIs(t, err, outreach.ErrInvalid, "a decline needs a reason")
	b.clock.Advance(90 * time.Minute)
	noShow, err := b.svc.MarkNoShow(b.ctx, b.officer, a1.ID, a1.Version, "敲门无人")
	require.NoError(t, err)
	require.Equal(t, outreach.AppointmentNoShow, noShow.Status)
	_, err = b.svc.CompleteAppointment(b.ctx, b.officer, a1.ID, noShow.Version, "", "")
	require.ErrorIs(t, err, outreach.ErrInvalidTransition)
	// The no-show freed the officer's time.
	a3 := req(2, 1)
	_, err = b.svc.AcceptAppointment(b.ctx, b.officer, a3.ID, a3.Version, "")
	require.NoError(t, err)
	declined, err := b.svc.DeclineAppointment(b.ctx, b.officer, a2.ID, a2.Version, "当日有紧急警情")
	require.NoError(t, err)
	require.Equal(t, "当日有紧急警情", declined.Reason)

	list, _, err := b.svc.ListAppointments(b.ctx, b.chief, outreach.AppointmentQuery{OfficerID: b.officer.StaffID,
		Status: []outreach.AppointmentStatus{outreach.AppointmentAccepted}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, a3.ID, list[0].ID)
	b.verify(t)
}

// TestAcceptRace accepts overlapping appointments for one officer from many
// desks at once through the service: exactly one wins.
func TestAcceptRace(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			b := setupOn(t, backend, nil)
			var appts []outreach.Appointment
			for i := range 5 {
				a, err := b.svc.RequestAppointment(b.ctx, b.officer, outreach.AppointmentInput{UnitID: b.station.ID,
					Service: outreach.ServiceDoorToDoor, Requester: "居民", Place: "社区", Request: "上门",
					StartsAt: start.Add(time.Duration(i) * 10 * time.Minute), EndsAt: start.Add(time.Hour + time.Duration(i)*10*time.Minute)})
				require.NoError(t, err)
				appts = append(appts, a)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for _, a := range appts {
				wg.Go(func() {
					_, err := b.svc.AcceptAppointment(b.ctx, b.chief, a.ID, a.Version, b.officer.StaffID)
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						wins++
					} else if !errors.Is(err, outreach.ErrOverlap) {
						t.Errorf("accept %s: %v", a.ID, err)
					}
				})
			}
			wg.Wait()
			require.Equal(t, 1, wins)
			b.verify(t)
		})
	}
}

func TestDueVisits(t *testing.T) {
	t.Parallel()
	two := 2
	b := setupOn(t, "memory", &outreach.Config{Frequencies: map[outreach.TargetKind]outreach.Frequency{
		outreach.DifficultFamily: {Months: 2}, outreach.School: {}}, LeadDays: &two})
	require.Equal(t, outreach.Frequency{Months: 2}, b.svc.Plan().Frequencies[outreach.DifficultFamily])
	require.Equal(t, outreach.Frequency{Months: 1}, b.svc.Plan().Frequencies[outreach.KeyPersonFamily], "defaults stay")
	p1, p2 := b.person(t, "甲"), b.person(t, "乙")
	addr2, err := b.k.CreateAddress(b.ctx, b.officer, casework.AddressInput{UnitID: b.station.ID, Text: "马尚镇某村", Community: "马尚镇"})
	require.NoError(t, err)
	owner2 := b.staff(t, b.station.ID, "片警", []string{addr2.ID}, casework.RoleOfficer)

	key, err := b.svc.AddToPlan(b.ctx, b.community, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.KeyPersonFamily, AddressID: b.address.ID, PersonID: p1.ID})
	require.NoError(t, err)
	poor, err := b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.DifficultFamily, AddressID: addr2.ID, PersonID: p2.ID})
	require.NoError(t, err)
	_, err = b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.School, AddressID: addr2.ID})
	require.Equal(t, "scheduled", fieldRules(t, err)["kind"], "schools are off the schedule in this deployment")
	_, err = b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.DifficultFamily, AddressID: addr2.ID})
	require.Equal(t, "required", fieldRules(t, err)["personId"])

	due := func(a casework.Actor, q outreach.DueQuery) []outreach.DueVisit {
		t.Helper()
		out, _, err := b.svc.DueVisits(b.ctx, a, q)
		require.NoError(t, err)
		return out
	}
	// Both are new: due at once, most urgent deadline first (the monthly one).
	all := due(b.chief, outreach.DueQuery{})
	require.Len(t, all, 2)
	require.Equal(t, key.ID, all[0].Entry.ID)
	require.Equal(t, []string{b.community.StaffID}, all[0].Owners)
	require.Equal(t, []string{owner2.StaffID}, all[1].Owners)
	require.Equal(t, outreach.Due, all[0].Assessment.Status)
	mine := due(b.chief, outreach.DueQuery{OfficerID: owner2.StaffID})
	require.Len(t, mine, 1)
	require.Equal(t, poor.ID, mine[0].Entry.ID)
	// An ordinary officer sees the key-person family masked.
	masked := due(b.officer, outreach.DueQuery{})
	require.True(t, masked[0].Entry.Masked)
	require.Empty(t, masked[0].Entry.PersonID)

	// A visit moves the key-person family a month on.
	v, err := b.svc.RecordVisit(b.ctx, b.community, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: key.ID})
	require.NoError(t, err)
	require.Equal(t, outreach.KeyPersonFamily, v.TargetKind)
	require.Equal(t, p1.ID, v.PersonID)
	all = due(b.chief, outreach.DueQuery{})
	require.Len(t, all, 1)
	require.Equal(t, poor.ID, all[0].Entry.ID)
	// 12 May + 1 month: overdue from 13 June 00:00; due two days before.
	zone := b.k.Zone()
	later := due(b.chief, outreach.DueQuery{AsOf: time.Date(2020, 6, 11, 0, 0, 0, 0, zone)})
	require.Len(t, later, 2)
	require.Equal(t, key.ID, later[0].Entry.ID)
	require.Equal(t, outreach.Due, later[0].Assessment.Status)
	require.Len(t, due(b.chief, outreach.DueQuery{AsOf: time.Date(2020, 6, 11, 0, 0, 0, 0, zone).Add(-time.Microsecond)}), 1)
	overdue := due(b.chief, outreach.DueQuery{AsOf: time.Date(2020, 6, 13, 0, 0, 0, 0, zone), Kind: outreach.KeyPersonFamily})
	require.Len(t, overdue, 1)
	require.Equal(t, outreach.Overdue, overdue[0].Assessment.Status)

	// A visit recorded late (before the last one) does not push it back.
	_, err = b.svc.RecordVisit(b.ctx, b.community, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: key.ID,
		VisitedAt: start.Add(-24 * time.Hour)})
	require.NoError(t, err)
	e, err := b.svc.GetPlanEntry(b.ctx, b.community, key.ID)
	require.NoError(t, err)
	require.Equal(t, v.ID, e.LastVisitID)
	_, err = b.svc.RecordVisit(b.ctx, b.community, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: key.ID, TargetKind: outreach.School})
	require.Equal(t, "matches_plan", fieldRules(t, err)["targetKind"])

	gone, err := b.svc.RemoveFromPlan(b.ctx, b.officer, poor.ID, poor.Version, "已搬离")
	require.NoError(t, err)
	require.False(t, gone.Active)
	_, err = b.svc.RemoveFromPlan(b.ctx, b.officer, poor.ID, gone.Version, "again")
	require.ErrorIs(t, err, outreach.ErrInvalidTransition)
	require.Empty(t, due(b.chief, outreach.DueQuery{}))
	_, err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: poor.ID})
	require.Equal(t, "active", fieldRules(t, err)["planEntryId"])
	b.verify(t)
}

// TestConcurrentVisitsToOnePlanEntry records visits to one household from
// many officers at once: every visit lands, and the plan entry ends on the
// latest of them.
func TestConcurrentVisitsToOnePlanEntry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.person(t, "甲")
	e, err := b.svc.AddToPlan(b.ctx, b.officer, outreach.PlanInput{UnitID: b.station.ID, Kind: outreach.DifficultFamily, AddressID: b.address.ID, PersonID: p.ID})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			_, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, PlanEntryID: e.ID,
				VisitedAt: start.Add(-time.Duration(i) * time.Hour)})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	got, err := b.svc.GetPlanEntry(b.ctx, b.officer, e.ID)
	require.NoError(t, err)
	require.Equal(t, start, got.LastVisitAt)
	visits, _, err := b.svc.ListVisits(b.ctx, b.officer, outreach.VisitQuery{PlanEntryID: e.ID})
	require.NoError(t, err)
	require.Len(t, visits, 4)
	b.verify(t)
}

func TestCampaigns(t *testing.T) {
	t.Parallel()
	b := setup(t)
	branchLead := b.staff(t, b.branch.ID, "分局领导", nil, casework.RoleSupervisor)
	_, err := b.svc.CreateCampaign(b.ctx, branchLead, outreach.CampaignInput{UnitID: b.branch.ID, Name: "百万警进千万家",
		From: start, To: start.Add(-48 * time.Hour), Goals: []outreach.Goal{{Kind: "bars", Count: 0}, {Kind: "bars", Count: 1}}})
	rules := fieldRules(t, err)
	require.Equal(t, "gtefield", rules["to"])
	require.Equal(t, "code", rules["goals[0].kind"])
	require.Equal(t, "min", rules["goals[0].count"])
	require.Equal(t, "unique", rules["goals[1].kind"])

	c, err := b.svc.CreateCampaign(b.ctx, branchLead, outreach.CampaignInput{UnitID: b.branch.ID, Name: "百万警进千万家",
		From: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2020, 9, 30, 0, 0, 0, 0, time.UTC),
		Goals: []outreach.Goal{{Kind: outreach.DifficultFamily, Count: 4}, {Kind: outreach.SecurityKeySite, Count: 2}}})
	require.NoError(t, err)
	require.Equal(t, time.Date(2020, 4, 30, 16, 0, 0, 0, time.UTC), c.Starts, "00:00 on 1 May in Zibo")
	require.Equal(t, time.Date(2020, 9, 30, 16, 0, 0, 0, time.UTC), c.Ends, "24:00 on 30 September")
	for _, in := range []outreach.VisitInput{
		{TargetKind: outreach.DifficultFamily, Organisation: "甲户"},
		{TargetKind: outreach.DifficultFamily, Organisation: "甲户"},
		{TargetKind: outreach.SecurityKeySite, Organisation: "加油站"},
		{TargetKind: outreach.SecurityKeySite, Organisation: "加油站"},
	} {
		in.UnitID, in.AddressID, in.CampaignID = b.station.ID, b.address.ID, c.ID
		_, err := b.svc.RecordVisit(b.ctx, b.officer, in)
		require.NoError(t, err)
	}
	// A visit not recorded against the campaign does not count towards it.
	_, err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID, TargetKind: outreach.DifficultFamily, Organisation: "乙户"})
	require.NoError(t, err)
	_, err = b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID, TargetKind: outreach.School,
		Organisation: "x", CampaignID: c.ID, VisitedAt: time.Date(2020, 4, 30, 15, 0, 0, 0, time.UTC)})
	require.Equal(t, "campaign_period", fieldRules(t, err)["visitedAt"])
	_, err = b.svc.RecordVisit(b.ctx, b.otherOfficer, outreach.VisitInput{UnitID: b.other.ID, TargetKind: outreach.Online, CampaignID: c.ID})
	require.Equal(t, "exists", fieldRules(t, err)["campaignId"], "another branch does not take part")

	p, err := b.svc.CampaignProgress(b.ctx, b.officer, c.ID)
	require.NoError(t, err)
	require.Equal(t, []outreach.GoalProgress{
		{Kind: outreach.DifficultFamily, Target: 4, Achieved: 2, Unit: "户次", Permille: 500},
		{Kind: outreach.SecurityKeySite, Target: 2, Achieved: 1, Unit: "处", Permille: 500},
	}, p.Goals)

	name := "百万警进千万家（二期）"
	c2, err := b.svc.UpdateCampaign(b.ctx, branchLead, c.ID, c.Version, outreach.CampaignUpdate{Name: &name})
	require.NoError(t, err)
	require.Equal(t, name, c2.Name)
	_, err = b.svc.UpdateCampaign(b.ctx, branchLead, c.ID, c.Version, outreach.CampaignUpdate{Name: &name})
	require.ErrorIs(t, err, outreach.ErrConflict)
	list, _, err := b.svc.ListCampaigns(b.ctx, b.officer, time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), casework.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1, "the station takes part in its branch's campaign")
	list, _, err = b.svc.ListCampaigns(b.ctx, b.otherOfficer, time.Time{}, casework.Page{})
	require.NoError(t, err)
	require.Empty(t, list)
	b.verify(t)
}

func TestListVisitsPaging(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var want []string
	for i := range 7 {
		v, err := b.svc.RecordVisit(b.ctx, b.officer, outreach.VisitInput{UnitID: b.station.ID, AddressID: b.address.ID,
			TargetKind: outreach.Community, Organisation: "潘庄社区", VisitedAt: start.Add(-time.Duration(7-i) * time.Hour)})
		require.NoError(t, err)
		want = append(want, v.ID)
	}
	var got []string
	after := ""
	for {
		page, next, err := b.svc.ListVisits(b.ctx, b.chief, outreach.VisitQuery{Page: casework.Page{Limit: 3, After: after}})
		require.NoError(t, err)
		for _, v := range page {
			got = append(got, v.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	require.Equal(t, want, got)
	_, _, err := b.svc.ListVisits(b.ctx, b.chief, outreach.VisitQuery{UnitID: b.other.ID})
	require.ErrorIs(t, err, outreach.ErrNotFound, "a unit outside the actor's subtree")
	_, _, err = b.svc.ListVisits(b.ctx, b.chief, outreach.VisitQuery{TargetKind: "bars"})
	require.ErrorIs(t, err, outreach.ErrInvalid)
}

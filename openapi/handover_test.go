package openapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// handoverWorld is a branch with two stations, EAST (closing, with an
// office under it) and WEST (receiving), and open work of every workflow at
// EAST recorded in January 2026: a dispute, a visit-plan entry, a hazard, a
// referral, a case, a lead and a found item.
type handoverWorld struct {
	*fixture
	clock            *casework.FixedClock
	branch           casework.Unit
	east, west, room casework.Unit
	officer, second  casework.Actor // EAST officers; officer retires
	mediator, med2   casework.Actor // EAST mediators; mediator moves to WEST
	westOfficer      casework.Actor
	supervisor       casework.Actor // of the branch: over both stations
	westSupervisor   casework.Actor // over WEST only
	dispute          mediation.Dispute
	entry            outreach.PlanEntry
	hazard           outreach.Hazard
	referral         outreach.Referral
	kase             cases.Case
	lead             cases.Lead
	item             recovery.Item
}

const eastCommunity = "潘庄社区"

func newHandoverWorld(t *testing.T, opts ...fixtureOption) *handoverWorld {
	t.Helper()
	ctx := context.Background()
	w := &handoverWorld{clock: casework.NewFixedClock(time.Date(2026, 1, 10, 9, 0, 0, 0, cst))}
	w.fixture = newFixtureAt(t, w.clock, opts...)
	unit := func(parent casework.Unit, code string, level casework.Level) casework.Unit {
		u, err := w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: code, Name: code + "单位", Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	w.branch = unit(w.root, "BR", casework.LevelBranch)
	w.east, w.west = unit(w.branch, "EAST", casework.LevelStation), unit(w.branch, "WEST", casework.LevelStation)
	w.room = unit(w.east, "EASTROOM", casework.LevelOffice)
	staff := func(u casework.Unit, areas []string, roles ...casework.Role) casework.Actor {
		s, err := w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: u.ID, Name: "民警", Roles: roles, Areas: areas})
		require.NoError(t, err)
		return w.actor(s)
	}
	w.officer = staff(w.east, []string{eastCommunity}, casework.RoleOfficer, casework.RoleCommunityOfficer)
	w.second = staff(w.east, nil, casework.RoleOfficer, casework.RoleCommunityOfficer)
	w.mediator = staff(w.east, nil, casework.RoleMediator)
	w.med2 = staff(w.east, nil, casework.RoleMediator)
	w.westOfficer = staff(w.west, nil, casework.RoleOfficer, casework.RoleCommunityOfficer)
	w.supervisor = staff(w.branch, nil, casework.RoleSupervisor)
	w.westSupervisor = staff(w.west, nil, casework.RoleSupervisor)

	var err error
	w.dispute, err = w.med.Report(ctx, w.officer, mediation.ReportInput{UnitID: w.east.ID, Category: "neighbour/noise",
		Source: mediation.SourceWalkIn, Facts: "楼上楼下噪音纠纷"})
	require.NoError(t, err)
	w.dispute, err = w.med.Assign(ctx, w.officer, w.dispute.ID, w.dispute.Version, mediation.AssignInput{Staff: []string{w.mediator.StaffID}, Reason: "驻所调解员"})
	require.NoError(t, err)
	addr, err := w.k.CreateAddress(ctx, w.officer, casework.AddressInput{UnitID: w.east.ID, Text: "潘庄社区3号楼", Community: eastCommunity})
	require.NoError(t, err)
	w.entry, err = w.out.AddToPlan(ctx, w.officer, outreach.PlanInput{UnitID: w.east.ID, Kind: outreach.StrugglingEnterprise,
		AddressID: addr.ID, Organisation: "鑫源机械厂"})
	require.NoError(t, err)
	visit, err := w.out.RecordVisit(ctx, w.officer, outreach.VisitInput{UnitID: w.east.ID, PlanEntryID: w.entry.ID})
	require.NoError(t, err)
	w.entry, err = w.out.GetPlanEntry(ctx, w.officer, w.entry.ID)
	require.NoError(t, err)
	w.referral, err = w.out.Refer(ctx, w.officer, outreach.ReferralInput{VisitID: visit.ID, Agency: outreach.AgencyCivilAffairs,
		Request: "申请临时救助", OwnerID: w.officer.StaffID, DueInDays: 30})
	require.NoError(t, err)
	w.hazard, err = w.out.ReportHazard(ctx, w.officer, outreach.HazardInput{UnitID: w.east.ID, AddressID: addr.ID, Place: "潘庄社区3号楼",
		Kind: "fire", Severity: outreach.SeverityGeneral, Description: "楼道堆放杂物", Responsible: "物业", DueInDays: 30})
	require.NoError(t, err)
	w.kase, err = w.cases.Report(ctx, w.officer, cases.ReportInput{UnitID: w.east.ID, Kind: cases.KindTheft,
		IncidentAt: w.clock.Now().Add(-time.Hour), Place: "车站"})
	require.NoError(t, err)
	w.kase, err = w.cases.DispatchAndFile(ctx, w.officer, w.kase.ID, w.kase.Version, cases.DispatchInput{})
	require.NoError(t, err)
	w.lead, err = w.cases.CreateLead(ctx, w.officer, cases.LeadInput{UnitID: w.east.ID, SourceKind: "tip", Summary: "群众举报：车站附近有人销赃"})
	require.NoError(t, err)
	w.item, err = w.rec.RecordFound(ctx, w.officer, recovery.FoundInput{
		ItemInput: recovery.ItemInput{UnitID: w.east.ID, Category: "e_bike", Description: "白色电动车", Quantity: 1, ValueFen: 200000},
		RecoveryInput: recovery.RecoveryInput{Place: "车站", From: "路边", To: recovery.Holder{Kind: recovery.HolderStaff, ID: w.officer.StaffID},
			CustodyDetails: recovery.CustodyDetails{WitnessID: w.second.StaffID, Condition: "完好", Seal: recovery.SealIntact}}})
	require.NoError(t, err)
	w.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, cst)) // the work is done in March
	return w
}

// january is the branch's report for January 2026, a past period.
func (w *handoverWorld) january(t *testing.T) []casework.Figure {
	t.Helper()
	return w.report(t, w.branch.ID, 1)
}

// report is a unit's report for a month of 2026, by the supervisor.
func (w *handoverWorld) report(t *testing.T, unitID string, month time.Month) []casework.Figure {
	t.Helper()
	figs, err := w.k.Report(context.Background(), w.supervisor, casework.ReportQuery{UnitID: unitID,
		From: time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, month+1, 0, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	return figs
}

// byChild is the branch's report for a month by station, keyed by unit
// and figure: the grid of several rows, whose correction joins the units.
func (w *handoverWorld) byChild(t *testing.T, month time.Month) map[string]int64 {
	t.Helper()
	rows, err := w.k.ReportByChild(context.Background(), w.supervisor, casework.ReportQuery{UnitID: w.branch.ID,
		From: time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, month+1, 0, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	out := map[string]int64{}
	for _, r := range rows {
		for _, f := range r.Totals {
			out[r.Unit.Code+" "+f.Key] = f.Value
		}
	}
	return out
}

// nonZero is the figures of a report that are not zero, by key.
func nonZero(figs []casework.Figure) map[string]int64 {
	out := map[string]int64{}
	for _, f := range figs {
		if f.Value != 0 {
			out[f.Key] = f.Value
		}
	}
	return out
}

// units returns the unit of every open record of the world, by record.
func (w *handoverWorld) units(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	d, err := w.med.Get(ctx, w.supervisor, w.dispute.ID)
	require.NoError(t, err)
	e, err := w.out.GetPlanEntry(ctx, w.supervisor, w.entry.ID)
	require.NoError(t, err)
	h, err := w.out.GetHazard(ctx, w.supervisor, w.hazard.ID)
	require.NoError(t, err)
	c, err := w.cases.Get(ctx, w.supervisor, w.kase.ID)
	require.NoError(t, err)
	it, err := w.rec.Get(ctx, w.supervisor, w.item.ID)
	require.NoError(t, err)
	r, err := w.out.GetReferral(ctx, w.supervisor, w.referral.ID)
	require.NoError(t, err)
	l, err := w.cases.GetLead(ctx, w.supervisor, w.lead.ID)
	require.NoError(t, err)
	return map[string]string{"dispute": d.UnitID, "plan": e.UnitID, "hazard": h.UnitID, "case": c.UnitID, "item": it.UnitID,
		"referral": r.UnitID, "lead": l.UnitID}
}

// openRecords is how many open records the world holds at EAST.
const openRecords = 7

func everyRecordIn(unitID string) map[string]string {
	return map[string]string{"dispute": unitID, "plan": unitID, "hazard": unitID, "case": unitID, "item": unitID, "referral": unitID, "lead": unitID}
}

func TestCloseStationMovesOpenRecords(t *testing.T) { eachBackend(t, testCloseStationMovesOpenRecords) }

func testCloseStationMovesOpenRecords(t *testing.T, b fixtureOption) {
	w := newHandoverWorld(t, b)
	ctx := context.Background()
	before := w.january(t)
	eastJan, westJan, byStation := w.report(t, w.east.ID, 1), w.report(t, w.west.ID, 1), w.byChild(t, 1)
	require.NotEmpty(t, nonZero(eastJan), "EAST counted its January work")
	require.Empty(t, nonZero(westJan), "WEST had none")
	open, err := w.k.OpenRecordsOf(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	require.Len(t, open, openRecords, "%v", open)
	east, err := w.k.GetUnit(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	in := casework.CloseUnitInput{UnitID: east.ID, Version: east.Version, IntoUnitID: w.west.ID, Reason: "派出所撤并"}

	// Hostile: each refused, and nothing moved.
	for name, tc := range map[string]struct {
		actor casework.Actor
		edit  func(*casework.CloseUnitInput)
		is    error
		field string
	}{
		"closing unit out of reach":   {actor: w.westSupervisor, is: errs.ErrNotFound},
		"receiving unit out of reach": {actor: w.supervisor, edit: func(in *casework.CloseUnitInput) { in.IntoUnitID = w.root.ID }, is: errs.ErrInvalid, field: "intoUnitId"},
		"not a supervisor":            {actor: w.officer, edit: func(in *casework.CloseUnitInput) { in.UnitID = w.room.ID }, is: errs.ErrForbidden},
		"receiving inside the closed": {actor: w.supervisor, edit: func(in *casework.CloseUnitInput) { in.IntoUnitID = w.room.ID }, is: errs.ErrInvalid, field: "intoUnitId"},
		"stale version":               {actor: w.supervisor, edit: func(in *casework.CloseUnitInput) { in.Version-- }, is: errs.ErrConflict},
		"no reason":                   {actor: w.supervisor, edit: func(in *casework.CloseUnitInput) { in.Reason = " " }, is: errs.ErrInvalid, field: "reason"},
		"root":                        {actor: w.admin, edit: func(in *casework.CloseUnitInput) { in.UnitID = w.root.ID }, is: errs.ErrForbidden},
	} {
		bad := in
		if tc.edit != nil {
			tc.edit(&bad)
		}
		_, err := w.k.CloseUnit(ctx, tc.actor, bad)
		require.ErrorIs(t, err, tc.is, name)
		if tc.field != "" {
			requireField(t, err, tc.field)
		}
	}
	require.Equal(t, everyRecordIn(w.east.ID), w.units(t))

	res, err := w.k.CloseUnit(ctx, w.supervisor, in)
	require.NoError(t, err)
	require.Len(t, res.Moved, openRecords)
	require.Equal(t, east.Code, res.Unit.Code, "a unit's code never changes")
	require.Equal(t, everyRecordIn(w.west.ID), w.units(t), "every open record is in the receiving unit")
	left, err := w.k.OpenRecordsOf(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	require.Empty(t, left)
	// The EAST staff moved with their work: the officer reaches it from WEST.
	moved, err := w.k.GetStaff(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	require.Equal(t, w.west.ID, moved.UnitID)
	westOfficer := casework.Actor{StaffID: moved.ID, UnitID: moved.UnitID, Roles: moved.Roles}
	_, err = w.med.Get(ctx, westOfficer, w.dispute.ID)
	require.NoError(t, err)

	require.Equal(t, before, w.january(t), "the past period's report is unchanged")
	require.Equal(t, eastJan, w.report(t, w.east.ID, 1), "the closed station's own past figures are unchanged")
	require.Equal(t, westJan, w.report(t, w.west.ID, 1), "the receiving station's past figures are unchanged")
	require.Equal(t, byStation, w.byChild(t, 1), "the past period by station is unchanged")
	moves, err := w.k.Store().RecordMoves(ctx, mediation.RecordType, w.dispute.ID)
	require.NoError(t, err)
	require.Equal(t, []casework.RecordMove{{Kind: mediation.RecordType, RecordID: w.dispute.ID, FromUnit: w.east.ID, ToUnit: w.west.ID,
		MovedAt: res.Unit.ClosedAt}}, moves)

	// The item in custody passed into WEST's custody by a transfer entry,
	// the same holder on both sides, audited like every custody entry.
	chain, err := w.rec.Custody(ctx, w.supervisor, w.item.ID)
	require.NoError(t, err)
	require.NoError(t, recovery.CheckChain(chain))
	last := chain[len(chain)-1]
	require.Equal(t, recovery.EntryTransfer, last.Kind)
	require.Equal(t, w.west.ID, last.UnitID)
	require.Equal(t, w.officer.StaffID, last.To.ID)
	require.True(t, last.From.Same(last.To))
	custody, err := w.rec.VerifyCustody(ctx, w.supervisor, w.item.ID)
	require.NoError(t, err)
	require.True(t, custody.OK, "%+v", custody)

	// The closed units are marked so and take nothing new; their past is
	// still reported.
	require.Equal(t, w.west.ID, res.Unit.ClosedInto)
	require.Equal(t, w.clock.Now().UTC(), res.Unit.ClosedAt)
	room, err := w.k.GetUnit(ctx, w.supervisor, w.room.ID)
	require.NoError(t, err)
	require.True(t, room.Closed(), "the units below a closed unit close with it")
	require.Equal(t, w.west.ID, room.ClosedInto)
	_, err = w.med.Report(ctx, w.supervisor, mediation.ReportInput{UnitID: w.east.ID, Category: "neighbour/noise",
		Source: mediation.SourceWalkIn, Facts: "新纠纷"})
	require.ErrorIs(t, err, errs.ErrInvalid, "no new record in a closed unit")
	requireField(t, err, "unitId")
	_, err = w.k.CreateStaff(ctx, w.admin, casework.StaffInput{UnitID: w.room.ID, Name: "新民警", Roles: []casework.Role{casework.RoleOfficer}})
	require.ErrorIs(t, err, errs.ErrInvalid, "no new staff in a closed unit")
	requireField(t, err, "unitId")
	_, err = w.k.RenameUnit(ctx, w.admin, w.east.ID, res.Unit.Version, "新名")
	require.ErrorIs(t, err, errs.ErrInvalid, "no rename of a closed unit")
	requireField(t, err, "name")
	_, err = w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: "EASTNEW", Name: "新警务室", Level: casework.LevelOffice, ParentID: w.east.ID})
	require.ErrorIs(t, err, errs.ErrInvalid, "no new unit below a closed one")
	requireField(t, err, "parentId")
	_, err = w.k.CloseUnit(ctx, w.supervisor, casework.CloseUnitInput{UnitID: w.west.ID, Version: 1, IntoUnitID: w.east.ID, Reason: "撤并"})
	require.ErrorIs(t, err, errs.ErrInvalid, "nothing is closed into a closed unit")
	requireField(t, err, "intoUnitId")

	// Work after the closing counts in the receiving unit.
	eastMar, westMar := nonZero(w.report(t, w.east.ID, 3)), nonZero(w.report(t, w.west.ID, 3))
	ref, err := w.out.GetReferral(ctx, w.supervisor, w.referral.ID)
	require.NoError(t, err)
	_, err = w.out.CloseReferral(ctx, westOfficer, ref.ID, ref.Version, outreach.OutcomeDone, "已救助")
	require.NoError(t, err)
	require.Equal(t, eastMar, nonZero(w.report(t, w.east.ID, 3)), "nothing new counts in the closed station")
	require.NotEqual(t, westMar, nonZero(w.report(t, w.west.ID, 3)), "the referral closed in March counts in WEST")
	require.Equal(t, eastJan, w.report(t, w.east.ID, 1))
	require.Equal(t, westJan, w.report(t, w.west.ID, 1))

	auditor := w.staff(t, w.root.ID, casework.RoleAuditor)
	rep, err := w.k.VerifyAudit(ctx, auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
	trail, err := w.k.Store().AuditTrail(ctx, mediation.RecordType, w.dispute.ID)
	require.NoError(t, err)
	require.Equal(t, string(casework.ActionHandOver), trail[len(trail)-1].Action)
}

func TestRetiredOfficerHandsOver(t *testing.T) { eachBackend(t, testRetiredOfficerHandsOver) }

func testRetiredOfficerHandsOver(t *testing.T, b fixtureOption) {
	w := newHandoverWorld(t, b)
	ctx := context.Background()
	open, err := w.k.OpenAssignments(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, r := range open {
		kinds[r.RecordType]++
	}
	require.Equal(t, map[string]int{outreach.RecordPlanEntry: 1, outreach.RecordHazard: 1, outreach.RecordReferral: 1, cases.RecordCase: 1}, kinds)
	_, err = w.k.OpenAssignments(ctx, w.westSupervisor, w.officer.StaffID)
	require.ErrorIs(t, err, errs.ErrNotFound, "a staff member out of reach is not found")

	st, err := w.k.GetStaff(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	in := casework.HandOverInput{StaffID: st.ID, Version: st.Version, ToStaffID: w.second.StaffID, Reason: "退休", Retire: true}
	for name, tc := range map[string]struct {
		edit  func(*casework.HandOverInput)
		is    error
		field string
	}{
		"stale":                 {edit: func(in *casework.HandOverInput) { in.Version++ }, is: errs.ErrConflict},
		"to self":               {edit: func(in *casework.HandOverInput) { in.ToStaffID = st.ID }, is: errs.ErrInvalid, field: "toStaffId"},
		"colleague can't reach": {edit: func(in *casework.HandOverInput) { in.ToStaffID = w.westOfficer.StaffID }, is: errs.ErrInvalid, field: "toStaffId"},
		"no such colleague":     {edit: func(in *casework.HandOverInput) { in.ToStaffID = "nobody" }, is: errs.ErrInvalid, field: "toStaffId"},
	} {
		bad := in
		tc.edit(&bad)
		_, err := w.k.HandOver(ctx, w.supervisor, bad)
		require.ErrorIs(t, err, tc.is, name)
		if tc.field != "" {
			requireField(t, err, tc.field)
		}
	}
	still, err := w.k.OpenAssignments(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	require.Len(t, still, len(open), "a refused hand-over moved nothing")

	res, err := w.k.HandOver(ctx, w.supervisor, in)
	require.NoError(t, err)
	require.False(t, res.Staff.Active)
	require.Empty(t, res.Staff.Areas)
	require.Len(t, res.Moved, len(open))
	none, err := w.k.OpenAssignments(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	require.Empty(t, none)
	theirs, err := w.k.OpenAssignments(ctx, w.supervisor, w.second.StaffID)
	require.NoError(t, err)
	require.Len(t, theirs, len(open), "the colleague holds every open assignment")
	c, err := w.cases.Get(ctx, w.supervisor, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, []string{w.second.StaffID}, c.Dispatch.Officers)
	ref, err := w.out.GetReferral(ctx, w.supervisor, w.referral.ID)
	require.NoError(t, err)
	require.Equal(t, w.second.StaffID, ref.OwnerID)

	// The mediator moves to WEST: the dispute stays at EAST, with a
	// mediator of EAST, never with an officer (disputes need the role).
	ms, err := w.k.GetStaff(ctx, w.supervisor, w.mediator.StaffID)
	require.NoError(t, err)
	mv := casework.HandOverInput{StaffID: ms.ID, Version: ms.Version, ToStaffID: w.second.StaffID, Reason: "调往西站", ToUnitID: w.west.ID}
	_, err = w.k.HandOver(ctx, w.supervisor, mv)
	require.ErrorIs(t, err, errs.ErrInvalid)
	requireField(t, err, "toStaffId")
	mv.ToStaffID = w.med2.StaffID
	res, err = w.k.HandOver(ctx, w.supervisor, mv)
	require.NoError(t, err)
	require.True(t, res.Staff.Active)
	require.Equal(t, w.west.ID, res.Staff.UnitID)
	d, err := w.med.Get(ctx, w.supervisor, w.dispute.ID)
	require.NoError(t, err)
	require.Equal(t, []string{w.med2.StaffID}, d.Assigned)
	require.Equal(t, w.east.ID, d.UnitID)
}

// requireField requires an ErrInvalid naming field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *errs.InvalidError
	require.ErrorAs(t, err, &fe)
	names := []string{}
	for _, f := range fe.Fields {
		names = append(names, f.Field)
	}
	require.Contains(t, names, field)
}

// brokenMover is a workflow whose store fails when it writes its move,
// after every real workflow (it sorts last) has written theirs.
type brokenMover struct{ unitID string }

func (m brokenMover) Provides() casework.Provision {
	return casework.Provision{Name: "zz_broken", Mover: m}
}

func (m brokenMover) OpenRecords(context.Context, casework.OpenQuery) ([]casework.OpenRecord, error) {
	return []casework.OpenRecord{{RecordType: "broken", ID: "b1", UnitID: m.unitID, Version: 1}}, nil
}

func (brokenMover) CheckMove(context.Context, []casework.OpenRecord, casework.Move) error { return nil }

func (brokenMover) MoveOpen(context.Context, []casework.OpenRecord, casework.Move) error {
	return errors.New("broken store: disk full")
}

func TestBrokenStoreLeavesNothingHalfMoved(t *testing.T) {
	eachBackend(t, testBrokenStoreLeavesNothingHalfMoved)
}

func testBrokenStoreLeavesNothingHalfMoved(t *testing.T, b fixtureOption) {
	w := newHandoverWorld(t, b)
	ctx := context.Background()
	require.NoError(t, w.k.Register(brokenMover{unitID: w.east.ID}))
	auditor := w.staff(t, w.root.ID, casework.RoleAuditor)
	head, err := w.k.Store().AuditHead(ctx)
	require.NoError(t, err)
	east, err := w.k.GetUnit(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	_, err = w.k.CloseUnit(ctx, w.supervisor, casework.CloseUnitInput{UnitID: east.ID, Version: east.Version, IntoUnitID: w.west.ID, Reason: "撤并"})
	require.ErrorContains(t, err, "disk full")
	require.Equal(t, everyRecordIn(w.east.ID), w.units(t), "nothing half-moved")
	after, err := w.k.Store().AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, head, after, "no audit entry of the failed move")
	officer, err := w.k.GetStaff(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	require.Equal(t, w.east.ID, officer.UnitID)

	st, err := w.k.GetStaff(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	_, err = w.k.HandOver(ctx, w.supervisor, casework.HandOverInput{StaffID: st.ID, Version: st.Version, ToStaffID: w.second.StaffID,
		Reason: "退休", Retire: true})
	require.ErrorContains(t, err, "disk full")
	open, err := w.k.OpenAssignments(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	require.Len(t, open, 5, "four of the officer's own and the broken one, still the officer's")
	rep, err := w.k.VerifyAudit(ctx, auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
}

// Over HTTP: the supervisor lists a retiring officer's work and hands it
// over, then lists the station's open records and closes it into WEST;
// If-Match is required and a stale one is 412.
func TestHandOverAndCloseOverHTTP(t *testing.T) { eachBackend(t, testHandOverAndCloseOverHTTP) }

func testHandOverAndCloseOverHTTP(t *testing.T, b fixtureOption) {
	w := newHandoverWorld(t, b)
	ctx := context.Background()
	before := w.january(t)
	c := w.client(t, w.supervisor)

	open, err := c.ListOpenAssignmentsWithResponse(ctx, w.officer.StaffID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, open.StatusCode(), string(open.Body))
	require.Len(t, open.JSON200.Items, 4)
	hidden, err := w.client(t, w.westSupervisor).ListOpenAssignmentsWithResponse(ctx, w.officer.StaffID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, hidden.StatusCode(), string(hidden.Body))

	body := api.HandOverInput{ToStaffId: w.second.StaffID, Reason: "退休", Retire: true}
	missing, err := c.HandOverStaffWithResponse(ctx, w.officer.StaffID, &api.HandOverStaffParams{}, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionRequired, missing.StatusCode(), string(missing.Body))
	stale, err := c.HandOverStaffWithResponse(ctx, w.officer.StaffID, &api.HandOverStaffParams{IfMatch: `"9"`}, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode(), string(stale.Body))
	unreachable := body
	unreachable.ToStaffId = w.westOfficer.StaffID
	bad, err := c.HandOverStaffWithResponse(ctx, w.officer.StaffID, &api.HandOverStaffParams{IfMatch: `"1"`}, unreachable)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode(), string(bad.Body))
	require.Contains(t, string(bad.Body), "toStaffId")
	done, err := c.HandOverStaffWithResponse(ctx, w.officer.StaffID, &api.HandOverStaffParams{IfMatch: `"1"`}, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, done.StatusCode(), string(done.Body))
	require.Len(t, done.JSON200.Moved, 4)
	require.False(t, done.JSON200.Staff.Active)
	require.Equal(t, `"2"`, done.HTTPResponse.Header.Get("ETag"))

	recs, err := c.ListUnitOpenRecordsWithResponse(ctx, w.east.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, recs.StatusCode(), string(recs.Body))
	require.Len(t, recs.JSON200.Items, openRecords)
	// A rename keeps the code and is audited.
	admin := w.client(t, w.admin)
	renamed, err := admin.RenameUnitWithResponse(ctx, w.east.ID, &api.RenameUnitParams{IfMatch: `"1"`}, api.UnitRename{Name: "东城派出所"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, renamed.StatusCode(), string(renamed.Body))
	require.Equal(t, "EAST", renamed.JSON200.Code, "a rename keeps the code")
	require.Equal(t, "东城派出所", renamed.JSON200.Name)
	require.Equal(t, `"2"`, renamed.HTTPResponse.Header.Get("ETag"))
	trail, err := w.k.Store().AuditTrail(ctx, "unit", w.east.ID)
	require.NoError(t, err)
	require.Equal(t, "unit.rename", trail[len(trail)-1].Action)

	inside, err := c.CloseUnitWithResponse(ctx, w.east.ID, &api.CloseUnitParams{IfMatch: `"2"`}, api.UnitCloseInput{IntoUnitId: w.room.ID, Reason: "撤并"})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, inside.StatusCode(), string(inside.Body))
	require.Contains(t, string(inside.Body), "intoUnitId")
	closed, err := c.CloseUnitWithResponse(ctx, w.east.ID, &api.CloseUnitParams{IfMatch: `"2"`}, api.UnitCloseInput{IntoUnitId: w.west.ID, Reason: "撤并"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, closed.StatusCode(), string(closed.Body))
	require.Len(t, closed.JSON200.Moved, openRecords)
	require.Equal(t, "EAST", closed.JSON200.Unit.Code)
	require.Equal(t, w.west.ID, closed.JSON200.Unit.ClosedInto)
	require.False(t, closed.JSON200.Unit.ClosedAt.IsZero())
	require.Equal(t, everyRecordIn(w.west.ID), w.units(t))
	require.Equal(t, before, w.january(t), "the past period's report is unchanged")

	// The unit reads closed, alone and in the list; it keeps its name.
	got, err := c.GetUnitWithResponse(ctx, w.east.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	require.Equal(t, w.west.ID, got.JSON200.ClosedInto)
	require.Equal(t, closed.JSON200.Unit.ClosedAt, got.JSON200.ClosedAt)
	west, err := c.GetUnitWithResponse(ctx, w.west.ID)
	require.NoError(t, err)
	require.Empty(t, west.JSON200.ClosedInto)
	require.True(t, west.JSON200.ClosedAt.IsZero())
	require.NotContains(t, string(west.Body), "closedAt", "an open unit has no closing time")
	list, err := c.ListUnitsWithResponse(ctx, &api.ListUnitsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	closedIn := map[string]string{}
	for _, u := range list.JSON200.Items {
		closedIn[u.Code] = u.ClosedInto
	}
	require.Equal(t, w.west.ID, closedIn["EAST"])
	require.Equal(t, w.west.ID, closedIn["EASTROOM"], "the units below close with it")
	require.Empty(t, closedIn["WEST"])
	again, err := admin.RenameUnitWithResponse(ctx, w.east.ID, &api.RenameUnitParams{IfMatch: `"3"`}, api.UnitRename{Name: "新名"})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, again.StatusCode(), string(again.Body))
	require.Contains(t, string(again.Body), "name")
	require.Contains(t, string(again.Body), "open")
}

// workflowTotals is every workflow's own totals of a unit for a month of
// 2026 (each its single-period path, not the kernel's grid).
func (w *handoverWorld) workflowTotals(t *testing.T, unitID string, month time.Month) []any {
	t.Helper()
	ctx := context.Background()
	q := casework.ReportQuery{UnitID: unitID, From: time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, month+1, 0, 0, 0, 0, 0, time.UTC)}
	med, err := w.med.Totals(ctx, w.supervisor, q)
	require.NoError(t, err)
	cat, err := w.med.Breakdown(ctx, w.supervisor, q, mediation.ByCategory)
	require.NoError(t, err)
	byUnit, err := w.med.Breakdown(ctx, w.supervisor, q, mediation.ByUnit)
	require.NoError(t, err)
	rec, err := w.rec.Totals(ctx, w.supervisor, q)
	require.NoError(t, err)
	out, err := w.out.Totals(ctx, w.supervisor, q)
	require.NoError(t, err)
	cs, err := w.cases.Totals(ctx, w.supervisor, q)
	require.NoError(t, err)
	return []any{med, cat, byUnit, rec, out, cs}
}

// TestChainedClosingsKeepPastFigures: EAST closes into WEST, work goes on
// at WEST, then WEST closes into NORTH. Each station's own figures of
// January (EAST's work) and of March (WEST's) stay as they were, in the
// kernel's report, by station, and in each workflow's own totals: the
// corrections of the two moves telescope.
func TestChainedClosingsKeepPastFigures(t *testing.T) {
	eachBackend(t, testChainedClosingsKeepPastFigures)
}

func testChainedClosingsKeepPastFigures(t *testing.T, b fixtureOption) {
	w := newHandoverWorld(t, b)
	ctx := context.Background()
	north, err := w.k.CreateUnit(ctx, w.admin, casework.UnitInput{Code: "NORTH", Name: "北站", Level: casework.LevelStation, ParentID: w.branch.ID})
	require.NoError(t, err)
	type snapshot struct {
		report   map[string][]casework.Figure
		byChild  map[time.Month]map[string]int64
		workflow map[string][]any
	}
	take := func() snapshot {
		s := snapshot{report: map[string][]casework.Figure{}, byChild: map[time.Month]map[string]int64{}, workflow: map[string][]any{}}
		for _, m := range []time.Month{1, 3} {
			s.byChild[m] = w.byChild(t, m)
			for _, u := range []string{w.east.ID, w.west.ID, north.ID} {
				key := u + "/" + m.String()
				s.report[key] = w.report(t, u, m)
				s.workflow[key] = w.workflowTotals(t, u, m)
			}
		}
		return s
	}
	january := take()

	east, err := w.k.GetUnit(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	_, err = w.k.CloseUnit(ctx, w.supervisor, casework.CloseUnitInput{UnitID: east.ID, Version: east.Version, IntoUnitID: w.west.ID, Reason: "撤并"})
	require.NoError(t, err)
	require.Equal(t, january, take(), "the first closing moves no past figure")

	// March at WEST: the moved dispute is accepted, the referral closed.
	w.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, cst))
	st, err := w.k.GetStaff(ctx, w.supervisor, w.officer.StaffID)
	require.NoError(t, err)
	officer := casework.Actor{StaffID: st.ID, UnitID: st.UnitID, Roles: st.Roles}
	ref, err := w.out.GetReferral(ctx, w.supervisor, w.referral.ID)
	require.NoError(t, err)
	_, err = w.out.CloseReferral(ctx, officer, ref.ID, ref.Version, outreach.OutcomeDone, "已救助")
	require.NoError(t, err)
	march := take()
	require.NotEqual(t, january.report[w.west.ID+"/March"], march.report[w.west.ID+"/March"], "March's work counts at WEST")
	require.Equal(t, january.report[w.east.ID+"/March"], march.report[w.east.ID+"/March"], "and not at the closed EAST")

	w.clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, cst))
	west, err := w.k.GetUnit(ctx, w.supervisor, w.west.ID)
	require.NoError(t, err)
	res, err := w.k.CloseUnit(ctx, w.supervisor, casework.CloseUnitInput{UnitID: west.ID, Version: west.Version, IntoUnitID: north.ID, Reason: "再次撤并"})
	require.NoError(t, err)
	require.NotEmpty(t, res.Moved)
	require.Equal(t, march, take(), "the second closing moves no past figure either: EAST keeps January, WEST March")
	moves, err := w.k.Store().RecordMoves(ctx, outreach.RecordHazard, w.hazard.ID)
	require.NoError(t, err)
	require.Len(t, moves, 2)
	require.Equal(t, []string{w.east.ID, w.west.ID, north.ID}, []string{moves[0].FromUnit, moves[0].ToUnit, moves[1].ToUnit})
}

// A hand-off sent before its station closed and delivered after lands in
// the receiving unit, as the closed station's open records did: the
// dispute and lead found on a visit and the stolen items of a case. The
// receiving unit takes over the closed one's persons and addresses too.
func TestHandoffAfterClosingLandsInTheReceivingUnit(t *testing.T) {
	eachBackend(t, testHandoffAfterClosingLandsInTheReceivingUnit)
}

func testHandoffAfterClosingLandsInTheReceivingUnit(t *testing.T, b fixtureOption) {
	ctx := context.Background()
	w := newHandoverWorld(t, b)
	_, err := w.k.DeliverPending(ctx, nil) // what the world handed on while EAST was open
	require.NoError(t, err)
	_, err = w.out.RecordVisit(ctx, w.officer, outreach.VisitInput{UnitID: w.east.ID, PlanEntryID: w.entry.ID,
		Disputes: []outreach.DisputeInput{{Category: "neighbour/noise", Summary: "装修噪音"}},
		Leads:    []outreach.LeadInput{{Summary: "夜间有人撬锁"}}})
	require.NoError(t, err)
	kase, err := w.cases.Report(ctx, w.officer, cases.ReportInput{UnitID: w.east.ID, Kind: cases.KindTheft,
		IncidentAt: w.clock.Now().Add(-time.Hour), Place: "菜市场",
		Items: []cases.ItemInput{{Category: "mobile_phone", Description: "黑色手机", Quantity: 1, ValueFen: 150000}}})
	require.NoError(t, err)

	resident, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.east.ID, Name: "张某", AddressID: w.entry.AddressID})
	require.NoError(t, err)
	_, err = w.k.GetPerson(ctx, w.westOfficer, resident.ID)
	require.ErrorIs(t, err, casework.ErrNotFound, "before the closing WEST does not reach EAST's residents")

	east, err := w.k.GetUnit(ctx, w.supervisor, w.east.ID)
	require.NoError(t, err)
	_, err = w.k.CloseUnit(ctx, w.supervisor, casework.CloseUnitInput{UnitID: east.ID, Version: east.Version, IntoUnitID: w.west.ID, Reason: "撤并"})
	require.NoError(t, err)
	moved, err := w.k.GetPerson(ctx, w.westOfficer, resident.ID)
	require.NoError(t, err, "WEST took over EAST's area: its residents")
	require.Equal(t, w.west.ID, moved.UnitID)
	n, err := w.k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 3, n, "the dispute, the lead and the stolen items are delivered, none left to die")

	disputes, _, err := w.med.List(ctx, w.supervisor, mediation.Query{Source: mediation.SourceOutreach})
	require.NoError(t, err)
	require.Len(t, disputes, 1)
	require.Equal(t, w.west.ID, disputes[0].UnitID, "the dispute found at EAST is WEST's")
	leads, _, err := w.cases.ListLeads(ctx, w.supervisor, cases.LeadQuery{SourceKind: cases.LeadFromVisit})
	require.NoError(t, err)
	require.Len(t, leads, 1)
	require.Equal(t, w.west.ID, leads[0].UnitID, "the lead found at EAST is WEST's")
	kase, err = w.cases.Get(ctx, w.supervisor, kase.ID)
	require.NoError(t, err)
	require.Equal(t, w.west.ID, kase.UnitID, "the open case moved on closing")
	item, err := w.rec.Get(ctx, w.supervisor, kase.Items[0].ItemID)
	require.NoError(t, err)
	require.Equal(t, w.west.ID, item.UnitID, "the stolen item registered after the closing is WEST's")
	addr, err := w.k.GetAddress(ctx, w.westOfficer, w.entry.AddressID)
	require.NoError(t, err, "WEST took over EAST's area: its addresses")
	require.Equal(t, w.west.ID, addr.UnitID)
}

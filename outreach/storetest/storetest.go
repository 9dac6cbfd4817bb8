// Package storetest is the conformance suite every outreach Store passes:
// the memory store, SQLite and PostgreSQL here, and any store an integrator
// writes. A backend's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (outreach.Store, casework.KernelStore) { … })
//	}
//
// newStore returns a fresh, empty outreach store and the kernel store it is
// built on (the suite creates units through it).
package storetest

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

// NewStore builds a fresh store pair for one test.
type NewStore func(t *testing.T) (outreach.Store, casework.KernelStore)

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"NotFound", testNotFound},
		{"DuplicateID", testDuplicateID},
		{"StaleVersion", testStaleVersion},
		{"VisitFiltersOrderPaging", testVisitList},
		{"GetVisits", testGetVisits},
		{"HazardFilters", testHazardList},
		{"AppointmentFilters", testAppointmentList},
		{"CampaignFilters", testCampaignList},
		{"PlanFiltersOrder", testPlanList},
		{"NoAliasing", testNoAliasing},
		{"TimestampRoundTrip", testTimes},
		{"CancelledContext", testCancelled},
		{"ChangeCommitsWithRecord", testChange},
		{"ConcurrentCAS", testConcurrentCAS},
		{"OverlappingAppointmentRace", testOverlapRace},
		{"OverlapRule", testOverlapRule},
		{"Tally", testTally},
		{"GridMatchesPeriods", testGrid},
		{"HazardHistory", testHazardHistory},
		{"AmendedVisitMovesItsFigures", testAmendedVisit},
		{"ReferralBasics", testReferralBasics},
		{"ReferralFiltersOrderPaging", testReferralList},
		{"ReferralTally", testReferralTally},
		{"ReferralCancelledAndRace", testReferralCancelledAndRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, k := newStore(t)
			tc.fn(t, newFixture(t, s, k))
		})
	}
}

// fixture is one test's stores and a small unit tree: root → a → a1, and
// root → b.
type fixture struct {
	s              outreach.Store
	k              casework.KernelStore
	ctx            context.Context
	root, a, a1, b casework.Unit
	t0             time.Time
	n              int
}

var base = time.Date(2020, 5, 12, 1, 2, 3, 456789000, time.UTC)

func newFixture(t *testing.T, s outreach.Store, k casework.KernelStore) *fixture {
	f := &fixture{s: s, k: k, ctx: context.Background(), t0: base}
	f.root = f.unit(t, "R", nil, casework.LevelBureau)
	f.a = f.unit(t, "A", &f.root, casework.LevelBranch)
	f.a1 = f.unit(t, "A1", &f.a, casework.LevelStation)
	f.b = f.unit(t, "B", &f.root, casework.LevelBranch)
	return f
}

func (f *fixture) unit(t *testing.T, code string, parent *casework.Unit, level casework.Level) casework.Unit {
	t.Helper()
	u := casework.Unit{ID: "u-" + code, Code: code, Name: "unit " + code, Level: level, Version: 1, CreatedAt: f.t0, UpdatedAt: f.t0}
	pp := ""
	if parent != nil {
		u.ParentID, pp = parent.ID, parent.Path
	}
	u.Path = casework.UnitPath(pp, u.ID)
	require.NoError(t, f.k.CreateUnit(f.ctx, u, casework.Change{}))
	return u
}

func (f *fixture) id(prefix string) string {
	f.n++
	return fmt.Sprintf("%s-%04d", prefix, f.n)
}

func (f *fixture) audit(action, typ, id string) casework.Change {
	return casework.Change{Audit: []casework.AuditRecord{{Time: f.t0, ActorID: "st-1", UnitID: f.root.ID, Action: action,
		RecordType: typ, RecordID: id, Payload: []byte(`{"after":"x"}`)}}}
}

func (f *fixture) visit(unit casework.Unit, at time.Time, kind outreach.TargetKind, officers ...string) outreach.Visit {
	id := f.id("v")
	if len(officers) == 0 {
		officers = []string{"st-1"}
	}
	return outreach.Visit{ID: id, UnitID: unit.ID, OfficerIDs: officers, VisitedAt: at, TargetKind: kind, TargetKey: "org:" + id,
		Organisation: "org", Services: []outreach.ServiceGiven{{Kind: outreach.ServiceDoorToDoor, Note: "n"}},
		Aid: []outreach.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}}, RecordedBy: officers[0], Version: 1, CreatedAt: f.t0, UpdatedAt: f.t0}
}

func (f *fixture) addVisit(t *testing.T, v outreach.Visit) outreach.Visit {
	t.Helper()
	require.NoError(t, f.s.CreateVisit(f.ctx, outreach.VisitWrite{Visit: v}, f.audit("visit.record", "visit", v.ID)))
	return v
}

func (f *fixture) hazard(unit casework.Unit, at time.Time, status outreach.HazardStatus) outreach.Hazard {
	id := f.id("h")
	return outreach.Hazard{ID: id, UnitID: unit.ID, Place: "楼道", Kind: "fire", Severity: outreach.SeverityGeneral,
		Description: "杂物堵塞", Responsible: "物业", Deadline: at.Add(72 * time.Hour), Status: status, FoundBy: "st-1", FoundAt: at,
		Version: 1, CreatedAt: f.t0, UpdatedAt: f.t0}
}

func (f *fixture) appointment(unit casework.Unit, officer string, start time.Time, d time.Duration, status outreach.AppointmentStatus) outreach.Appointment {
	id := f.id("ap")
	return outreach.Appointment{ID: id, UnitID: unit.ID, Service: outreach.ServiceDoorToDoor, Requester: "居民", Place: "家中",
		Request: "办理居住证", StartsAt: start, EndsAt: start.Add(d), Status: status, OfficerID: officer, RecordedBy: "st-1",
		Version: 1, CreatedAt: f.t0, UpdatedAt: f.t0}
}

func (f *fixture) campaign(unit casework.Unit, starts, ends time.Time) outreach.Campaign {
	id := f.id("c")
	return outreach.Campaign{ID: id, UnitID: unit.ID, Name: "百万警进千万家", Starts: starts, Ends: ends, UnitIDs: []string{unit.ID},
		Goals: []outreach.Goal{{Kind: outreach.DifficultFamily, Count: 10}}, CreatedBy: "st-1", Version: 1, CreatedAt: f.t0, UpdatedAt: f.t0}
}

func (f *fixture) entry(unit casework.Unit, kind outreach.TargetKind, community string, dueFrom, deadline time.Time) outreach.PlanEntry {
	id := f.id("pe")
	return outreach.PlanEntry{ID: id, UnitID: unit.ID, Kind: kind, AddressID: "addr-" + id, Address: "张店区潘庄社区1号",
		Community: community, PersonID: "p-1", Since: f.t0, DueFrom: dueFrom, Deadline: deadline, Active: true, Version: 1,
		CreatedAt: f.t0, UpdatedAt: f.t0}
}

func ids[T any](rows []T, id func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func visitID(v outreach.Visit) string            { return v.ID }
func hazardID(h outreach.Hazard) string          { return h.ID }
func apptID(a outreach.Appointment) string       { return a.ID }
func campaignID(c outreach.Campaign) string      { return c.ID }
func entryID(e outreach.PlanEntry) string        { return e.ID }
func page(limit int, after string) casework.Page { return casework.Page{Limit: limit, After: after} }
func all() casework.Page                         { return casework.Page{Limit: casework.MaxPageLimit} }
func cursor(at time.Time, id string) string      { return casework.Cursor{At: at, ID: id}.Encode() }

func testNotFound(t *testing.T, f *fixture) {
	ctx := f.ctx
	_, err := f.s.GetVisit(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)
	_, err = f.s.GetHazard(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)
	_, err = f.s.GetAppointment(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)
	_, err = f.s.GetCampaign(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)
	_, err = f.s.GetPlanEntry(ctx, "nope")
	require.ErrorIs(t, err, outreach.ErrNotFound)

	v := f.visit(f.a, f.t0, outreach.School)
	v.Version = 2
	require.ErrorIs(t, f.s.UpdateVisit(ctx, v, casework.Change{}), outreach.ErrNotFound)
	h := f.hazard(f.a, f.t0, outreach.HazardFound)
	h.Version = 2
	require.ErrorIs(t, f.s.UpdateHazard(ctx, h, casework.Change{}), outreach.ErrNotFound)
	ap := f.appointment(f.a, "", f.t0, time.Hour, outreach.AppointmentRequested)
	ap.Version = 2
	require.ErrorIs(t, f.s.UpdateAppointment(ctx, ap, casework.Change{}), outreach.ErrNotFound)
	c := f.campaign(f.a, f.t0, f.t0.Add(time.Hour))
	c.Version = 2
	require.ErrorIs(t, f.s.UpdateCampaign(ctx, c, casework.Change{}), outreach.ErrNotFound)
	e := f.entry(f.a, outreach.DifficultFamily, "潘庄社区", f.t0, f.t0.Add(time.Hour))
	e.Version = 2
	require.ErrorIs(t, f.s.UpdatePlanEntry(ctx, e, casework.Change{}), outreach.ErrNotFound)
	// A visit naming a plan entry that does not exist writes nothing.
	nv := f.visit(f.a, f.t0, outreach.School)
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: nv, Plan: &e}, casework.Change{}), outreach.ErrNotFound)
	_, err = f.s.GetVisit(ctx, nv.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound)
}

func testDuplicateID(t *testing.T, f *fixture) {
	ctx := f.ctx
	v := f.addVisit(t, f.visit(f.a, f.t0, outreach.School))
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}), outreach.ErrConflict)
	h := f.hazard(f.a, f.t0, outreach.HazardFound)
	require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	require.ErrorIs(t, f.s.CreateHazard(ctx, h, casework.Change{}), outreach.ErrConflict)
	// A visit whose hazard id is taken writes neither.
	v2 := f.visit(f.a, f.t0, outreach.School)
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v2, Hazards: []outreach.Hazard{h}}, casework.Change{}), outreach.ErrConflict)
	_, err := f.s.GetVisit(ctx, v2.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound)
	ap := f.appointment(f.a, "", f.t0, time.Hour, outreach.AppointmentRequested)
	require.NoError(t, f.s.CreateAppointment(ctx, ap, casework.Change{}))
	require.ErrorIs(t, f.s.CreateAppointment(ctx, ap, casework.Change{}), outreach.ErrConflict)
	c := f.campaign(f.a, f.t0, f.t0.Add(time.Hour))
	require.NoError(t, f.s.CreateCampaign(ctx, c, casework.Change{}))
	require.ErrorIs(t, f.s.CreateCampaign(ctx, c, casework.Change{}), outreach.ErrConflict)
	e := f.entry(f.a, outreach.DifficultFamily, "潘庄社区", f.t0, f.t0.Add(time.Hour))
	require.NoError(t, f.s.CreatePlanEntry(ctx, e, casework.Change{}))
	require.ErrorIs(t, f.s.CreatePlanEntry(ctx, e, casework.Change{}), outreach.ErrConflict)
}

func testStaleVersion(t *testing.T, f *fixture) {
	ctx := f.ctx
	v := f.addVisit(t, f.visit(f.a, f.t0, outreach.School))
	for _, ver := range []int64{1, 3, 0} {
		x := v.Clone()
		x.Notes, x.Version = "stale", ver
		require.ErrorIs(t, f.s.UpdateVisit(ctx, x, casework.Change{}), outreach.ErrConflict, "version %d", ver)
	}
	got, err := f.s.GetVisit(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version)
	require.Empty(t, got.Notes)
	v.Notes, v.Version = "fresh", 2
	require.NoError(t, f.s.UpdateVisit(ctx, v, casework.Change{}))
	require.ErrorIs(t, f.s.UpdateVisit(ctx, v, casework.Change{}), outreach.ErrConflict, "replaying version 2")

	h := f.hazard(f.a, f.t0, outreach.HazardFound)
	require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	h.Version = 3
	require.ErrorIs(t, f.s.UpdateHazard(ctx, h, casework.Change{}), outreach.ErrConflict)
	ap := f.appointment(f.a, "", f.t0, time.Hour, outreach.AppointmentRequested)
	require.NoError(t, f.s.CreateAppointment(ctx, ap, casework.Change{}))
	ap.Version = 3
	require.ErrorIs(t, f.s.UpdateAppointment(ctx, ap, casework.Change{}), outreach.ErrConflict)
	c := f.campaign(f.a, f.t0, f.t0.Add(time.Hour))
	require.NoError(t, f.s.CreateCampaign(ctx, c, casework.Change{}))
	c.Version = 3
	require.ErrorIs(t, f.s.UpdateCampaign(ctx, c, casework.Change{}), outreach.ErrConflict)
	e := f.entry(f.a, outreach.DifficultFamily, "潘庄社区", f.t0, f.t0.Add(time.Hour))
	require.NoError(t, f.s.CreatePlanEntry(ctx, e, casework.Change{}))
	stale := e
	stale.Version = 3
	require.ErrorIs(t, f.s.UpdatePlanEntry(ctx, stale, casework.Change{}), outreach.ErrConflict)
	// A visit whose plan entry version is stale writes nothing.
	nv := f.visit(f.a, f.t0, outreach.DifficultFamily)
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: nv, Plan: &stale}, casework.Change{}), outreach.ErrConflict)
	_, err = f.s.GetVisit(ctx, nv.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound)
	next := e
	next.Version, next.LastVisitAt, next.LastVisitID = 2, nv.VisitedAt, nv.ID
	require.NoError(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: nv, Plan: &next}, casework.Change{}))
	got2, err := f.s.GetPlanEntry(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, next, got2)
}

func testVisitList(t *testing.T, f *fixture) {
	ctx := f.ctx
	at := func(h int) time.Time { return f.t0.Add(time.Duration(h) * time.Hour) }
	v1 := f.addVisit(t, f.visit(f.a, at(3), outreach.DifficultFamily, "st-1", "st-2"))
	v2 := f.addVisit(t, f.visit(f.a1, at(1), outreach.SecurityKeySite, "st-2"))
	v3 := f.addVisit(t, f.visit(f.b, at(2), outreach.DifficultFamily, "st-3"))
	v4 := f.visit(f.a1, at(3), outreach.DifficultFamily, "st-1") // same time as v1: ordered by id
	v4.CampaignID, v4.PlanEntryID, v4.AddressID = "c-x", "pe-x", "addr-x"
	f.addVisit(t, v4)
	v5 := f.addVisit(t, f.visit(f.a, at(5), outreach.School, "st-1"))

	list := func(fl outreach.VisitFilter) []string {
		t.Helper()
		rows, err := f.s.ListVisits(ctx, fl, all())
		require.NoError(t, err)
		requireRefsOf(t, f, fl, all(), rows)
		return ids(rows, visitID)
	}
	require.Equal(t, []string{v2.ID, v3.ID, v1.ID, v4.ID, v5.ID}, list(outreach.VisitFilter{}))
	require.Equal(t, []string{v2.ID, v1.ID, v4.ID, v5.ID}, list(outreach.VisitFilter{UnitUnder: f.a.Path}))
	require.Equal(t, []string{v2.ID, v4.ID}, list(outreach.VisitFilter{UnitUnder: f.a1.Path}))
	require.Equal(t, []string{v1.ID, v4.ID, v5.ID}, list(outreach.VisitFilter{OfficerID: "st-1"}))
	require.Equal(t, []string{v2.ID, v1.ID}, list(outreach.VisitFilter{OfficerID: "st-2"}))
	require.Equal(t, []string{v3.ID, v1.ID, v4.ID}, list(outreach.VisitFilter{TargetKind: outreach.DifficultFamily}))
	require.Equal(t, []string{v3.ID, v1.ID, v4.ID}, list(outreach.VisitFilter{From: at(2), To: at(5)}))
	require.Equal(t, []string{v4.ID}, list(outreach.VisitFilter{CampaignID: "c-x"}))
	require.Equal(t, []string{v4.ID}, list(outreach.VisitFilter{PlanEntryID: "pe-x"}))
	require.Equal(t, []string{v4.ID}, list(outreach.VisitFilter{AddressID: "addr-x"}))
	require.Equal(t, []string{v1.ID}, list(outreach.VisitFilter{UnitUnder: f.a.Path, OfficerID: "st-2", TargetKind: outreach.DifficultFamily}))
	require.Empty(t, list(outreach.VisitFilter{OfficerID: "st-9"}))

	// Paging walks every record once, in order, across the tie, over all
	// units and within a subtree (where SQL stores walk unit by unit and
	// the tie is between two units).
	for _, c := range []struct {
		filter outreach.VisitFilter
		want   []string
	}{
		{outreach.VisitFilter{}, []string{v2.ID, v3.ID, v1.ID, v4.ID, v5.ID}},
		{outreach.VisitFilter{UnitUnder: f.a.Path}, []string{v2.ID, v1.ID, v4.ID, v5.ID}},
		{outreach.VisitFilter{UnitUnder: f.a.Path, TargetKind: outreach.DifficultFamily}, []string{v1.ID, v4.ID}},
	} {
		var got []string
		after := ""
		for {
			rows, err := f.s.ListVisits(ctx, c.filter, page(1, after))
			require.NoError(t, err)
			require.LessOrEqual(t, len(rows), 1)
			requireRefsOf(t, f, c.filter, page(1, after), rows)
			got = append(got, ids(rows, visitID)...)
			if len(rows) < 1 {
				break
			}
			last := rows[len(rows)-1]
			after = cursor(last.VisitedAt, last.ID)
		}
		require.Equal(t, c.want, got, "%+v", c.filter)
		_, err := f.s.ListVisits(ctx, c.filter, page(2, "not a cursor!"))
		require.ErrorIs(t, err, outreach.ErrInvalid)
		_, err = f.s.ListVisitRefs(ctx, c.filter, page(2, "not a cursor!"))
		require.ErrorIs(t, err, outreach.ErrInvalid)
	}

	// An update moves the version ListVisitRefs reads (what a cache of
	// visits by version relies on); nothing else it reads changes.
	up := v1.Clone()
	up.Notes, up.Version = "amended", 2
	require.NoError(t, f.s.UpdateVisit(ctx, up, f.audit("visit.amend", "visit", up.ID)))
	refs, err := f.s.ListVisitRefs(ctx, outreach.VisitFilter{UnitUnder: f.a.Path, TargetKind: outreach.DifficultFamily}, all())
	require.NoError(t, err)
	require.Equal(t, []outreach.VisitRef{up.Ref(), v4.Ref()}, refs)
}

// requireRefsOf requires ListVisitRefs to list, for fl and p, the refs of
// rows (what ListVisits listed): the same visits in the same order, with
// their versions, times and kinds.
func requireRefsOf(t *testing.T, f *fixture, fl outreach.VisitFilter, p casework.Page, rows []outreach.Visit) {
	t.Helper()
	refs, err := f.s.ListVisitRefs(f.ctx, fl, p)
	require.NoError(t, err)
	want := make([]outreach.VisitRef, len(rows))
	for i, v := range rows {
		want[i] = v.Ref()
	}
	require.Equal(t, len(want), len(refs), "%+v", fl)
	for i := range want {
		require.Equal(t, want[i].ID, refs[i].ID, "%+v", fl)
		require.Equal(t, want[i].Version, refs[i].Version, "%+v", fl)
		require.True(t, want[i].VisitedAt.Equal(refs[i].VisitedAt), "%+v: %v, want %v", fl, refs[i].VisitedAt, want[i].VisitedAt)
		require.Equal(t, want[i].TargetKind, refs[i].TargetKind, "%+v", fl)
	}
}

// testGetVisits reads visits by id in one call: each stored one once,
// at its stored version, none for an unknown id, across more ids than
// a store may read in one statement.
func testGetVisits(t *testing.T, f *fixture) {
	ctx := f.ctx
	var want []outreach.Visit
	for i := range 70 {
		v := f.visit([]casework.Unit{f.a, f.a1, f.b}[i%3], f.t0.Add(time.Duration(i)*time.Minute), outreach.DifficultFamily)
		if i%5 == 0 {
			v.Findings = []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", Summary: "s", PersonIDs: []string{"p-1"}}}
			v.HazardIDs = []string{"h-1"}
		}
		want = append(want, f.addVisit(t, v))
	}
	up := want[3].Clone()
	up.Notes, up.Version, up.UpdatedAt = "amended", 2, f.t0.Add(time.Hour)
	require.NoError(t, f.s.UpdateVisit(ctx, up, f.audit("visit.amend", "visit", up.ID)))
	want[3] = up
	byID := func(list []outreach.Visit) map[string]outreach.Visit {
		m := map[string]outreach.Visit{}
		for _, v := range list {
			_, dup := m[v.ID]
			require.False(t, dup, "visit %s returned twice", v.ID)
			m[v.ID] = v
		}
		return m
	}
	for _, c := range []struct {
		name string
		ids  []string
		want []outreach.Visit
	}{
		{"none", nil, nil},
		{"one", []string{want[3].ID}, want[3:4]},
		{"unknown", []string{"v-nope"}, nil},
		{"some, repeated, with unknown", []string{want[7].ID, "v-nope", want[3].ID, want[7].ID, want[0].ID}, []outreach.Visit{want[0], want[3], want[7]}},
		{"more than a chunk", ids(want, visitID), want},
	} {
		got, err := f.s.GetVisits(ctx, c.ids)
		require.NoError(t, err, c.name)
		require.Equal(t, byID(c.want), byID(got), c.name)
		for _, v := range got {
			one, err := f.s.GetVisit(ctx, v.ID)
			require.NoError(t, err)
			require.Equal(t, one, v, c.name)
		}
	}

	// Values are copied out.
	got, err := f.s.GetVisits(ctx, []string{want[0].ID})
	require.NoError(t, err)
	require.Len(t, got, 1)
	got[0].OfficerIDs[0], got[0].Findings[0].PersonIDs[0], got[0].HazardIDs[0] = "x", "x", "x"
	again, err := f.s.GetVisits(ctx, []string{want[0].ID})
	require.NoError(t, err)
	require.Equal(t, want[:1], again)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.s.GetVisits(cancelled, []string{want[0].ID})
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.ListVisitRefs(cancelled, outreach.VisitFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
}

func testHazardList(t *testing.T, f *fixture) {
	ctx := f.ctx
	add := func(h outreach.Hazard) outreach.Hazard {
		require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
		return h
	}
	h1 := f.hazard(f.a, f.t0, outreach.HazardFound)
	h1.Community, h1.VisitID = "潘庄社区", "v-1"
	add(h1)
	h2 := f.hazard(f.a1, f.t0.Add(time.Hour), outreach.HazardRectifying)
	h2.AddressID = "addr-9"
	add(h2)
	h3 := f.hazard(f.b, f.t0.Add(2*time.Hour), outreach.HazardRectified)
	h3.Community, h3.RectifiedAt = "潘庄社区", f.t0.Add(3*time.Hour)
	add(h3)
	h4 := add(f.hazard(f.a, f.t0.Add(3*time.Hour), outreach.HazardVerified))

	list := func(fl outreach.HazardFilter) []string {
		t.Helper()
		rows, err := f.s.ListHazards(ctx, fl, all())
		require.NoError(t, err)
		return ids(rows, hazardID)
	}
	require.Equal(t, []string{h1.ID, h2.ID, h3.ID, h4.ID}, list(outreach.HazardFilter{}))
	require.Equal(t, []string{h1.ID, h2.ID, h4.ID}, list(outreach.HazardFilter{UnitUnder: f.a.Path}))
	require.Equal(t, []string{h1.ID, h2.ID}, list(outreach.HazardFilter{Status: []outreach.HazardStatus{outreach.HazardFound, outreach.HazardRectifying}}))
	require.Equal(t, []string{h1.ID}, list(outreach.HazardFilter{VisitID: "v-1"}))
	require.Equal(t, []string{h1.ID, h2.ID, h3.ID}, list(outreach.HazardFilter{Areas: []string{"潘庄社区", "addr-9"}}))
	require.Equal(t, []string{h2.ID}, list(outreach.HazardFilter{Areas: []string{"addr-9"}}))
	// The subtree holds with every other filter: a service lists an area's
	// or a visit's hazards only within the actor's reach.
	require.Equal(t, []string{h3.ID}, list(outreach.HazardFilter{UnitUnder: f.b.Path, Areas: []string{"潘庄社区", "addr-9"}}))
	require.Equal(t, []string{h2.ID}, list(outreach.HazardFilter{UnitUnder: f.a1.Path, Areas: []string{"潘庄社区", "addr-9"}}))
	require.Empty(t, list(outreach.HazardFilter{UnitUnder: f.b.Path, VisitID: "v-1"}))
	require.Equal(t, []string{h2.ID}, list(outreach.HazardFilter{UnitUnder: f.a1.Path, OverdueAt: h2.Deadline}))
	require.Equal(t, []string{h3.ID}, list(outreach.HazardFilter{UnitUnder: f.b.Path, From: f.t0.Add(time.Hour), To: f.t0.Add(3 * time.Hour)}))
	// Deadlines are 72 h after finding; a deadline instant is already late;
	// rectified and verified hazards are never overdue.
	require.Empty(t, list(outreach.HazardFilter{OverdueAt: h1.Deadline.Add(-time.Microsecond)}))
	require.Equal(t, []string{h1.ID}, list(outreach.HazardFilter{OverdueAt: h1.Deadline}))
	require.Equal(t, []string{h1.ID, h2.ID}, list(outreach.HazardFilter{OverdueAt: h2.Deadline}))
	require.Equal(t, []string{h1.ID, h2.ID}, list(outreach.HazardFilter{OverdueAt: f.t0.Add(1000 * time.Hour)}))
	require.Equal(t, []string{h2.ID, h3.ID}, list(outreach.HazardFilter{From: f.t0.Add(time.Hour), To: f.t0.Add(3 * time.Hour)}))
	rows, err := f.s.ListHazards(ctx, outreach.HazardFilter{}, page(3, cursor(h1.FoundAt, h1.ID)))
	require.NoError(t, err)
	require.Equal(t, []string{h2.ID, h3.ID, h4.ID}, ids(rows, hazardID))
}

func testAppointmentList(t *testing.T, f *fixture) {
	ctx := f.ctx
	add := func(a outreach.Appointment) outreach.Appointment {
		require.NoError(t, f.s.CreateAppointment(ctx, a, casework.Change{}))
		return a
	}
	a1 := add(f.appointment(f.a, "", f.t0.Add(2*time.Hour), time.Hour, outreach.AppointmentRequested))
	a2 := add(f.appointment(f.a1, "st-1", f.t0, time.Hour, outreach.AppointmentAccepted))
	a3 := add(f.appointment(f.b, "st-2", f.t0.Add(time.Hour), time.Hour, outreach.AppointmentAccepted))
	a4 := add(f.appointment(f.a, "st-1", f.t0.Add(5*time.Hour), time.Hour, outreach.AppointmentDone))
	list := func(fl outreach.AppointmentFilter) []string {
		t.Helper()
		rows, err := f.s.ListAppointments(ctx, fl, all())
		require.NoError(t, err)
		return ids(rows, apptID)
	}
	require.Equal(t, []string{a2.ID, a3.ID, a1.ID, a4.ID}, list(outreach.AppointmentFilter{}))
	require.Equal(t, []string{a2.ID, a1.ID, a4.ID}, list(outreach.AppointmentFilter{UnitUnder: f.a.Path}))
	require.Equal(t, []string{a2.ID, a4.ID}, list(outreach.AppointmentFilter{OfficerID: "st-1"}))
	require.Equal(t, []string{a2.ID, a3.ID}, list(outreach.AppointmentFilter{Status: []outreach.AppointmentStatus{outreach.AppointmentAccepted}}))
	require.Equal(t, []string{a3.ID, a1.ID}, list(outreach.AppointmentFilter{From: f.t0.Add(time.Hour), To: f.t0.Add(5 * time.Hour)}))
	rows, err := f.s.ListAppointments(ctx, outreach.AppointmentFilter{}, page(2, cursor(a3.StartsAt, a3.ID)))
	require.NoError(t, err)
	require.Equal(t, []string{a1.ID, a4.ID}, ids(rows, apptID))
}

func testCampaignList(t *testing.T, f *fixture) {
	ctx := f.ctx
	day := 24 * time.Hour
	cRoot := f.campaign(f.root, f.t0, f.t0.Add(30*day))
	cA1 := f.campaign(f.a1, f.t0.Add(day), f.t0.Add(2*day))
	cB := f.campaign(f.b, f.t0.Add(2*day), f.t0.Add(40*day))
	for _, c := range []outreach.Campaign{cB, cA1, cRoot} {
		require.NoError(t, f.s.CreateCampaign(ctx, c, casework.Change{}))
	}
	list := func(fl outreach.CampaignFilter) []string {
		t.Helper()
		rows, err := f.s.ListCampaigns(ctx, fl, all())
		require.NoError(t, err)
		return ids(rows, campaignID)
	}
	require.Equal(t, []string{cRoot.ID, cA1.ID, cB.ID}, list(outreach.CampaignFilter{}))
	// From branch A: the bureau's campaign above it and A1's below it.
	require.Equal(t, []string{cRoot.ID, cA1.ID}, list(outreach.CampaignFilter{Related: f.a.Path}))
	require.Equal(t, []string{cRoot.ID, cB.ID}, list(outreach.CampaignFilter{Related: f.b.Path}))
	require.Equal(t, []string{cRoot.ID, cB.ID}, list(outreach.CampaignFilter{ActiveAt: f.t0.Add(2 * day)}))
	require.Equal(t, []string{cB.ID}, list(outreach.CampaignFilter{ActiveAt: f.t0.Add(30 * day)}))
}

func testPlanList(t *testing.T, f *fixture) {
	ctx := f.ctx
	day := 24 * time.Hour
	add := func(e outreach.PlanEntry) outreach.PlanEntry {
		require.NoError(t, f.s.CreatePlanEntry(ctx, e, casework.Change{}))
		return e
	}
	e1 := add(f.entry(f.a, outreach.KeyPersonFamily, "潘庄社区", f.t0, f.t0.Add(30*day)))
	e2 := add(f.entry(f.a1, outreach.DifficultFamily, "潘庄社区", f.t0.Add(10*day), f.t0.Add(20*day)))
	e3 := add(f.entry(f.b, outreach.DifficultFamily, "西高新村", f.t0.Add(40*day), f.t0.Add(50*day)))
	off := f.entry(f.a, outreach.DifficultFamily, "潘庄社区", f.t0, f.t0.Add(5*day))
	off.Active = false
	add(off)
	unscheduled := f.entry(f.a, outreach.Online, "潘庄社区", time.Time{}, time.Time{})
	add(unscheduled)
	list := func(fl outreach.PlanFilter) []string {
		t.Helper()
		rows, err := f.s.ListPlanEntries(ctx, fl, all())
		require.NoError(t, err)
		return ids(rows, entryID)
	}
	require.Equal(t, []string{e2.ID, e1.ID, e3.ID}, list(outreach.PlanFilter{DueBy: f.t0.Add(100 * day)}))
	require.Equal(t, []string{e1.ID}, list(outreach.PlanFilter{DueBy: f.t0.Add(10*day - time.Microsecond)}))
	require.Equal(t, []string{e2.ID, e1.ID}, list(outreach.PlanFilter{DueBy: f.t0.Add(10 * day)}))
	require.Equal(t, []string{e2.ID, e1.ID}, list(outreach.PlanFilter{UnitUnder: f.a.Path, DueBy: f.t0.Add(100 * day)}))
	require.Equal(t, []string{e3.ID}, list(outreach.PlanFilter{Areas: []string{"西高新村"}, DueBy: f.t0.Add(100 * day)}))
	require.Equal(t, []string{e1.ID}, list(outreach.PlanFilter{Areas: []string{e1.AddressID}}))
	require.Equal(t, []string{e2.ID, e3.ID}, list(outreach.PlanFilter{Kind: outreach.DifficultFamily}))
	require.Equal(t, []string{off.ID, e2.ID, e3.ID}, list(outreach.PlanFilter{Kind: outreach.DifficultFamily, IncludeInactive: true}))
	require.Equal(t, []string{e3.ID}, list(outreach.PlanFilter{AddressID: e3.AddressID}))
	require.Contains(t, list(outreach.PlanFilter{}), unscheduled.ID)
	require.Equal(t, []string{e1.ID}, list(outreach.PlanFilter{PersonID: "p-1", Kind: outreach.KeyPersonFamily}))
	rows, err := f.s.ListPlanEntries(ctx, outreach.PlanFilter{DueBy: f.t0.Add(100 * day)}, page(1, cursor(e2.Deadline, e2.ID)))
	require.NoError(t, err)
	require.Equal(t, []string{e1.ID}, ids(rows, entryID))
}

func testNoAliasing(t *testing.T, f *fixture) {
	ctx := f.ctx
	v := f.visit(f.a, f.t0, outreach.DifficultFamily, "st-1", "st-2")
	v.Findings = []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", Summary: "s", PersonIDs: []string{"p-1"}, OutboxID: "o-1"}}
	v.HazardIDs = []string{"h-1"}
	want := v.Clone()
	require.NoError(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, casework.Change{}))
	v.OfficerIDs[0], v.Services[0].Note, v.Aid[0].Item, v.Findings[0].PersonIDs[0], v.HazardIDs[0] = "x", "x", "x", "x", "x"
	got, err := f.s.GetVisit(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	got.OfficerIDs[0], got.Services[0].Note, got.Aid[0].Item, got.Findings[0].PersonIDs[0], got.HazardIDs[0] = "y", "y", "y", "y", "y"
	again, err := f.s.GetVisit(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, again)
	rows, err := f.s.ListVisits(ctx, outreach.VisitFilter{}, all())
	require.NoError(t, err)
	rows[0].OfficerIDs[0] = "z"
	again, err = f.s.GetVisit(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, again)

	upd := want.Clone()
	upd.Version = 2
	require.NoError(t, f.s.UpdateVisit(ctx, upd, casework.Change{}))
	upd.Services[0].Note = "changed after the call"
	again, err = f.s.GetVisit(ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, "n", again.Services[0].Note)

	c := f.campaign(f.a, f.t0, f.t0.Add(time.Hour))
	cwant := c.Clone()
	require.NoError(t, f.s.CreateCampaign(ctx, c, casework.Change{}))
	c.UnitIDs[0], c.Goals[0].Count = "x", 99
	cgot, err := f.s.GetCampaign(ctx, cwant.ID)
	require.NoError(t, err)
	require.Equal(t, cwant, cgot)
	cgot.Goals[0].Count = 98
	cgot, err = f.s.GetCampaign(ctx, cwant.ID)
	require.NoError(t, err)
	require.Equal(t, cwant, cgot)
}

func testTimes(t *testing.T, f *fixture) {
	ctx := f.ctx
	odd := time.Date(2020, 2, 29, 23, 59, 59, 999999000, time.UTC)
	early := time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC)
	late := time.Date(2099, 12, 31, 15, 59, 59, 123456000, time.UTC)
	v := f.visit(f.a, odd, outreach.School)
	v.CreatedAt, v.UpdatedAt = early, late
	v.Findings = []outreach.Finding{{Kind: outreach.FindingLead, Step: "lead/1", Summary: "s", OutboxID: "o", LinkedAt: late}}
	f.addVisit(t, v)
	got, err := f.s.GetVisit(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, v, got)
	require.True(t, got.VisitedAt.Equal(odd))
	require.Equal(t, time.UTC, got.VisitedAt.Location())

	h := f.hazard(f.a, odd, outreach.HazardVerified)
	h.RectifyingAt, h.RectifiedAt, h.VerifiedAt = early, odd, late
	require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	gh, err := f.s.GetHazard(ctx, h.ID)
	require.NoError(t, err)
	require.Equal(t, h, gh)
	// Unset times stay unset.
	h2 := f.hazard(f.a, odd, outreach.HazardFound)
	require.NoError(t, f.s.CreateHazard(ctx, h2, casework.Change{}))
	gh2, err := f.s.GetHazard(ctx, h2.ID)
	require.NoError(t, err)
	require.True(t, gh2.RectifiedAt.IsZero() && gh2.VerifiedAt.IsZero())
	require.Equal(t, h2, gh2)

	ap := f.appointment(f.a, "st-1", odd, 90*time.Minute, outreach.AppointmentDone)
	ap.AcceptedAt, ap.ClosedAt = early, late
	require.NoError(t, f.s.CreateAppointment(ctx, ap, casework.Change{}))
	ga, err := f.s.GetAppointment(ctx, ap.ID)
	require.NoError(t, err)
	require.Equal(t, ap, ga)

	c := f.campaign(f.a, early, late)
	require.NoError(t, f.s.CreateCampaign(ctx, c, casework.Change{}))
	gc, err := f.s.GetCampaign(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c, gc)

	e := f.entry(f.a, outreach.KeyPersonFamily, "潘庄社区", odd, late)
	e.LastVisitAt, e.LastVisitID = early, "v-0"
	require.NoError(t, f.s.CreatePlanEntry(ctx, e, casework.Change{}))
	ge, err := f.s.GetPlanEntry(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, e, ge)
	unsched := f.entry(f.a, outreach.Online, "", time.Time{}, time.Time{})
	require.NoError(t, f.s.CreatePlanEntry(ctx, unsched, casework.Change{}))
	gu, err := f.s.GetPlanEntry(ctx, unsched.ID)
	require.NoError(t, err)
	require.Equal(t, unsched, gu)
}

func testCancelled(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	v := f.visit(f.a, f.t0, outreach.School)
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v}, f.audit("visit.record", "visit", v.ID)), context.Canceled)
	_, err := f.s.GetVisit(f.ctx, v.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound, "a cancelled create wrote the visit")
	head, err := f.k.AuditHead(f.ctx)
	require.NoError(t, err)
	require.Zero(t, head.Seq, "a cancelled create appended to the audit chain")

	f.addVisit(t, v)
	up := v.Clone()
	up.Notes, up.Version = "x", 2
	require.ErrorIs(t, f.s.UpdateVisit(ctx, up, casework.Change{}), context.Canceled)
	got, err := f.s.GetVisit(f.ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version)

	_, err = f.s.GetVisit(ctx, v.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.ListVisits(ctx, outreach.VisitFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, f.s.CreateHazard(ctx, f.hazard(f.a, f.t0, outreach.HazardFound), casework.Change{}), context.Canceled)
	_, err = f.s.ListHazards(ctx, outreach.HazardFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, f.s.CreateAppointment(ctx, f.appointment(f.a, "", f.t0, time.Hour, outreach.AppointmentRequested), casework.Change{}), context.Canceled)
	_, err = f.s.ListAppointments(ctx, outreach.AppointmentFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, f.s.CreateCampaign(ctx, f.campaign(f.a, f.t0, f.t0.Add(time.Hour)), casework.Change{}), context.Canceled)
	_, err = f.s.ListCampaigns(ctx, outreach.CampaignFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, f.s.CreatePlanEntry(ctx, f.entry(f.a, outreach.School, "", f.t0, f.t0), casework.Change{}), context.Canceled)
	_, err = f.s.ListPlanEntries(ctx, outreach.PlanFilter{}, all())
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.s.Tally(ctx, outreach.TallyFilter{})
	require.ErrorIs(t, err, context.Canceled)
}

func testChange(t *testing.T, f *fixture) {
	ctx := f.ctx
	v := f.visit(f.a, f.t0, outreach.DifficultFamily)
	h := f.hazard(f.a, f.t0, outreach.HazardFound)
	ch := f.audit("visit.record", "visit", v.ID)
	ch.Audit = append(ch.Audit, f.audit("hazard.report", "hazard", h.ID).Audit...)
	ch.Outbox = []casework.OutboxMessage{{ID: "ob-" + v.ID, Kind: casework.KindDisputeFinding, SourceKind: "visit", SourceID: v.ID,
		Step: "dispute/1", Payload: []byte(`{"summary":"大型犬扰民"}`), CreatedAt: f.t0}}
	ch.RequestKey = &casework.RequestKey{ActorID: "st-1", Key: "k-1", Fingerprint: "fp", RecordType: "visit", RecordID: v.ID, Result: []byte(`{}`), CreatedAt: f.t0}
	require.NoError(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v, Hazards: []outreach.Hazard{h}}, ch))
	gh, err := f.s.GetHazard(ctx, h.ID)
	require.NoError(t, err)
	require.Equal(t, h, gh)
	msgs, err := f.k.ListOutbox(ctx, "visit", v.ID)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, "dispute/1", msgs[0].Step)
	trail, err := f.k.AuditTrail(ctx, "visit", v.ID)
	require.NoError(t, err)
	require.Len(t, trail, 1)
	head, err := f.k.AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), head.Seq)

	// The same request key again: nothing of the second write lands.
	v2 := f.visit(f.a, f.t0, outreach.DifficultFamily)
	ch2 := f.audit("visit.record", "visit", v2.ID)
	ch2.Outbox = []casework.OutboxMessage{{ID: "ob-" + v2.ID, Kind: casework.KindLeadFinding, SourceKind: "visit", SourceID: v2.ID,
		Step: "lead/1", Payload: []byte(`{}`), CreatedAt: f.t0}}
	rk := *ch.RequestKey
	ch2.RequestKey = &rk
	require.ErrorIs(t, f.s.CreateVisit(ctx, outreach.VisitWrite{Visit: v2}, ch2), outreach.ErrConflict)
	_, err = f.s.GetVisit(ctx, v2.ID)
	require.ErrorIs(t, err, outreach.ErrNotFound)
	msgs, err = f.k.ListOutbox(ctx, "visit", v2.ID)
	require.NoError(t, err)
	require.Empty(t, msgs)
	head2, err := f.k.AuditHead(ctx)
	require.NoError(t, err)
	require.Equal(t, head, head2)

	// An update's audit entry lands with it, and not without it.
	up := v.Clone()
	up.Version = 2
	require.NoError(t, f.s.UpdateVisit(ctx, up, f.audit("visit.amend", "visit", v.ID)))
	require.ErrorIs(t, f.s.UpdateVisit(ctx, up, f.audit("visit.amend", "visit", v.ID)), outreach.ErrConflict)
	trail, err = f.k.AuditTrail(ctx, "visit", v.ID)
	require.NoError(t, err)
	require.Len(t, trail, 2)
}

// race runs write(0) … write(n-1) at once and counts the writes that won
// and those refused with an error matching refusal; any other error fails
// the test.
func race(t *testing.T, n int, refusal error, write func(i int) error) (wins, refused int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := write(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, refusal):
				refused++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return wins, refused
}

// testConcurrentCAS races writers of one version: exactly one wins each
// round, the rest get ErrConflict.
func testConcurrentCAS(t *testing.T, f *fixture) {
	ctx := f.ctx
	v := f.addVisit(t, f.visit(f.a, f.t0, outreach.School))
	h := f.hazard(f.a, f.t0, outreach.HazardFound)
	require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	const writers = 8
	for round := int64(2); round <= 4; round++ {
		wins, conflicts := race(t, writers, outreach.ErrConflict, func(i int) error {
			if i%2 == 0 {
				x := v.Clone()
				x.Notes, x.Version = fmt.Sprintf("writer %d", i), round
				return f.s.UpdateVisit(ctx, x, f.audit("visit.amend", "visit", v.ID))
			}
			x := h
			x.Note, x.Version = fmt.Sprintf("writer %d", i), round
			return f.s.UpdateHazard(ctx, x, f.audit("hazard.note", "hazard", h.ID))
		})
		require.Equal(t, 2, wins, "round %d: one visit and one hazard writer win", round)
		require.Equal(t, writers-2, conflicts)
		gv, err := f.s.GetVisit(ctx, v.ID)
		require.NoError(t, err)
		require.Equal(t, round, gv.Version)
		gh, err := f.s.GetHazard(ctx, h.ID)
		require.NoError(t, err)
		require.Equal(t, round, gh.Version)
	}
	trail, err := f.k.AuditTrail(ctx, "visit", v.ID)
	require.NoError(t, err)
	require.Len(t, trail, 1+3, "only the winners' audit entries land")
}

// testOverlapRace accepts overlapping appointments of one officer at once:
// exactly one acceptance lands. Appointments that only touch both land.
func testOverlapRace(t *testing.T, f *fixture) {
	ctx := f.ctx
	const n = 6
	for round := range 3 {
		officer := fmt.Sprintf("st-race-%d", round)
		start := f.t0.Add(time.Duration(round) * 24 * time.Hour)
		var appts []outreach.Appointment
		for i := range n {
			a := f.appointment(f.a, "", start.Add(time.Duration(i)*10*time.Minute), time.Hour, outreach.AppointmentRequested)
			require.NoError(t, f.s.CreateAppointment(ctx, a, casework.Change{}))
			appts = append(appts, a)
		}
		wins, overlaps := race(t, n, outreach.ErrOverlap, func(i int) error {
			x := appts[i]
			x.Status, x.OfficerID, x.AcceptedAt, x.Version = outreach.AppointmentAccepted, officer, f.t0, 2
			err := f.s.UpdateAppointment(ctx, x, f.audit("appointment.accepted", "appointment", x.ID))
			if errors.Is(err, outreach.ErrOverlap) && !errors.Is(err, outreach.ErrConflict) {
				t.Errorf("accept %s: an overlap is not a conflict: %v", x.ID, err)
			}
			return err
		})
		require.Equal(t, 1, wins, "round %d", round)
		require.Equal(t, n-1, overlaps)
		rows, err := f.s.ListAppointments(ctx, outreach.AppointmentFilter{OfficerID: officer}, all())
		require.NoError(t, err)
		require.Len(t, rows, 1)
	}
	// Back to back: [9:00, 10:00) and [10:00, 11:00) do not overlap.
	officer := "st-adjacent"
	start := f.t0.Add(10 * 24 * time.Hour)
	var wg sync.WaitGroup
	errsOut := make([]error, 2)
	for i := range 2 {
		a := f.appointment(f.a, "", start.Add(time.Duration(i)*time.Hour), time.Hour, outreach.AppointmentRequested)
		require.NoError(t, f.s.CreateAppointment(ctx, a, casework.Change{}))
		wg.Go(func() {
			x := a
			x.Status, x.OfficerID, x.Version = outreach.AppointmentAccepted, officer, 2
			errsOut[i] = f.s.UpdateAppointment(ctx, x, casework.Change{})
		})
	}
	wg.Wait()
	require.NoError(t, errsOut[0])
	require.NoError(t, errsOut[1])
}

// testOverlapRule checks the store's rule against Overlaps without races:
// other officers, other states and the appointment itself never collide.
func testOverlapRule(t *testing.T, f *fixture) {
	ctx := f.ctx
	accept := func(a outreach.Appointment, officer string) error {
		cur, err := f.s.GetAppointment(ctx, a.ID)
		require.NoError(t, err)
		cur.Status, cur.OfficerID, cur.Version = outreach.AppointmentAccepted, officer, cur.Version+1
		return f.s.UpdateAppointment(ctx, cur, casework.Change{})
	}
	mk := func(start time.Time, d time.Duration) outreach.Appointment {
		a := f.appointment(f.a, "", start, d, outreach.AppointmentRequested)
		require.NoError(t, f.s.CreateAppointment(ctx, a, casework.Change{}))
		return a
	}
	first := mk(f.t0, time.Hour)
	require.NoError(t, accept(first, "st-1"))
	// Re-saving the accepted appointment itself is no overlap.
	cur, err := f.s.GetAppointment(ctx, first.ID)
	require.NoError(t, err)
	cur.Note, cur.Version = "note", cur.Version+1
	require.NoError(t, f.s.UpdateAppointment(ctx, cur, casework.Change{}))

	inside := mk(f.t0.Add(59*time.Minute), time.Hour)
	require.ErrorIs(t, accept(inside, "st-1"), outreach.ErrOverlap)
	require.NoError(t, accept(inside, "st-2"), "another officer is free")
	before := mk(f.t0.Add(-time.Hour), time.Hour)
	require.NoError(t, accept(before, "st-1"), "ends as the first starts")
	cover := mk(f.t0.Add(-2*time.Hour), 4*time.Hour)
	require.ErrorIs(t, accept(cover, "st-1"), outreach.ErrOverlap)
	// Once the first is done, its time is free again.
	cur, err = f.s.GetAppointment(ctx, first.ID)
	require.NoError(t, err)
	cur.Status, cur.Version = outreach.AppointmentDone, cur.Version+1
	require.NoError(t, f.s.UpdateAppointment(ctx, cur, casework.Change{}))
	later := mk(f.t0.Add(30*time.Minute), time.Hour)
	require.NoError(t, accept(later, "st-1"))
	// A requested appointment never collides, whatever its officer field.
	req := f.appointment(f.a, "st-1", f.t0.Add(30*time.Minute), time.Hour, outreach.AppointmentRequested)
	require.NoError(t, f.s.CreateAppointment(ctx, req, casework.Change{}))
	stored, err := f.s.ListAppointments(ctx, outreach.AppointmentFilter{OfficerID: "st-1", Status: []outreach.AppointmentStatus{outreach.AppointmentAccepted}}, all())
	require.NoError(t, err)
	for i, a := range stored {
		for _, b := range stored[i+1:] {
			require.False(t, outreach.Overlaps(a, b), "%s and %s overlap", a.ID, b.ID)
		}
	}
}

func testTally(t *testing.T, f *fixture) {
	ctx := f.ctx
	at := func(h int) time.Time { return f.t0.Add(time.Duration(h) * time.Hour) }
	// Branch A: two visits to one site, one to another; two difficult
	// family visits (one with aid and two services, one finding each kind).
	s1 := f.visit(f.a, at(1), outreach.SecurityKeySite)
	s1.TargetKey, s1.CampaignID = "site-1", "c-1"
	f.addVisit(t, s1)
	s2 := f.visit(f.a1, at(2), outreach.SecurityKeySite)
	s2.TargetKey = "site-1"
	f.addVisit(t, s2)
	s3 := f.visit(f.a1, at(3), outreach.SecurityKeySite)
	s3.TargetKey = "site-2"
	f.addVisit(t, s3)
	d1 := f.visit(f.a, at(4), outreach.DifficultFamily)
	d1.Services = append(d1.Services, outreach.ServiceGiven{Kind: outreach.ServiceErrand})
	d1.Findings = []outreach.Finding{{Kind: outreach.FindingDispute, Step: "dispute/1", OutboxID: "o1"}, {Kind: outreach.FindingLead, Step: "lead/1", OutboxID: "o2"}}
	d1.CampaignID = "c-1"
	f.addVisit(t, d1)
	d2 := f.visit(f.a, at(5), outreach.DifficultFamily)
	d2.Aid, d2.Services = nil, nil
	f.addVisit(t, d2)
	// Branch B, and one visit outside the period.
	f.addVisit(t, f.visit(f.b, at(4), outreach.DifficultFamily))
	f.addVisit(t, f.visit(f.a, at(100), outreach.DifficultFamily))

	hz := func(u casework.Unit, found time.Time, rectified time.Time, visit string) {
		h := f.hazard(u, found, outreach.HazardFound)
		h.VisitID = visit
		if !rectified.IsZero() {
			h.Status, h.RectifiedAt = outreach.HazardRectified, rectified
		}
		require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	}
	hz(f.a, at(1), at(2), d1.ID)    // found and rectified in the period
	hz(f.a1, at(-50), at(3), "")    // found before, rectified in the period
	hz(f.a, at(2), time.Time{}, "") // found, not rectified
	hz(f.a, at(2), at(200), "")     // rectified after the period
	hz(f.b, at(2), at(3), "")       // other branch
	ap := f.appointment(f.a1, "st-1", at(1), time.Hour, outreach.AppointmentDone)
	ap.ClosedAt = at(2)
	require.NoError(t, f.s.CreateAppointment(ctx, ap, casework.Change{}))

	tally, err := f.s.Tally(ctx, outreach.TallyFilter{UnitUnder: f.a.Path, From: at(0), To: at(10)})
	require.NoError(t, err)
	require.Equal(t, int64(3), tally.Visits[outreach.SecurityKeySite])
	require.Equal(t, int64(2), tally.Targets[outreach.SecurityKeySite])
	require.Equal(t, int64(2), tally.Visits[outreach.DifficultFamily])
	require.Zero(t, tally.Targets[outreach.DifficultFamily], "distinct targets are counted only for the kinds whose figure they are")
	require.Equal(t, int64(4), tally.Services[outreach.ServiceDoorToDoor])
	require.Equal(t, int64(1), tally.Services[outreach.ServiceErrand])
	require.Zero(t, tally.Services[outreach.ServiceAppointment])
	require.Equal(t, int64(4), tally.AidVisits)
	require.Equal(t, int64(1), tally.DisputesHanded)
	require.Equal(t, int64(1), tally.LeadsCollected)
	require.Equal(t, int64(3), tally.HazardsFound)
	require.Equal(t, int64(2), tally.HazardsRectified)
	require.Equal(t, int64(1), tally.AppointmentsDone)

	leaf, err := f.s.Tally(ctx, outreach.TallyFilter{UnitUnder: f.a1.Path, From: at(0), To: at(10)})
	require.NoError(t, err)
	require.Equal(t, int64(2), leaf.Visits[outreach.SecurityKeySite])
	require.Equal(t, int64(2), leaf.Targets[outreach.SecurityKeySite])
	require.Zero(t, leaf.Visits[outreach.DifficultFamily])
	require.Zero(t, leaf.HazardsFound)
	require.Equal(t, int64(1), leaf.HazardsRectified)

	camp, err := f.s.Tally(ctx, outreach.TallyFilter{From: at(0), To: at(10), CampaignID: "c-1"})
	require.NoError(t, err)
	require.Equal(t, int64(1), camp.Visits[outreach.SecurityKeySite])
	require.Equal(t, int64(1), camp.Visits[outreach.DifficultFamily])
	require.Equal(t, int64(1), camp.Targets[outreach.DifficultFamily], "a campaign counts the distinct targets of every kind")
	require.Equal(t, int64(1), camp.HazardsFound, "hazards of the campaign's visits")
	require.Zero(t, camp.AppointmentsDone)

	everything, err := f.s.Tally(ctx, outreach.TallyFilter{})
	require.NoError(t, err)
	require.Equal(t, int64(4), everything.Visits[outreach.DifficultFamily])
	require.Equal(t, int64(5), everything.HazardsFound)
	require.Equal(t, int64(4), everything.HazardsRectified)
}

// testHazardHistory: Tally counts each time a hazard reached rectified and
// each rejected fix in the period it happened (outreach.HazardEventOf), so
// a rejection never lowers a past period's figure; a write that fails its
// compare-and-swap records nothing.
func testHazardHistory(t *testing.T, f *fixture) {
	ctx := f.ctx
	at := func(h int) time.Time { return f.t0.Add(time.Duration(h) * time.Hour) }
	h := f.hazard(f.a1, at(0), outreach.HazardFound)
	require.NoError(t, f.s.CreateHazard(ctx, h, casework.Change{}))
	step := func(to outreach.HazardStatus, when time.Time) {
		t.Helper()
		h.Status, h.Version, h.UpdatedAt = to, h.Version+1, when
		switch to {
		case outreach.HazardRectifying:
			h.RectifyingAt, h.RectifiedAt = when, time.Time{}
		case outreach.HazardRectified:
			h.RectifiedAt = when
		case outreach.HazardVerified:
			h.VerifiedAt = when
		}
		require.NoError(t, f.s.UpdateHazard(ctx, h, casework.Change{}))
	}
	type counts struct{ found, rectified, rejected int64 }
	tally := func(from, to time.Time) counts {
		t.Helper()
		got, err := f.s.Tally(ctx, outreach.TallyFilter{UnitUnder: f.a.Path, From: from, To: to})
		require.NoError(t, err)
		return counts{got.HazardsFound, got.HazardsRectified, got.HazardFixesRejected}
	}
	p1, p2 := [2]time.Time{at(0), at(10)}, [2]time.Time{at(10), at(20)}

	step(outreach.HazardRectifying, at(1))
	step(outreach.HazardRectified, at(2))
	require.Equal(t, counts{1, 1, 0}, tally(p1[0], p1[1]))
	// A stale write changes nothing, and records nothing.
	stale := h
	stale.Status, stale.UpdatedAt, stale.RectifyingAt = outreach.HazardRectifying, at(11), at(11)
	require.ErrorIs(t, f.s.UpdateHazard(ctx, stale, casework.Change{}), outreach.ErrConflict)
	require.Equal(t, counts{0, 0, 0}, tally(p2[0], p2[1]))

	step(outreach.HazardRectifying, at(12)) // the fix is rejected in the next period
	require.Equal(t, counts{1, 1, 0}, tally(p1[0], p1[1]), "a past period never changes")
	require.Equal(t, counts{0, 0, 1}, tally(p2[0], p2[1]))
	step(outreach.HazardRectified, at(13)) // and fixed again
	step(outreach.HazardVerified, at(14))
	require.Equal(t, counts{1, 1, 0}, tally(p1[0], p1[1]))
	require.Equal(t, counts{0, 1, 1}, tally(p2[0], p2[1]))
	require.Equal(t, counts{1, 2, 1}, tally(time.Time{}, time.Time{}))
	other, err := f.s.Tally(ctx, outreach.TallyFilter{UnitUnder: f.b.Path})
	require.NoError(t, err)
	require.Zero(t, other.HazardsRectified+other.HazardFixesRejected, "another branch's hazards")
}

// testAmendedVisit: a visit amended (its services, aid, person; a
// visit's kind, time and target are fixed once recorded) changes its
// figures in the grid of whole days — which the SQL stores answer from
// roll-up rows and, in their tests, check against the raw rows — by day
// and by unit; the kinds counted by target count each target once.
func testAmendedVisit(t *testing.T, f *fixture) {
	ctx := f.ctx
	cst := time.FixedZone("CST", 8*3600)
	day := func(d, h int) time.Time { return time.Date(2024, 3, 1+d, h, 0, 0, 0, cst) }
	v1 := f.visit(f.a1, day(0, 10), outreach.SecurityKeySite)
	v2 := f.visit(f.a1, day(0, 11), outreach.SecurityKeySite)
	v1.TargetKey, v2.TargetKey = "site:1", "site:1"
	f.addVisit(t, v1)
	f.addVisit(t, v2)
	f.addVisit(t, f.visit(f.b, day(1, 9), outreach.DifficultFamily))
	series := casework.Grid{Paths: []string{f.root.Path}, Bounds: []time.Time{day(0, 0), day(1, 0), day(2, 0)}}
	got, err := f.s.TallyGrid(ctx, series)
	require.NoError(t, err)
	require.Equal(t, int64(2), got[0].Visits[outreach.SecurityKeySite])
	require.Equal(t, int64(1), got[0].Targets[outreach.SecurityKeySite], "one site visited twice")
	require.Equal(t, int64(2), got[0].AidVisits)
	require.Equal(t, int64(1), got[1].Visits[outreach.DifficultFamily])
	require.Zero(t, got[1].Targets[outreach.DifficultFamily], "a kind counted by visits has no target count")

	v2.Aid, v2.Services, v2.Version = nil, append(v2.Services, outreach.ServiceGiven{Kind: outreach.ServiceErrand, Note: "n"}), 2
	require.NoError(t, f.s.UpdateVisit(ctx, v2, casework.Change{}))
	got, err = f.s.TallyGrid(ctx, series)
	require.NoError(t, err)
	require.Equal(t, int64(2), got[0].Visits[outreach.SecurityKeySite])
	require.Equal(t, int64(1), got[0].Targets[outreach.SecurityKeySite])
	require.Equal(t, int64(1), got[0].Services[outreach.ServiceErrand], "the service added to the visit")
	require.Equal(t, int64(2), got[0].Services[outreach.ServiceDoorToDoor])
	require.Equal(t, int64(1), got[0].AidVisits, "the aid taken off the visit")

	byUnit, err := f.s.TallyGrid(ctx, casework.Grid{Paths: []string{f.a.Path, f.a1.Path, f.b.Path}, Bounds: []time.Time{day(0, 0), day(2, 0)}})
	require.NoError(t, err)
	for r, want := range []int64{2, 2, 0} {
		require.Equal(t, want, byUnit[r].Visits[outreach.SecurityKeySite], "row %d", r)
	}
	require.Equal(t, int64(1), byUnit[2].Visits[outreach.DifficultFamily])
	require.Equal(t, int64(1), byUnit[1].Services[outreach.ServiceErrand])
}

package mediation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	t.Parallel()
	k, err := casework.New(casemem.New(), nil)
	require.NoError(t, err)
	_, err = mediation.New(nil, memstore.New(casemem.New()), nil)
	require.Error(t, err)
	_, err = mediation.New(k, nil, nil)
	require.Error(t, err)
	_, err = mediation.New(k, memstore.New(casemem.New()), &mediation.Config{MediationLimit: -1})
	require.Error(t, err)

	// An integrator's policy row and code survive the service's defaults.
	p := casework.NewPolicy()
	require.NoError(t, p.Set(casework.Rule{Action: mediation.ActionReport, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleSupervisor}}))
	k, err = casework.New(casemem.New(), &casework.Config{Policy: p, Codes: []casework.CodeList{{Name: mediation.ListCategory,
		Codes: []casework.Code{{Value: "neighbour/parking", Parent: "neighbour", ZH: "停车", EN: "Parking"}, {Value: "neighbour", ZH: "邻里", EN: "Neighbours"}}}}})
	require.NoError(t, err)
	svc, err := mediation.New(k, memstore.New(casemem.New()), nil)
	require.NoError(t, err)
	rule, _ := k.Policy().Rule(mediation.ActionReport)
	require.Equal(t, []casework.Role{casework.RoleSupervisor}, rule.Roles)
	require.Equal(t, "邻里", k.Codes().Label(mediation.ListCategory, "neighbour"))
	_, ok := k.Codes().Lookup(mediation.ListCategory, "neighbour/parking")
	require.True(t, ok)
	_, ok = k.Codes().Lookup(mediation.ListCategory, "marriage_family")
	require.True(t, ok)
	require.Equal(t, mediation.Config{ReviewDeadline: 24 * time.Hour, MediationLimit: 30, ConfirmationWindow: 30, NoticeAhead: 48 * time.Hour}, svc.Config())
}

func TestReportValidation(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	base := func() mediation.ReportInput {
		return mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour/noise", Source: mediation.SourceWalkIn, Facts: "f"}
	}
	for _, tc := range []struct {
		name  string
		mut   func(in *mediation.ReportInput)
		field string
		rule  string
	}{
		{"category code", func(in *mediation.ReportInput) { in.Category = "neighbour/ghosts" }, "category", "code"},
		{"category required", func(in *mediation.ReportInput) { in.Category = "" }, "category", "required"},
		{"source code", func(in *mediation.ReportInput) { in.Source = "rumour" }, "source", "code"},
		{"facts required", func(in *mediation.ReportInput) { in.Facts = "  " }, "facts", "required"},
		{"facts length", func(in *mediation.ReportInput) { in.Facts = strings.Repeat("纠", 10001) }, "facts", "max"},
		{"kind", func(in *mediation.ReportInput) { in.Kind = "arbitration" }, "kind", "oneof"},
		{"risk", func(in *mediation.ReportInput) { in.Risk = "extreme" }, "risk", "oneof"},
		{"high risk needs a reason", func(in *mediation.ReportInput) { in.Risk = mediation.RiskHigh }, "riskReason", "required"},
		{"not in the future", func(in *mediation.ReportInput) { in.ReportedAt = local(5, 7, 0, 0) }, "reportedAt", "past"},
		{"address exists", func(in *mediation.ReportInput) { in.AddressID = "nowhere" }, "addressId", "exists"},
		{"party exists", func(in *mediation.ReportInput) {
			in.Parties = []mediation.Party{{PersonID: "nobody", Role: mediation.Applicant}}
		}, "parties[0].personId", "exists"},
		{"party role", func(in *mediation.ReportInput) { in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: "witness"}} }, "parties[0].role", "oneof"},
		{"party once", func(in *mediation.ReportInput) {
			in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.a.ID, Role: mediation.Respondent}}
		}, "parties[1].personId", "unique"},
		{"a party represents no party", func(in *mediation.ReportInput) {
			in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.b.ID, Role: mediation.Respondent,
				Representatives: []mediation.Representative{{PersonID: f.a.ID, Role: mediation.Agent}}}}
		}, "parties[1].representatives[0].personId", "not_party"},
		{"representative role", func(in *mediation.ReportInput) {
			in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant, Representatives: []mediation.Representative{{PersonID: f.agent.ID, Role: "friend"}}}}
		}, "parties[0].representatives[0].role", "oneof"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			tc.mut(&in)
			_, err := f.svc.Report(f.ctx, f.officer, in)
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("extended category", func(t *testing.T) {
		t.Parallel()
		f.k.Codes().Add(casework.CodeList{Name: mediation.ListCategory, Codes: []casework.Code{{Value: "neighbour/parking", Parent: "neighbour", ZH: "停车纠纷"}}})
		in := base()
		in.Category = "neighbour/parking"
		d, err := f.svc.Report(f.ctx, f.officer, in)
		require.NoError(t, err)
		rows, _, err := f.svc.List(f.ctx, f.officer, mediation.Query{Category: "neighbour"})
		require.NoError(t, err)
		require.Contains(t, ids(rows), d.ID)
	})
}

func ids(ds []mediation.Dispute) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestReportIdempotent(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	in := mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour", Source: mediation.SourceWalkIn, Facts: "f", RequestKey: "req-1"}
	first, err := f.svc.Report(f.ctx, f.officer, in)
	require.NoError(t, err)
	again, err := f.svc.Report(f.ctx, f.officer, in)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID)
	in.Facts = "different"
	_, err = f.svc.Report(f.ctx, f.officer, in)
	require.ErrorIs(t, err, mediation.ErrConflict)
	rows, _, err := f.svc.List(f.ctx, f.officer, mediation.Query{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation) // assigned: mediator and lawyer
	sess := mediation.SessionInput{Place: "人民调解室", Notes: "n", Mediators: []mediation.Mediator{{StaffID: f.mediator.StaffID, Role: casework.RoleMediator}}}

	_, err := f.svc.RecordSession(f.ctx, f.otherMediator, d.ID, d.Version, sess)
	require.ErrorIs(t, err, mediation.ErrForbidden, "an unassigned mediator does not act")
	_, err = f.svc.Get(f.ctx, f.otherMediator, d.ID)
	require.ErrorIs(t, err, mediation.ErrForbidden, "nor reads the dispute")
	rows, _, err := f.svc.List(f.ctx, f.otherMediator, mediation.Query{})
	require.NoError(t, err)
	require.Empty(t, rows, "a mediator lists only assigned disputes")
	rows, _, err = f.svc.List(f.ctx, f.lawyer, mediation.Query{})
	require.NoError(t, err)
	require.Equal(t, []string{d.ID}, ids(rows))

	d, err = f.svc.RecordSession(f.ctx, f.lawyer, d.ID, d.Version, sess)
	require.NoError(t, err, "an assigned lawyer acts")
	_, err = f.svc.Transition(f.ctx, f.lawyer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateFailed, Reason: "r"})
	require.NoError(t, err, "mediators and lawyers end mediation")

	other := f.to(mediation.StateFailed)
	_, err = f.svc.Transition(f.ctx, f.mediator, other.ID, other.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrForbidden, "closing is the station's")

	_, err = f.svc.Get(f.ctx, f.stranger, other.ID)
	require.ErrorIs(t, err, mediation.ErrNotFound, "out of reach is not found")
	_, err = f.svc.Transition(f.ctx, f.stranger, other.ID, other.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrNotFound)
	_, err = f.svc.Report(f.ctx, f.auditor, mediation.ReportInput{UnitID: f.station.ID, Category: "other", Source: mediation.SourceWalkIn, Facts: "f"})
	require.ErrorIs(t, err, mediation.ErrForbidden, "an auditor changes nothing")
	_, err = f.svc.Report(f.ctx, f.mediator, mediation.ReportInput{UnitID: f.station.ID, Category: "other", Source: mediation.SourceWalkIn, Facts: "f"})
	require.ErrorIs(t, err, mediation.ErrForbidden)
	got, err := f.svc.Get(f.ctx, f.auditor, other.ID)
	require.NoError(t, err, "an auditor reads")
	require.Equal(t, other.ID, got.ID)
	forged := f.officer
	forged.Roles = []casework.Role{casework.RoleSupervisor}
	_, err = f.svc.Review(f.ctx, forged, other.ID, other.Version, "x")
	require.ErrorIs(t, err, mediation.ErrForbidden, "an actor cannot claim a role it does not hold")

	// A share with another branch grants read there, never write.
	_, err = f.svc.Share(f.ctx, f.mediator, other.ID, f.otherBranch.ID, "协查", time.Time{})
	require.ErrorIs(t, err, mediation.ErrForbidden)
	_, err = f.svc.Share(f.ctx, f.officer, other.ID, f.otherBranch.ID, "协查", time.Time{})
	require.NoError(t, err)
	_, err = f.svc.Get(f.ctx, f.stranger, other.ID)
	require.NoError(t, err)
	_, err = f.svc.Transition(f.ctx, f.stranger, other.ID, other.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrForbidden)
}

func TestAssignAndParties(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateAccepted)
	_, err := f.svc.Assign(f.ctx, f.mediator, d.ID, d.Version, mediation.AssignInput{Staff: []string{f.otherMediator.StaffID}, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrForbidden)
	d, err = f.svc.Assign(f.ctx, f.officer, d.ID, d.Version, mediation.AssignInput{Staff: []string{f.otherMediator.StaffID}, Reason: "换人调解"})
	require.NoError(t, err)
	require.Equal(t, []string{f.otherMediator.StaffID}, d.Assigned)
	_, err = f.svc.Get(f.ctx, f.mediator, d.ID)
	require.ErrorIs(t, err, mediation.ErrForbidden, "the former mediator no longer acts")

	d, err = f.svc.UpdateParties(f.ctx, f.otherMediator, d.ID, d.Version, []mediation.Party{
		{PersonID: f.a.ID, Role: mediation.Applicant, Representatives: []mediation.Representative{{PersonID: f.agent.ID, Role: mediation.Agent}}},
		{PersonID: f.other.ID, Role: mediation.Respondent}})
	require.NoError(t, err)
	rows, _, err := f.svc.List(f.ctx, f.officer, mediation.Query{PartyDocNumber: idOther})
	require.NoError(t, err)
	require.Equal(t, []string{d.ID}, ids(rows))
	rows, _, err = f.svc.List(f.ctx, f.officer, mediation.Query{PartyDocNumber: idAdultB})
	require.NoError(t, err)
	require.Empty(t, rows, "the party removed is no longer found")
	rows, _, err = f.svc.List(f.ctx, f.officer, mediation.Query{PartyDocNumber: idAgent})
	require.NoError(t, err)
	require.Empty(t, rows, "a representative is not a party")

	closed := f.to(mediation.StateClosed)
	_, err = f.svc.UpdateParties(f.ctx, f.officer, closed.ID, closed.Version, closed.Parties)
	requireField(t, err, "parties", "state")
	_, err = f.svc.Assign(f.ctx, f.officer, closed.ID, closed.Version, mediation.AssignInput{Staff: nil, Reason: "r"})
	requireField(t, err, "staff", "state")
}

func TestSessionRules(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	med := func(id string, role casework.Role) []mediation.Mediator {
		return []mediation.Mediator{{StaffID: id, Role: role}}
	}
	for _, tc := range []struct {
		name  string
		in    func() mediation.SessionInput
		field string
		rule  string
	}{
		{"place", func() mediation.SessionInput {
			return mediation.SessionInput{Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleOfficer)}
		}, "place", "required"},
		{"notes", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Mediators: med(f.officer.StaffID, casework.RoleOfficer)}
		}, "notes", "required"},
		{"mediators", func() mediation.SessionInput { return mediation.SessionInput{Place: "p", Notes: "n"} }, "mediators", "required"},
		{"role held", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleLawyer)}
		}, "mediators[0].role", "holds_role"},
		{"mediating role", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.auditor.StaffID, casework.RoleAuditor)}
		}, "mediators[0].role", "oneof"},
		{"assigned mediator", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.otherMediator.StaffID, casework.RoleMediator)}
		}, "mediators[0].staffId", "assigned"},
		{"attendee person or name", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleOfficer), Attendees: []mediation.Attendee{{}}}
		}, "attendees[0]", "person_or_name"},
		{"attendee exists", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleOfficer), Attendees: []mediation.Attendee{{PersonID: "x"}}}
		}, "attendees[0].personId", "exists"},
		{"not in the future", func() mediation.SessionInput {
			return mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleOfficer), At: local(6, 1, 0, 0)}
		}, "at", "past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.to(mediation.StateInMediation)
			_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, tc.in())
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("only in mediation", func(t *testing.T) {
		t.Parallel()
		d := f.to(mediation.StateAccepted)
		_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, mediation.SessionInput{Place: "p", Notes: "n", Mediators: med(f.officer.StaffID, casework.RoleOfficer)})
		requireField(t, err, "state", "in_mediation")
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	noise := f.report()
	f.at(local(5, 8, 9, 0))
	dog := f.report(func(in *mediation.ReportInput) {
		in.Category, in.Risk, in.RiskReason, in.Source = "neighbour/animal", mediation.RiskHigh, "可能民转刑", mediation.SourceOutreach
		in.Parties = []mediation.Party{{PersonID: f.other.ID, Role: mediation.Applicant}, {PersonID: f.b.ID, Role: mediation.Respondent}}
	})
	f.at(local(5, 9, 9, 0))
	wages := f.report(func(in *mediation.ReportInput) {
		in.Category, in.Kind, in.Police = "labour/wages", mediation.KindPolice, policeFacts()
		in.Parties = nil
	})
	wages = f.move(wages, f.officer, mediation.TransitionInput{To: mediation.StateNotAccepted, Reason: "属劳动争议，告知向劳动仲裁申请"})
	for _, tc := range []struct {
		name string
		q    mediation.Query
		want []string
	}{
		{"all", mediation.Query{}, []string{noise.ID, dog.ID, wages.ID}},
		{"state", mediation.Query{States: []mediation.State{mediation.StateNotAccepted}}, []string{wages.ID}},
		{"first-level category", mediation.Query{Category: "neighbour"}, []string{noise.ID, dog.ID}},
		{"category", mediation.Query{Category: "neighbour/animal"}, []string{dog.ID}},
		{"risk", mediation.Query{Risk: mediation.RiskHigh}, []string{dog.ID}},
		{"kind", mediation.Query{Kind: mediation.KindPolice}, []string{wages.ID}},
		{"source", mediation.Query{Source: mediation.SourceOutreach}, []string{dog.ID}},
		{"party ID number", mediation.Query{PartyDocNumber: idAdultB}, []string{noise.ID, dog.ID}},
		{"party ID number, lower-case x and spaces normalised", mediation.Query{PartyDocNumber: " " + idAdultA + " "}, []string{noise.ID}},
		{"period", mediation.Query{ReportedFrom: local(5, 8, 0, 0), ReportedTo: local(5, 9, 0, 0)}, []string{dog.ID}},
		{"unit subtree", mediation.Query{UnitID: f.station.ID}, []string{noise.ID, dog.ID, wages.ID}},
		{"overdue", mediation.Query{Overdue: true, Now: local(5, 9, 9, 0)}, []string{dog.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rows, next, err := f.svc.List(f.ctx, f.supervisor, tc.q)
			require.NoError(t, err)
			require.Empty(t, next)
			require.Equal(t, tc.want, ids(rows))
			for _, d := range rows {
				require.Nil(t, d.PartyDocIndex, "document indexes never leave the service")
			}
		})
	}
	t.Run("a unit outside the subtree", func(t *testing.T) {
		t.Parallel()
		_, _, err := f.svc.List(f.ctx, f.officer, mediation.Query{UnitID: f.otherBranch.ID})
		require.ErrorIs(t, err, mediation.ErrNotFound)
	})
	t.Run("paging", func(t *testing.T) {
		t.Parallel()
		rows, next, err := f.svc.List(f.ctx, f.supervisor, mediation.Query{Page: casework.Page{Limit: 2}})
		require.NoError(t, err)
		require.Equal(t, []string{noise.ID, dog.ID}, ids(rows))
		rows, next, err = f.svc.List(f.ctx, f.supervisor, mediation.Query{Page: casework.Page{Limit: 2, After: next}})
		require.NoError(t, err)
		require.Equal(t, []string{wages.ID}, ids(rows))
		require.Empty(t, next)
		_, _, err = f.svc.List(f.ctx, f.supervisor, mediation.Query{Page: casework.Page{After: "garbage!"}})
		require.ErrorIs(t, err, mediation.ErrInvalid)
	})
}

func TestTotals(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	f.to(mediation.StateClosed)                                          // found, accepted, settled
	f.to(mediation.StateReferred)                                        // found, accepted, failed, referred
	f.to(mediation.StateScreened)                                        // found
	f.report(func(in *mediation.ReportInput) { in.Category = "labour" }) // found
	f.at(local(6, 2, 9, 0))
	f.to(mediation.StateAgreed) // June
	q := casework.ReportQuery{UnitID: f.station.ID, From: local(5, 1, 0, 0), To: local(5, 31, 0, 0)}

	rows, err := f.svc.Breakdown(f.ctx, f.supervisor, casework.ReportQuery{From: q.From, To: q.To}, mediation.ByNone)
	require.NoError(t, err)
	require.Equal(t, []mediation.Totals{{TotalsRow: mediation.TotalsRow{Found: 4, Accepted: 2, Settled: 1, Failed: 1, Referred: 1}, Label: "合计", SettlementRate: 250}}, rows)

	rows, err = f.svc.Breakdown(f.ctx, f.supervisor, q, mediation.ByCategoryTop)
	require.NoError(t, err)
	require.Equal(t, []mediation.Totals{
		{TotalsRow: mediation.TotalsRow{Key: "labour", Found: 1}, Label: "劳动争议/劳资纠纷"},
		{TotalsRow: mediation.TotalsRow{Key: "neighbour", Found: 3, Accepted: 2, Settled: 1, Failed: 1, Referred: 1}, Label: "邻里纠纷", SettlementRate: 333},
	}, rows)

	rows, err = f.svc.Breakdown(f.ctx, f.supervisor, q, mediation.ByState)
	require.NoError(t, err)
	require.Equal(t, []string{"已结案", "已移送", "已登记", "已研判"}, labels(rows), "ordered by key: closed, referred, reported, screened")

	rows, err = f.svc.Breakdown(f.ctx, f.supervisor, q, mediation.ByUnit)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "般阳路派出所", rows[0].Label)

	one, err := f.svc.Totals(f.ctx, f.supervisor, q)
	require.NoError(t, err)
	require.Equal(t, mediation.Totals{TotalsRow: mediation.TotalsRow{Found: 4, Accepted: 2, Settled: 1, Failed: 1, Referred: 1}, Label: "合计", SettlementRate: 250}, one)
	byUnit, err := f.svc.TotalsByUnit(f.ctx, f.auditor, casework.ReportQuery{UnitID: f.root.ID, From: q.From, To: q.To})
	require.NoError(t, err)
	require.NotEmpty(t, byUnit)
	require.Equal(t, f.root.ID, byUnit[0].Unit.ID, "the queried unit first, over its whole subtree")
	require.Equal(t, one.TotalsRow, byUnit[0].Totals.TotalsRow)
	var sum int64
	for _, r := range byUnit[1:] {
		sum += r.Totals.Found
	}
	require.Equal(t, one.Found, sum, "the child rows add up to the whole")

	_, err = f.svc.Breakdown(f.ctx, f.supervisor, q, "weather")
	requireField(t, err, "by", "oneof")
	_, err = f.svc.Breakdown(f.ctx, f.mediator, q, mediation.ByNone)
	require.ErrorIs(t, err, mediation.ErrForbidden)
	_, err = f.svc.Breakdown(f.ctx, f.stranger, q, mediation.ByNone)
	require.ErrorIs(t, err, mediation.ErrNotFound)

	figures, err := f.k.Report(f.ctx, f.auditor, casework.ReportQuery{UnitID: f.root.ID, From: local(5, 1, 0, 0), To: local(6, 30, 0, 0)})
	require.NoError(t, err)
	byKey := map[string]int64{}
	for _, fg := range figures {
		byKey[fg.Key] = fg.Value
	}
	require.Equal(t, int64(2), byKey["mediation.disputes.settled"])
	require.Equal(t, int64(5), byKey["mediation.disputes.found"])
	require.Equal(t, int64(400), byKey["mediation.settlement_rate"])

	require.Equal(t, int64(0), mediation.SettlementRate(3, 0))
	require.Equal(t, int64(667), mediation.SettlementRate(2, 3))
	require.Equal(t, int64(1500), mediation.SettlementRate(3, 2))
}

func labels(rows []mediation.Totals) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Label)
	}
	return out
}

func TestIntake(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	finding := casework.DisputeFinding{Source: casework.Source{Kind: "visit", ID: "v-1", Step: "dispute/1"}, Actor: f.officer,
		UnitID: f.station.ID, Category: "neighbour/animal", Summary: "大型犬扰民", PartyIDs: []string{f.a.ID, f.b.ID},
		Risk: "high", FoundAt: local(5, 6, 8, 0)}
	id, err := f.svc.IntakeDispute(f.ctx, finding)
	require.NoError(t, err)
	again, err := f.svc.IntakeDispute(f.ctx, finding)
	require.NoError(t, err)
	require.Equal(t, id, again)
	d, err := f.svc.Get(f.ctx, f.officer, id)
	require.NoError(t, err)
	require.Equal(t, &finding.Source, d.Origin, "linked back to the visit")
	require.Equal(t, mediation.SourceOutreach, d.Source)
	require.Equal(t, local(5, 6, 8, 0).UTC(), d.ReportedAt)
	require.Equal(t, []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.b.ID, Role: mediation.Respondent}}, d.Parties)
	require.Equal(t, mediation.RiskHigh, d.Risk)
	require.NotEmpty(t, d.RiskReason)
	require.Equal(t, []string{"mediation.intake"}, f.auditActions(id))

	odd := finding
	odd.Source.ID, odd.Category, odd.Summary, odd.FoundAt = "v-2", "cosmic", "", local(9, 1, 0, 0)
	id2, err := f.svc.IntakeDispute(f.ctx, odd)
	require.NoError(t, err)
	d2, err := f.svc.Get(f.ctx, f.officer, id2)
	require.NoError(t, err)
	require.Equal(t, "other", d2.Category)
	require.Contains(t, d2.Facts, "cosmic")
	require.Equal(t, f.k.Now(), d2.ReportedAt, "a found time in the future is now")

	stranger := finding
	stranger.Source.ID, stranger.Actor = "v-3", f.stranger
	_, err = f.svc.IntakeDispute(f.ctx, stranger)
	require.ErrorIs(t, err, mediation.ErrNotFound, "the finder must reach the unit")
	_, err = f.svc.IntakeDispute(f.ctx, casework.DisputeFinding{})
	requireField(t, err, "source", "required")
}

// TestIntakeThroughOutbox hands a finding over the way outreach will: an
// outbox message committed by the sender, delivered (twice) by the kernel.
func TestIntakeThroughOutbox(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	// mediation.New registered IntakeDispute as the receiver.
	finding := casework.DisputeFinding{Source: casework.Source{Kind: "visit", ID: "v-9", Step: "dispute/1"}, Actor: f.officer,
		UnitID: f.station.ID, Category: "neighbour/noise", Summary: "噪音", FoundAt: local(5, 6, 8, 0)}
	msg, err := f.k.NewOutboxMessage(casework.KindDisputeFinding, finding.Source, finding)
	require.NoError(t, err)
	require.NoError(t, f.k.Store().CommitChange(f.ctx, casework.Change{Outbox: []casework.OutboxMessage{msg}}))
	n, err := f.k.DeliverPending(f.ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	out, err := f.k.Store().ListOutbox(f.ctx, "visit", "v-9")
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.NotEmpty(t, out[0].ResultID)

	// A second delivery of the same finding (a crash before the
	// acknowledgement) creates nothing new.
	id, err := casework.Receive(f.svc.IntakeDispute)(f.ctx, msg)
	require.NoError(t, err)
	require.Equal(t, out[0].ResultID, id)
	rows, _, err := f.svc.List(f.ctx, f.officer, mediation.Query{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
}

// TestAuditChain walks a dispute through every kind of change and checks
// that each is one audit entry, that the chain verifies, and that no
// document index reaches an audit payload.
func TestAuditChain(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "可能民转刑" })
	d, err := f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, "已稳控")
	require.NoError(t, err)
	d, err = f.svc.Assess(f.ctx, f.officer, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskMedium, Reason: "已缓和"})
	require.NoError(t, err)
	for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d = f.step(d, s)
	}
	d, err = f.svc.RecordSession(f.ctx, f.mediator, d.ID, d.Version, mediation.SessionInput{Place: "人民调解室", Notes: "n",
		Mediators: []mediation.Mediator{{StaffID: f.mediator.StaffID, Role: casework.RoleMediator}}})
	require.NoError(t, err)
	d = f.written(d, true, local(5, 10, 0, 0))
	d = f.signAll(d)
	f.at(local(5, 8, 9, 0))
	d, err = f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院"})
	require.NoError(t, err)
	d, err = f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 1, Status: mediation.Performed}}})
	require.NoError(t, err)
	d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateClosed})

	require.Equal(t, []string{
		"mediation.report", "mediation.review", "mediation.assess",
		"mediation.state.screened", "mediation.state.accepted", "mediation.state.in_mediation",
		"mediation.session", "mediation.agreement",
		"mediation.agreement.sign", "mediation.agreement.sign", "mediation.agreement.sign",
		"mediation.confirmation.apply", "mediation.follow_up", "mediation.state.closed",
	}, f.auditActions(d.ID))
	require.Equal(t, []mediation.State{"", mediation.StateReported, mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation,
		mediation.StateAgreed, mediation.StateFollowingUp}, froms(d.History))
	f.verify()

	stored, err := f.svc.History(f.ctx, f.auditor, d.ID)
	require.NoError(t, err)
	require.Len(t, stored, 14)
	var payloads [][]byte
	require.NoError(t, f.k.Store().ScanAudit(f.ctx, 1, func(e casework.AuditEntry, p []byte) error {
		if e.RecordID == d.ID {
			payloads = append(payloads, p)
		}
		return nil
	}))
	idx, err := f.k.DocIndex(f.ctx, casework.DocResidentID, idAdultA)
	require.NoError(t, err)
	for _, p := range payloads {
		require.NotContains(t, string(p), idx, "a document index in an audit payload")
		require.NotContains(t, string(p), idAdultA)
		var v map[string]any
		require.NoError(t, json.Unmarshal(p, &v))
	}
}

func froms(h []mediation.Step) []mediation.State {
	out := []mediation.State{}
	for _, s := range h {
		out = append(out, s.From)
	}
	return out
}

func TestPrint(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report(func(in *mediation.ReportInput) {
		in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant},
			{PersonID: f.b.ID, Role: mediation.Respondent, Representatives: []mediation.Representative{{PersonID: f.agent.ID, Role: mediation.Agent}}}}
	})
	for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d = f.step(d, s)
	}
	d, err := f.svc.RecordSession(f.ctx, f.mediator, d.ID, d.Version, mediation.SessionInput{Place: "般阳路派出所人民调解室",
		Notes:     "双方陈述<script>alert(1)</script>\n双方同意和解",
		Mediators: []mediation.Mediator{{StaffID: f.officer.StaffID, Role: casework.RoleOfficer}, {StaffID: f.mediator.StaffID, Role: casework.RoleMediator}, {StaffID: f.lawyer.StaffID, Role: casework.RoleLawyer}},
		Attendees: []mediation.Attendee{{PersonID: f.a.ID, Role: "申请人"}, {Name: "物业公司工作人员", Role: "物业公司"}}})
	require.NoError(t, err)
	d = f.written(d, false, local(5, 10, 0, 0))

	var buf bytes.Buffer
	require.NoError(t, f.svc.PrintAgreement(f.ctx, f.officer, d.ID, &buf, nil))
	html := buf.String()
	for _, want := range []string{"<h1>人民调解协议书</h1>", "申请人：张某", "被申请人：刘某", "委托代理人：代理人", "370302********0012",
		"纠纷主要事实", "争议事项", "各方当事人责任", "相互赔礼道歉", "于2020年5月10日前履行", "履行方式：自觉履行", "2020年5月20日前履行完毕",
		"三十日内共同向人民法院申请司法确认", "调解员（签名）", "般阳路派出所（盖章）"} {
		require.Contains(t, html, want)
	}
	require.NotContains(t, html, idAdultA, "masked unless revealed")

	buf.Reset()
	require.NoError(t, f.svc.PrintAgreement(f.ctx, f.officer, d.ID, &buf, &mediation.PrintOptions{RevealReason: "打印签字版"}))
	require.Contains(t, buf.String(), idAdultA)
	err = f.svc.PrintAgreement(f.ctx, f.admin, d.ID, &bytes.Buffer{}, &mediation.PrintOptions{RevealReason: "x"})
	require.ErrorIs(t, err, mediation.ErrForbidden, "an admin never reveals")
	for _, print := range []func() error{
		func() error { return f.svc.PrintAgreement(f.ctx, f.officer, d.ID, nil, nil) },
		func() error { return f.svc.PrintRecord(f.ctx, f.officer, d.ID, d.Sessions[0].ID, nil, nil) },
		func() error { return f.svc.PrintAgreement(f.ctx, casework.Actor{}, "", nil, nil) },
	} {
		require.NotPanics(t, func() { err = print() })
		require.ErrorIs(t, err, mediation.ErrInvalid, "a nil writer is invalid input, not a panic")
	}

	buf.Reset()
	require.NoError(t, f.svc.PrintRecord(f.ctx, f.lawyer, d.ID, d.Sessions[0].ID, &buf, nil))
	rec := buf.String()
	for _, want := range []string{"<h1>调解笔录</h1>", "时间：2020年5月6日09时00分", "地点：般阳路派出所人民调解室",
		"调解人：民警王民警、人民调解员李调解员、驻所公益律师赵律师", "参加人：张某（申请人）、物业公司工作人员（物业公司）", "<p>双方同意和解</p>", "&lt;script&gt;", "记录人：李调解员"} {
		require.Contains(t, rec, want)
	}
	require.NotContains(t, rec, "<script>")

	require.ErrorIs(t, f.svc.PrintRecord(f.ctx, f.officer, d.ID, "nope", &buf, nil), mediation.ErrNotFound)
	bare := f.report()
	requireField(t, f.svc.PrintAgreement(f.ctx, f.officer, bare.ID, &buf, nil), "agreement", "exists")
	require.ErrorIs(t, f.svc.PrintAgreement(f.ctx, f.stranger, d.ID, &buf, nil), mediation.ErrNotFound)

	oral := f.to(mediation.StateAgreed)
	buf.Reset()
	require.NoError(t, f.svc.PrintAgreement(f.ctx, f.officer, oral.ID, &buf, nil))
	require.Contains(t, buf.String(), "口头调解协议记录")
	require.Contains(t, buf.String(), "本口头协议达成即生效")
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report()
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	_, err := f.svc.Transition(ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r"})
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	got, err := f.svc.Get(f.ctx, f.officer, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, got)
}

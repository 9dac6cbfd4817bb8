package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// TestServiceOnSQL walks a dispute through the service on each SQL engine:
// what the service writes survives the database, the party filter and
// totals work there, and the audit chain verifies.
func TestServiceOnSQL(t *testing.T) {
	t.Parallel()
	for name, engine := range map[string]casesql.Engine{"sqlite": casesql.SQLite, "postgres": casesql.Postgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var store mediation.Store
			var ks casework.KernelStore
			if engine == casesql.SQLite {
				store, ks = open(t, testdb.SQLite(t), engine)
			} else {
				store, ks = open(t, testdb.Postgres(t).DB, engine)
			}
			walk(t, store, ks)
		})
	}
}

func walk(t *testing.T, store mediation.Store, ks casework.KernelStore) {
	ctx := context.Background()
	zone := casework.DefaultZone()
	clock := casework.NewFixedClock(time.Date(2020, 5, 6, 9, 0, 0, 0, zone))
	k, err := casework.New(ks, &casework.Config{Clock: clock})
	require.NoError(t, err)
	svc, err := mediation.New(k, store, nil)
	require.NoError(t, err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	station, err := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: root.ID})
	require.NoError(t, err)
	actor := func(name string, roles ...casework.Role) casework.Actor {
		s, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: station.ID, Name: name, Roles: roles})
		require.NoError(t, err)
		return casework.Actor{StaffID: s.ID, UnitID: station.ID, Roles: roles}
	}
	officer, mediator := actor("王民警", casework.RoleOfficer), actor("李调解员", casework.RoleMediator)
	auditorStaff, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "审计", Roles: []casework.Role{casework.RoleAuditor}})
	require.NoError(t, err)
	auditor := casework.Actor{StaffID: auditorStaff.ID, UnitID: root.ID, Roles: auditorStaff.Roles}
	person := func(name, doc string) casework.Person {
		p, err := k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: name, DocType: casework.DocResidentID, DocNumber: doc})
		require.NoError(t, err)
		return p
	}
	a, b := person("张某", "370302198003150012"), person("刘某", "370302197511020025")

	d, err := svc.Report(ctx, officer, mediation.ReportInput{UnitID: station.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts: "互扔垃圾", Risk: mediation.RiskHigh, RiskReason: "可能民转刑",
		Parties: []mediation.Party{{PersonID: a.ID, Role: mediation.Applicant}, {PersonID: b.ID, Role: mediation.Respondent}}})
	require.NoError(t, err)
	step := func(in mediation.TransitionInput) {
		t.Helper()
		in.Reason = "r"
		d, err = svc.Transition(ctx, officer, d.ID, d.Version, in)
		require.NoError(t, err)
	}
	step(mediation.TransitionInput{To: mediation.StateScreened})
	step(mediation.TransitionInput{To: mediation.StateAccepted, Assign: []string{mediator.StaffID}})
	step(mediation.TransitionInput{To: mediation.StateInMediation})
	d, err = svc.RecordSession(ctx, mediator, d.ID, d.Version, mediation.SessionInput{Place: "人民调解室", Notes: "笔录",
		Mediators: []mediation.Mediator{{StaffID: mediator.StaffID, Role: casework.RoleMediator}},
		Attendees: []mediation.Attendee{{PersonID: a.ID}, {Name: "物业公司工作人员"}}})
	require.NoError(t, err)
	d, err = svc.DraftAgreement(ctx, mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Written, MediatorID: mediator.StaffID,
		Facts: "f", Matters: "m", Responsibilities: []mediation.Responsibility{{PartyID: a.ID, Text: "r"}}, Terms: []mediation.Term{{Text: "相互赔礼道歉"}},
		PerformanceMethod: "当面", PerformanceDeadline: time.Date(2020, 5, 10, 0, 0, 0, 0, zone), SeekConfirmation: true})
	require.NoError(t, err)
	for _, in := range []mediation.SignatureInput{{PartyID: a.ID}, {PartyID: b.ID}, {MediatorID: mediator.StaffID}} {
		in.Attachment, err = k.PutAttachment(ctx, officer, "sig.jpg", "image/jpeg", strings.NewReader(in.PartyID+in.MediatorID))
		require.NoError(t, err)
		d, err = svc.SignAgreement(ctx, mediator, d.ID, d.Version, in)
		require.NoError(t, err)
	}
	require.Equal(t, mediation.StateAgreed, d.State)
	stored, err := svc.Get(ctx, officer, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, stored, "what the service wrote is what the database returns")

	rows, _, err := svc.List(ctx, officer, mediation.Query{PartyDocNumber: "370302197511020025"})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	overdue, _, err := svc.ListOverdue(ctx, officer, "", time.Date(2020, 5, 11, 0, 0, 0, 0, zone), casework.Page{})
	require.NoError(t, err)
	require.Len(t, overdue, 1, "review and performance deadlines passed")
	res, err := svc.Sweep(ctx, time.Date(2020, 5, 11, 0, 0, 0, 0, zone))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{Changed: 1, Notified: 2}, res)
	res, err = svc.Sweep(ctx, time.Date(2020, 5, 11, 0, 0, 0, 0, zone))
	require.NoError(t, err)
	require.Zero(t, res.Notified)

	totals, err := svc.Breakdown(ctx, officer, casework.ReportQuery{From: time.Date(2020, 5, 1, 0, 0, 0, 0, zone), To: time.Date(2020, 5, 31, 0, 0, 0, 0, zone)}, mediation.ByCategory)
	require.NoError(t, err)
	require.Equal(t, []mediation.Totals{{TotalsRow: mediation.TotalsRow{Key: "neighbour/noise", Found: 1, Accepted: 1, Settled: 1}, Label: "噪音扰民", SettlementRate: 1000}}, totals)
	var buf bytes.Buffer
	require.NoError(t, svc.PrintAgreement(ctx, officer, d.ID, &buf, nil))
	require.Contains(t, buf.String(), "人民调解协议书")

	rep, err := k.VerifyAudit(ctx, auditor)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
}

// TestSettledOnceOnSQL: totals count settled_at, which keeps the first
// agreement's effect — a dispute settled in January, reopened and settled
// again in April stays in January's figure on each SQL engine.
func TestSettledOnceOnSQL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		engine casesql.Engine
	}{
		{"sqlite", casesql.SQLite},
		{"postgres", casesql.Postgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var store mediation.Store
			var ks casework.KernelStore
			if tc.engine == casesql.SQLite {
				store, ks = open(t, testdb.SQLite(t), tc.engine)
			} else {
				store, ks = open(t, testdb.Postgres(t).DB, tc.engine)
			}
			settleTwice(t, store, ks)
		})
	}
}

func settleTwice(t *testing.T, store mediation.Store, ks casework.KernelStore) {
	ctx := context.Background()
	zone := casework.DefaultZone()
	day := func(m time.Month, d int) time.Time { return time.Date(2021, m, d, 9, 0, 0, 0, zone) }
	clock := casework.NewFixedClock(day(1, 10))
	k, err := casework.New(ks, &casework.Config{Clock: clock})
	require.NoError(t, err)
	svc, err := mediation.New(k, store, nil)
	require.NoError(t, err)
	root, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	adm := casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	station, err := k.CreateUnit(ctx, adm, casework.UnitInput{Code: "370302001", Name: "般阳路派出所", Level: casework.LevelStation, ParentID: root.ID})
	require.NoError(t, err)
	st, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: station.ID, Name: "王民警", Roles: []casework.Role{casework.RoleOfficer}})
	require.NoError(t, err)
	officer := casework.Actor{StaffID: st.ID, UnitID: station.ID, Roles: st.Roles}
	person := func(name, doc string) casework.Person {
		p, err := k.CreatePerson(ctx, officer, casework.PersonInput{UnitID: station.ID, Name: name, DocType: casework.DocResidentID, DocNumber: doc})
		require.NoError(t, err)
		return p
	}
	a, b := person("张某", "370302198003150012"), person("刘某", "370302197511020025")
	d, err := svc.Report(ctx, officer, mediation.ReportInput{UnitID: station.ID, Category: "neighbour/noise", Source: mediation.SourceWalkIn,
		Facts: "噪音", Parties: []mediation.Party{{PersonID: a.ID, Role: mediation.Applicant}, {PersonID: b.ID, Role: mediation.Respondent}}})
	require.NoError(t, err)
	for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d, err = svc.Transition(ctx, officer, d.ID, d.Version, mediation.TransitionInput{To: s, Reason: "r"})
		require.NoError(t, err)
	}
	oral := func() {
		t.Helper()
		d, err = svc.DraftAgreement(ctx, officer, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral, MediatorID: officer.StaffID, Content: "和好"})
		require.NoError(t, err)
		require.Equal(t, mediation.StateAgreed, d.State)
	}
	month := func(m time.Month) casework.ReportQuery {
		first := time.Date(2021, m, 1, 0, 0, 0, 0, zone)
		return casework.ReportQuery{From: first, To: first.AddDate(0, 1, -1)}
	}
	settled := func(q casework.ReportQuery) int64 {
		t.Helper()
		rows, err := svc.Breakdown(ctx, officer, q, mediation.ByNone)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		return rows[0].Settled
	}

	clock.Set(day(1, 15))
	oral()
	require.Equal(t, int64(1), settled(month(time.January)))
	clock.Set(day(2, 1))
	d, err = svc.RecordFollowUp(ctx, officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: mediation.Reopen})
	require.NoError(t, err)
	require.Equal(t, mediation.StateInMediation, d.State)
	clock.Set(day(4, 10))
	oral()

	stored, err := svc.Get(ctx, officer, d.ID)
	require.NoError(t, err)
	require.Equal(t, day(1, 15).UTC(), stored.SettledAt, "settled_at keeps the first agreement's effect")
	require.Equal(t, day(4, 10).UTC(), stored.Agreements[1].EffectiveAt)
	require.Equal(t, int64(1), settled(month(time.January)), "January's figure is unchanged after the fact")
	require.Equal(t, int64(0), settled(month(time.April)), "a dispute is settled once")
}

package cases_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// Promise: reach. A case or lead outside the actor's unit subtree (and not
// shared with it) answers exactly as an id that does not exist —
// ErrNotFound and the zero value — before roles, policy or level are
// consulted; an actor who is no staff member reaches nothing. Every id an
// input names is checked for reach like a read.

// jurisdiction is the unit tree around the team the records belong to: the
// same unit, a child (a 警务室 under the team), the parent branch, a sibling
// station, a station under another branch, and someone who is no staff
// member. Each staff actor holds officer and supervisor, so what it gets
// depends on reach alone. far is a unit none of them sits in or under, to
// share with.
type jurisdiction struct {
	same, child, parent, sibling, unrelated, nobody casework.Actor
	unrelatedUnit, far                              casework.Unit
}

func (e *caseEnv) staffWith(t *testing.T, u casework.Unit, name string, roles ...casework.Role) casework.Actor {
	t.Helper()
	s, err := e.k.CreateStaff(e.ctx, e.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
	require.NoError(t, err)
	return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: s.Roles}
}

func (e *caseEnv) jurisdiction(t *testing.T) jurisdiction {
	t.Helper()
	unit := func(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
		u, err := e.k.CreateUnit(e.ctx, e.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
		require.NoError(t, err)
		return u
	}
	office := unit("370302DQC01", "工作队警务室", casework.LevelOffice, e.team)
	unrelated := unit("370303SG", "双杨派出所", casework.LevelStation, e.other)
	far := unit("370305", "临淄公安分局", casework.LevelBranch, e.root)
	both := []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}
	return jurisdiction{
		same:          e.staffWith(t, e.team, "本队民警", both...),
		child:         e.staffWith(t, office, "警务室民警", both...),
		parent:        e.staffWith(t, e.branch, "分局民警", both...),
		sibling:       e.staffWith(t, e.station, "车站所民警", both...),
		unrelated:     e.staffWith(t, unrelated, "双杨所民警", both...),
		nobody:        casework.Actor{StaffID: "nobody", UnitID: e.team.ID, Roles: both},
		unrelatedUnit: unrelated,
		far:           far,
	}
}

// caseMethod is one exported method of Service in the matrix: prepare
// builds what the call acts on (a case or lead in the state it needs; its
// id), call makes the call as actor and returns its value and error.
type caseMethod struct {
	name    string
	prepare func(t *testing.T, e *caseEnv) string
	call    func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error)
}

type listed[T any] struct {
	Rows []T
	Next string
}

// caseMethods lists every exported method of Service that takes an actor
// (and IntakeLead, whose finding names one). A new method joins the matrix
// with one entry here.
func caseMethods(j *jurisdiction) []caseMethod {
	in := func(s cases.State) func(t *testing.T, e *caseEnv) string {
		return func(t *testing.T, e *caseEnv) string { return e.to(t, s).ID }
	}
	caseVersion := func(e *caseEnv, id string) int64 {
		if c, err := e.svc.Get(e.ctx, e.officer, id); err == nil {
			return c.Version
		}
		return 1 // a made-up id: any version
	}
	leadVersion := func(e *caseEnv, id string) int64 {
		if l, err := e.svc.GetLead(e.ctx, e.officer, id); err == nil {
			return l.Version
		}
		return 1
	}
	unitOf := func(e *caseEnv, id string) string {
		if c, err := e.svc.Get(e.ctx, e.officer, id); err == nil {
			return c.UnitID
		}
		if l, err := e.svc.GetLead(e.ctx, e.officer, id); err == nil {
			return l.UnitID
		}
		return id // a made-up id names a made-up unit
	}
	lead := func(t *testing.T, e *caseEnv) string {
		l, err := e.svc.CreateLead(e.ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "群众举报",
			PersonIDs: []string{e.suspect.ID}})
		require.NoError(t, err)
		return l.ID
	}
	verified := func(t *testing.T, e *caseEnv) string {
		id := lead(t, e)
		_, err := e.svc.VerifyLead(e.ctx, e.officer, id, 1, "属实")
		require.NoError(t, err)
		return id
	}
	shared := func(t *testing.T, e *caseEnv) string {
		c := e.to(t, cases.StateFiled)
		_, err := e.svc.AnalyseAndShare(e.ctx, e.officer, c.ID, c.Version, cases.AnalysisInput{Findings: "串案",
			ShareWith: []cases.ShareInput{{UnitID: j.far.ID, Reason: "协查"}}})
		require.NoError(t, err)
		return c.ID
	}
	intakes := 0
	return []caseMethod{
		{"Get", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Get(e.ctx, a, id)
		}},
		{"History", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.History(e.ctx, a, id)
		}},
		{"Shares", shared, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Shares(e.ctx, a, id)
		}},
		{"Unshare", shared, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			shareID := "no-share"
			if sh, err := e.svc.Shares(e.ctx, e.officer, id); err == nil && len(sh) > 0 {
				shareID = sh[0].ID
			}
			return e.svc.Unshare(e.ctx, a, id, shareID, "协查结束")
		}},
		{"List", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			rows, next, err := e.svc.List(e.ctx, a, cases.Query{UnitID: unitOf(e, id)})
			return listed[cases.Case]{rows, next}, err
		}},
		{"Overdue", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			rows, next, err := e.svc.Overdue(e.ctx, a, unitOf(e, id), e.clock.Now().Add(48*time.Hour), casework.Page{})
			return listed[cases.OverdueCase]{rows, next}, err
		}},
		{"Totals", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			now := e.clock.Now()
			return e.svc.Totals(e.ctx, a, casework.ReportQuery{UnitID: unitOf(e, id), From: now.AddDate(0, 0, -1), To: now})
		}},
		{"ListLeads", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			rows, next, err := e.svc.ListLeads(e.ctx, a, cases.LeadQuery{UnitID: unitOf(e, id)})
			return listed[cases.Lead]{rows, next}, err
		}},
		{"Report", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			r := e.reportInput()
			r.UnitID = unitOf(e, id)
			return e.svc.Report(e.ctx, a, r)
		}},
		{"CreateLead", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.CreateLead(e.ctx, a, cases.LeadInput{UnitID: unitOf(e, id), SourceKind: cases.LeadFromTip, Summary: "举报"})
		}},
		{"IntakeLead", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			intakes++
			return e.svc.IntakeLead(e.ctx, casework.LeadFinding{Source: casework.Source{Kind: "visit", ID: fmt.Sprintf("v%d", intakes)},
				Actor: a, UnitID: unitOf(e, id), Summary: "走访发现"})
		}},
		{"DispatchAndFile", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.DispatchAndFile(e.ctx, a, id, caseVersion(e, id), cases.DispatchInput{})
		}},
		{"StartInvestigation", in(cases.StateFiled), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.StartInvestigation(e.ctx, a, id, caseVersion(e, id), "开始侦查")
		}},
		{"Survey", in(cases.StateFiled), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Survey(e.ctx, a, id, caseVersion(e, id), cases.SurveyInput{Description: "现场"})
		}},
		{"AnalyseAndShare", in(cases.StateFiled), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.AnalyseAndShare(e.ctx, a, id, caseVersion(e, id), cases.AnalysisInput{Findings: "串案",
				ShareWith: []cases.ShareInput{{UnitID: j.far.ID}}})
		}},
		{"Arrest", in(cases.StateInvestigating), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Arrest(e.ctx, a, id, caseVersion(e, id), cases.ArrestInput{SuspectID: e.suspect.ID})
		}},
		{"Review", in(cases.StateSolved), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Review(e.ctx, a, id, caseVersion(e, id), cases.ReviewInput{Findings: "倒查"})
		}},
		{"Close", in(cases.StateSolved), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Close(e.ctx, a, id, caseVersion(e, id), "结案")
		}},
		{"Drop", in(cases.StateReported), func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.Drop(e.ctx, a, id, caseVersion(e, id), "报案不实")
		}},
		{"GetLead", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.GetLead(e.ctx, a, id)
		}},
		{"VerifyLead", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.VerifyLead(e.ctx, a, id, leadVersion(e, id), "属实")
		}},
		{"DiscardLead", lead, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			return e.svc.DiscardLead(e.ctx, a, id, leadVersion(e, id), "不实")
		}},
		{"ConvertLead", verified, func(t *testing.T, e *caseEnv, a casework.Actor, id string) (any, error) {
			r := e.reportInput()
			r.UnitID = ""
			c, l, err := e.svc.ConvertLead(e.ctx, a, id, leadVersion(e, id), r)
			return struct {
				C cases.Case
				L cases.Lead
			}{c, l}, err
		}},
	}
}

func requireNotFoundZero(t *testing.T, v any, err error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, cases.ErrNotFound, msg)
	require.NotErrorIs(t, err, cases.ErrForbidden, msg)
	require.True(t, v == nil || reflect.ValueOf(v).IsZero(), "%s: a value beside the error: %+v", msg, v)
}

// TestJurisdictionMatrix runs every method for actors of the same unit, a
// child, the parent, a sibling, an unrelated unit and a non-staff actor,
// and for a made-up id, on every backend. The same unit and the parent
// reach the record and succeed; everyone else gets exactly what a made-up
// id gets: ErrNotFound and the zero value.
func TestJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			j := e.jurisdiction(t)
			for _, m := range caseMethods(&j) {
				// Out of reach changes nothing, so one record serves every
				// actor that must not find it.
				id := m.prepare(t, e)
				for _, tc := range []struct {
					who   string
					actor casework.Actor
				}{{"child unit", j.child}, {"sibling unit", j.sibling}, {"unrelated unit", j.unrelated}, {"no staff member", j.nobody}} {
					v, err := m.call(t, e, tc.actor, id)
					requireNotFoundZero(t, v, err, m.name+" by "+tc.who)
				}
				v, err := m.call(t, e, j.same, "no-such-record")
				requireNotFoundZero(t, v, err, m.name+" of a made-up id")
				for _, tc := range []struct {
					who   string
					actor casework.Actor
				}{{"same unit", j.same}, {"parent unit", j.parent}} {
					v, err := m.call(t, e, tc.actor, m.prepare(t, e))
					require.NoError(t, err, m.name+" by "+tc.who)
					require.False(t, reflect.ValueOf(v).IsZero(), m.name+" by "+tc.who)
				}
			}
		})
	}
}

// requireField checks err is ErrInvalid naming field with rule.
func requireField(t *testing.T, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, cases.ErrInvalid)
	var ie *casework.InvalidError
	require.ErrorAs(t, err, &ie)
	for _, f := range ie.Fields {
		if f.Field == field {
			require.Equal(t, rule, f.Rule, "field %s", field)
			return
		}
	}
	require.Failf(t, "field not named", "%s not in %+v", field, ie.Fields)
}

// TestReferencesInReach: a B1 officer may not name A1's person, address,
// staff member or case. Every id an input names — reporter, victims,
// suspects, owners, the address, dispatched officers, the arrested suspect
// and its address, linked cases, a lead's persons and address — answers as
// one that does not exist: ErrInvalid naming the field with rule exists.
func TestReferencesInReach(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			j := e.jurisdiction(t)
			theirs, err := e.k.CreatePerson(e.ctx, j.unrelated, casework.PersonInput{UnitID: j.unrelatedUnit.ID, Name: "外所居民"})
			require.NoError(t, err)
			addr, err := e.k.CreateAddress(e.ctx, j.unrelated, casework.AddressInput{UnitID: j.unrelatedUnit.ID, Text: "淄川区某小区1号"})
			require.NoError(t, err)
			report := func(mut func(*cases.ReportInput)) error {
				in := e.reportInput()
				mut(&in)
				_, err := e.svc.Report(e.ctx, e.officer, in)
				return err
			}
			requireField(t, report(func(in *cases.ReportInput) { in.ReporterID = theirs.ID }), "reporterId", "exists")
			requireField(t, report(func(in *cases.ReportInput) { in.VictimIDs = []string{e.victim.ID, theirs.ID} }), "victimIds[1]", "exists")
			requireField(t, report(func(in *cases.ReportInput) { in.SuspectIDs = []string{theirs.ID} }), "suspectIds[0]", "exists")
			requireField(t, report(func(in *cases.ReportInput) { in.Items[0].OwnerPersonID = theirs.ID }), "items[0].ownerPersonId", "exists")
			requireField(t, report(func(in *cases.ReportInput) { in.AddressID = addr.ID }), "addressId", "exists")

			c := e.report(t)
			_, err = e.svc.DispatchAndFile(e.ctx, e.officer, c.ID, c.Version, cases.DispatchInput{Officers: []string{j.unrelated.StaffID}})
			requireField(t, err, "officers[0]", "exists")

			inv := e.to(t, cases.StateInvestigating)
			_, err = e.svc.Arrest(e.ctx, e.officer, inv.ID, inv.Version, cases.ArrestInput{SuspectID: theirs.ID})
			requireField(t, err, "suspectId", "exists")
			_, err = e.svc.Arrest(e.ctx, e.officer, inv.ID, inv.Version, cases.ArrestInput{SuspectID: e.suspect.ID, AddressID: addr.ID})
			requireField(t, err, "addressId", "exists")

			theirCase, err := e.svc.Report(e.ctx, j.unrelated, cases.ReportInput{UnitID: j.unrelatedUnit.ID, Kind: cases.KindTheft,
				IncidentAt: e.clock.Now().Add(-time.Hour), Place: "淄川"})
			require.NoError(t, err)
			solved := e.to(t, cases.StateSolved)
			_, err = e.svc.Review(e.ctx, e.officer, solved.ID, solved.Version, cases.ReviewInput{Findings: "倒查",
				Links: []cases.LinkInput{{CaseID: theirCase.ID, Reason: cases.LinkSameSuspect}}})
			requireField(t, err, "links[0].caseId", "exists")

			_, err = e.svc.CreateLead(e.ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "s",
				PersonIDs: []string{theirs.ID}})
			requireField(t, err, "personIds[0]", "exists")
			_, err = e.svc.CreateLead(e.ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "s",
				AddressID: addr.ID})
			requireField(t, err, "addressId", "exists")
		})
	}
}

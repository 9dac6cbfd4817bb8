package mediation_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// Promise: reach. A dispute outside the actor's unit subtree (and not
// shared with it) answers exactly as an id that does not exist —
// ErrNotFound and the zero value — before roles, policy or level are
// consulted; an actor who is no staff member reaches nothing.

// jurisdiction is the unit tree around the station the disputes belong to:
// the same unit, a child (警务室), the parent branch, a sibling station, an
// unrelated station under another branch, and someone who is no staff
// member at all. Each staff actor holds officer and supervisor, so what it
// gets depends on reach alone.
type jurisdiction struct {
	same, child, parent, sibling, unrelated, nobody casework.Actor
	siblingUnit, unrelatedUnit                      casework.Unit
}

func (f *fx) jurisdiction() jurisdiction {
	f.t.Helper()
	office := f.unit("370302001001", "般阳路警务室", casework.LevelOffice, f.station)
	sibling := f.unit("370302002", "松龄路派出所", casework.LevelStation, f.branch)
	unrelated := f.unit("370305001", "雪宫派出所", casework.LevelStation, f.otherBranch)
	both := []casework.Role{casework.RoleOfficer, casework.RoleSupervisor}
	return jurisdiction{
		same:          f.staff(f.station, "本所民警", both...),
		child:         f.staff(office, "警务室民警", both...),
		parent:        f.staff(f.branch, "分局民警", both...),
		sibling:       f.staff(sibling, "兄弟所民警", both...),
		unrelated:     f.staff(unrelated, "外分局民警", both...),
		nobody:        casework.Actor{StaffID: "nobody", UnitID: f.station.ID, Roles: both},
		siblingUnit:   sibling,
		unrelatedUnit: unrelated,
	}
}

// method is one exported method of Service in the matrix: prepare builds
// what the call acts on (a dispute in the state it needs; its id), call
// makes the call as actor and returns its value and error.
type method struct {
	name    string
	prepare func(f *fx) string
	call    func(f *fx, a casework.Actor, id string) (any, error)
}

// methods lists every exported method of Service that takes an actor. A
// new method joins the matrix with one entry here.
func methods(j *jurisdiction) []method {
	reported := func(f *fx) string { return f.report().ID }
	in := func(s mediation.State) func(f *fx) string { return func(f *fx) string { return f.to(s).ID } }
	version := func(f *fx, id string) int64 {
		d, err := f.svc.Get(f.ctx, f.officer, id)
		if err != nil {
			return 1 // a made-up id: any version
		}
		return d.Version
	}
	withSession := func(f *fx) string {
		d := f.to(mediation.StateInMediation)
		d, err := f.svc.RecordSession(f.ctx, f.mediator, d.ID, d.Version, mediation.SessionInput{Place: "调解室", Notes: "笔录",
			Mediators: []mediation.Mediator{{StaffID: f.mediator.StaffID, Role: casework.RoleMediator}}})
		require.NoError(f.t, err)
		return f.oral(d, local(5, 30, 0, 0)).ID
	}
	sessionOf := func(f *fx, id string) string {
		d, err := f.svc.Get(f.ctx, f.officer, id)
		if err != nil || len(d.Sessions) == 0 {
			return "no-session"
		}
		return d.Sessions[0].ID
	}
	confirmable := func(f *fx) string {
		return f.signAll(f.written(f.to(mediation.StateInMediation), true)).ID
	}
	applied := func(f *fx) string {
		d, err := f.svc.Get(f.ctx, f.officer, confirmable(f))
		require.NoError(f.t, err)
		d, err = f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院"})
		require.NoError(f.t, err)
		return d.ID
	}
	unitOf := func(f *fx, id string) string {
		if d, err := f.svc.Get(f.ctx, f.officer, id); err == nil {
			return d.UnitID
		}
		return id // a made-up id names a made-up unit
	}
	period := casework.ReportQuery{From: local(5, 1, 0, 0), To: local(5, 31, 0, 0)}
	intakes := 0
	return []method{
		{"Get", reported, func(f *fx, a casework.Actor, id string) (any, error) { return f.svc.Get(f.ctx, a, id) }},
		{"History", reported, func(f *fx, a casework.Actor, id string) (any, error) { return f.svc.History(f.ctx, a, id) }},
		{"List", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			rows, next, err := f.svc.List(f.ctx, a, mediation.Query{UnitID: unitOf(f, id)})
			return struct {
				Rows []mediation.Dispute
				Next string
			}{rows, next}, err
		}},
		{"ListOverdue", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			rows, next, err := f.svc.ListOverdue(f.ctx, a, unitOf(f, id), local(5, 6, 9, 0), casework.Page{})
			return struct {
				Rows []mediation.Dispute
				Next string
			}{rows, next}, err
		}},
		{"Totals", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			q := period
			q.UnitID = unitOf(f, id)
			return f.svc.Totals(f.ctx, a, q)
		}},
		{"Report", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Report(f.ctx, a, mediation.ReportInput{UnitID: unitOf(f, id), Category: "neighbour", Source: mediation.SourceWalkIn, Facts: "f"})
		}},
		{"IntakeDispute", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			intakes++
			return f.svc.IntakeDispute(f.ctx, casework.DisputeFinding{Source: casework.Source{Kind: "visit", ID: "v" + strings.Repeat("x", intakes)},
				Actor: a, UnitID: unitOf(f, id), Category: "neighbour", Summary: "走访发现"})
		}},
		{"Share", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Share(f.ctx, a, id, j.unrelatedUnit.ID, "协查", time.Time{})
		}},
		{"PrintAgreement", withSession, func(f *fx, a casework.Actor, id string) (any, error) {
			var buf bytes.Buffer
			err := f.svc.PrintAgreement(f.ctx, a, id, &buf, nil)
			return buf.String(), err
		}},
		{"PrintRecord", withSession, func(f *fx, a casework.Actor, id string) (any, error) {
			var buf bytes.Buffer
			err := f.svc.PrintRecord(f.ctx, a, id, sessionOf(f, id), &buf, nil)
			return buf.String(), err
		}},
		{"Transition", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Transition(f.ctx, a, id, version(f, id), mediation.TransitionInput{To: mediation.StateScreened, Reason: "初查"})
		}},
		{"Assign", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Assign(f.ctx, a, id, version(f, id), mediation.AssignInput{Staff: []string{f.mediator.StaffID}, Reason: "指派"})
		}},
		{"UpdateParties", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.UpdateParties(f.ctx, a, id, version(f, id), []mediation.Party{{PersonID: f.b.ID, Role: mediation.Applicant}, {PersonID: f.a.ID, Role: mediation.Respondent}})
		}},
		{"Assess", reported, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Assess(f.ctx, a, id, version(f, id), mediation.RiskInput{Risk: mediation.RiskMedium, Reason: "有升级苗头"})
		}},
		{"Review", func(f *fx) string {
			return f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "可能民转刑" }).ID
		}, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.Review(f.ctx, a, id, version(f, id), "安排民警重点稳控")
		}},
		{"RecordSession", in(mediation.StateInMediation), func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.RecordSession(f.ctx, a, id, version(f, id), mediation.SessionInput{Place: "调解室", Notes: "笔录",
				Mediators: []mediation.Mediator{{StaffID: a.StaffID, Role: casework.RoleOfficer}}})
		}},
		{"DraftAgreement", in(mediation.StateInMediation), func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.DraftAgreement(f.ctx, a, id, version(f, id), mediation.AgreementInput{Form: mediation.Oral, MediatorID: a.StaffID, Content: "和好"})
		}},
		{"SignAgreement", func(f *fx) string { return f.written(f.to(mediation.StateInMediation), false).ID }, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.SignAgreement(f.ctx, a, id, version(f, id), mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
		}},
		{"ApplyConfirmation", confirmable, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.ApplyConfirmation(f.ctx, a, id, version(f, id), mediation.ConfirmationInput{Court: "淄川区人民法院"})
		}},
		{"RuleConfirmation", applied, func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.RuleConfirmation(f.ctx, a, id, version(f, id), mediation.RulingInput{Status: mediation.ConfirmationConfirmed})
		}},
		{"RecordFollowUp", in(mediation.StateAgreed), func(f *fx, a casework.Actor, id string) (any, error) {
			return f.svc.RecordFollowUp(f.ctx, a, id, version(f, id), mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}})
		}},
	}
}

func requireNotFoundZero(t *testing.T, v any, err error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, mediation.ErrNotFound, msg)
	require.NotErrorIs(t, err, mediation.ErrForbidden, msg)
	require.True(t, v == nil || reflect.ValueOf(v).IsZero(), "%s: a value beside the error: %+v", msg, v)
}

// TestJurisdictionMatrix runs every method for actors of the same unit, a
// child, the parent, a sibling, an unrelated unit and a non-staff actor,
// and for a made-up id, on every backend. The same unit and the parent
// reach the dispute and succeed; everyone else gets exactly what a made-up
// id gets: ErrNotFound and the zero value.
func TestJurisdictionMatrix(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			f := newFxOn(t, backend, nil)
			j := f.jurisdiction()
			for _, m := range methods(&j) {
				for _, tc := range []struct {
					who   string
					actor casework.Actor
					reach bool
				}{
					{"same unit", j.same, true}, {"parent unit", j.parent, true},
					{"child unit", j.child, false}, {"sibling unit", j.sibling, false},
					{"unrelated unit", j.unrelated, false}, {"no staff member", j.nobody, false},
				} {
					id := m.prepare(f)
					v, err := m.call(f, tc.actor, id)
					msg := m.name + " by " + tc.who
					if tc.reach {
						require.NoError(t, err, msg)
						require.False(t, reflect.ValueOf(v).IsZero(), msg)
						continue
					}
					requireNotFoundZero(t, v, err, msg)
				}
				v, err := m.call(f, j.same, "no-such-dispute")
				requireNotFoundZero(t, v, err, m.name+" of a made-up id")
			}
		})
	}
}

// TestReferencesInReach: every id an input names — parties,
// representatives, attendees, the address, mediators, assigned staff, the
// presiding mediator, follow-up staff — must be in the actor's reach. One
// of another unit answers as one that does not exist: ErrInvalid naming the
// field with rule exists.
func TestReferencesInReach(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			f := newFxOn(t, backend, nil)
			j := f.jurisdiction()
			// A person, an address and staff of the unrelated station.
			theirs, err := f.k.CreatePerson(f.ctx, j.unrelated, casework.PersonInput{UnitID: j.unrelatedUnit.ID, Name: "外所居民", DocType: casework.DocResidentID, DocNumber: "37030519900101001X"})
			require.NoError(t, err)
			addr, err := f.k.CreateAddress(f.ctx, j.unrelated, casework.AddressInput{UnitID: j.unrelatedUnit.ID, Text: "临淄区某小区1号"})
			require.NoError(t, err)
			theirMediator := f.staff(j.unrelatedUnit, "外所调解员", casework.RoleMediator)
			report := func(mut func(*mediation.ReportInput)) error {
				in := mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour", Source: mediation.SourceWalkIn, Facts: "f",
					Parties: []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.b.ID, Role: mediation.Respondent}}}
				mut(&in)
				_, err := f.svc.Report(f.ctx, f.officer, in)
				return err
			}
			requireField(t, report(func(in *mediation.ReportInput) { in.Parties[1].PersonID = theirs.ID }), "parties[1].personId", "exists")
			requireField(t, report(func(in *mediation.ReportInput) {
				in.Parties[0].Representatives = []mediation.Representative{{PersonID: theirs.ID, Role: mediation.Agent}}
			}), "parties[0].representatives[0].personId", "exists")
			requireField(t, report(func(in *mediation.ReportInput) { in.AddressID = addr.ID }), "addressId", "exists")

			d := f.report()
			_, err = f.svc.UpdateParties(f.ctx, f.officer, d.ID, d.Version, []mediation.Party{{PersonID: theirs.ID, Role: mediation.Applicant}})
			requireField(t, err, "parties[0].personId", "exists")
			_, err = f.svc.Assign(f.ctx, f.officer, d.ID, d.Version, mediation.AssignInput{Staff: []string{theirMediator.StaffID}, Reason: "r"})
			requireField(t, err, "assign[0]", "exists")
			_, err = f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r"})
			require.NoError(t, err)

			m := f.to(mediation.StateInMediation)
			_, err = f.svc.RecordSession(f.ctx, f.officer, m.ID, m.Version, mediation.SessionInput{Place: "调解室", Notes: "n",
				Mediators: []mediation.Mediator{{StaffID: j.unrelated.StaffID, Role: casework.RoleOfficer}}})
			requireField(t, err, "mediators[0].staffId", "exists")
			_, err = f.svc.RecordSession(f.ctx, f.officer, m.ID, m.Version, mediation.SessionInput{Place: "调解室", Notes: "n",
				Mediators: []mediation.Mediator{{StaffID: f.officer.StaffID, Role: casework.RoleOfficer}}, Attendees: []mediation.Attendee{{PersonID: theirs.ID}}})
			requireField(t, err, "attendees[0].personId", "exists")
			_, err = f.svc.DraftAgreement(f.ctx, f.officer, m.ID, m.Version, mediation.AgreementInput{Form: mediation.Oral, MediatorID: j.unrelated.StaffID, Content: "和好"})
			requireField(t, err, "mediatorId", "exists")

			ag := f.to(mediation.StateAgreed)
			_, err = f.svc.RecordFollowUp(f.ctx, f.officer, ag.ID, ag.Version, mediation.FollowUpInput{By: []string{j.unrelated.StaffID},
				Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}})
			requireField(t, err, "by[0]", "exists")
		})
	}
}

// TestPrintShowsOnlyWhatTheReaderMayRead: a dispute shared with another
// unit may be printed there, but its parties, persons of the station, are
// out of that unit's reach: the document names none of them, nor their
// masked numbers or birth dates.
func TestPrintShowsOnlyWhatTheReaderMayRead(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	j := f.jurisdiction()
	d := f.to(mediation.StateAgreed)
	_, err := f.svc.Share(f.ctx, f.officer, d.ID, j.siblingUnit.ID, "协查", time.Time{})
	require.NoError(t, err)
	var own, shared bytes.Buffer
	require.NoError(t, f.svc.PrintAgreement(f.ctx, f.officer, d.ID, &own, nil))
	require.Contains(t, own.String(), "张某")
	require.NoError(t, f.svc.PrintAgreement(f.ctx, j.sibling, d.ID, &shared, nil))
	for _, secret := range []string{"张某", "刘某", f.a.DocNumber, "1980年"} {
		require.NotContains(t, shared.String(), secret)
	}
	require.Contains(t, shared.String(), "（无权查阅）")
}

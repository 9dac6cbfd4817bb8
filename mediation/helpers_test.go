package mediation_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/noticetest"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/grassroots-policing/grassroots/mediation/sqlstore"
	"github.com/stretchr/testify/require"
)

// Valid resident ID numbers (GB 11643 check digits).
const (
	idAdultA   = "370302198003150012" // male, 1980
	idAdultB   = "370302197511020025" // female, 1975
	idMinor    = "370302200806010013" // male, born 1 June 2008
	idGuardian = "370302197901010017"
	idAgent    = "370302199002020034"
	idOther    = "370302198505050054"
)

// fx is one test's world: a bureau with two branches, a station, staff of
// every role and a few persons, on a fixed clock.
type fx struct {
	t       *testing.T
	ctx     context.Context
	clock   *casework.FixedClock
	k       *casework.Kernel
	svc     *mediation.Service
	store   mediation.Store
	notices *noticetest.Recorder

	root, branch, station, otherBranch casework.Unit

	admin, officer, mediator, lawyer, otherMediator, supervisor, auditor, stranger casework.Actor

	a, b, minor, guardian, agent, other casework.Person
}

var zone = casework.DefaultZone()

// local is a time in Zibo.
func local(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2020, month, day, hour, minute, 0, 0, zone)
}

func newFx(t *testing.T, cfg *mediation.Config) *fx {
	t.Helper()
	return newFxOn(t, "memory", cfg)
}

// backends are the stores a test world can run on.
var backends = []string{"memory", "sqlite", "postgres"}

// newFxOn builds the test world on one backend (see backends).
func newFxOn(t *testing.T, backend string, cfg *mediation.Config) *fx {
	t.Helper()
	f := &fx{t: t, ctx: context.Background(), clock: casework.NewFixedClock(local(5, 6, 9, 0)), notices: &noticetest.Recorder{}}
	var ks casework.KernelStore
	switch backend {
	case "memory":
		db := casemem.New()
		ks, f.store = db, memstore.New(db)
	case "sqlite", "postgres":
		var db *sql.DB
		engine := casesql.SQLite
		if backend == "sqlite" {
			db = testdb.SQLite(t)
		} else {
			db, engine = testdb.Postgres(t).DB, casesql.Postgres
		}
		k, err := casesql.New(db, engine)
		require.NoError(t, err)
		require.NoError(t, k.Migrate(f.ctx))
		s := sqlstore.New(k)
		require.NoError(t, s.Migrate(f.ctx))
		ks, f.store = k, s
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	var err error
	f.k, err = casework.New(ks, &casework.Config{Clock: f.clock, IDs: &casework.SequentialIDs{Prefix: "id-"}, Notifier: f.notices})
	require.NoError(t, err)
	f.svc, err = mediation.New(f.k, f.store, cfg)
	require.NoError(t, err)
	root, admin, err := f.k.Bootstrap(f.ctx, casework.UnitInput{Code: "370300", Name: "淄博市公安局", Level: casework.LevelBureau},
		casework.StaffInput{Name: "admin", Roles: []casework.Role{casework.RoleAdmin}})
	require.NoError(t, err)
	f.root, f.admin = root, casework.Actor{StaffID: admin.ID, UnitID: root.ID, Roles: admin.Roles}
	f.branch = f.unit("370302", "淄川公安分局", casework.LevelBranch, root)
	f.station = f.unit("370302001", "般阳路派出所", casework.LevelStation, f.branch)
	f.otherBranch = f.unit("370305", "临淄公安分局", casework.LevelBranch, root)
	f.officer = f.staff(f.station, "王民警", casework.RoleOfficer)
	f.mediator = f.staff(f.station, "李调解员", casework.RoleMediator)
	f.lawyer = f.staff(f.station, "赵律师", casework.RoleLawyer)
	f.otherMediator = f.staff(f.station, "钱调解员", casework.RoleMediator)
	f.supervisor = f.staff(f.station, "所长", casework.RoleSupervisor)
	f.auditor = f.staff(root, "审计员", casework.RoleAuditor)
	f.stranger = f.staff(f.otherBranch, "外单位民警", casework.RoleOfficer)
	f.a = f.person("张某", idAdultA)
	f.b = f.person("刘某", idAdultB)
	f.minor = f.person("小明", idMinor)
	f.guardian = f.person("小明父亲", idGuardian)
	f.agent = f.person("代理人", idAgent)
	f.other = f.person("其他人", idOther)
	return f
}

func (f *fx) unit(code, name string, level casework.Level, parent casework.Unit) casework.Unit {
	u, err := f.k.CreateUnit(f.ctx, f.admin, casework.UnitInput{Code: code, Name: name, Level: level, ParentID: parent.ID})
	require.NoError(f.t, err)
	return u
}

func (f *fx) staff(u casework.Unit, name string, roles ...casework.Role) casework.Actor {
	s, err := f.k.CreateStaff(f.ctx, f.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
	require.NoError(f.t, err)
	return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: roles}
}

func (f *fx) person(name, doc string) casework.Person {
	p, err := f.k.CreatePerson(f.ctx, f.officer, casework.PersonInput{UnitID: f.station.ID, Name: name, DocType: casework.DocResidentID, DocNumber: doc})
	require.NoError(f.t, err)
	return p
}

// at moves the clock.
func (f *fx) at(t time.Time) { f.clock.Set(t) }

func (f *fx) report(mut ...func(*mediation.ReportInput)) mediation.Dispute {
	f.t.Helper()
	in := mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour/noise", Source: mediation.SourceWalkIn,
		Facts:   "楼上楼下因噪音互扔垃圾",
		Parties: []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.b.ID, Role: mediation.Respondent}}}
	for _, m := range mut {
		m(&in)
	}
	d, err := f.svc.Report(f.ctx, f.officer, in)
	require.NoError(f.t, err)
	return d
}

func (f *fx) move(d mediation.Dispute, by casework.Actor, in mediation.TransitionInput) mediation.Dispute {
	f.t.Helper()
	if in.Reason == "" {
		in.Reason = "test: " + string(in.To)
	}
	n, err := f.svc.Transition(f.ctx, by, d.ID, d.Version, in)
	require.NoError(f.t, err)
	return n
}

func (f *fx) sig(name string) casework.Attachment {
	a, err := f.k.PutAttachment(f.ctx, f.officer, name, "image/jpeg", strings.NewReader("signature of "+name))
	require.NoError(f.t, err)
	return a
}

// written drafts a written agreement with one term per deadline.
func (f *fx) written(d mediation.Dispute, seek bool, deadlines ...time.Time) mediation.Dispute {
	f.t.Helper()
	terms := []mediation.Term{{Text: "相互赔礼道歉"}}
	for i, dl := range deadlines {
		terms = append(terms, mediation.Term{Text: "条款" + string(rune('A'+i)), Deadline: dl})
	}
	n, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Written,
		MediatorID: f.mediator.StaffID, Facts: "事实", Matters: "争议", SeekConfirmation: seek,
		Responsibilities: []mediation.Responsibility{{PartyID: f.a.ID, Text: "责任"}}, Terms: terms,
		PerformanceMethod: "自觉履行", PerformanceDeadline: local(5, 20, 0, 0)})
	require.NoError(f.t, err)
	return n
}

// signAll collects every signature of the current written agreement.
func (f *fx) signAll(d mediation.Dispute) mediation.Dispute {
	f.t.Helper()
	for _, p := range d.Parties {
		in := mediation.SignatureInput{PartyID: p.PersonID, Attachment: f.sig(p.PersonID)}
		if g := p.Guardians(); len(g) > 0 {
			in.SignedBy = g[0]
		}
		var err error
		d, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, in)
		require.NoError(f.t, err)
	}
	d, err := f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{MediatorID: f.mediator.StaffID, Attachment: f.sig("mediator")})
	require.NoError(f.t, err)
	require.Equal(f.t, mediation.StateAgreed, d.State)
	return d
}

func (f *fx) oral(d mediation.Dispute, deadline time.Time) mediation.Dispute {
	f.t.Helper()
	n, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral,
		MediatorID: f.mediator.StaffID, Content: "双方和好", Terms: []mediation.Term{{Text: "握手言和", Deadline: deadline}}})
	require.NoError(f.t, err)
	return n
}

// to drives a fresh dispute into a state along the shortest path.
func (f *fx) to(state mediation.State) mediation.Dispute {
	f.t.Helper()
	d := f.report()
	path := map[mediation.State][]mediation.State{
		mediation.StateReported:    nil,
		mediation.StateScreened:    {mediation.StateScreened},
		mediation.StateNotAccepted: {mediation.StateNotAccepted},
		mediation.StateAccepted:    {mediation.StateScreened, mediation.StateAccepted},
		mediation.StateInMediation: {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation},
		mediation.StateAgreed:      {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateAgreed},
		mediation.StateFailed:      {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateFailed},
		mediation.StateFollowingUp: {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateAgreed, mediation.StateFollowingUp},
		mediation.StateClosed:      {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateAgreed, mediation.StateClosed},
		mediation.StateReferred:    {mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateFailed, mediation.StateReferred},
	}[state]
	for _, s := range path {
		d = f.step(d, s)
	}
	require.Equal(f.t, state, d.State)
	return d
}

// step performs the allowed move of d to s with what the move needs.
func (f *fx) step(d mediation.Dispute, s mediation.State) mediation.Dispute {
	f.t.Helper()
	switch s {
	case mediation.StateAccepted:
		return f.move(d, f.officer, mediation.TransitionInput{To: s, Assign: []string{f.mediator.StaffID, f.lawyer.StaffID}})
	case mediation.StateAgreed:
		return f.oral(d, time.Time{})
	case mediation.StateInMediation:
		if d.State == mediation.StateFollowingUp {
			return f.reopen(d)
		}
	case mediation.StateReferred:
		return f.move(d, f.officer, mediation.TransitionInput{To: s, Referral: &mediation.Referral{To: "court", Body: "淄川区人民法院"}})
	}
	return f.move(d, f.officer, mediation.TransitionInput{To: s})
}

// reopen records a follow-up that finds term 0 not performed and reopens
// mediation: the only way back from following_up to in_mediation.
func (f *fx) reopen(d mediation.Dispute) mediation.Dispute {
	f.t.Helper()
	n, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: mediation.Reopen})
	require.NoError(f.t, err)
	require.Equal(f.t, mediation.StateInMediation, n.State)
	return n
}

func requireField(t *testing.T, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, mediation.ErrInvalid)
	var inv *casework.InvalidError
	require.True(t, errors.As(err, &inv), "%v", err)
	for _, fe := range inv.Fields {
		if fe.Field == field && fe.Rule == rule {
			return
		}
	}
	t.Fatalf("no field error %s/%s in %v", field, rule, err)
}

func requireTransition(t *testing.T, err error, from, to mediation.State) {
	t.Helper()
	require.ErrorIs(t, err, mediation.ErrInvalidTransition)
	var te *casework.TransitionError
	require.True(t, errors.As(err, &te), "%v", err)
	require.Equal(t, string(from), te.From)
	require.Equal(t, string(to), te.To)
	require.NotEmpty(t, te.Why)
}

// auditActions returns the audit actions of a dispute in order.
func (f *fx) auditActions(id string) []string {
	f.t.Helper()
	trail, err := f.svc.History(f.ctx, f.auditor, id)
	require.NoError(f.t, err)
	out := make([]string, len(trail))
	for i, e := range trail {
		out[i] = e.Action
	}
	return out
}

func (f *fx) verify() {
	f.t.Helper()
	rep, err := f.k.VerifyAudit(f.ctx, f.auditor)
	require.NoError(f.t, err)
	require.True(f.t, rep.OK, "%+v", rep)
}

package mediation_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

func policeFacts(ex ...mediation.Exclusion) *mediation.PoliceFacts {
	return &mediation.PoliceFacts{Violation: "殴打他人（情节轻微）", FromCivilDispute: true, MinorViolation: true, Exclusions: ex}
}

func TestPoliceExclusions(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	cases := []struct {
		name   string
		facts  *mediation.PoliceFacts
		field  string
		rule   string
		passes bool
	}{
		{name: "minor violation from a civil dispute", facts: policeFacts(), passes: true},
		{name: "facts missing", facts: nil, field: "police", rule: "required"},
		{name: "violation unnamed", facts: &mediation.PoliceFacts{FromCivilDispute: true, MinorViolation: true}, field: "police.violation", rule: "required"},
		{name: "not from a civil dispute", facts: &mediation.PoliceFacts{Violation: "v", MinorViolation: true}, field: "police.fromCivilDispute", rule: "civil_dispute"},
		{name: "not minor", facts: &mediation.PoliceFacts{Violation: "v", FromCivilDispute: true}, field: "police.minorViolation", rule: "minor_violation"},
		{name: "unknown exclusion", facts: policeFacts("bad_weather"), field: "police.exclusions[0]", rule: "code"},
	}
	for _, ex := range mediation.Exclusions {
		cases = append(cases, struct {
			name   string
			facts  *mediation.PoliceFacts
			field  string
			rule   string
			passes bool
		}{name: "excluded: " + string(ex), facts: policeFacts(ex), field: "police.exclusions[0]", rule: "police_excluded"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := mediation.CheckPolice(tc.facts)
			_, rerr := f.svc.Report(f.ctx, f.officer, mediation.ReportInput{UnitID: f.station.ID, Category: "damages/personal_injury",
				Source: mediation.SourceCall110, Kind: mediation.KindPolice, Police: tc.facts, Facts: "邻里口角后推搡"})
			if tc.passes {
				require.NoError(t, err)
				require.NoError(t, rerr)
				return
			}
			requireField(t, err, tc.field, tc.rule)
			requireField(t, rerr, tc.field, tc.rule)
		})
	}
	t.Run("screening into police mediation checks the facts", func(t *testing.T) {
		t.Parallel()
		for _, ex := range mediation.Exclusions {
			d := f.report()
			_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r",
				Kind: mediation.KindPolice, Police: policeFacts(ex)})
			requireField(t, err, "police.exclusions[0]", "police_excluded")
		}
		d := f.report()
		d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateScreened, Kind: mediation.KindPolice, Police: policeFacts()})
		require.Equal(t, mediation.KindPolice, d.Kind)
		back := f.report(func(in *mediation.ReportInput) { in.Kind, in.Police = mediation.KindPolice, policeFacts() })
		back = f.move(back, f.officer, mediation.TransitionInput{To: mediation.StateScreened, Kind: mediation.KindPeople})
		require.Nil(t, back.Police, "police facts go with police mediation")
	})
	t.Run("police facts only for police mediation", func(t *testing.T) {
		t.Parallel()
		_, err := f.svc.Report(f.ctx, f.officer, mediation.ReportInput{UnitID: f.station.ID, Category: "neighbour", Source: mediation.SourceWalkIn,
			Police: policeFacts(), Facts: "f"})
		requireField(t, err, "police", "police_only")
	})
	t.Run("a failed police mediation closes as penalised", func(t *testing.T) {
		t.Parallel()
		d := f.report(func(in *mediation.ReportInput) { in.Kind, in.Police = mediation.KindPolice, policeFacts() })
		for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation, mediation.StateFailed} {
			d = f.step(d, s)
		}
		_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r", Outcome: mediation.OutcomeNoAgreement})
		requireField(t, err, "outcome", "police_penalised")
		d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateClosed, Reason: "依法予以治安管理处罚"})
		require.Equal(t, mediation.OutcomePenalised, d.Outcome)
	})
}

func TestAgeAt(t *testing.T) {
	t.Parallel()
	birth := time.Date(2002, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{local(5, 31, 23, 59), 17},
		{local(6, 1, 0, 0), 18},                               // the birthday begins at local midnight
		{time.Date(2020, 5, 31, 16, 0, 0, 0, time.UTC), 18},   // = 1 June 00:00 in Zibo
		{time.Date(2020, 5, 31, 15, 59, 59, 0, time.UTC), 17}, // = 31 May 23:59:59 in Zibo
		{time.Date(2021, 1, 1, 0, 0, 0, 0, zone), 18},
	} {
		age, ok := mediation.AgeAt(birth, tc.at, zone)
		require.True(t, ok)
		require.Equal(t, tc.want, age, "at %s", tc.at)
	}
	_, ok := mediation.AgeAt(time.Time{}, local(5, 1, 0, 0), zone)
	require.False(t, ok)
}

// policeWithMinor is a police mediation in which the respondent is a minor
// with (or without) a guardian recorded, in mediation.
func (f *fx) policeWithMinor(withGuardian bool) mediation.Dispute {
	f.t.Helper()
	minor := mediation.Party{PersonID: f.minor.ID, Role: mediation.Respondent}
	if withGuardian {
		minor.Representatives = []mediation.Representative{{PersonID: f.guardian.ID, Role: mediation.Guardian}}
	}
	d := f.report(func(in *mediation.ReportInput) {
		in.Kind, in.Police = mediation.KindPolice, policeFacts()
		in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, minor}
	})
	for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d = f.step(d, s)
	}
	return d
}

func session(f *fx, attendees ...string) mediation.SessionInput {
	in := mediation.SessionInput{Place: "人民调解室", Notes: "笔录",
		Mediators: []mediation.Mediator{{StaffID: f.officer.StaffID, Role: casework.RoleOfficer}}}
	for _, id := range attendees {
		in.Attendees = append(in.Attendees, mediation.Attendee{PersonID: id})
	}
	return in
}

func TestGuardianRule(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	for _, tc := range []struct {
		name      string
		guardian  bool
		attendees func() []string
		rule      string
	}{
		{"guardian present", true, func() []string { return []string{f.a.ID, f.minor.ID, f.guardian.ID} }, ""},
		{"guardian absent", true, func() []string { return []string{f.a.ID, f.minor.ID} }, "guardian_present"},
		{"another adult is no guardian", true, func() []string { return []string{f.a.ID, f.minor.ID, f.other.ID} }, "guardian_present"},
		{"no guardian recorded", false, func() []string { return []string{f.a.ID, f.minor.ID, f.guardian.ID} }, "guardian_required"},
	} {
		t.Run("session: "+tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.policeWithMinor(tc.guardian)
			_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, session(f, tc.attendees()...))
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			requireField(t, err, "attendees", tc.rule)
		})
	}
	t.Run("signature of a minor party through the guardian", func(t *testing.T) {
		t.Parallel()
		d := f.policeWithMinor(true)
		d, err := f.svc.DraftAgreement(f.ctx, f.officer, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Written,
			MediatorID: f.officer.StaffID, Facts: "f", Matters: "m", Responsibilities: []mediation.Responsibility{{PartyID: f.minor.ID, Text: "r"}},
			Terms: []mediation.Term{{Text: "赔礼道歉"}}, PerformanceMethod: "当面", PerformanceDeadline: local(5, 7, 0, 0)})
		require.NoError(t, err)
		_, err = f.svc.SignAgreement(f.ctx, f.officer, d.ID, d.Version, mediation.SignatureInput{PartyID: f.minor.ID, Attachment: f.sig("minor")})
		requireField(t, err, "signedBy", "guardian_present")
		d, err = f.svc.SignAgreement(f.ctx, f.officer, d.ID, d.Version, mediation.SignatureInput{PartyID: f.minor.ID, SignedBy: f.guardian.ID, Attachment: f.sig("guardian")})
		require.NoError(t, err)
		require.Equal(t, f.guardian.ID, d.Agreements[0].Signatures[0].SignedBy)
	})
	t.Run("people's mediation has no guardian rule", func(t *testing.T) {
		t.Parallel()
		d := f.report(func(in *mediation.ReportInput) {
			in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: f.minor.ID, Role: mediation.Respondent}}
		})
		for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
			d = f.step(d, s)
		}
		_, err := f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, session(f, f.a.ID, f.minor.ID))
		require.NoError(t, err)
	})
	t.Run("an adult by the time of the session", func(t *testing.T) {
		t.Parallel()
		g := newFx(t, nil)
		g.at(time.Date(2026, 6, 1, 9, 0, 0, 0, zone)) // the minor turns 18 today
		d := g.policeWithMinor(false)
		d, err := g.svc.RecordSession(g.ctx, g.officer, d.ID, d.Version, session(g, g.a.ID, g.minor.ID))
		require.NoError(t, err)
		_, err = g.svc.RecordSession(g.ctx, g.officer, d.ID, d.Version, mediation.SessionInput{Place: "p", Notes: "n",
			At: time.Date(2026, 5, 31, 23, 0, 0, 0, zone), Mediators: session(g).Mediators, Attendees: session(g, g.minor.ID).Attendees})
		requireField(t, err, "attendees", "guardian_required") // held the evening before the 18th birthday
	})
	t.Run("a party marked minor without a birth date", func(t *testing.T) {
		t.Parallel()
		unknown, err := f.k.CreatePerson(f.ctx, f.officer, casework.PersonInput{UnitID: f.station.ID, Name: "无证件少年", DocType: casework.DocNone})
		require.NoError(t, err)
		d := f.report(func(in *mediation.ReportInput) {
			in.Kind, in.Police = mediation.KindPolice, policeFacts()
			in.Parties = []mediation.Party{{PersonID: f.a.ID, Role: mediation.Applicant}, {PersonID: unknown.ID, Role: mediation.Respondent, Minor: true}}
		})
		for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
			d = f.step(d, s)
		}
		_, err = f.svc.RecordSession(f.ctx, f.officer, d.ID, d.Version, session(f, f.a.ID, unknown.ID))
		requireField(t, err, "attendees", "guardian_required")
	})
}

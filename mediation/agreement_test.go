package mediation_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// agreedWritten is a people's mediation whose written agreement took effect
// at 2020-05-07 16:10 in Zibo.
func (f *fx) agreedWritten(seek bool, deadlines ...time.Time) mediation.Dispute {
	f.t.Helper()
	f.at(local(5, 6, 9, 0))
	d := f.to(mediation.StateInMediation)
	f.at(local(5, 7, 16, 0))
	d = f.written(d, seek, deadlines...)
	f.at(local(5, 7, 16, 10))
	return f.signAll(d)
}

func TestWrittenAgreementTakesEffectWhenAllHaveSigned(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation)
	d = f.written(d, false)
	require.Equal(t, mediation.StateInMediation, d.State)
	require.True(t, d.Agreements[0].EffectiveAt.IsZero())

	_, err := f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{MediatorID: f.lawyer.StaffID, Attachment: f.sig("x")})
	requireField(t, err, "mediatorId", "presiding")
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.other.ID, Attachment: f.sig("x")})
	requireField(t, err, "partyId", "party")
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, MediatorID: f.mediator.StaffID, Attachment: f.sig("x")})
	requireField(t, err, "partyId", "one_signer")
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID})
	requireField(t, err, "attachment.sha256", "required")
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, SignedBy: f.agent.ID, Attachment: f.sig("x")})
	requireField(t, err, "signedBy", "representative")

	f.at(local(5, 6, 10, 0))
	d, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
	require.NoError(t, err)
	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
	requireField(t, err, "partyId", "signed_once")
	f.at(local(5, 6, 11, 0))
	d, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{MediatorID: f.mediator.StaffID, Attachment: f.sig("m")})
	require.NoError(t, err)
	require.Equal(t, mediation.StateInMediation, d.State, "a party has not signed yet")
	f.at(local(5, 6, 12, 0))
	d, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.b.ID, Attachment: f.sig("b"),
		SignedAt: local(5, 6, 11, 30)})
	require.NoError(t, err)
	require.Equal(t, mediation.StateAgreed, d.State)
	require.Equal(t, local(5, 6, 11, 30).UTC(), d.Agreements[0].EffectiveAt, "the latest signature's time")
	require.Equal(t, d.Agreements[0].EffectiveAt, d.SettledAt)
	require.Equal(t, local(6, 6, 0, 0).UTC(), d.Agreements[0].ConfirmationDue, "30 days, to 24:00 of the 30th day")

	_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
	requireField(t, err, "agreement", "signing")
}

func TestAgreementContent(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	for _, tc := range []struct {
		name  string
		in    mediation.AgreementInput
		field string
		rule  string
	}{
		{"written needs the facts", mediation.AgreementInput{Form: mediation.Written}, "facts", "required"},
		{"written needs the matters", mediation.AgreementInput{Form: mediation.Written}, "matters", "required"},
		{"written needs responsibilities", mediation.AgreementInput{Form: mediation.Written}, "responsibilities", "required"},
		{"written needs terms", mediation.AgreementInput{Form: mediation.Written}, "terms", "required"},
		{"written needs the method", mediation.AgreementInput{Form: mediation.Written}, "performanceMethod", "required"},
		{"written needs the deadline", mediation.AgreementInput{Form: mediation.Written}, "performanceDeadline", "required"},
		{"oral needs its content", mediation.AgreementInput{Form: mediation.Oral}, "content", "required"},
		{"oral is not confirmed", mediation.AgreementInput{Form: mediation.Oral, Content: "c", SeekConfirmation: true}, "seekConfirmation", "written_only"},
		{"form", mediation.AgreementInput{Form: "sung"}, "form", "oneof"},
		{"mediator required", mediation.AgreementInput{Form: mediation.Oral, Content: "c", MediatorID: ""}, "mediatorId", "required"},
		{"unassigned mediator", mediation.AgreementInput{Form: mediation.Oral, Content: "c", MediatorID: "other"}, "mediatorId", "assigned"},
		{"responsibility of a party", mediation.AgreementInput{Form: mediation.Oral, Content: "c",
			Responsibilities: []mediation.Responsibility{{PartyID: "nobody", Text: "t"}}}, "responsibilities[0].partyId", "party"},
		{"obligor is a party", mediation.AgreementInput{Form: mediation.Oral, Content: "c", Terms: []mediation.Term{{Text: "t", ObligorID: "nobody"}}}, "terms[0].obligorId", "party"},
		{"deadline after the agreement", mediation.AgreementInput{Form: mediation.Oral, Content: "c", Terms: []mediation.Term{{Text: "t", Deadline: local(5, 5, 0, 0)}}}, "terms[0].deadline", "after_agreement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.to(mediation.StateInMediation)
			in := tc.in
			if in.MediatorID == "" && tc.field != "mediatorId" {
				in.MediatorID = f.mediator.StaffID
			}
			if in.MediatorID == "other" {
				in.MediatorID = f.otherMediator.StaffID
			}
			_, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, in)
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("only people's mediation is judicially confirmed", func(t *testing.T) {
		t.Parallel()
		d := f.report(func(in *mediation.ReportInput) { in.Kind = mediation.KindSettlement })
		for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
			d = f.step(d, s)
		}
		_, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Written,
			MediatorID: f.mediator.StaffID, Facts: "f", Matters: "m", Responsibilities: []mediation.Responsibility{{PartyID: f.a.ID, Text: "r"}},
			Terms: []mediation.Term{{Text: "t"}}, PerformanceMethod: "m", PerformanceDeadline: local(5, 9, 0, 0), SeekConfirmation: true})
		requireField(t, err, "seekConfirmation", "people_only")
	})
	t.Run("a new draft voids the signatures of the old", func(t *testing.T) {
		t.Parallel()
		d := f.to(mediation.StateInMediation)
		d = f.written(d, false)
		d, err := f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
		require.NoError(t, err)
		d = f.written(d, false, local(5, 9, 0, 0))
		require.Len(t, d.Agreements, 1)
		require.Empty(t, d.Agreements[0].Signatures)
		require.Len(t, d.Agreements[0].Terms, 2)
		require.Equal(t, local(5, 10, 0, 0).UTC(), d.Agreements[0].Terms[1].Deadline, "a deadline date ends at 24:00 local")
	})
	t.Run("an oral agreement takes effect when reached", func(t *testing.T) {
		t.Parallel()
		d := f.to(mediation.StateInMediation)
		d, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral,
			MediatorID: f.mediator.StaffID, Content: "相互赔礼道歉、握手言和"})
		require.NoError(t, err)
		require.Equal(t, mediation.StateAgreed, d.State)
		require.Equal(t, f.k.Now(), d.Agreements[0].EffectiveAt)
		require.Equal(t, []mediation.Term{{Text: "相互赔礼道歉、握手言和"}}, d.Agreements[0].Terms)
		_, err = f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID, Attachment: f.sig("a")})
		requireField(t, err, "agreement", "signing")
	})
}

func TestConfirmationWindow(t *testing.T) {
	t.Parallel()
	// Effective 2020-05-07 16:10 in Zibo: the window ends at 24:00 on 6 June
	// (30 days, the day of effect not counted).
	end := local(6, 7, 0, 0)
	for _, tc := range []struct {
		name    string
		applied time.Time
		field   string
		rule    string
	}{
		{"at the moment of effect", local(5, 7, 16, 10), "", ""},
		{"the next day", local(5, 8, 9, 0), "", ""},
		{"the last minute of day 30", local(6, 6, 23, 59), "", ""},
		{"the last microsecond of day 30", end.Add(-time.Microsecond), "", ""},
		{"24:00 of day 30", end, "appliedAt", "confirmation_window"},
		{"day 31", local(6, 7, 9, 0), "appliedAt", "confirmation_window"},
		{"before the effect", local(5, 7, 16, 9), "appliedAt", "after_effect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFx(t, nil)
			d := f.agreedWritten(true)
			require.Equal(t, end.UTC(), d.Agreements[0].ConfirmationDue)
			f.at(local(7, 1, 9, 0))
			n, err := f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院", AppliedAt: tc.applied})
			if tc.rule != "" {
				requireField(t, err, tc.field, tc.rule)
				return
			}
			require.NoError(t, err)
			c := n.Agreements[0].Confirmation
			require.Equal(t, mediation.ConfirmationRequested, c.Status)
			require.Equal(t, tc.applied.UTC(), c.AppliedAt)
		})
	}
	t.Run("the window with a configured length", func(t *testing.T) {
		t.Parallel()
		f := newFx(t, &mediation.Config{ConfirmationWindow: 15})
		d := f.agreedWritten(false)
		require.Equal(t, local(5, 23, 0, 0).UTC(), d.Agreements[0].ConfirmationDue)
	})
}

func TestConfirmationRuling(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.agreedWritten(true, local(5, 30, 0, 0))
	_, err := f.svc.RuleConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.RulingInput{Status: mediation.ConfirmationConfirmed})
	requireField(t, err, "confirmation", "requested")
	f.at(local(5, 10, 9, 0))
	d, err = f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院"})
	require.NoError(t, err)
	_, err = f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院"})
	requireField(t, err, "confirmation", "once")
	_, err = f.svc.RuleConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.RulingInput{Status: "maybe"})
	requireField(t, err, "status", "oneof")
	f.at(local(5, 20, 9, 0))
	d, err = f.svc.RuleConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.RulingInput{Status: mediation.ConfirmationInvalid, Note: "协议内容违反法律规定"})
	require.NoError(t, err)
	require.Equal(t, mediation.ConfirmationInvalid, d.Agreements[0].Confirmation.Status)
	require.Empty(t, mediation.OpenDeadlines(d), "an agreement ruled invalid is not performed")

	oral := f.to(mediation.StateAgreed)
	_, err = f.svc.ApplyConfirmation(f.ctx, f.officer, oral.ID, oral.Version, mediation.ConfirmationInput{Court: "c"})
	requireField(t, err, "agreement", "confirmable")
	none := f.to(mediation.StateInMediation)
	_, err = f.svc.ApplyConfirmation(f.ctx, f.officer, none.ID, none.Version, mediation.ConfirmationInput{Court: "c"})
	requireField(t, err, "agreement", "effective")
}

func TestAssignedMediatorPresides(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation)
	_, err := f.svc.DraftAgreement(f.ctx, f.officer, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral,
		MediatorID: f.officer.StaffID, Content: "c"})
	require.NoError(t, err, "an officer presides over any dispute of the unit")
}

// TestAgreementNotBeforeMediation: an agreement is reached, and signed, in
// mediation — not in some period before the dispute was accepted or last
// (re)entered mediation.
func TestAgreementNotBeforeMediation(t *testing.T) {
	t.Parallel()
	accepted, mediating, now := local(5, 6, 9, 0), local(5, 8, 9, 0), local(5, 9, 9, 0)
	for _, tc := range []struct {
		name    string
		form    mediation.Form
		reached time.Time
		rule    string // "" accepted
	}{
		{"oral before acceptance", mediation.Oral, local(1, 15, 9, 0), "after_mediation"},
		{"oral between acceptance and mediation", mediation.Oral, local(5, 7, 9, 0), "after_mediation"},
		{"oral a microsecond before mediation", mediation.Oral, mediating.Add(-time.Microsecond), "after_mediation"},
		{"oral as mediation began", mediation.Oral, mediating, ""},
		{"oral now (the default)", mediation.Oral, time.Time{}, ""},
		{"written before acceptance", mediation.Written, local(2, 1, 9, 0), "after_mediation"},
		{"written between acceptance and mediation", mediation.Written, local(5, 7, 9, 0), "after_mediation"},
		{"written during mediation", mediation.Written, local(5, 8, 15, 0), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFx(t, nil)
			f.at(accepted)
			d := f.to(mediation.StateAccepted)
			f.at(mediating)
			d = f.step(d, mediation.StateInMediation)
			f.at(now)
			in := mediation.AgreementInput{Form: tc.form, MediatorID: f.mediator.StaffID, ReachedAt: tc.reached,
				Content: "双方和好", Facts: "事实", Matters: "争议", Responsibilities: []mediation.Responsibility{{PartyID: f.a.ID, Text: "责任"}},
				Terms: []mediation.Term{{Text: "相互赔礼道歉"}}, PerformanceMethod: "自觉履行", PerformanceDeadline: local(5, 20, 0, 0)}
			if tc.form == mediation.Written {
				in.Content = ""
			}
			n, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, in)
			if tc.rule != "" {
				requireField(t, err, "reachedAt", tc.rule)
				again, err := f.svc.Get(f.ctx, f.officer, d.ID)
				require.NoError(t, err)
				require.Equal(t, d, again, "a refused agreement changes nothing")
				return
			}
			require.NoError(t, err)
			if tc.form == mediation.Oral {
				require.Equal(t, mediation.StateAgreed, n.State)
				require.False(t, n.SettledAt.Before(mediating.UTC()))
			}
		})
	}
	t.Run("after a reopening the floor is the reopening", func(t *testing.T) {
		t.Parallel()
		f := newFx(t, nil)
		d := f.to(mediation.StateAgreed) // settled 6 May
		f.at(local(5, 12, 9, 0))
		d = f.reopen(d)
		f.at(local(5, 14, 9, 0))
		_, err := f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral,
			MediatorID: f.mediator.StaffID, Content: "再次和好", ReachedAt: local(5, 10, 9, 0)})
		requireField(t, err, "reachedAt", "after_mediation")
		d, err = f.svc.DraftAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral,
			MediatorID: f.mediator.StaffID, Content: "再次和好", ReachedAt: local(5, 13, 9, 0)})
		require.NoError(t, err)
		require.Equal(t, local(5, 13, 9, 0).UTC(), d.Agreements[1].EffectiveAt)
	})
}

// TestSignatureNotBeforeMediation: a signature never dates from before the
// dispute entered mediation, even on a draft recorded before that rule (its
// ReachedAt earlier than the mediation).
func TestSignatureNotBeforeMediation(t *testing.T) {
	t.Parallel()
	mediating := local(5, 8, 9, 0)
	for _, tc := range []struct {
		name   string
		signed time.Time
		rule   string // "" accepted
	}{
		{"before acceptance", local(1, 20, 9, 0), "after_mediation"},
		{"after the legacy draft, before mediation", local(5, 7, 12, 0), "after_mediation"},
		{"a microsecond before mediation", mediating.Add(-time.Microsecond), "after_mediation"},
		{"as mediation began", mediating, ""},
		{"during mediation", local(5, 8, 15, 0), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFx(t, nil)
			d := f.to(mediation.StateAccepted)
			f.at(mediating)
			d = f.step(d, mediation.StateInMediation)
			f.at(local(5, 9, 9, 0))
			d = f.written(d, false)
			// A draft stored before the floor existed, reached on 7 May.
			d.Agreements[0].ReachedAt = local(5, 7, 9, 0).UTC()
			d.Version++
			require.NoError(t, f.store.UpdateDispute(f.ctx, d, casework.Change{}))
			_, err := f.svc.SignAgreement(f.ctx, f.mediator, d.ID, d.Version, mediation.SignatureInput{PartyID: f.a.ID,
				Attachment: f.sig("a"), SignedAt: tc.signed})
			if tc.rule != "" {
				requireField(t, err, "signedAt", tc.rule)
				return
			}
			require.NoError(t, err)
		})
	}
}

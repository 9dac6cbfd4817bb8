package mediation_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

func TestFollowUpReopensOnNonPerformance(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.agreedWritten(false, local(5, 10, 0, 0))
	f.at(local(5, 12, 9, 0))
	d, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}, {Term: 1, Status: mediation.NotPerformed, Note: "仍向门口扔垃圾"}},
		Action: mediation.Reopen,
	})
	require.NoError(t, err)
	require.Equal(t, mediation.StateInMediation, d.State)
	n := len(d.History)
	require.Equal(t, [2]mediation.State{mediation.StateAgreed, mediation.StateFollowingUp}, [2]mediation.State{d.History[n-2].From, d.History[n-2].To})
	require.Equal(t, [2]mediation.State{mediation.StateFollowingUp, mediation.StateInMediation}, [2]mediation.State{d.History[n-1].From, d.History[n-1].To})
	require.Contains(t, d.History[n-1].Reason, "non-performance")
	require.Equal(t, local(6, 12, 0, 0).UTC(), d.MediationDue, "the mediation time limit restarts on reopening")
	require.Equal(t, []mediation.Deadline{{Reason: mediation.ReasonMediationLimit, Due: d.MediationDue}}, mediation.OpenDeadlines(d),
		"the old agreement's performance no longer runs")
	require.Equal(t, []string{"mediation.follow_up"}, f.auditActions(d.ID)[len(f.auditActions(d.ID))-1:], "both steps in one audited write")

	// A second agreement is reached; the first stays on the record.
	f.at(local(5, 13, 9, 0))
	d = f.written(d, false)
	require.Len(t, d.Agreements, 2)
	d = f.signAll(d)
	require.Equal(t, local(5, 13, 9, 0).UTC(), d.SettledAt)
	require.Len(t, d.FollowUps, 1)
	f.verify()
}

func TestFollowUpRefers(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.agreedWritten(false)
	f.at(local(5, 12, 9, 0))
	d, err := f.svc.RecordFollowUp(f.ctx, f.lawyer, d.ID, d.Version, mediation.FollowUpInput{
		Checks:   []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}},
		Action:   mediation.Refer,
		Referral: &mediation.Referral{To: "court", Body: "淄川区人民法院"},
		Reason:   "一方拒不履行，引导向法院起诉",
	})
	require.NoError(t, err)
	require.Equal(t, mediation.StateReferred, d.State)
	require.Equal(t, "court", d.Referral.To)
	require.Equal(t, f.k.Now(), d.ReferredAt)
	require.Equal(t, "一方拒不履行，引导向法院起诉", d.History[len(d.History)-1].Reason)
}

func TestFollowUpRules(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	for _, tc := range []struct {
		name  string
		in    mediation.FollowUpInput
		field string
		rule  string
	}{
		{"checks required", mediation.FollowUpInput{}, "checks", "required"},
		{"term exists", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 5, Status: mediation.Performed}}}, "checks[0].term", "term"},
		{"term once", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}, {Term: 0, Status: mediation.Performing}}}, "checks[1].term", "unique"},
		{"status", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: "maybe"}}}, "checks[0].status", "oneof"},
		{"non-performance acts", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}}, "action", "required"},
		{"no action without non-performance", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performing}}, Action: mediation.Reopen}, "action", "non_performance"},
		{"unknown action", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: "sue"}, "action", "oneof"},
		{"referral with refer", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: mediation.Reopen,
			Referral: &mediation.Referral{To: "court"}}, "referral", "referring_only"},
		{"refer needs a referral", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: mediation.Refer}, "referral", "required"},
		{"visitors exist", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}, By: []string{"nobody"}}, "by[0]", "exists"},
		{"not before the agreement", mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}, At: local(5, 1, 0, 0)}, "at", "after_agreement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.to(mediation.StateAgreed)
			_, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, tc.in)
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("only after an agreement", func(t *testing.T) {
		t.Parallel()
		d := f.to(mediation.StateInMediation)
		_, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}})
		requireField(t, err, "state", "agreed")
	})
	t.Run("performing keeps following up", func(t *testing.T) {
		t.Parallel()
		d := f.to(mediation.StateAgreed)
		d, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performing}}})
		require.NoError(t, err)
		require.Equal(t, mediation.StateFollowingUp, d.State)
		d, err = f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{Checks: []mediation.TermCheck{{Term: 0, Status: mediation.Performed}}})
		require.NoError(t, err)
		require.Equal(t, mediation.StateFollowingUp, d.State)
		require.Len(t, d.FollowUps, 2)
		require.Equal(t, []string{f.officer.StaffID}, d.FollowUps[1].By, "the actor went when no one is named")
	})
}

package mediation_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// allowed is domain.md's table, written out again so that a change to the
// table in code fails here.
var allowed = map[[2]mediation.State]bool{
	{mediation.StateReported, mediation.StateScreened}:       true,
	{mediation.StateReported, mediation.StateNotAccepted}:    true,
	{mediation.StateScreened, mediation.StateAccepted}:       true,
	{mediation.StateScreened, mediation.StateNotAccepted}:    true,
	{mediation.StateAccepted, mediation.StateInMediation}:    true,
	{mediation.StateInMediation, mediation.StateAgreed}:      true,
	{mediation.StateInMediation, mediation.StateFailed}:      true,
	{mediation.StateAgreed, mediation.StateFollowingUp}:      true,
	{mediation.StateAgreed, mediation.StateClosed}:           true,
	{mediation.StateFollowingUp, mediation.StateClosed}:      true,
	{mediation.StateFollowingUp, mediation.StateInMediation}: true,
	{mediation.StateFollowingUp, mediation.StateReferred}:    true,
	{mediation.StateFailed, mediation.StateReferred}:         true,
	{mediation.StateFailed, mediation.StateClosed}:           true,
}

func TestCheckTransitionTable(t *testing.T) {
	t.Parallel()
	for _, from := range mediation.States {
		for _, to := range mediation.States {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				t.Parallel()
				err := mediation.CheckTransition(from, to)
				if allowed[[2]mediation.State{from, to}] {
					require.NoError(t, err)
					require.True(t, mediation.CanTransition(from, to))
					require.Contains(t, mediation.Next(from), to)
					return
				}
				requireTransition(t, err, from, to)
				require.False(t, mediation.CanTransition(from, to))
			})
		}
	}
	requireTransition(t, mediation.CheckTransition(mediation.StateReported, "archived"), mediation.StateReported, "archived")
	requireTransition(t, mediation.CheckTransition("", mediation.StateReported), "", mediation.StateReported)
}

// TestServiceTransitions drives a dispute into every state and tries every
// move from it through the service: the allowed ones succeed, record a
// history step and an audit entry; every other one is refused naming from
// and to, and changes nothing.
func TestServiceTransitions(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	for _, from := range mediation.States {
		for _, to := range mediation.States {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				t.Parallel()
				d := f.to(from)
				if !allowed[[2]mediation.State{from, to}] {
					in := mediation.TransitionInput{To: to, Reason: "try"}
					if to == mediation.StateReferred {
						in.Referral = &mediation.Referral{To: "court"}
					}
					_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, in)
					requireTransition(t, err, from, to)
					again, err := f.svc.Get(f.ctx, f.officer, d.ID)
					require.NoError(t, err)
					require.Equal(t, d, again, "a refused transition changes nothing")
					return
				}
				before := len(f.auditActions(d.ID))
				n := f.step(d, to)
				require.Equal(t, to, n.State)
				require.Equal(t, d.Version+1, n.Version)
				last := n.History[len(n.History)-1]
				require.Equal(t, from, last.From)
				require.Equal(t, to, last.To)
				require.NotEmpty(t, last.ActorID)
				require.NotEmpty(t, last.Reason)
				require.Equal(t, f.k.Now(), last.At)
				require.Len(t, f.auditActions(d.ID), before+1, "the transition is audited in the same write")
			})
		}
	}
}

func TestAgreedOnlyThroughAgreement(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation)
	_, err := f.svc.Transition(f.ctx, f.mediator, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateAgreed, Reason: "agreed"})
	requireTransition(t, err, mediation.StateInMediation, mediation.StateAgreed)
}

func TestTransitionInputs(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	for _, tc := range []struct {
		name  string
		from  mediation.State
		in    mediation.TransitionInput
		field string
		rule  string
	}{
		{"reason required", mediation.StateReported, mediation.TransitionInput{To: mediation.StateScreened}, "reason", "required"},
		{"kind only when screening", mediation.StateScreened, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "r", Kind: mediation.KindPolice}, "kind", "screening_only"},
		{"unknown kind", mediation.StateReported, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r", Kind: "court"}, "kind", "oneof"},
		{"assign only when accepting", mediation.StateReported, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r", Assign: []string{}}, "assign", "accepting_only"},
		{"assign a mediator", mediation.StateScreened, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "r", Assign: []string{"nobody"}}, "assign[0]", "exists"},
		{"assign no officer", mediation.StateScreened, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "r", Assign: []string{f.officer.StaffID}}, "assign[0]", "role"},
		{"refusal by a party", mediation.StateInMediation, mediation.TransitionInput{To: mediation.StateFailed, Reason: "r", RefusedBy: "nobody"}, "refusedBy", "party"},
		{"refusal only when failing", mediation.StateAgreed, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r", RefusedBy: "x"}, "refusedBy", "refusal_only"},
		{"referral required", mediation.StateFailed, mediation.TransitionInput{To: mediation.StateReferred, Reason: "r"}, "referral", "required"},
		{"referral code", mediation.StateFailed, mediation.TransitionInput{To: mediation.StateReferred, Reason: "r", Referral: &mediation.Referral{To: "moon"}}, "referral.to", "code"},
		{"outcome after agreement", mediation.StateAgreed, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r", Outcome: mediation.OutcomePenalised}, "outcome", "after_agreement"},
		{"outcome after failure", mediation.StateFailed, mediation.TransitionInput{To: mediation.StateClosed, Reason: "r", Outcome: mediation.OutcomeSettled}, "outcome", "after_failure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := f.to(tc.from)
			_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, tc.in)
			requireField(t, err, tc.field, tc.rule)
		})
	}
}

func TestAcceptNeedsBothSides(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report(func(in *mediation.ReportInput) { in.Parties = in.Parties[:1] })
	d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateScreened})
	_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateAccepted, Reason: "r"})
	requireField(t, err, "parties", "both_sides")
}

func TestRefusalFailsMediation(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.to(mediation.StateInMediation)
	d = f.move(d, f.mediator, mediation.TransitionInput{To: mediation.StateFailed, RefusedBy: f.b.ID, Reason: "被申请人明确拒绝继续调解"})
	require.Equal(t, mediation.StateFailed, d.State)
	require.Equal(t, f.b.ID, d.History[len(d.History)-1].RefusedBy)
	require.Equal(t, f.k.Now(), d.FailedAt)
	d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateClosed})
	require.Equal(t, mediation.OutcomeNoAgreement, d.Outcome)

	declined := f.to(mediation.StateScreened)
	declined = f.move(declined, f.officer, mediation.TransitionInput{To: mediation.StateNotAccepted, RefusedBy: f.a.ID, Reason: "申请人不愿调解"})
	require.Equal(t, mediation.StateNotAccepted, declined.State)
}

func TestVersionRequiredAndStale(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report()
	_, err := f.svc.Transition(f.ctx, f.officer, d.ID, 0, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrPreconditionRequired)
	f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateScreened})
	_, err = f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateNotAccepted, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrConflict)
	_, err = f.svc.Transition(f.ctx, f.officer, "missing", 1, mediation.TransitionInput{To: mediation.StateScreened, Reason: "r"})
	require.ErrorIs(t, err, mediation.ErrNotFound)
}

// TestConcurrentTransitions races 32 actors to move one dispute from the
// same version: exactly one wins, the others are told the version is stale,
// and the history holds one step.
func TestConcurrentTransitions(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report()
	errs := make([]error, 32)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateScreened, Reason: fmt.Sprint("writer ", i)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, mediation.ErrConflict)
	}
	require.Equal(t, 1, won)
	got, err := f.svc.Get(f.ctx, f.officer, d.ID)
	require.NoError(t, err)
	require.Len(t, got.History, 2)
	require.Len(t, f.auditActions(d.ID), 2)
}

package mediation_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
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
	require.Equal(t, local(5, 13, 9, 0).UTC(), d.Agreements[1].EffectiveAt)
	require.Equal(t, local(5, 7, 16, 10).UTC(), d.SettledAt, "settled once, when the first agreement took effect")
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

// TestReopenOnlyOnNonPerformance: following_up → in_mediation is refused
// through Transition unless the latest follow-up of the agreement in force
// found a term not performed and chose to reopen; RecordFollowUp's reopen
// path keeps working.
func TestReopenOnlyOnNonPerformance(t *testing.T) {
	t.Parallel()
	followUp := func(f *fx, d mediation.Dispute, status mediation.Performance) mediation.Dispute {
		d, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{
			Checks: []mediation.TermCheck{{Term: 0, Status: status}}})
		require.NoError(t, err)
		require.Equal(t, mediation.StateFollowingUp, d.State)
		return d
	}
	for _, tc := range []struct {
		name   string
		setup  func(f *fx) mediation.Dispute
		reopen bool // through RecordFollowUp, which must succeed
	}{
		{"no follow-up recorded", func(f *fx) mediation.Dispute { return f.to(mediation.StateFollowingUp) }, false},
		{"every term performed", func(f *fx) mediation.Dispute {
			return followUp(f, f.to(mediation.StateAgreed), mediation.Performed)
		}, false},
		{"terms being performed", func(f *fx) mediation.Dispute {
			return followUp(f, f.to(mediation.StateAgreed), mediation.Performing)
		}, false},
		{"non-performance found and then performed", func(f *fx) mediation.Dispute {
			d := f.reopen(f.to(mediation.StateFollowingUp))
			d = f.oral(d, time.Time{})
			return followUp(f, d, mediation.Performed)
		}, false},
		{"the reopening was of an earlier agreement", func(f *fx) mediation.Dispute {
			d := f.reopen(f.to(mediation.StateFollowingUp))
			d = f.oral(d, time.Time{})
			return f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateFollowingUp})
		}, false},
		{"a follow-up finds non-performance and reopens", func(f *fx) mediation.Dispute { return f.to(mediation.StateAgreed) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFx(t, nil)
			d := tc.setup(f)
			if tc.reopen {
				n, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{
					Checks: []mediation.TermCheck{{Term: 0, Status: mediation.NotPerformed}}, Action: mediation.Reopen})
				require.NoError(t, err)
				require.Equal(t, mediation.StateInMediation, n.State)
				last := n.History[len(n.History)-1]
				require.Equal(t, [2]mediation.State{mediation.StateFollowingUp, mediation.StateInMediation}, [2]mediation.State{last.From, last.To})
				return
			}
			_, err := f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateInMediation, Reason: "再调解"})
			requireTransition(t, err, mediation.StateFollowingUp, mediation.StateInMediation)
			var te *casework.TransitionError
			require.ErrorAs(t, err, &te)
			require.Contains(t, te.Why, "not performed")
			again, err := f.svc.Get(f.ctx, f.officer, d.ID)
			require.NoError(t, err)
			require.Equal(t, d, again, "a refused reopening changes nothing")
		})
	}
}

// TestSettledOnce: a dispute settled in January, reopened and settled
// again in April, stays in January's settled figure and does not join
// April's.
func TestSettledOnce(t *testing.T) {
	t.Parallel()
	jan := func(day, hour int) time.Time { return time.Date(2021, 1, day, hour, 0, 0, 0, zone) }
	f := newFx(t, nil)
	f.at(jan(10, 9))
	d := f.to(mediation.StateInMediation)
	f.at(jan(15, 9))
	d = f.oral(d, time.Time{})
	require.Equal(t, jan(15, 9).UTC(), d.SettledAt)
	period := func(from, to time.Time) casework.ReportQuery {
		return casework.ReportQuery{UnitID: f.station.ID, From: from, To: to}
	}
	month := func(m time.Month) casework.ReportQuery {
		first := time.Date(2021, m, 1, 0, 0, 0, 0, zone)
		return period(first, first.AddDate(0, 1, -1))
	}
	totals := func(q casework.ReportQuery) mediation.TotalsRow {
		rows, err := f.svc.Breakdown(f.ctx, f.supervisor, q, mediation.ByNone)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		return rows[0].TotalsRow
	}
	figure := func(q casework.ReportQuery) int64 {
		p, err := f.k.ResolvePeriod(f.ctx, f.supervisor, q)
		require.NoError(t, err)
		figs, err := f.svc.Figures(f.ctx, p)
		require.NoError(t, err)
		for _, fg := range figs {
			if fg.Key == "mediation.disputes.settled" {
				return fg.Value
			}
		}
		t.Fatal("no settled figure")
		return 0
	}
	january := totals(month(time.January))
	require.Equal(t, mediation.TotalsRow{Found: 1, Accepted: 1, Settled: 1}, january)

	f.at(time.Date(2021, 2, 1, 9, 0, 0, 0, zone))
	d = f.reopen(d)
	f.at(time.Date(2021, 4, 10, 9, 0, 0, 0, zone))
	d = f.oral(d, time.Time{})
	require.Len(t, d.Agreements, 2)
	require.Equal(t, time.Date(2021, 4, 10, 9, 0, 0, 0, zone).UTC(), d.Agreements[1].EffectiveAt)
	require.Equal(t, jan(15, 9).UTC(), d.SettledAt, "the first agreement's effect, kept")

	for _, tc := range []struct {
		name    string
		q       casework.ReportQuery
		settled int64
	}{
		{"January", month(time.January), 1},
		{"February (reopened)", month(time.February), 0},
		{"April (agreed again)", month(time.April), 0},
		{"January to April", period(jan(1, 0), time.Date(2021, 4, 30, 0, 0, 0, 0, zone)), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.settled, totals(tc.q).Settled)
			require.Equal(t, tc.settled, figure(tc.q))
		})
	}
	require.Equal(t, january, totals(month(time.January)), "January's figures are unchanged after the fact")
}

package mediation_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

func reasons(dl []mediation.Deadline) []mediation.DeadlineReason {
	out := []mediation.DeadlineReason{}
	for _, d := range dl {
		out = append(out, d.Reason)
	}
	return out
}

// requireOverdueFrom checks that d is overdue for reason exactly from due:
// not a microsecond before.
func requireOverdueFrom(t *testing.T, d mediation.Dispute, reason mediation.DeadlineReason, due time.Time) {
	t.Helper()
	require.NotContains(t, reasons(mediation.Overdue(d, due.Add(-time.Microsecond))), reason)
	require.Contains(t, reasons(mediation.Overdue(d, due)), reason)
	require.True(t, d.IsOverdue(due))
	require.False(t, d.NextDue.IsZero())
	require.False(t, d.NextDue.After(due), "NextDue, which stores select by, is never later than an open deadline")
}

func TestOverdueReviewDeadline(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.report(func(in *mediation.ReportInput) {
		in.Risk, in.RiskReason = mediation.RiskHigh, "扬言报复，可能民转刑"
	})
	due := local(5, 7, 9, 0)
	require.Equal(t, due.UTC(), d.ReviewDue)
	requireOverdueFrom(t, d, mediation.ReasonReview, due)
	require.Equal(t, []casework.Notice{{Kind: casework.NoticeHighRisk, UnitID: f.station.ID, RecordType: mediation.RecordType,
		RecordID: d.ID, Reason: "review_deadline", Due: due.UTC()}}, f.notices.All())

	_, err := f.svc.Review(f.ctx, f.officer, d.ID, d.Version, "已安排稳控")
	require.ErrorIs(t, err, mediation.ErrForbidden, "only a supervisor reviews")
	_, err = f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, " ")
	requireField(t, err, "note", "required")
	d, err = f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, "已安排社区民警重点稳控")
	require.NoError(t, err)
	require.Empty(t, mediation.Overdue(d, due.Add(time.Hour)))
	require.True(t, d.NextDue.IsZero())
	_, err = f.svc.Review(f.ctx, f.supervisor, d.ID, d.Version, "again")
	requireField(t, err, "review", "not_due")

	t.Run("raising the risk later starts a new review deadline", func(t *testing.T) {
		t.Parallel()
		g := newFx(t, &mediation.Config{ReviewDeadline: 2 * time.Hour})
		d := g.report()
		require.True(t, d.ReviewDue.IsZero())
		_, err := g.svc.Assess(g.ctx, g.officer, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskHigh})
		requireField(t, err, "riskReason", "required")
		_, err = g.svc.Assess(g.ctx, g.mediator, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskHigh, Reason: "一方持刀威胁"})
		require.ErrorIs(t, err, mediation.ErrForbidden, "a mediator not yet assigned does not act")
		d, err = g.svc.Assess(g.ctx, g.officer, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskHigh, Reason: "一方持刀威胁"})
		require.NoError(t, err)
		require.Equal(t, local(5, 6, 11, 0).UTC(), d.ReviewDue)
		require.Len(t, g.notices.All(), 1)
		d, err = g.svc.Assess(g.ctx, g.officer, d.ID, d.Version, mediation.RiskInput{Risk: mediation.RiskLow})
		require.NoError(t, err)
		requireOverdueFrom(t, d, mediation.ReasonReview, local(5, 6, 11, 0))
	})
}

func TestOverdueMediationLimit(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	f.at(local(5, 6, 22, 30))
	d := f.to(mediation.StateAccepted)
	due := local(6, 6, 0, 0) // accepted 6 May: 30 days end at 24:00 on 5 June
	require.Equal(t, due.UTC(), d.MediationDue)
	requireOverdueFrom(t, d, mediation.ReasonMediationLimit, due)
	d = f.step(d, mediation.StateInMediation)
	requireOverdueFrom(t, d, mediation.ReasonMediationLimit, due)
	d = f.oral(d, time.Time{})
	require.Empty(t, mediation.Overdue(d, due.Add(time.Hour)), "an agreement ends the mediation time limit")

	g := newFx(t, &mediation.Config{MediationLimit: 10})
	e := g.to(mediation.StateAccepted)
	require.Equal(t, local(5, 17, 0, 0).UTC(), e.MediationDue)
}

func TestOverduePerformanceDeadline(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	// Term 0 falls back to the agreement's deadline (20 May); term 1 has its own (10 May).
	d := f.agreedWritten(false, local(5, 10, 0, 0))
	requireOverdueFrom(t, d, mediation.ReasonPerformance, local(5, 11, 0, 0))
	require.Equal(t, []mediation.Deadline{
		{Reason: mediation.ReasonPerformance, Due: local(5, 11, 0, 0).UTC(), Ref: "term/2"},
		{Reason: mediation.ReasonPerformance, Due: local(5, 21, 0, 0).UTC(), Ref: "term/1"},
	}, mediation.OpenDeadlines(d))

	f.at(local(5, 12, 9, 0))
	d, err := f.svc.RecordFollowUp(f.ctx, f.officer, d.ID, d.Version, mediation.FollowUpInput{
		Checks: []mediation.TermCheck{{Term: 1, Status: mediation.Performed}, {Term: 0, Status: mediation.Performing}}})
	require.NoError(t, err)
	require.Empty(t, mediation.Overdue(d, local(5, 12, 9, 0)), "a follow-up confirmed the overdue term")
	requireOverdueFrom(t, d, mediation.ReasonPerformance, local(5, 21, 0, 0))
	d = f.move(d, f.officer, mediation.TransitionInput{To: mediation.StateClosed})
	require.Empty(t, mediation.OpenDeadlines(d), "a finished dispute has no deadlines")
}

func TestOverdueConfirmationWindow(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	d := f.agreedWritten(true)
	requireOverdueFrom(t, d, mediation.ReasonConfirmation, local(6, 7, 0, 0))
	f.at(local(5, 20, 9, 0))
	d, err := f.svc.ApplyConfirmation(f.ctx, f.officer, d.ID, d.Version, mediation.ConfirmationInput{Court: "淄川区人民法院"})
	require.NoError(t, err)
	require.NotContains(t, reasons(mediation.Overdue(d, local(6, 8, 0, 0))), mediation.ReasonConfirmation)

	nobodyAsked := f.agreedWritten(false)
	require.NotContains(t, reasons(mediation.Overdue(nobodyAsked, local(6, 8, 0, 0))), mediation.ReasonConfirmation,
		"the window is a deadline only for parties who mean to apply")
}

// TestOverdueList checks that the list of overdue disputes of a unit
// subtree is exactly what Overdue decides, dispute by dispute.
func TestOverdueList(t *testing.T) {
	t.Parallel()
	f := newFx(t, nil)
	high := f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "可能民转刑" })
	accepted := f.to(mediation.StateAccepted)
	perf := f.agreedWritten(false, local(5, 10, 0, 0))
	seek := f.agreedWritten(true)
	f.at(local(5, 6, 9, 0))
	quiet := f.to(mediation.StateClosed)
	all := []mediation.Dispute{high, accepted, perf, seek, quiet}

	for _, now := range []time.Time{local(5, 6, 12, 0), local(5, 7, 9, 0), local(5, 11, 0, 0), local(5, 21, 0, 0),
		local(6, 6, 0, 0), local(6, 7, 0, 0), local(7, 1, 0, 0)} {
		var want []string
		for _, d := range all {
			if d.IsOverdue(now) {
				want = append(want, d.ID)
			}
		}
		var got []string
		page := casework.Page{Limit: 2}
		for {
			rows, next, err := f.svc.ListOverdue(f.ctx, f.supervisor, "", now, page)
			require.NoError(t, err)
			for _, d := range rows {
				got = append(got, d.ID)
			}
			if next == "" {
				break
			}
			page.After = next
		}
		require.Equal(t, want, got, "at %s", now)
	}
	rows, _, err := f.svc.ListOverdue(f.ctx, f.stranger, "", local(7, 1, 0, 0), casework.Page{})
	require.NoError(t, err)
	require.Empty(t, rows, "another branch's subtree holds none of them")
	rows, _, err = f.svc.ListOverdue(f.ctx, f.supervisor, f.station.ID, local(7, 1, 0, 0), casework.Page{})
	require.NoError(t, err)
	require.Len(t, rows, 4)
}

func TestSweep(t *testing.T) {
	t.Parallel()
	f := newFx(t, &mediation.Config{NoticeAhead: 12 * time.Hour})
	high := f.report(func(in *mediation.ReportInput) { in.Risk, in.RiskReason = mediation.RiskHigh, "可能民转刑" })
	accepted := f.to(mediation.StateAccepted)
	kinds := func(from int) []casework.Notice { return f.notices.All()[from:] }
	start := len(f.notices.All()) // the high-risk notice

	res, err := f.svc.Sweep(f.ctx, local(5, 6, 12, 0))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{}, res, "nothing within 12 h")

	res, err = f.svc.Sweep(f.ctx, local(5, 6, 21, 0))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{Changed: 1, Notified: 1}, res)
	require.Equal(t, []casework.Notice{{Kind: casework.NoticeDeadlineApproaching, UnitID: f.station.ID, RecordType: mediation.RecordType,
		RecordID: high.ID, Reason: "review_deadline", Due: local(5, 7, 9, 0).UTC()}}, kinds(start))

	res, err = f.svc.Sweep(f.ctx, local(5, 6, 21, 0))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{}, res, "a second sweep at the same time changes nothing")

	res, err = f.svc.Sweep(f.ctx, local(6, 6, 0, 0))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{Changed: 2, Notified: 2}, res)
	require.ElementsMatch(t, []casework.Notice{
		{Kind: casework.NoticeOverdue, UnitID: f.station.ID, RecordType: mediation.RecordType, RecordID: high.ID, Reason: "review_deadline", Due: local(5, 7, 9, 0).UTC()},
		{Kind: casework.NoticeOverdue, UnitID: f.station.ID, RecordType: mediation.RecordType, RecordID: accepted.ID, Reason: "mediation_limit", Due: local(6, 6, 0, 0).UTC()},
	}, kinds(start+1))

	res, err = f.svc.Sweep(f.ctx, local(6, 10, 0, 0))
	require.NoError(t, err)
	require.Equal(t, casework.SweepResult{}, res)

	d, err := f.svc.Get(f.ctx, f.officer, high.ID)
	require.NoError(t, err)
	require.Len(t, d.Notices, 2)
	require.Contains(t, f.auditActions(high.ID), "mediation.notice")
	f.verify()
}

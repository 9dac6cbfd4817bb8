package mediation_test

import (
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/stretchr/testify/require"
)

// TestReopenClosedDispute: a supervisor reopens a closed dispute with a
// reason; March's settled figure is the same before and after the
// reopening in April and a second agreement and closing in May, and the
// reopening is its own dated step and audit entry. On every backend.
func TestReopenClosedDispute(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			f := newFxOn(t, backend, nil)
			month := func(m time.Month) casework.ReportQuery {
				first := time.Date(2020, m, 1, 0, 0, 0, 0, zone)
				return casework.ReportQuery{UnitID: f.station.ID, From: first, To: first.AddDate(0, 1, -1)}
			}
			figures := func(m time.Month) mediation.TotalsRow {
				t.Helper()
				rows, err := f.svc.Breakdown(f.ctx, f.officer, month(m), mediation.ByNone)
				require.NoError(t, err)
				if len(rows) == 0 {
					return mediation.TotalsRow{}
				}
				return rows[0].TotalsRow
			}
			f.at(local(3, 10, 9, 0))
			d := f.to(mediation.StateClosed)
			closedAt := d.ClosedAt
			march := figures(time.March)
			require.Equal(t, int64(1), march.Settled)

			f.at(local(4, 2, 10, 0))
			_, err := f.svc.Reopen(f.ctx, f.officer, d.ID, d.Version, "当事人再次发生冲突")
			require.ErrorIs(t, err, mediation.ErrForbidden, "an officer may not reopen")
			_, err = f.svc.Reopen(f.ctx, f.stranger, d.ID, d.Version, "r")
			require.ErrorIs(t, err, mediation.ErrNotFound, "reach before policy")
			_, err = f.svc.Reopen(f.ctx, f.supervisor, d.ID, d.Version, "  ")
			requireField(t, err, "reason", "required")
			_, err = f.svc.Reopen(f.ctx, f.supervisor, d.ID, d.Version, "bad\x00text")
			requireField(t, err, "reason", "text")
			_, err = f.svc.Reopen(f.ctx, f.supervisor, d.ID, d.Version-1, "r")
			require.ErrorIs(t, err, mediation.ErrConflict)
			_, err = f.svc.Reopen(f.ctx, f.supervisor, d.ID, 0, "r")
			require.ErrorIs(t, err, mediation.ErrPreconditionRequired)
			_, err = f.svc.Transition(f.ctx, f.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateInMediation, Reason: "r"})
			requireTransition(t, err, mediation.StateClosed, mediation.StateInMediation)

			r, err := f.svc.Reopen(f.ctx, f.supervisor, d.ID, d.Version, " 当事人再次发生冲突 ")
			require.NoError(t, err)
			require.Equal(t, mediation.StateInMediation, r.State)
			require.Empty(t, r.Outcome)
			require.Equal(t, d.Version+1, r.Version)
			last := r.History[len(r.History)-1]
			require.Equal(t, mediation.Step{From: mediation.StateClosed, To: mediation.StateInMediation, At: local(4, 2, 10, 0).UTC(),
				ActorID: f.supervisor.StaffID, Reason: "当事人再次发生冲突"}, last)
			require.Equal(t, "mediation.reopen", f.auditActions(d.ID)[len(f.auditActions(d.ID))-1])
			require.Equal(t, march, figures(time.March), "March is unchanged by April's reopening")
			require.Zero(t, figures(time.April).Settled)
			require.Equal(t, int64(1), figures(time.April).Reopened, "the reopening counts in its own month")
			require.Equal(t, local(4, 2, 10, 0).UTC(), r.ReopenedAt)
			got, err := f.k.Report(f.ctx, f.officer, month(time.April))
			require.NoError(t, err)
			require.Contains(t, got, casework.Figure{Key: mediation.FigureReopened, LabelZH: "重新启动调解的纠纷", LabelEN: "Disputes reopened",
				Value: 1, Unit: "起"}, "the report carries the reopenings")

			_, err = f.svc.Reopen(f.ctx, f.supervisor, r.ID, r.Version, "again")
			requireTransition(t, err, mediation.StateInMediation, mediation.StateInMediation)

			f.at(local(5, 6, 9, 0))
			r = f.step(r, mediation.StateAgreed)
			r = f.step(r, mediation.StateClosed)
			require.Equal(t, mediation.OutcomeSettled, r.Outcome)
			require.Equal(t, closedAt, r.ClosedAt, "the first closing keeps its date")
			require.Equal(t, march, figures(time.March), "March is unchanged after the second agreement")
			require.Zero(t, figures(time.May).Settled, "a dispute is settled once")

			// A second reopening is dated in its history; the figure
			// counted the dispute in April and changes in no month.
			f.at(local(6, 8, 9, 0))
			r, err = f.svc.Reopen(f.ctx, f.supervisor, r.ID, r.Version, "协议未履行")
			require.NoError(t, err)
			require.Equal(t, local(4, 2, 10, 0).UTC(), r.ReopenedAt, "the first reopening keeps its date")
			require.Zero(t, figures(time.June).Reopened)
			require.Equal(t, int64(1), figures(time.April).Reopened)
			require.Equal(t, march, figures(time.March))
			f.verify()
		})
	}
}

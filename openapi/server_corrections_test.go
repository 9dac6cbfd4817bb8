package openapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// TestCaseCorrectionsOverHTTP: a case's facts corrected and a stolen item
// added after the report, each with a reason and the ETag of the version
// read; recovery's own item rule refuses a bad item through the hand-off
// (422 naming the field); the case closed, reopened by the supervisor
// only, and its first closing date kept.
func TestCaseCorrectionsOverHTTP(t *testing.T) { eachBackend(t, testCaseCorrectionsOverHTTP) }

func testCaseCorrectionsOverHTTP(t *testing.T, b fixtureOption) {
	w := newCaseWorld(t, b)
	ctx := context.Background()
	officer, supervisor := w.client(t, w.officer), w.client(t, w.supervisor)
	c, tag := w.reportTheft(t, api.CaseInput{})

	missing := w.do(t, w.officer, http.MethodPost, "/v1/cases/"+c.Id+"/correct", `{"place":"x","reason":"r"}`)
	require.Equal(t, http.StatusPreconditionRequired, missing.StatusCode)
	noReason, err := officer.CorrectCaseWithResponse(ctx, c.Id, &api.CorrectCaseParams{IfMatch: tag}, api.CaseCorrectionInput{Place: ptr("x"), Reason: " "})
	require.NoError(t, err)
	requireStatus(t, http.StatusUnprocessableEntity, noReason, noReason.Body)
	require.Equal(t, "/reason", noReason.ApplicationproblemJSON422.Errors[0].Field)

	fixed, err := officer.CorrectCaseWithResponse(ctx, c.Id, &api.CorrectCaseParams{IfMatch: tag},
		api.CaseCorrectionInput{Place: ptr("张店区某公园东门"), VictimIds: &[]string{w.chen.ID}, Reason: "报案人补充说明"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, fixed, fixed.Body)
	require.Equal(t, "张店区某公园东门", fixed.JSON200.Place)
	require.Equal(t, []string{w.chen.ID}, fixed.JSON200.VictimIds)
	require.Equal(t, []api.CaseCorrection{{Action: "case.correct", Fields: []string{"place", "victimIds"}, At: fixed.JSON200.UpdatedAt,
		ActorId: w.officer.StaffID, Reason: "报案人补充说明"}}, fixed.JSON200.Corrections)
	stale, err := officer.CorrectCaseWithResponse(ctx, c.Id, &api.CorrectCaseParams{IfMatch: tag}, api.CaseCorrectionInput{Place: ptr("y"), Reason: "r"})
	require.NoError(t, err)
	requireStatus(t, http.StatusPreconditionFailed, stale, stale.Body)
	tag = etagHeader(fixed.HTTPResponse)

	// Recovery's own rule, through the hand-off: a category it does not know.
	bad, err := officer.AddCaseItemsWithResponse(ctx, c.Id, &api.AddCaseItemsParams{IfMatch: tag}, api.CaseItemsInput{Reason: "补报",
		Items: []api.StolenItemInput{{Category: "no_such_category", Description: "手机"}}})
	require.NoError(t, err)
	requireStatus(t, http.StatusUnprocessableEntity, bad, bad.Body)
	require.Equal(t, "/items/0/category", bad.ApplicationproblemJSON422.Errors[0].Field)
	added, err := officer.AddCaseItemsWithResponse(ctx, c.Id, &api.AddCaseItemsParams{IfMatch: tag}, api.CaseItemsInput{Reason: "失主次日发现手机也被盗",
		Items: []api.StolenItemInput{{Category: "mobile_phone", Description: "黑色手机", ValueFen: 150000, OwnerPersonId: w.chen.ID,
			Identifiers: []api.Identifier{{Kind: "imei", Value: "356938035643809"}}}}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, added, added.Body)
	require.Len(t, added.JSON200.Items, 1)
	item := added.JSON200.Items[0]
	require.Equal(t, []string{item.ItemId}, added.JSON200.Corrections[1].ItemIds)
	_, err = w.k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	registered, err := officer.GetPropertyItemWithResponse(ctx, item.ItemId)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, registered, registered.Body)
	require.Equal(t, "reported_stolen", string(registered.JSON200.State), "recovery registered the added item under its id")

	// Recovery's answer is written back on the case (a new version).
	cur, err := officer.GetCaseWithResponse(ctx, c.Id)
	require.NoError(t, err)
	require.Contains(t, cur.JSON200.Handoffs, api.CaseHandoff{Kind: casework.KindStolenItems, Step: "stolen/" + item.ItemId,
		ResultId: cur.JSON200.Handoffs[0].ResultId, At: cur.JSON200.Handoffs[0].At})

	// Walk to closed, then reopen.
	tag = etagHeader(cur.HTTPResponse)
	filed, err := officer.DispatchAndFileCaseWithResponse(ctx, c.Id, &api.DispatchAndFileCaseParams{IfMatch: tag}, api.DispatchInput{})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, filed, filed.Body)
	arrested, err := officer.ArrestForCaseWithResponse(ctx, c.Id, &api.ArrestForCaseParams{IfMatch: etagHeader(filed.HTTPResponse)}, api.ArrestInput{SuspectId: w.suspect.ID})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, arrested, arrested.Body)
	closed, err := officer.CloseCaseWithResponse(ctx, c.Id, &api.CloseCaseParams{IfMatch: etagHeader(arrested.HTTPResponse)}, api.ReasonInput{Reason: "结案"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, closed, closed.Body)
	tag = etagHeader(closed.HTTPResponse)
	refused, err := officer.ReopenCaseWithResponse(ctx, c.Id, &api.ReopenCaseParams{IfMatch: tag}, api.ReasonInput{Reason: "发现漏犯"})
	require.NoError(t, err)
	requireStatus(t, http.StatusForbidden, refused, refused.Body)
	reopened, err := supervisor.ReopenCaseWithResponse(ctx, c.Id, &api.ReopenCaseParams{IfMatch: tag}, api.ReasonInput{Reason: "发现漏犯"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, reopened, reopened.Body)
	require.Equal(t, api.CaseStateSolved, reopened.JSON200.State)
	require.Equal(t, closed.JSON200.ClosedAt, reopened.JSON200.ClosedAt)
	last := reopened.JSON200.History[len(reopened.JSON200.History)-1]
	require.Equal(t, "case.reopen", last.Action)
	require.Equal(t, "发现漏犯", last.Reason)
}

// TestReopenDisputeOverHTTP: a dispute settled and closed in May is
// reopened in June by a supervisor (an officer is refused, the reason is
// required); May's settled figure is the same before and after, and June
// counts no settlement.
func TestReopenDisputeOverHTTP(t *testing.T) { eachBackend(t, testReopenDisputeOverHTTP) }

func testReopenDisputeOverHTTP(t *testing.T, b fixtureOption) {
	n := newNeighbours(t, b)
	ctx := context.Background()
	d, err := n.med.Report(ctx, n.officer, mediation.ReportInput{UnitID: n.station.ID, Category: "neighbour/noise", Source: mediation.SourceCall110,
		Facts: "噪音", Parties: []mediation.Party{{PersonID: n.downstairs.ID, Role: mediation.Applicant}, {PersonID: n.upstairs.ID, Role: mediation.Respondent}}})
	require.NoError(t, err)
	for _, s := range []mediation.State{mediation.StateScreened, mediation.StateAccepted, mediation.StateInMediation} {
		d, err = n.med.Transition(ctx, n.officer, d.ID, d.Version, mediation.TransitionInput{To: s, Reason: "r"})
		require.NoError(t, err)
	}
	n.at(7, 16, 0)
	d, err = n.med.DraftAgreement(ctx, n.officer, d.ID, d.Version, mediation.AgreementInput{Form: mediation.Oral, MediatorID: n.officer.StaffID, Content: "和好"})
	require.NoError(t, err)
	d, err = n.med.Transition(ctx, n.officer, d.ID, d.Version, mediation.TransitionInput{To: mediation.StateClosed, Reason: "履行完毕"})
	require.NoError(t, err)

	sup := n.client(t, n.supervisor)
	settled := func(from, to string) int64 {
		t.Helper()
		r, err := sup.GetDisputeTotalsWithResponse(ctx, &api.GetDisputeTotalsParams{From: date(from), To: date(to), Unit: ptr(n.station.ID)})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, r, r.Body)
		var sum int64
		for _, row := range r.JSON200.Items {
			sum += row.Settled
		}
		return sum
	}
	require.Equal(t, int64(1), settled("2020-05-01", "2020-06-01"))

	n.clock.Set(time.Date(2020, 6, 3, 9, 0, 0, 0, cst))
	tag := etagOf(d.Version)
	refused, err := n.client(t, n.officer).ReopenDisputeWithResponse(ctx, d.ID, &api.ReopenDisputeParams{IfMatch: tag}, api.ReasonInput{Reason: "再次冲突"})
	require.NoError(t, err)
	requireStatus(t, http.StatusForbidden, refused, refused.Body)
	noReason, err := sup.ReopenDisputeWithResponse(ctx, d.ID, &api.ReopenDisputeParams{IfMatch: tag}, api.ReasonInput{Reason: " "})
	require.NoError(t, err)
	requireStatus(t, http.StatusUnprocessableEntity, noReason, noReason.Body)
	require.Equal(t, "/reason", noReason.ApplicationproblemJSON422.Errors[0].Field)
	stale, err := sup.ReopenDisputeWithResponse(ctx, d.ID, &api.ReopenDisputeParams{IfMatch: etagOf(d.Version - 1)}, api.ReasonInput{Reason: "再次冲突"})
	require.NoError(t, err)
	requireStatus(t, http.StatusPreconditionFailed, stale, stale.Body)

	r, err := sup.ReopenDisputeWithResponse(ctx, d.ID, &api.ReopenDisputeParams{IfMatch: tag}, api.ReasonInput{Reason: "再次冲突"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, r, r.Body)
	require.Equal(t, api.DisputeState(mediation.StateInMediation), r.JSON200.State)
	require.Equal(t, etagOf(d.Version+1), etagHeader(r.HTTPResponse))
	last := r.JSON200.History[len(r.JSON200.History)-1]
	require.Equal(t, "再次冲突", last.Reason)
	require.Equal(t, n.supervisor.StaffID, last.ActorId)
	require.Equal(t, int64(1), settled("2020-05-01", "2020-06-01"), "May keeps its settled dispute")
	require.Zero(t, settled("2020-06-01", "2020-07-01"), "the reopening settles nothing in June")
	require.Equal(t, d.SettledAt, r.JSON200.SettledAt.UTC())

	// The reopening is June's own figure: in the totals, the report and
	// its CSV (labelled in Chinese); May counts none.
	reopened := func(from, to string) (totals, report int64) {
		t.Helper()
		r, err := sup.GetDisputeTotalsWithResponse(ctx, &api.GetDisputeTotalsParams{From: date(from), To: date(to), Unit: ptr(n.station.ID)})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, r, r.Body)
		for _, row := range r.JSON200.Items {
			totals += row.Reopened
		}
		sum, err := sup.GetReportSummaryWithResponse(ctx, &api.GetReportSummaryParams{Unit: ptr(n.station.ID), From: date(from), To: date(to)})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, sum, sum.Body)
		f, ok := figure(sum.JSON200.Figures, mediation.FigureReopened)
		require.True(t, ok, "figure keys: %v", sum.JSON200.Figures)
		return totals, f.Value
	}
	tot, rep := reopened("2020-06-01", "2020-07-01")
	require.Equal(t, [2]int64{1, 1}, [2]int64{tot, rep}, "June counts the reopening")
	tot, rep = reopened("2020-05-01", "2020-06-01")
	require.Equal(t, [2]int64{0, 0}, [2]int64{tot, rep}, "May counts none")
	require.Equal(t, n.clock.Now().UTC(), r.JSON200.ReopenedAt.UTC())
	asCSV, err := sup.GetReportSummaryWithResponse(ctx, &api.GetReportSummaryParams{Unit: ptr(n.station.ID), From: date("2020-06-01"), To: date("2020-07-01")},
		func(_ context.Context, r *http.Request) error { r.Header.Set("Accept", "text/csv"); return nil })
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, asCSV, asCSV.Body)
	require.Contains(t, string(asCSV.Body), "重新启动调解的纠纷")
}

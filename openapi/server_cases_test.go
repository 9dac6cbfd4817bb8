package openapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// TestBirdCageOverHTTP walks the article's bird-cage theft (鸟笼被盗) through
// the generated client: a lead heard on a visit, verified and converted into
// a case with its stolen cage and birds (checked by and handed to the
// property ledger), dispatched and filed, surveyed (matching an earlier cage
// theft done the same way), analysed and shared with the station, the
// arrest that traces the items, the review linking the earlier case, and the
// close — each change based on the ETag of the step before.
func TestBirdCageOverHTTP(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	ctx := context.Background()
	officer := w.client(t, w.officer)
	now := time.Now().UTC().Truncate(time.Second)
	mo := "趁无人看管摘走挂在树上的鸟笼"

	// Ten days earlier another cage was taken off a tree in a park.
	earlier, err := officer.ReportCaseWithResponse(ctx, &api.ReportCaseParams{}, api.CaseInput{UnitId: w.team.ID, Kind: "theft",
		IncidentAt: now.Add(-240 * time.Hour), Place: "张店区某公园", ModusOperandi: mo, VictimIds: []string{}, SuspectIds: []string{}})
	require.NoError(t, err)
	requireStatus(t, http.StatusCreated, earlier, earlier.Body)
	earlierFiled, err := officer.DispatchAndFileCaseWithResponse(ctx, earlier.JSON201.Id, &api.DispatchAndFileCaseParams{IfMatch: etagOf(earlier.HTTPResponse)}, api.DispatchInput{})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, earlierFiled, earlierFiled.Body)
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	require.Equal(t, api.CaseStateFiled, earlierFiled.JSON200.State)

	// The lead, heard on a visit by the branch's community officer.
	visitor := w.client(t, w.visitor)
	lead, err := visitor.CreateLeadWithResponse(ctx, &api.CreateLeadParams{IdempotencyKey: ptr("visit-lead-1")}, api.LeadInput{UnitId: w.team.ID,
		SourceKind: api.LeadInputSourceKindVisit, SourceId: "visit-20200512-01", Summary: "走访获知:陈某某挂在旅馆门前树上的鸟笼及两只鸟被盗",
		FoundAt: now.Add(-20 * time.Minute), PersonIds: []string{}})
	require.NoError(t, err)
	requireStatus(t, http.StatusCreated, lead, lead.Body)
	require.Equal(t, "/v1/leads/"+lead.JSON201.Id, lead.HTTPResponse.Header.Get("Location"))
	require.Equal(t, api.LeadStateNew, lead.JSON201.State)
	require.Equal(t, api.Source{Kind: "visit", Id: "visit-20200512-01"}, api.Source{Kind: lead.JSON201.Source.Kind, Id: lead.JSON201.Source.Id})

	got, err := officer.GetLeadWithResponse(ctx, lead.JSON201.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, got, got.Body)
	require.Equal(t, etagOf(lead.HTTPResponse), etagOf(got.HTTPResponse))

	verified, err := officer.VerifyLeadWithResponse(ctx, lead.JSON201.Id, &api.VerifyLeadParams{IfMatch: etagOf(got.HTTPResponse)}, api.NoteInput{Note: "电话联系失主核实"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, verified, verified.Body)
	require.Equal(t, api.LeadStateVerified, verified.JSON200.State)

	converted, err := officer.ConvertLeadWithResponse(ctx, lead.JSON201.Id, &api.ConvertLeadParams{IfMatch: etagOf(verified.HTTPResponse)}, api.CaseInput{
		Kind: "theft", Summary: "旅馆门前树上鸟笼及笼内两只鸟被盗", IncidentAt: now.Add(-150 * time.Minute), Place: "张店区某旅馆门前树上",
		ReporterId: w.chen.ID, VictimIds: []string{w.chen.ID}, SuspectIds: []string{}, ModusOperandi: mo,
		Items: []api.StolenItemInput{
			{Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: 80000, OwnerPersonId: w.chen.ID},
			{Category: "birds_animals", Description: "画眉鸟", Quantity: 2, ValueFen: 120000, OwnerPersonId: w.chen.ID},
		}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, converted, converted.Body)
	c, l := converted.JSON200.Case, converted.JSON200.Lead
	require.Equal(t, api.LeadStateConverted, l.State)
	require.Equal(t, c.Id, l.CaseId, "the lead names its case")
	require.Equal(t, l.Id, c.LeadId, "the case names its lead")
	require.Equal(t, w.team.ID, c.UnitId, "the case is the lead's unit's")
	require.Equal(t, api.CaseStateReported, c.State)
	require.Len(t, c.Items, 2)
	require.Equal(t, `"3"`, etagOf(converted.HTTPResponse), "the ETag is the lead's")

	// The deliverer hands the items to the ledger, which writes its answer
	// back on the case as a new version.
	_, err = w.k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	read, err := officer.GetCaseWithResponse(ctx, c.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, read, read.Body)
	require.NotEmpty(t, read.JSON200.Handoffs, "the ledger received the stolen items")
	for _, it := range read.JSON200.Items {
		_, err := w.rec.Get(ctx, w.officer, it.ItemId)
		require.NoError(t, err, "the ledger knows item %s under the case's id", it.ItemId)
	}
	tag := etagOf(read.HTTPResponse)

	// 快处警·同步立案
	filed, err := officer.DispatchAndFileCaseWithResponse(ctx, c.Id, &api.DispatchAndFileCaseParams{IfMatch: tag}, api.DispatchInput{Note: "工作队出警"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, filed, filed.Body)
	require.Equal(t, api.CaseStateFiled, filed.JSON200.State)
	require.Equal(t, "370302DQC-"+itoa(year)+"-000002", filed.JSON200.Number)
	require.Equal(t, []string{w.officer.StaffID}, filed.JSON200.Dispatch.Officers)

	// 快勘查·同步比对: the earlier cage theft matches on its modus operandi.
	surveyed, err := officer.SurveyCaseWithResponse(ctx, c.Id, &api.SurveyCaseParams{IfMatch: etagOf(filed.HTTPResponse)}, api.SurveyInput{
		Description: "鸟笼 画眉鸟", ModusOperandi: mo, SuspectDescription: "中年男子,骑电动车"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, surveyed, surveyed.Body)
	require.Equal(t, api.CaseStateInvestigating, surveyed.JSON200.State)
	var matched []string
	for _, m := range surveyed.JSON200.Survey.Matches {
		if m.Source == "case" {
			matched = append(matched, m.Id)
		}
	}
	require.Equal(t, []string{earlier.JSON201.Id}, matched)

	// The station cannot read the case until it is shared with it.
	station := w.client(t, w.stationOfficer)
	hidden, err := station.GetCaseWithResponse(ctx, c.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusNotFound, hidden, hidden.Body)

	// 快研判·同步共享
	analysed, err := officer.AnalyseAndShareCaseWithResponse(ctx, c.Id, &api.AnalyseAndShareCaseParams{IfMatch: etagOf(surveyed.HTTPResponse)}, api.AnalysisInput{
		Findings: "调取现场监控视频,锁定嫌疑人落脚点", ShareWith: []api.ShareInput{{UnitId: w.station.ID, Reason: "嫌疑人落脚点在辖区"}}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, analysed, analysed.Body)
	require.Equal(t, []string{w.station.ID}, analysed.JSON200.SharedWith)
	require.Len(t, analysed.JSON200.Analysis.Shares, 1)
	shares, err := officer.ListCaseSharesWithResponse(ctx, c.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, shares, shares.Body)
	require.Len(t, shares.JSON200.Items, 1)
	require.Equal(t, analysed.JSON200.Analysis.Shares[0].ShareId, shares.JSON200.Items[0].Id)
	require.Equal(t, w.station.ID, shares.JSON200.Items[0].UnitId)
	seen, err := station.GetCaseWithResponse(ctx, c.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, seen, seen.Body)

	// 快抓捕·同步挽损: the arrest marks both items traced.
	arrested, err := officer.ArrestForCaseWithResponse(ctx, c.Id, &api.ArrestForCaseParams{IfMatch: etagOf(analysed.HTTPResponse)}, api.ArrestInput{
		SuspectId: w.suspect.ID, Place: "嫌疑人落脚点"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, arrested, arrested.Body)
	require.Equal(t, api.CaseStateSolved, arrested.JSON200.State)
	require.Len(t, arrested.JSON200.Arrests, 1)
	arrestID := arrested.JSON200.Arrests[0].Id
	for _, it := range arrested.JSON200.Items {
		require.Equal(t, []string{arrestID}, it.TracedBy)
	}

	// 快倒查·同步跟踪: the suspect also took the earlier cage.
	reviewed, err := officer.ReviewCaseWithResponse(ctx, c.Id, &api.ReviewCaseParams{IfMatch: etagOf(arrested.HTTPResponse)}, api.CaseReviewInput{
		Findings: "嫌疑人供述公园鸟笼案亦系其所为", Links: []api.LinkInput{{CaseId: earlier.JSON201.Id, Reason: api.SameSuspect}}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, reviewed, reviewed.Body)
	require.Equal(t, []api.CaseLink{{CaseId: earlier.JSON201.Id, Reason: "same_suspect"}}, reviewed.JSON200.Review.Links)

	closed, err := w.client(t, w.supervisor).CloseCaseWithResponse(ctx, c.Id, &api.CloseCaseParams{IfMatch: etagOf(reviewed.HTTPResponse)}, api.ReasonInput{Reason: "破案,被盗鸟笼和鸟已追回"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, closed, closed.Body)
	require.Equal(t, api.CaseStateClosed, closed.JSON200.State)
	var path []string
	for _, h := range closed.JSON200.History {
		path = append(path, h.To)
	}
	require.Equal(t, []string{"reported", "filed", "investigating", "solved", "closed"}, path)

	// The share is revoked: the station loses the case at once.
	unshared, err := officer.UnshareCaseWithResponse(ctx, c.Id, shares.JSON200.Items[0].Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, unshared, unshared.Body)
	require.False(t, unshared.JSON200.RevokedAt.IsZero())
	gone, err := station.GetCaseWithResponse(ctx, c.Id)
	require.NoError(t, err)
	requireStatus(t, http.StatusNotFound, gone, gone.Body)

	// Both cases of the team, found by the case list.
	list, err := officer.ListCasesWithResponse(ctx, &api.ListCasesParams{UnitId: ptr(w.team.ID), State: []api.CaseState{api.CaseStateClosed}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, list, list.Body)
	require.Len(t, list.JSON200.Items, 1)
	require.Equal(t, c.Id, list.JSON200.Items[0].Id)
}

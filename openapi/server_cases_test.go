package openapi_test

import (
	"context"
	"net/http"
	"strconv"
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
func TestBirdCageOverHTTP(t *testing.T) { eachBackend(t, testBirdCageOverHTTP) }

func testBirdCageOverHTTP(t *testing.T, b fixtureOption) {
	w := newCaseWorld(t, b)
	ctx := context.Background()
	officer := w.client(t, w.officer)
	now := time.Now().UTC().Truncate(time.Second)
	mo := "趁无人看管摘走挂在树上的鸟笼"

	// Ten days earlier another cage was taken off a tree in a park.
	earlier, err := officer.ReportCaseWithResponse(ctx, &api.ReportCaseParams{}, api.CaseInput{UnitId: w.team.ID, Kind: "theft",
		IncidentAt: now.Add(-240 * time.Hour), Place: "张店区某公园", ModusOperandi: mo, VictimIds: []string{}, SuspectIds: []string{}})
	require.NoError(t, err)
	requireStatus(t, http.StatusCreated, earlier, earlier.Body)
	earlierFiled, err := officer.DispatchAndFileCaseWithResponse(ctx, earlier.JSON201.Id, &api.DispatchAndFileCaseParams{IfMatch: etagHeader(earlier.HTTPResponse)}, api.DispatchInput{})
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
	require.Equal(t, etagHeader(lead.HTTPResponse), etagHeader(got.HTTPResponse))

	verified, err := officer.VerifyLeadWithResponse(ctx, lead.JSON201.Id, &api.VerifyLeadParams{IfMatch: etagHeader(got.HTTPResponse)}, api.NoteInput{Note: "电话联系失主核实"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, verified, verified.Body)
	require.Equal(t, api.LeadStateVerified, verified.JSON200.State)

	converted, err := officer.ConvertLeadWithResponse(ctx, lead.JSON201.Id, &api.ConvertLeadParams{IfMatch: etagHeader(verified.HTTPResponse)}, api.CaseInput{
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
	require.Equal(t, `"3"`, etagHeader(converted.HTTPResponse), "the ETag is the lead's")

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
	tag := etagHeader(read.HTTPResponse)

	// 快处警·同步立案
	filed, err := officer.DispatchAndFileCaseWithResponse(ctx, c.Id, &api.DispatchAndFileCaseParams{IfMatch: tag}, api.DispatchInput{Note: "工作队出警"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, filed, filed.Body)
	require.Equal(t, api.CaseStateFiled, filed.JSON200.State)
	require.Equal(t, "370302DQC-"+strconv.Itoa(year)+"-000002", filed.JSON200.Number)
	require.Equal(t, []string{w.officer.StaffID}, filed.JSON200.Dispatch.Officers)

	// 快勘查·同步比对: the earlier cage theft matches on its modus operandi.
	surveyed, err := officer.SurveyCaseWithResponse(ctx, c.Id, &api.SurveyCaseParams{IfMatch: etagHeader(filed.HTTPResponse)}, api.SurveyInput{
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
	analysed, err := officer.AnalyseAndShareCaseWithResponse(ctx, c.Id, &api.AnalyseAndShareCaseParams{IfMatch: etagHeader(surveyed.HTTPResponse)}, api.AnalysisInput{
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
	arrested, err := officer.ArrestForCaseWithResponse(ctx, c.Id, &api.ArrestForCaseParams{IfMatch: etagHeader(analysed.HTTPResponse)}, api.ArrestInput{
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
	reviewed, err := officer.ReviewCaseWithResponse(ctx, c.Id, &api.ReviewCaseParams{IfMatch: etagHeader(arrested.HTTPResponse)}, api.CaseReviewInput{
		Findings: "嫌疑人供述公园鸟笼案亦系其所为", Links: []api.LinkInput{{CaseId: earlier.JSON201.Id, Reason: api.SameSuspect}}})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, reviewed, reviewed.Body)
	require.Equal(t, []api.CaseLink{{CaseId: earlier.JSON201.Id, Reason: "same_suspect"}}, reviewed.JSON200.Review.Links)

	closed, err := w.client(t, w.supervisor).CloseCaseWithResponse(ctx, c.Id, &api.CloseCaseParams{IfMatch: etagHeader(reviewed.HTTPResponse)}, api.ReasonInput{Reason: "破案,被盗鸟笼和鸟已追回"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, closed, closed.Body)
	require.Equal(t, api.CaseStateClosed, closed.JSON200.State)
	var path []string
	for _, h := range closed.JSON200.History {
		path = append(path, h.To)
	}
	require.Equal(t, []string{"reported", "filed", "investigating", "solved", "closed"}, path)

	// The share is revoked: the station loses the case at once.
	unshared, err := officer.UnshareCaseWithResponse(ctx, c.Id, shares.JSON200.Items[0].Id, api.ShareRevocation{Reason: "协查结束"})
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

// reportTheft reports a plain theft to the team and returns it with its ETag.
func (w *caseWorld) reportTheft(t *testing.T, in api.CaseInput) (api.Case, string) {
	t.Helper()
	if in.UnitId == "" {
		in.UnitId = w.team.ID
	}
	if in.Kind == "" {
		in.Kind = "theft"
	}
	if in.IncidentAt.IsZero() {
		in.IncidentAt = time.Now().Add(-time.Hour)
	}
	if in.Place == "" {
		in.Place = "张店区某公园"
	}
	in.VictimIds, in.SuspectIds = []string{}, []string{}
	r, err := w.client(t, w.officer).ReportCaseWithResponse(context.Background(), &api.ReportCaseParams{}, in)
	require.NoError(t, err)
	requireStatus(t, http.StatusCreated, r, r.Body)
	return *r.JSON201, etagHeader(r.HTTPResponse)
}

// TestCaseWritesOverHTTP checks the safe-write rules on the case operations:
// a create replayed with its Idempotency-Key returns the first case and
// creates nothing, the key reused with another body is 422, bad input is 422
// naming the fields, a change without If-Match is 428 and one based on a
// stale version 412 carrying the current ETag.
func TestCaseWritesOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("idempotent report", func(t *testing.T) {
		t.Parallel()
		w := newCaseWorld(t)
		c := w.client(t, w.officer)
		in := api.CaseInput{UnitId: w.team.ID, Kind: "theft", IncidentAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
			Place: "张店区某旅馆门前树上", VictimIds: []string{}, SuspectIds: []string{},
			Items: []api.StolenItemInput{{Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: 80000}}}
		first, err := c.ReportCaseWithResponse(ctx, &api.ReportCaseParams{IdempotencyKey: ptr("r1")}, in)
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, first, first.Body)
		again, err := c.ReportCaseWithResponse(ctx, &api.ReportCaseParams{IdempotencyKey: ptr("r1")}, in)
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, again, again.Body)
		require.Equal(t, first.JSON201.Id, again.JSON201.Id, "a replay returns the stored case")
		require.Equal(t, first.HTTPResponse.Header.Get("Location"), again.HTTPResponse.Header.Get("Location"))
		other := in
		other.Place = "张店区某公园"
		reused, err := c.ReportCaseWithResponse(ctx, &api.ReportCaseParams{IdempotencyKey: ptr("r1")}, other)
		require.NoError(t, err)
		requireStatus(t, http.StatusUnprocessableEntity, reused, reused.Body)
		list, err := c.ListCasesWithResponse(ctx, &api.ListCasesParams{})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, list, list.Body)
		require.Len(t, list.JSON200.Items, 1, "the replay and the reused key created nothing")
	})

	t.Run("invalid input names the fields", func(t *testing.T) {
		t.Parallel()
		w := newCaseWorld(t)
		tests := []struct {
			name  string
			edit  func(*api.CaseInput)
			field string
		}{
			{"no kind", func(in *api.CaseInput) { in.Kind = "" }, "/kind"},
			{"unknown item category", func(in *api.CaseInput) {
				in.Items = []api.StolenItemInput{{Category: "spaceship", Description: "飞船", Quantity: 1, ValueFen: 100}}
			}, "/items/0/category"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				in := api.CaseInput{UnitId: w.team.ID, Kind: "theft", IncidentAt: time.Now().Add(-time.Hour), Place: "张店区某公园", VictimIds: []string{}, SuspectIds: []string{}}
				tt.edit(&in)
				r, err := w.client(t, w.officer).ReportCaseWithResponse(ctx, &api.ReportCaseParams{}, in)
				require.NoError(t, err)
				requireStatus(t, http.StatusUnprocessableEntity, r, r.Body)
				require.NotNil(t, r.ApplicationproblemJSON422)
				var fields []string
				for _, f := range r.ApplicationproblemJSON422.Errors {
					fields = append(fields, f.Field)
				}
				require.Contains(t, fields, tt.field)
			})
		}
	})

	t.Run("If-Match", func(t *testing.T) {
		t.Parallel()
		w := newCaseWorld(t)
		c, tag := w.reportTheft(t, api.CaseInput{})
		officer := w.client(t, w.officer)
		tests := []struct {
			name     string
			ifMatch  string
			status   int
			wantETag string
		}{
			{"malformed", "1", http.StatusBadRequest, ""},
			{"current", tag, http.StatusOK, `"2"`},
			{"stale", tag, http.StatusPreconditionFailed, `"2"`},
		}
		// The generated client always sends the header; without one at all
		// the request is 428.
		missing := w.do(t, w.officer, http.MethodPost, "/v1/cases/"+c.Id+"/dispatch-and-file", `{}`)
		require.Equal(t, http.StatusPreconditionRequired, missing.StatusCode)
		for _, tt := range tests { // in order: the stale row follows the change
			r, err := officer.DispatchAndFileCaseWithResponse(ctx, c.Id, &api.DispatchAndFileCaseParams{IfMatch: tt.ifMatch}, api.DispatchInput{})
			require.NoError(t, err)
			requireStatus(t, tt.status, r, r.Body)
			require.Equal(t, tt.wantETag, etagHeader(r.HTTPResponse), tt.name)
		}
		got, err := officer.GetCaseWithResponse(ctx, c.Id)
		require.NoError(t, err)
		require.Equal(t, int64(2), got.JSON200.Version, "only the current If-Match changed the case")
	})

	t.Run("drop is the supervisor's", func(t *testing.T) {
		t.Parallel()
		w := newCaseWorld(t)
		c, tag := w.reportTheft(t, api.CaseInput{})
		refused, err := w.client(t, w.officer).DropCaseWithResponse(ctx, c.Id, &api.DropCaseParams{IfMatch: tag}, api.ReasonInput{Reason: "不符合立案条件"})
		require.NoError(t, err)
		requireStatus(t, http.StatusForbidden, refused, refused.Body)
		dropped, err := w.client(t, w.supervisor).DropCaseWithResponse(ctx, c.Id, &api.DropCaseParams{IfMatch: tag}, api.ReasonInput{Reason: "不符合立案条件"})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, dropped, dropped.Body)
		require.Equal(t, api.CaseStateDropped, dropped.JSON200.State)
		require.Equal(t, "not_filed", dropped.JSON200.Drop.Kind)
		require.Empty(t, dropped.JSON200.Number, "不立案 uses no number")
		again, err := w.client(t, w.officer).StartInvestigationWithResponse(ctx, c.Id, &api.StartInvestigationParams{IfMatch: etagHeader(dropped.HTTPResponse)}, api.ReasonInput{Reason: "x"})
		require.NoError(t, err)
		requireStatus(t, http.StatusConflict, again, again.Body)
	})

	t.Run("start investigation", func(t *testing.T) {
		t.Parallel()
		w := newCaseWorld(t)
		c, tag := w.reportTheft(t, api.CaseInput{})
		officer := w.client(t, w.officer)
		filed, err := officer.DispatchAndFileCaseWithResponse(ctx, c.Id, &api.DispatchAndFileCaseParams{IfMatch: tag}, api.DispatchInput{})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, filed, filed.Body)
		started, err := officer.StartInvestigationWithResponse(ctx, c.Id, &api.StartInvestigationParams{IfMatch: etagHeader(filed.HTTPResponse)}, api.ReasonInput{Reason: "无现场可勘"})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, started, started.Body)
		require.Equal(t, api.CaseStateInvestigating, started.JSON200.State)
		require.Equal(t, "无现场可勘", started.JSON200.History[len(started.JSON200.History)-1].Reason)
	})
}

// TestLeadsOverHTTP: a tip is discarded with its reason and then can no
// longer be verified; the lead list filters by state.
func TestLeadsOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newCaseWorld(t)
	officer := w.client(t, w.officer)
	create := func(summary string) (api.Lead, string) {
		r, err := officer.CreateLeadWithResponse(ctx, &api.CreateLeadParams{}, api.LeadInput{UnitId: w.team.ID,
			SourceKind: api.LeadInputSourceKindTip, Summary: summary, PersonIds: []string{}})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, r, r.Body)
		return *r.JSON201, etagHeader(r.HTTPResponse)
	}
	tip, tag := create("群众举报:公园有人摘鸟笼")
	kept, _ := create("群众举报:旅馆门前可疑人员")

	noReason, err := officer.DiscardLeadWithResponse(ctx, tip.Id, &api.DiscardLeadParams{IfMatch: tag}, api.ReasonInput{})
	require.NoError(t, err)
	requireStatus(t, http.StatusUnprocessableEntity, noReason, noReason.Body)
	discarded, err := officer.DiscardLeadWithResponse(ctx, tip.Id, &api.DiscardLeadParams{IfMatch: tag}, api.ReasonInput{Reason: "核实为误报"})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, discarded, discarded.Body)
	require.Equal(t, api.LeadStateDiscarded, discarded.JSON200.State)
	require.Equal(t, "核实为误报", discarded.JSON200.DiscardReason)
	require.Equal(t, `"2"`, etagHeader(discarded.HTTPResponse))

	late, err := officer.VerifyLeadWithResponse(ctx, tip.Id, &api.VerifyLeadParams{IfMatch: etagHeader(discarded.HTTPResponse)}, api.NoteInput{})
	require.NoError(t, err)
	requireStatus(t, http.StatusConflict, late, late.Body)

	tests := []struct {
		name  string
		state []api.LeadState
		want  []string
	}{
		{"new", []api.LeadState{api.LeadStateNew}, []string{kept.Id}},
		{"discarded", []api.LeadState{api.LeadStateDiscarded}, []string{tip.Id}},
		{"any", nil, []string{tip.Id, kept.Id}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := officer.ListLeadsWithResponse(ctx, &api.ListLeadsParams{State: tt.state})
			require.NoError(t, err)
			requireStatus(t, http.StatusOK, r, r.Body)
			var ids []string
			for _, l := range r.JSON200.Items {
				ids = append(ids, l.Id)
			}
			require.Equal(t, tt.want, ids)
		})
	}
}

// TestOverdueCasesOverHTTP: a case reported two hours ago and not yet
// dispatched is overdue on its first step; one reported now is not.
func TestOverdueCasesOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newCaseWorld(t)
	old, _ := w.reportTheft(t, api.CaseInput{ReportedAt: time.Now().Add(-2 * time.Hour), IncidentAt: time.Now().Add(-3 * time.Hour)})
	w.reportTheft(t, api.CaseInput{})
	r, err := w.client(t, w.supervisor).ListOverdueCasesWithResponse(ctx, &api.ListOverdueCasesParams{UnitId: ptr(w.team.ID)})
	require.NoError(t, err)
	requireStatus(t, http.StatusOK, r, r.Body)
	require.Len(t, r.JSON200.Items, 1)
	require.Equal(t, old.Id, r.JSON200.Items[0].Case.Id)
	require.Contains(t, r.JSON200.Items[0].Steps, api.DispatchFile)

	tooMany, err := w.client(t, w.supervisor).ListOverdueCasesWithResponse(ctx, &api.ListOverdueCasesParams{Limit: ptr(201)})
	require.NoError(t, err)
	requireStatus(t, http.StatusBadRequest, tooMany, tooMany.Body)
}

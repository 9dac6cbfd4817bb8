package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// TestRecoveryStoryOverHTTP walks the article's bird cage through the API:
// reported stolen; found at a suspect's room and recorded with its first
// custody entry; compared with the register and matched to the report, which
// names its owner; moved into the branch's store room and the wrong cabinet
// corrected; a return requested by a 所长 who may not approve it himself,
// approved by the deputy chief, and carried out at the 返还仪式 (return
// event) against the owner's ID card. The thrushes of the same case are
// recovered and identified directly, their first return request rejected,
// the second approved and completed at the desk. The return list reads the
// same in JSON and in print.
func TestRecoveryStoryOverHTTP(t *testing.T) { eachBackend(t, testRecoveryStoryOverHTTP) }

func testRecoveryStoryOverHTTP(t *testing.T, b fixtureOption) {
	s := newRecStory(t, b)
	ctx := context.Background()
	const caseID = "370302010-2020-000123"

	// 12 May: the cage is reported stolen.
	rep, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{IdempotencyKey: ptr("cage-report")}, s.stolenCage())
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, rep.StatusCode(), rep.Body)
	reported := rep.JSON201
	require.Equal(t, api.ItemState("reported_stolen"), reported.State)
	require.Equal(t, "/v1/property-items/"+reported.Id, rep.HTTPResponse.Header.Get("Location"))
	require.Equal(t, `"1"`, rep.HTTPResponse.Header.Get("ETag"))

	// 14 May: the cage turns up in the suspect's rented room, into the
	// officer's hands with a witness: the first link of its custody chain.
	fnd, err := s.cOfficer.RecordFoundItemWithResponse(ctx, &api.RecordFoundItemParams{IdempotencyKey: ptr("cage-found")}, api.FoundInput{
		UnitId: s.station.ID, Category: "cage", Description: "竹制鸟笼一个（追回）", Quantity: 1, ValueFen: 80000,
		Place: "张店区某出租屋", From: "嫌疑人处扣押", To: api.Holder{Kind: "staff", Id: s.officer.StaffID},
		WitnessId: s.officer2.StaffID, Condition: "完好", Seal: "intact", SealNumber: "ZD-2020-0514-01"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, fnd.StatusCode(), fnd.Body)
	cage := fnd.JSON201
	require.Equal(t, api.ItemState("recovered"), cage.State)
	require.Equal(t, api.ItemOrigin("found"), cage.Origin)
	require.Equal(t, s.officer.StaffID, cage.Holder.Id)
	require.Equal(t, int64(1), cage.CustodySeq)

	// 快勘查·同步比对: the theft's description finds the cage in the register.
	cmp, err := s.cOfficer.ComparePropertyWithResponse(ctx, api.PropertyQuery{Category: "cage", Description: "竹制鸟笼", Place: "张店区某宾馆门外"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, cmp.StatusCode(), cmp.Body)
	require.NotEmpty(t, cmp.JSON200.Items)
	require.Equal(t, cage.Id, cmp.JSON200.Items[0].ItemId)

	// The found cage ranks the report first, with reasons.
	m, err := s.cOfficer.MatchItemWithResponse(ctx, cage.Id, &api.MatchItemParams{})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, m.StatusCode(), m.Body)
	require.NotEmpty(t, m.JSON200.Items)
	require.Equal(t, reported.Id, m.JSON200.Items[0].ItemId)
	require.NotEmpty(t, m.JSON200.Items[0].Reasons)

	conf, err := s.cOfficer.ConfirmMatchWithResponse(ctx, cage.Id, &api.ConfirmMatchParams{IfMatch: fnd.HTTPResponse.Header.Get("ETag")},
		api.MatchConfirmation{ReportedId: reported.Id, Note: "失主辨认"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, conf.StatusCode(), conf.Body)
	require.Equal(t, api.ItemState("identified"), conf.JSON200.State)
	require.Equal(t, s.owner.ID, conf.JSON200.OwnerPersonId, "the match names the report's owner")
	require.Equal(t, caseID, conf.JSON200.CaseId)
	require.Equal(t, reported.Id, conf.JSON200.MatchedItemId)
	require.Equal(t, etagOfVersion(conf.JSON200.Version), conf.HTTPResponse.Header.Get("ETag"))

	// 15 May: into the branch's store room; the cabinet was written wrong,
	// and a correction (never an edit) names the right one.
	mv, err := s.cCustodian.MoveItemWithResponse(ctx, cage.Id, &api.MoveItemParams{IfMatch: conf.HTTPResponse.Header.Get("ETag")}, api.MoveInput{
		To: api.Holder{Kind: "location", Id: "ZD-A-01", Name: "涉案财物管理中心"}, WitnessId: s.custodian2.StaffID,
		Reason: "入库保管", Condition: "完好", Seal: "intact", SealNumber: "ZD-2020-0514-01"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, mv.StatusCode(), mv.Body)
	require.Equal(t, "ZD-A-01", mv.JSON200.Holder.Id)
	cr, err := s.cCustodian.CorrectCustodyWithResponse(ctx, cage.Id, &api.CorrectCustodyParams{IfMatch: mv.HTTPResponse.Header.Get("ETag")}, api.CorrectionInput{
		Corrects: 2, To: api.Holder{Kind: "location", Id: "ZD-A-03", Name: "涉案财物管理中心"}, WitnessId: s.custodian2.StaffID,
		Reason: "柜号登记错误", Condition: "完好", Seal: "intact"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, cr.StatusCode(), cr.Body)
	require.Equal(t, "ZD-A-03", cr.JSON200.Holder.Id)
	chain, err := s.cChief.ListCustodyWithResponse(ctx, cage.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, chain.StatusCode(), chain.Body)
	kinds := []api.CustodyEntryKind{}
	for _, e := range chain.JSON200.Items {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []api.CustodyEntryKind{"intake", "move", "correction"}, kinds)
	require.Equal(t, "ZD-A-01", chain.JSON200.Items[1].To.Id, "the corrected entry stays as it was")
	require.Equal(t, int64(2), chain.JSON200.Items[2].Corrects)

	// The 所长 asks for the return; he may not approve his own request.
	rq, err := s.cDual.RequestReturnWithResponse(ctx, &api.RequestReturnParams{IdempotencyKey: ptr("cage-return")}, api.ReturnInput{
		ItemId: cage.Id, Recipient: api.Holder{Kind: "person", Id: s.owner.ID}, Note: "失主申请发还"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, rq.StatusCode(), rq.Body)
	ret := rq.JSON201
	require.Equal(t, "/v1/returns/"+ret.Id, rq.HTTPResponse.Header.Get("Location"))
	require.Equal(t, api.ReturnState("requested"), ret.State)
	own, err := s.cDual.ApproveReturnWithResponse(ctx, ret.Id, &api.ApproveReturnParams{IfMatch: rq.HTTPResponse.Header.Get("ETag")}, api.NoteInput{Note: "同意"})
	require.NoError(t, err)
	recStatus(t, http.StatusForbidden, own.StatusCode(), own.Body)
	ap, err := s.cChief.ApproveReturnWithResponse(ctx, ret.Id, &api.ApproveReturnParams{IfMatch: rq.HTTPResponse.Header.Get("ETag")}, api.NoteInput{Note: "权属清楚，同意发还"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, ap.StatusCode(), ap.Body)
	require.Equal(t, api.ReturnState("approved"), ap.JSON200.State)
	require.Equal(t, s.chief.StaffID, ap.JSON200.DecidedBy)

	// 20 May: the return event (返还仪式) hands the cage back.
	pe, err := s.cDual.PlanReturnEventWithResponse(ctx, &api.PlanReturnEventParams{IdempotencyKey: ptr("event")}, api.ReturnEventInput{
		UnitId: s.branch.ID, Name: "张店分局涉案物品返还会", Date: time.Now().Add(24 * time.Hour), Place: "张店公安分局一楼大厅"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, pe.StatusCode(), pe.Body)
	ev := pe.JSON201
	require.Equal(t, "/v1/return-events/"+ev.Id, pe.HTTPResponse.Header.Get("Location"))
	add, err := s.cDual.AddReturnsToEventWithResponse(ctx, ev.Id, &api.AddReturnsToEventParams{IfMatch: pe.HTTPResponse.Header.Get("ETag")}, api.AddReturnsInput{ReturnIds: []string{ret.Id}})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, add.StatusCode(), add.Body)
	require.Equal(t, []string{ret.Id}, add.JSON200.ReturnIds)
	hold, err := s.cDual.HoldReturnEventWithResponse(ctx, ev.Id, &api.HoldReturnEventParams{IfMatch: add.HTTPResponse.Header.Get("ETag")}, api.HoldEventInput{
		Handovers: []api.Handover{{ReturnId: ret.Id, Receipt: s.attach(t, s.dual, "签收单-鸟笼.jpg"), RecipientDocType: "resident_id",
			RecipientDocNumber: s.ownerDoc, WitnessId: s.custodian.StaffID, Condition: "完好"}}})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, hold.StatusCode(), hold.Body)
	require.Equal(t, api.ReturnEventState("held"), hold.JSON200.State)
	require.Len(t, hold.JSON200.Results, 1)
	require.True(t, hold.JSON200.Results[0].Returned)
	gotEv, err := s.cChief.GetReturnEventWithResponse(ctx, ev.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, gotEv.StatusCode(), gotEv.Body)
	require.Equal(t, *hold.JSON200, *gotEv.JSON200)
	require.Equal(t, hold.HTTPResponse.Header.Get("ETag"), gotEv.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "签收单-鸟笼.jpg", gotEv.JSON200.Results[0].Receipt.Name)
	gotCage, err := s.cChief.GetPropertyItemWithResponse(ctx, cage.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, gotCage.StatusCode(), gotCage.Body)
	require.Equal(t, api.ItemState("returned"), gotCage.JSON200.State)
	require.Equal(t, api.Holder{Kind: "person", Id: s.owner.ID, Name: "陈某某"}, gotCage.JSON200.Holder, "the chain ends with the owner")
	require.Equal(t, etagOfVersion(gotCage.JSON200.Version), gotCage.HTTPResponse.Header.Get("ETag"))
	gotRet, err := s.cChief.GetReturnWithResponse(ctx, ret.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, gotRet.StatusCode(), gotRet.Body)
	require.Equal(t, api.ReturnState("completed"), gotRet.JSON200.State)
	require.True(t, gotRet.JSON200.IdentityChecked)
	require.Equal(t, ev.Id, gotRet.JSON200.EventId)

	// The thrushes: recovered with the arrest, identified by the owner; the
	// first request is rejected, the second completed at the desk.
	birds := s.stolenCage()
	birds.Category, birds.Description, birds.Quantity, birds.ValueFen = "birds_animals", "画眉鸟", 2, 300000
	br, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{}, birds)
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, br.StatusCode(), br.Body)
	rr, err := s.cOfficer.RecordRecoveryWithResponse(ctx, br.JSON201.Id, &api.RecordRecoveryParams{IfMatch: br.HTTPResponse.Header.Get("ETag")}, s.intake("张店区马尚镇", "嫌疑人处扣押"))
	require.NoError(t, err)
	recStatus(t, http.StatusOK, rr.StatusCode(), rr.Body)
	require.Equal(t, api.ItemState("recovered"), rr.JSON200.State)
	idf, err := s.cOfficer.IdentifyItemWithResponse(ctx, br.JSON201.Id, &api.IdentifyItemParams{IfMatch: rr.HTTPResponse.Header.Get("ETag")}, api.IdentifyInput{Note: "失主辨认"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, idf.StatusCode(), idf.Body)
	require.Equal(t, api.ItemState("identified"), idf.JSON200.State)
	r1, err := s.cOfficer.RequestReturnWithResponse(ctx, &api.RequestReturnParams{}, api.ReturnInput{ItemId: br.JSON201.Id, Recipient: api.Holder{Kind: "person", Id: s.owner.ID}})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, r1.StatusCode(), r1.Body)
	rej, err := s.cChief.RejectReturnWithResponse(ctx, r1.JSON201.Id, &api.RejectReturnParams{IfMatch: r1.HTTPResponse.Header.Get("ETag")}, api.NoteInput{Note: "需补充购买凭证"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, rej.StatusCode(), rej.Body)
	require.Equal(t, api.ReturnState("rejected"), rej.JSON200.State)
	r2, err := s.cOfficer.RequestReturnWithResponse(ctx, &api.RequestReturnParams{}, api.ReturnInput{ItemId: br.JSON201.Id, Recipient: api.Holder{Kind: "person", Id: s.owner.ID}, Note: "已补充凭证"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, r2.StatusCode(), r2.Body)
	ap2, err := s.cChief.ApproveReturnWithResponse(ctx, r2.JSON201.Id, &api.ApproveReturnParams{IfMatch: r2.HTTPResponse.Header.Get("ETag")}, api.NoteInput{})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, ap2.StatusCode(), ap2.Body)
	done, err := s.cOfficer.CompleteReturnWithResponse(ctx, r2.JSON201.Id, &api.CompleteReturnParams{IfMatch: ap2.HTTPResponse.Header.Get("ETag")}, api.Handover{
		Receipt: s.attach(t, s.officer, "签收单-画眉.jpg"), RecipientDocType: "resident_id", RecipientDocNumber: s.ownerDoc,
		WitnessId: s.officer2.StaffID, Condition: "完好"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, done.StatusCode(), done.Body)
	require.Equal(t, api.ReturnState("completed"), done.JSON200.State)
	require.Equal(t, s.officer.StaffID, done.JSON200.CompletedBy)

	// The lists, filtered as the store supports.
	rets, err := s.cChief.ListReturnsWithResponse(ctx, &api.ListReturnsParams{CaseId: ptr(caseID), State: []api.ReturnState{"completed"}})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, rets.StatusCode(), rets.Body)
	require.ElementsMatch(t, []string{ret.Id, r2.JSON201.Id}, returnIDs(rets.JSON200.Items))
	evs, err := s.cChief.ListReturnEventsWithResponse(ctx, &api.ListReturnEventsParams{UnitId: ptr(s.branch.ID), State: []api.ReturnEventState{"held"}})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, evs.StatusCode(), evs.Body)
	require.Len(t, evs.JSON200.Items, 1)
	require.Equal(t, ev.Id, evs.JSON200.Items[0].Id)
	items, err := s.cChief.ListPropertyItemsWithResponse(ctx, &api.ListPropertyItemsParams{CaseId: ptr(caseID), State: []api.ItemState{"returned"}, Limit: ptr(1)})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, items.StatusCode(), items.Body)
	require.Len(t, items.JSON200.Items, 1)
	require.NotEmpty(t, items.JSON200.Next, "two returned items, one per page")
	rest, err := s.cChief.ListPropertyItemsWithResponse(ctx, &api.ListPropertyItemsParams{CaseId: ptr(caseID), State: []api.ItemState{"returned"}, Cursor: ptr(items.JSON200.Next)})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, rest.StatusCode(), rest.Body)
	require.ElementsMatch(t, []string{cage.Id, br.JSON201.Id}, []string{items.JSON200.Items[0].Id, rest.JSON200.Items[0].Id})

	// The event's return list (发还清单) as data.
	list, err := s.cChief.GetReturnListWithResponse(ctx, &api.GetReturnListParams{EventId: ptr(ev.Id)})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, list.StatusCode(), list.Body)
	require.Equal(t, "张店分局涉案物品返还会", list.JSON200.EventName)
	require.Len(t, list.JSON200.Rows, 1)
	require.Equal(t, cage.Id, list.JSON200.Rows[0].ItemId)
	require.Equal(t, "陈某某", list.JSON200.Rows[0].OwnerName)
	require.NotContains(t, string(list.Body), s.ownerDoc, "document numbers appear only masked")
	require.Equal(t, 1, list.JSON200.Returned)

	// JSON by default, the printable page when the client prefers HTML.
	for _, tc := range []struct {
		name, accept string
		html         bool
	}{
		{"no Accept answers JSON", "", false},
		{"any type answers JSON", "*/*", false},
		{"JSON asked", "application/json", false},
		{"HTML asked, as a browser does", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"HTML preferred by quality", "application/json;q=0.5, text/html", true},
		{"JSON preferred by quality", "text/html;q=0.4, application/json", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := s.do(t, s.chief, http.MethodGet, "/v1/return-list?eventId="+ev.Id, "", "Accept", tc.accept)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			recStatus(t, http.StatusOK, resp.StatusCode, body)
			if !tc.html {
				require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
				require.Contains(t, string(body), `"eventName":"张店分局涉案物品返还会"`)
				return
			}
			require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"), resp.Header.Get("Content-Type"))
			require.Contains(t, string(body), "发还清单")
			require.Contains(t, string(body), "陈某某")
			require.NotContains(t, string(body), s.ownerDoc)
		})
	}
}

// TestRecoveryDisposalsOverHTTP follows an unclaimed e-bike battery found
// by the roadside: after the holding period the sweep makes it unclaimed; a
// first disposal request is rejected (publish a notice first), the second
// approved and the auction recorded with its proceeds.
func TestRecoveryDisposalsOverHTTP(t *testing.T) {
	t.Parallel()
	s := newRecStory(t)
	ctx := context.Background()
	in := s.intake("张店区华光路路边", "路边")
	fnd, err := s.cOfficer.RecordFoundItemWithResponse(ctx, &api.RecordFoundItemParams{}, api.FoundInput{UnitId: s.station.ID,
		Category: "ebike_battery", Description: "48V锂电池", Quantity: 1, ValueFen: 30000,
		Place: in.Place, From: in.From, To: in.To, WitnessId: in.WitnessId, Condition: in.Condition, Seal: in.Seal})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, fnd.StatusCode(), fnd.Body)
	item := fnd.JSON201.Id
	_, err = s.rec.Sweep(ctx, time.Now().AddDate(0, 0, 200))
	require.NoError(t, err)

	d1, err := s.cOfficer.RequestDisposalWithResponse(ctx, &api.RequestDisposalParams{IdempotencyKey: ptr("dispose-1")}, api.DisposalInput{ItemId: item, Method: "auction", Reason: "保管期满无人认领"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, d1.StatusCode(), d1.Body)
	require.Equal(t, "/v1/disposals/"+d1.JSON201.Id, d1.HTTPResponse.Header.Get("Location"))
	require.Equal(t, api.DisposalState("requested"), d1.JSON201.State)
	rej, err := s.cChief.RejectDisposalWithResponse(ctx, d1.JSON201.Id, &api.RejectDisposalParams{IfMatch: d1.HTTPResponse.Header.Get("ETag")}, api.NoteInput{Note: "先发布招领公告"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, rej.StatusCode(), rej.Body)
	require.Equal(t, api.DisposalState("rejected"), rej.JSON200.State)

	d2, err := s.cOfficer.RequestDisposalWithResponse(ctx, &api.RequestDisposalParams{IdempotencyKey: ptr("dispose-2")}, api.DisposalInput{ItemId: item, Method: "auction", Reason: "公告期满无人认领"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, d2.StatusCode(), d2.Body)
	ap, err := s.cChief.ApproveDisposalWithResponse(ctx, d2.JSON201.Id, &api.ApproveDisposalParams{IfMatch: d2.HTTPResponse.Header.Get("ETag")}, api.NoteInput{Note: "同意拍卖"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, ap.StatusCode(), ap.Body)
	require.Equal(t, api.DisposalState("approved"), ap.JSON200.State)
	done, err := s.cCustodian.CompleteDisposalWithResponse(ctx, d2.JSON201.Id, &api.CompleteDisposalParams{IfMatch: ap.HTTPResponse.Header.Get("ETag")}, api.DisposalCompletion{
		ProceedsFen: 12000, Recipient: "淄博市公共资源交易中心", Document: s.attach(t, s.custodian, "拍卖成交确认书.jpg"),
		WitnessId: s.custodian2.StaffID, Condition: "完好"})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, done.StatusCode(), done.Body)
	require.Equal(t, api.DisposalState("completed"), done.JSON200.State)
	require.Equal(t, int64(12000), done.JSON200.ProceedsFen)
	require.Equal(t, "拍卖成交确认书.jpg", done.JSON200.Document.Name)

	got, err := s.cChief.GetDisposalWithResponse(ctx, d2.JSON201.Id)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, got.StatusCode(), got.Body)
	require.Equal(t, *done.JSON200, *got.JSON200)
	require.Equal(t, done.HTTPResponse.Header.Get("ETag"), got.HTTPResponse.Header.Get("ETag"))
	it, err := s.cChief.GetPropertyItemWithResponse(ctx, item)
	require.NoError(t, err)
	require.Equal(t, api.ItemState("disposed"), it.JSON200.State)
	require.Equal(t, api.Holder{Kind: "external", Name: "淄博市公共资源交易中心"}, it.JSON200.Holder)

	for _, tc := range []struct {
		name   string
		states []api.DisposalState
		want   []string
	}{
		{"every disposal of the item", nil, []string{d1.JSON201.Id, d2.JSON201.Id}},
		{"the completed one", []api.DisposalState{"completed"}, []string{d2.JSON201.Id}},
		{"the rejected one", []api.DisposalState{"rejected"}, []string{d1.JSON201.Id}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := s.cChief.ListDisposalsWithResponse(ctx, &api.ListDisposalsParams{ItemId: ptr(item), State: tc.states})
			require.NoError(t, err)
			recStatus(t, http.StatusOK, l.StatusCode(), l.Body)
			var ids []string
			for _, d := range l.JSON200.Items {
				ids = append(ids, d.Id)
			}
			require.ElementsMatch(t, tc.want, ids)
		})
	}
}

// TestRecoverySafeWritesOverHTTP: a custody move needs If-Match (428), a
// stale one is 412 carrying the current ETag; a theft report replayed with
// its Idempotency-Key returns the stored item and creates nothing, the key
// with another body is 422, and a report without a category is 422 naming
// the field; a match list's limit is bounded like every page.
func TestRecoverySafeWritesOverHTTP(t *testing.T) {
	t.Parallel()
	s := newRecStory(t)
	ctx := context.Background()
	fnd, err := s.cOfficer.RecordFoundItemWithResponse(ctx, &api.RecordFoundItemParams{}, api.FoundInput{UnitId: s.station.ID,
		Category: "cage", Description: "竹制鸟笼", Quantity: 1, ValueFen: 80000, Place: "张店区", From: "路边",
		To: api.Holder{Kind: "staff", Id: s.officer.StaffID}, WitnessId: s.officer2.StaffID, Condition: "完好", Seal: "intact"})
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, fnd.StatusCode(), fnd.Body)
	id := fnd.JSON201.Id
	move := api.MoveInput{To: api.Holder{Kind: "location", Id: "ZD-A-01", Name: "涉案财物管理中心"}, WitnessId: s.custodian2.StaffID,
		Reason: "入库保管", Condition: "完好", Seal: "intact"}
	mv, err := s.cCustodian.MoveItemWithResponse(ctx, id, &api.MoveItemParams{IfMatch: `"1"`}, move)
	require.NoError(t, err)
	recStatus(t, http.StatusOK, mv.StatusCode(), mv.Body)
	current := mv.HTTPResponse.Header.Get("ETag")
	require.Equal(t, `"2"`, current)

	rep, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{IdempotencyKey: ptr("k1")}, s.stolenCage())
	require.NoError(t, err)
	recStatus(t, http.StatusCreated, rep.StatusCode(), rep.Body)

	for _, tc := range []struct {
		name  string
		send  func() (int, []byte, http.Header)
		want  int
		etag  string
		field string
	}{
		{name: "a move without If-Match is 428", want: http.StatusPreconditionRequired, send: func() (int, []byte, http.Header) {
			// Raw, since the generated client always sends the header.
			body, err := json.Marshal(move)
			require.NoError(t, err)
			r := s.do(t, s.custodian, http.MethodPost, "/v1/property-items/"+id+"/move", string(body))
			out, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			return r.StatusCode, out, r.Header
		}},
		{name: "a move on a stale version is 412 with the current ETag", want: http.StatusPreconditionFailed, etag: current, send: func() (int, []byte, http.Header) {
			r, err := s.cCustodian.MoveItemWithResponse(ctx, id, &api.MoveItemParams{IfMatch: `"1"`}, move)
			require.NoError(t, err)
			return r.StatusCode(), r.Body, r.HTTPResponse.Header
		}},
		{name: "more than 200 matches is 400 naming limit", want: http.StatusBadRequest, field: "limit", send: func() (int, []byte, http.Header) {
			r, err := s.cOfficer.MatchItemWithResponse(ctx, id, &api.MatchItemParams{Limit: ptr(201)})
			require.NoError(t, err)
			return r.StatusCode(), r.Body, r.HTTPResponse.Header
		}},
		{name: "a replayed report returns the stored item", want: http.StatusCreated, send: func() (int, []byte, http.Header) {
			r, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{IdempotencyKey: ptr("k1")}, s.stolenCage())
			require.NoError(t, err)
			if r.JSON201 != nil {
				require.Equal(t, rep.JSON201.Id, r.JSON201.Id)
			}
			return r.StatusCode(), r.Body, r.HTTPResponse.Header
		}},
		{name: "the key with another body is 422", want: http.StatusUnprocessableEntity, send: func() (int, []byte, http.Header) {
			other := s.stolenCage()
			other.Description = "铁制鸟笼"
			r, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{IdempotencyKey: ptr("k1")}, other)
			require.NoError(t, err)
			return r.StatusCode(), r.Body, r.HTTPResponse.Header
		}},
		{name: "a report without a category is 422 naming it", want: http.StatusUnprocessableEntity, field: "/category", send: func() (int, []byte, http.Header) {
			bad := s.stolenCage()
			bad.Category = ""
			r, err := s.cOfficer.ReportStolenItemWithResponse(ctx, &api.ReportStolenItemParams{IdempotencyKey: ptr("k2")}, bad)
			require.NoError(t, err)
			return r.StatusCode(), r.Body, r.HTTPResponse.Header
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body, header := tc.send()
			recStatus(t, tc.want, status, body)
			if tc.etag != "" {
				require.Equal(t, tc.etag, header.Get("ETag"))
			}
			if tc.field != "" {
				var fields []string
				for _, f := range recProblem(t, body).Errors {
					fields = append(fields, f.Field)
				}
				require.Contains(t, fields, tc.field)
			}
		})
	}

	// Nothing above changed the item or created a second report.
	got, err := s.cChief.GetPropertyItemWithResponse(ctx, id)
	require.NoError(t, err)
	require.Equal(t, current, got.HTTPResponse.Header.Get("ETag"))
	reports, err := s.cChief.ListPropertyItemsWithResponse(ctx, &api.ListPropertyItemsParams{Origin: ptr(api.ItemOrigin("reported"))})
	require.NoError(t, err)
	recStatus(t, http.StatusOK, reports.StatusCode(), reports.Body)
	require.Len(t, reports.JSON200.Items, 1)
}

func etagOfVersion(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

func returnIDs(rs []api.Return) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Id
	}
	return ids
}

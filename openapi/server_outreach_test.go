package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// problemOf decodes a problem response body.
func problemOf(t *testing.T, body []byte) api.Problem {
	t.Helper()
	var p api.Problem
	require.NoError(t, json.Unmarshal(body, &p), string(body))
	return p
}

// Zhao Xilan (赵希兰), a disabled poor householder of 田庄镇, is brought
// 1 桶 花生油, 10 斤 大米, 10 斤 面粉 and vegetables: the visit is recorded once
// however often the request is replayed, and only its notes, services and
// aid can be amended, against the version read.
func TestOutreachVisitWithAidOverHTTP(t *testing.T) { eachBackend(t, testOutreachVisitWithAidOverHTTP) }

func testOutreachVisitWithAidOverHTTP(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "桓台县公安局", "田庄派出所", "田庄镇", b)
	addr := w.address(t, "桓台县田庄镇赵希兰家", "田庄镇")
	zhao := w.person(t, "赵希兰", addr, casework.TagDifficultFamily, casework.TagDisabled)
	c := w.client(t, w.officer)
	ctx := context.Background()

	in := api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID, TargetKind: "difficult_family", PersonId: zhao.ID,
		Notes: "残疾贫困户，疫情防控期间没有多余的存粮。",
		Services: []api.ServiceGiven{
			{Kind: "door_to_door", Note: "购买生活物资送到家中，解燃眉之急"},
			{Kind: "errand", Note: "联系镇民政部门落实后续帮扶救助工作"},
		},
		Aid: []api.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "大米", Quantity: 10, Unit: "斤"},
			{Item: "面粉", Quantity: 10, Unit: "斤"}, {Item: "蔬菜肉类"}},
	}
	created, err := c.RecordVisitWithResponse(ctx, &api.RecordVisitParams{IdempotencyKey: ptr("zhao-1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	v := *created.JSON201
	require.Equal(t, `"1"`, created.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "/v1/visits/"+v.Id, created.HTTPResponse.Header.Get("Location"))
	require.Equal(t, "桓台县田庄镇赵希兰家", v.Address)
	require.Equal(t, in.Aid, v.Aid)
	require.Equal(t, in.Services, v.Services)
	require.Equal(t, []string{w.officer.StaffID}, v.OfficerIds, "the officers default to the actor")

	again, err := c.RecordVisitWithResponse(ctx, &api.RecordVisitParams{IdempotencyKey: ptr("zhao-1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, again.StatusCode(), string(again.Body))
	require.Equal(t, v, *again.JSON201, "a replay returns the stored visit")
	require.Equal(t, created.HTTPResponse.Header.Get("Location"), again.HTTPResponse.Header.Get("Location"))

	bad := in
	bad.Aid = []api.Aid{{Item: "大米", Quantity: 10}}
	invalid, err := c.RecordVisitWithResponse(ctx, &api.RecordVisitParams{IdempotencyKey: ptr("zhao-2")}, bad)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, invalid.StatusCode(), string(invalid.Body))
	p := problemOf(t, invalid.Body)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "/aid/0/unit", p.Errors[0].Field, "a counted quantity needs a unit")

	list, err := c.ListVisitsWithResponse(ctx, &api.ListVisitsParams{UnitId: ptr(w.station.ID), AddressId: ptr(addr.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Equal(t, []api.Visit{v}, list.JSON200.Items, "neither the replay nor the invalid visit created one")

	got, err := c.GetVisitWithResponse(ctx, v.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, v, *got.JSON200)
	require.Equal(t, `"1"`, got.HTTPResponse.Header.Get("ETag"))

	amend := `{"notes":"残疾贫困户；已联系镇民政部门。"}`
	missing := w.do(t, w.officer, http.MethodPost, "/v1/visits/"+v.Id+"/amend", amend)
	require.Equal(t, http.StatusPreconditionRequired, missing.StatusCode)

	amended, err := c.AmendVisitWithResponse(ctx, v.Id, &api.AmendVisitParams{IfMatch: `"1"`}, api.VisitAmendment{Notes: "残疾贫困户；已联系镇民政部门。"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, amended.StatusCode(), string(amended.Body))
	require.Equal(t, `"2"`, amended.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "残疾贫困户；已联系镇民政部门。", amended.JSON200.Notes)
	require.Equal(t, in.Aid, amended.JSON200.Aid, "aid not sent stays as recorded")
	require.Equal(t, in.Services, amended.JSON200.Services, "services not sent stay as recorded")

	stale, err := c.AmendVisitWithResponse(ctx, v.Id, &api.AmendVisitParams{IfMatch: `"1"`}, api.VisitAmendment{Notes: "x"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode(), string(stale.Body))
	require.Equal(t, `"2"`, stale.HTTPResponse.Header.Get("ETag"), "the 412 carries the current ETag")
	got, err = c.GetVisitWithResponse(ctx, v.Id)
	require.NoError(t, err)
	require.Equal(t, *amended.JSON200, *got.JSON200, "the stale amendment changed nothing")
}

// At 潘庄社区加油站 an exposed wire in the switch box is found on a visit;
// the station fixes it, a fix is rejected once, and another officer than
// the one who recorded the final fix verifies it.
func TestOutreachHazardOverHTTP(t *testing.T) { eachBackend(t, testOutreachHazardOverHTTP) }

func testOutreachHazardOverHTTP(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b)
	addr := w.address(t, "张店区潘庄社区加油站", "潘庄社区")
	ctx := context.Background()
	officer, community, chief := w.client(t, w.officer), w.client(t, w.community), w.client(t, w.chief)

	visit, err := community.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
		TargetKind: "security_key_site", Organisation: "潘庄社区加油站", Notes: "检查加油站安全防范"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))

	in := api.HazardInput{VisitId: visit.JSON201.Id, AddressId: addr.ID, Place: "加油站配电箱", Kind: "electrical", Severity: "major",
		Description: "配电箱线路裸露", Responsible: "加油站站长", DueInDays: 3}
	reported, err := community.ReportHazardWithResponse(ctx, &api.ReportHazardParams{IdempotencyKey: ptr("h-1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, reported.StatusCode(), string(reported.Body))
	h := *reported.JSON201
	require.Equal(t, "/v1/hazards/"+h.Id, reported.HTTPResponse.Header.Get("Location"))
	require.Equal(t, api.HazardStatus("found"), h.Status)
	require.Equal(t, w.station.ID, h.UnitId, "the unit defaults to the visit's")
	require.Equal(t, "潘庄社区", h.Community)

	tooEarly, err := chief.VerifyHazardWithResponse(ctx, h.Id, &api.VerifyHazardParams{IfMatch: `"1"`}, api.NoteInput{})
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, tooEarly.StatusCode(), "a hazard not yet rectified cannot be verified")

	// Each step: who moves it, the move, the status and ETag after it, or
	// the status the move is refused with.
	steps := []struct {
		name   string
		move   func(etag string) (int, *api.Hazard, error)
		status int
		want   api.HazardStatus
	}{
		{"rectifying", func(e string) (int, *api.Hazard, error) {
			r, err := community.StartRectifyingWithResponse(ctx, h.Id, &api.StartRectifyingParams{IfMatch: e}, api.NoteInput{Note: "站长已安排电工"})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusOK, "rectifying"},
		{"rectified", func(e string) (int, *api.Hazard, error) {
			r, err := community.RecordRectifiedWithResponse(ctx, h.Id, &api.RecordRectifiedParams{IfMatch: e}, api.NoteInput{Note: "已更换线路"})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusOK, "rectified"},
		{"own fix not verified", func(e string) (int, *api.Hazard, error) {
			r, err := community.VerifyHazardWithResponse(ctx, h.Id, &api.VerifyHazardParams{IfMatch: e}, api.NoteInput{})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusForbidden, ""},
		{"fix rejected", func(e string) (int, *api.Hazard, error) {
			r, err := chief.RejectRectificationWithResponse(ctx, h.Id, &api.RejectRectificationParams{IfMatch: e}, api.ReasonInput{Reason: "仍有裸露线头"})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusOK, "rectifying"},
		{"rectified again", func(e string) (int, *api.Hazard, error) {
			r, err := officer.RecordRectifiedWithResponse(ctx, h.Id, &api.RecordRectifiedParams{IfMatch: e}, api.NoteInput{Note: "已全部整改"})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusOK, "rectified"},
		{"verified", func(e string) (int, *api.Hazard, error) {
			r, err := community.VerifyHazardWithResponse(ctx, h.Id, &api.VerifyHazardParams{IfMatch: e}, api.NoteInput{Note: "复查合格"})
			return r.StatusCode(), r.JSON200, err
		}, http.StatusOK, "verified"},
	}
	version := h.Version
	for _, s := range steps {
		status, got, err := s.move(`"` + itoa(version) + `"`)
		require.NoError(t, err, s.name)
		require.Equal(t, s.status, status, s.name)
		if s.status != http.StatusOK {
			continue
		}
		require.Equal(t, s.want, got.Status, s.name)
		require.Equal(t, version+1, got.Version, s.name)
		version = got.Version
	}

	got, err := officer.GetHazardWithResponse(ctx, h.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, `"`+itoa(version)+`"`, got.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, w.officer.StaffID, got.JSON200.RectifiedBy)
	require.Equal(t, w.community.StaffID, got.JSON200.VerifiedBy)
	require.Equal(t, "复查合格", got.JSON200.Note)

	list, err := chief.ListHazardsWithResponse(ctx, &api.ListHazardsParams{VisitId: ptr(visit.JSON201.Id), Status: []api.HazardStatus{"verified"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Equal(t, []api.Hazard{*got.JSON200}, list.JSON200.Items)
	overdue, err := chief.ListOverdueHazardsWithResponse(ctx, &api.ListOverdueHazardsParams{UnitId: ptr(w.branch.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, overdue.StatusCode(), string(overdue.Body))
	require.Empty(t, overdue.JSON200.Items, "a verified hazard is never overdue")
}

// On a visit in 西高新村 officers learn that a resident's large dog
// disturbs the neighbours: the dispute is handed to mediation, and the
// visit's hand-offs show it pending, then delivered with the dispute's id,
// which is written back on the visit's finding.
func TestOutreachDisputeHandedOnOverHTTP(t *testing.T) {
	eachBackend(t, testOutreachDisputeHandedOnOverHTTP)
}

func testOutreachDisputeHandedOnOverHTTP(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "临淄公安分局", "雪官派出所", "西高新村", b)
	addr := w.address(t, "临淄区西高新村", "西高新村")
	c := w.client(t, w.officer)
	ctx := context.Background()

	created, err := c.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
		TargetKind: "village", Organisation: "西高新村村委会",
		Notes: "走访中得知村内某居民家中养有大型犬扰民；与物业公司对接研究解决方案。",
		Disputes: []api.VisitDisputeInput{{Category: "neighbour/animal", Summary: "居民家中养有大型犬扰民，邻里关系紧张",
			Risk: "low", RiskNote: "邻里矛盾，尚无冲突"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	v := *created.JSON201
	require.Len(t, v.Findings, 1)
	require.Equal(t, "dispute/1", v.Findings[0].Step)
	require.Empty(t, v.Findings[0].ResultId)

	pending, err := c.ListVisitHandoffsWithResponse(ctx, v.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pending.StatusCode(), string(pending.Body))
	require.Len(t, pending.JSON200.Items, 1)
	m := pending.JSON200.Items[0]
	require.Equal(t, v.Findings[0].OutboxId, m.Id)
	require.Equal(t, casework.KindDisputeFinding, m.Kind)
	require.Equal(t, v.Id, m.SourceId)
	require.Equal(t, "dispute/1", m.Step)
	require.Empty(t, m.Payload, "the finding itself is read on the visit, not in its hand-off")
	require.True(t, m.DeliveredAt.IsZero())
	require.Empty(t, m.ResultId)

	n, err := w.k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	delivered, err := c.ListVisitHandoffsWithResponse(ctx, v.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, delivered.StatusCode(), string(delivered.Body))
	require.Len(t, delivered.JSON200.Items, 1)
	m = delivered.JSON200.Items[0]
	require.False(t, m.DeliveredAt.IsZero())
	require.NotEmpty(t, m.ResultId)
	dispute, err := w.med.Get(ctx, w.officer, m.ResultId)
	require.NoError(t, err, "the hand-off's result is the dispute mediation made")
	require.Equal(t, "neighbour/animal", dispute.Category)
	require.Equal(t, v.Id, dispute.Origin.ID)

	got, err := c.GetVisitWithResponse(ctx, v.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, m.ResultId, got.JSON200.Findings[0].ResultId, "the dispute's id is written back on the finding")
	require.Equal(t, `"`+itoa(got.JSON200.Version)+`"`, got.HTTPResponse.Header.Get("ETag"))

	outside := w.unit(t, w.root, "Z", "淄川公安分局", casework.LevelBranch)
	stranger := w.staff(t, outside, "淄川公安分局民警", nil, casework.RoleOfficer)
	resp := w.do(t, stranger, http.MethodGet, "/v1/visits/"+v.Id+"/handoffs", "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "a visit out of reach has no hand-offs to show")
}

// A resident asks for a door-to-door service (预约服务): the station
// accepts and completes it; another request is declined with a reason, and
// a resident who was not there is marked no-show once the time has begun.
func TestOutreachAppointmentsOverHTTP(t *testing.T) {
	t.Parallel()
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区")
	desk, officer := w.client(t, w.officer), w.client(t, w.community)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)

	request := func(key string, starts time.Time, what string) api.Appointment {
		t.Helper()
		r, err := desk.RequestAppointmentWithResponse(ctx, &api.RequestAppointmentParams{IdempotencyKey: ptr(key)}, api.AppointmentInput{
			UnitId: w.station.ID, Service: "door_to_door", Requester: "孟庆花", Place: "张店区潘庄社区孟庆花家", Request: what,
			StartsAt: starts, EndsAt: starts.Add(time.Hour)})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.StatusCode(), string(r.Body))
		require.Equal(t, "/v1/appointments/"+r.JSON201.Id, r.HTTPResponse.Header.Get("Location"))
		require.Equal(t, api.AppointmentStatus("requested"), r.JSON201.Status)
		return *r.JSON201
	}
	accept := func(a api.Appointment) api.Appointment {
		t.Helper()
		r, err := officer.AcceptAppointmentWithResponse(ctx, a.Id, &api.AcceptAppointmentParams{IfMatch: `"` + itoa(a.Version) + `"`}, api.AppointmentAcceptance{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
		require.Equal(t, api.AppointmentStatus("accepted"), r.JSON200.Status)
		require.Equal(t, w.community.StaffID, r.JSON200.OfficerId, "the officer defaults to the actor")
		return *r.JSON200
	}

	a := accept(request("a-1", now.Add(24*time.Hour), "上门办理居住证"))
	done, err := officer.CompleteAppointmentWithResponse(ctx, a.Id, &api.CompleteAppointmentParams{IfMatch: `"` + itoa(a.Version) + `"`},
		api.AppointmentCompletion{Note: "已上门办理"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, done.StatusCode(), string(done.Body))
	require.Equal(t, api.AppointmentStatus("done"), done.JSON200.Status)
	require.Equal(t, `"`+itoa(a.Version+1)+`"`, done.HTTPResponse.Header.Get("ETag"))

	b := request("a-2", now.Add(48*time.Hour), "上门调解")
	declined, err := officer.DeclineAppointmentWithResponse(ctx, b.Id, &api.DeclineAppointmentParams{IfMatch: `"1"`}, api.ReasonInput{Reason: "请到派出所调解室办理"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, declined.StatusCode(), string(declined.Body))
	require.Equal(t, "请到派出所调解室办理", declined.JSON200.Reason)

	c := accept(request("a-3", now.Add(-30*time.Minute), "上门采集信息"))
	noShow, err := officer.MarkNoShowWithResponse(ctx, c.Id, &api.MarkNoShowParams{IfMatch: `"` + itoa(c.Version) + `"`}, api.NoteInput{Note: "家中无人"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, noShow.StatusCode(), string(noShow.Body))
	require.Equal(t, api.AppointmentStatus("no_show"), noShow.JSON200.Status)

	list, err := desk.ListAppointmentsWithResponse(ctx, &api.ListAppointmentsParams{Status: []api.AppointmentStatus{"done", "no_show"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Equal(t, []api.Appointment{*noShow.JSON200, *done.JSON200}, list.JSON200.Items, "by start time")

	got, err := desk.GetAppointmentWithResponse(ctx, b.Id)
	require.NoError(t, err)
	require.Equal(t, *declined.JSON200, *got.JSON200)
	require.Equal(t, `"2"`, got.HTTPResponse.Header.Get("ETag"))
}

// 桓台县公安局 runs "百万警进千万家" with a goal for difficult families; a visit
// recorded against it counts towards the goal.
func TestOutreachCampaignOverHTTP(t *testing.T) {
	t.Parallel()
	w := newOutreachWorld(t, "桓台县公安局", "田庄派出所", "田庄镇")
	addr := w.address(t, "桓台县田庄镇赵希兰家", "田庄镇")
	zhao := w.person(t, "赵希兰", addr, casework.TagDifficultFamily)
	chief, officer := w.client(t, w.chief), w.client(t, w.officer)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)

	created, err := chief.CreateCampaignWithResponse(ctx, &api.CreateCampaignParams{IdempotencyKey: ptr("c-1")}, api.CampaignInput{
		UnitId: w.branch.ID, Name: "百万警进千万家", From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 30),
		Goals: []api.Goal{{Kind: "difficult_family", Count: 4}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	camp := *created.JSON201
	require.Equal(t, "/v1/campaigns/"+camp.Id, created.HTTPResponse.Header.Get("Location"))
	require.Equal(t, []string{w.branch.ID}, camp.UnitIds, "the units default to the running unit")

	visit, err := officer.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, CampaignId: camp.Id, AddressId: addr.ID,
		TargetKind: "difficult_family", PersonId: zhao.ID, Aid: []api.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))

	progress, err := officer.GetCampaignProgressWithResponse(ctx, camp.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, progress.StatusCode(), string(progress.Body))
	require.Equal(t, []api.GoalProgress{{Kind: "difficult_family", Target: 4, Achieved: 1, Unit: "户次", Permille: 250}}, progress.JSON200.Goals)
	require.Equal(t, camp, progress.JSON200.Campaign)

	renamed, err := chief.UpdateCampaignWithResponse(ctx, camp.Id, &api.UpdateCampaignParams{IfMatch: `"1"`}, api.CampaignUpdate{Description: "入户走访，帮扶困难群众"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, renamed.StatusCode(), string(renamed.Body))
	require.Equal(t, "百万警进千万家", renamed.JSON200.Name, "a name not sent stays")
	require.Equal(t, camp.Goals, renamed.JSON200.Goals, "goals not sent stay")
	require.Equal(t, `"2"`, renamed.HTTPResponse.Header.Get("ETag"))

	list, err := officer.ListCampaignsWithResponse(ctx, &api.ListCampaignsParams{ActiveAt: ptr(time.Now())})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Equal(t, []api.Campaign{*renamed.JSON200}, list.JSON200.Items)
	ended, err := officer.ListCampaignsWithResponse(ctx, &api.ListCampaignsParams{ActiveAt: ptr(today.AddDate(1, 0, 0))})
	require.NoError(t, err)
	require.Empty(t, ended.JSON200.Items, "not running a year on")

	got, err := officer.GetCampaignWithResponse(ctx, camp.Id)
	require.NoError(t, err)
	require.Equal(t, *renamed.JSON200, *got.JSON200)
}

// 赵希兰's household is put on the visit plan: it is due at once for the
// community officer whose area holds it, a visit makes it scheduled, it is
// overdue a year on, and taken off the plan it is due no more.
func TestOutreachPlanAndDueVisitsOverHTTP(t *testing.T) {
	t.Parallel()
	w := newOutreachWorld(t, "桓台县公安局", "田庄派出所", "田庄镇")
	addr := w.address(t, "桓台县田庄镇赵希兰家", "田庄镇")
	zhao := w.person(t, "赵希兰", addr, casework.TagDifficultFamily)
	c := w.client(t, w.community)
	ctx := context.Background()

	added, err := c.AddToPlanWithResponse(ctx, &api.AddToPlanParams{IdempotencyKey: ptr("p-1")}, api.PlanInput{UnitId: w.station.ID,
		Kind: "difficult_family", AddressId: addr.ID, PersonId: zhao.ID, Note: "残疾贫困户"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, added.StatusCode(), string(added.Body))
	e := *added.JSON201
	require.Equal(t, "/v1/plan-entries/"+e.Id, added.HTTPResponse.Header.Get("Location"))
	require.True(t, e.Active)

	due := func(asOf time.Time) []api.DueVisit {
		t.Helper()
		r, err := c.ListDueVisitsWithResponse(ctx, &api.ListDueVisitsParams{OfficerId: ptr(w.community.StaffID), AsOf: ptr(asOf)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
		return r.JSON200.Items
	}
	now := time.Now()
	lines := due(now)
	require.Len(t, lines, 1)
	require.Equal(t, e.Id, lines[0].Entry.Id)
	require.Equal(t, api.DueStatus("due"), lines[0].Assessment.Status, "never visited: due at once")
	require.Equal(t, []string{w.community.StaffID}, lines[0].Owners)

	visit, err := c.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, PlanEntryId: e.Id, PersonId: zhao.ID})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))
	require.Equal(t, api.TargetKind("difficult_family"), visit.JSON201.TargetKind, "the kind comes from the plan entry")
	require.Empty(t, due(now), "visited just now")
	lines = due(now.AddDate(1, 0, 0))
	require.Len(t, lines, 1)
	require.Equal(t, api.DueStatus("overdue"), lines[0].Assessment.Status)

	got, err := c.GetPlanEntryWithResponse(ctx, e.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, visit.JSON201.Id, got.JSON200.LastVisitId)
	require.Equal(t, `"2"`, got.HTTPResponse.Header.Get("ETag"), "the visit moved the entry on")

	stale, err := c.RemoveFromPlanWithResponse(ctx, e.Id, &api.RemoveFromPlanParams{IfMatch: `"1"`}, api.ReasonInput{Reason: "已搬离"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode(), string(stale.Body))
	require.Equal(t, `"2"`, stale.HTTPResponse.Header.Get("ETag"))
	removed, err := c.RemoveFromPlanWithResponse(ctx, e.Id, &api.RemoveFromPlanParams{IfMatch: `"2"`}, api.ReasonInput{Reason: "已搬离"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, removed.StatusCode(), string(removed.Body))
	require.False(t, removed.JSON200.Active)
	require.Empty(t, due(now.AddDate(1, 0, 0)), "off the plan")
}

// Every update of outreach reads If-Match: without one it is 428 and
// nothing changes.
func TestOutreachUpdatesRequireIfMatch(t *testing.T) {
	t.Parallel()
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区")
	for _, path := range []string{
		"/v1/visits/x/amend", "/v1/plan-entries/x/remove", "/v1/hazards/x/start-rectifying", "/v1/hazards/x/rectified",
		"/v1/hazards/x/reject-rectification", "/v1/hazards/x/verify", "/v1/appointments/x/accept", "/v1/appointments/x/decline",
		"/v1/appointments/x/complete", "/v1/appointments/x/no-show",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			resp := w.do(t, w.officer, http.MethodPost, path, `{}`)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusPreconditionRequired, resp.StatusCode, string(body))
		})
	}
	resp := w.do(t, w.chief, http.MethodPatch, "/v1/campaigns/x", `{"name":"n"}`)
	require.Equal(t, http.StatusPreconditionRequired, resp.StatusCode)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

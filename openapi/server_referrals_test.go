package openapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/noticetest"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/openapi/client"
)

// referralFigures reads the report's referral figures for a unit over
// HTTP, from the first local day up to (not including) the last.
func referralFigures(t *testing.T, c *client.ClientWithResponses, unit, from, to string) (made, closed int64) {
	t.Helper()
	sum, err := c.GetReportSummaryWithResponse(context.Background(), &api.GetReportSummaryParams{Unit: ptr(unit), From: date(from), To: date(to)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, sum.StatusCode(), string(sum.Body))
	m, ok := figure(sum.JSON200.Figures, "outreach.referrals.made")
	require.True(t, ok, "figure keys: %v", sum.JSON200.Figures)
	cl, ok := figure(sum.JSON200.Figures, "outreach.referrals.closed")
	require.True(t, ok)
	return m.Value, cl.Value
}

// Zhao Xilan (赵希兰): after the food is brought, the officer asks the
// town's civil affairs office to take over her relief. The referral is
// made once however often the request is replayed, followed up against
// the version read, overdue once its due day passes, and closed when
// relief is granted; the report counts it made in February and closed in
// March.
func TestReferralCivilAffairsOverHTTP(t *testing.T) { eachBackend(t, testReferralCivilAffairsOverHTTP) }

func testReferralCivilAffairsOverHTTP(t *testing.T, b fixtureOption) {
	clock := casework.NewFixedClock(time.Date(2020, 2, 10, 1, 0, 0, 0, time.UTC))
	notices := &noticetest.Recorder{}
	w := newOutreachWorld(t, "桓台县公安局", "田庄派出所", "田庄镇", b, withKernelConfig(func(c *casework.Config) {
		c.Clock, c.Notifier = clock, notices
	}))
	addr := w.address(t, "桓台县田庄镇赵希兰家", "田庄镇")
	zhao := w.person(t, "赵希兰", addr, casework.TagDifficultFamily, casework.TagDisabled)
	ctx := context.Background()
	officer, chief := w.client(t, w.officer), w.client(t, w.chief)
	elsewhere := w.staff(t, w.unit(t, w.root, "X", "临淄公安分局", casework.LevelBranch), "临淄民警", nil, casework.RoleOfficer)
	stranger := w.client(t, elsewhere)

	visit, err := officer.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
		TargetKind: "difficult_family", PersonId: zhao.ID, Notes: "残疾贫困户，疫情防控期间没有多余的存粮。",
		Aid: []api.Aid{{Item: "花生油", Quantity: 1, Unit: "桶"}, {Item: "大米", Quantity: 10, Unit: "斤"}, {Item: "面粉", Quantity: 10, Unit: "斤"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))
	v := *visit.JSON201

	bad, err := officer.ReferToAgencyWithResponse(ctx, v.Id, nil, api.AgencyReferralInput{Agency: "other", Request: "落实帮扶",
		OwnerId: w.officer.StaffID, DueInDays: 14})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode(), string(bad.Body))
	p := problemOf(t, bad.Body)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "/agencyName", p.Errors[0].Field, "an agency of kind other needs its name")

	in := api.AgencyReferralInput{Agency: "civil_affairs", AgencyName: "田庄镇民政部门", Request: "落实赵希兰家后续帮扶救助工作",
		OwnerId: w.officer.StaffID, DueInDays: 14}
	created, err := officer.ReferToAgencyWithResponse(ctx, v.Id, &api.ReferToAgencyParams{IdempotencyKey: ptr("zhao-civil")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	r := *created.JSON201
	require.Equal(t, "/v1/referrals/"+r.Id, created.HTTPResponse.Header.Get("Location"))
	require.Equal(t, `"1"`, created.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, api.AgencyReferralStatus("open"), r.Status)
	require.Equal(t, w.station.ID, r.UnitId, "a referral belongs to its visit's unit")
	require.True(t, r.Due.Equal(time.Date(2020, 2, 25, 0, 0, 0, 0, cst)), "due %s", r.Due)
	again, err := officer.ReferToAgencyWithResponse(ctx, v.Id, &api.ReferToAgencyParams{IdempotencyKey: ptr("zhao-civil")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, again.StatusCode(), string(again.Body))
	require.Equal(t, r, *again.JSON201, "a replay returns the stored referral")

	hidden, err := stranger.GetReferralWithResponse(ctx, r.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, hidden.StatusCode(), "another branch's referral answers as one that does not exist")

	missing := w.do(t, w.officer, http.MethodPost, "/v1/referrals/"+r.Id+"/follow-ups", `{"note":"x"}`)
	require.Equal(t, http.StatusPreconditionRequired, missing.StatusCode)
	clock.Advance(3 * 24 * time.Hour)
	followed, err := officer.FollowUpReferralWithResponse(ctx, r.Id, &api.FollowUpReferralParams{IfMatch: `"1"`},
		api.AgencyReferralFollowUpInput{Note: "民政办已入户核实，拟纳入临时救助"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, followed.StatusCode(), string(followed.Body))
	require.Equal(t, `"2"`, followed.HTTPResponse.Header.Get("ETag"))
	require.Len(t, followed.JSON200.FollowUps, 1)
	require.Equal(t, w.officer.StaffID, followed.JSON200.FollowUps[0].By)

	overdue := func() []api.AgencyReferral {
		t.Helper()
		list, err := chief.ListReferralsWithResponse(ctx, &api.ListReferralsParams{UnitId: ptr(w.branch.ID), Overdue: ptr(true),
			OwnerId: ptr(w.officer.StaffID)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		return list.JSON200.Items
	}
	require.Empty(t, overdue())
	foreign, err := chief.ListReferralsWithResponse(ctx, &api.ListReferralsParams{OwnerId: ptr(elsewhere.StaffID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, foreign.StatusCode(), string(foreign.Body))
	require.Equal(t, "/ownerId", problemOf(t, foreign.Body).Errors[0].Field, "an owner out of reach is refused like one that does not exist")
	overdueList := func(unit string) []api.AgencyReferral {
		t.Helper()
		list, err := chief.ListOverdueReferralsWithResponse(ctx, &api.ListOverdueReferralsParams{UnitId: ptr(unit)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		return list.JSON200.Items
	}
	require.Empty(t, overdueList(w.branch.ID))
	clock.Set(r.Due)
	require.Len(t, overdue(), 1, "overdue from its due instant on")

	// The sweep tells the owner once; the overdue list shows it until it
	// is closed.
	for range 2 {
		_, err = w.k.Sweep(ctx, r.Due)
		require.NoError(t, err)
	}
	require.Equal(t, []casework.Notice{{Kind: casework.NoticeOverdue, UnitID: w.station.ID, RecordType: "referral", RecordID: r.Id,
		Reason: "referral_due", Due: r.Due.UTC(), StaffID: w.officer.StaffID}}, notices.All(), "one notice, to the owner")
	listed := overdueList(w.branch.ID)
	require.Len(t, listed, 1)
	require.Equal(t, r.Id, listed[0].Id)
	require.Equal(t, int64(3), listed[0].Version, "the notice is recorded on the referral")
	require.True(t, listed[0].OverdueNoticedAt.Equal(r.Due))
	far, err := stranger.ListOverdueReferralsWithResponse(ctx, &api.ListOverdueReferralsParams{UnitId: ptr(w.branch.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, far.StatusCode(), "another branch's unit is out of reach")

	clock.Advance(10 * 24 * time.Hour)
	stale, err := officer.CloseReferralWithResponse(ctx, r.Id, &api.CloseReferralParams{IfMatch: `"2"`},
		api.AgencyReferralCloseInput{Outcome: "done", Note: "临时救助金已发放"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode(), string(stale.Body))
	closed, err := officer.CloseReferralWithResponse(ctx, r.Id, &api.CloseReferralParams{IfMatch: `"3"`},
		api.AgencyReferralCloseInput{Outcome: "done", Note: "临时救助金已发放，纳入镇民政常态帮扶"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, closed.StatusCode(), string(closed.Body))
	require.Equal(t, api.AgencyReferralStatus("closed"), closed.JSON200.Status)
	require.Equal(t, api.ReferralOutcome("done"), closed.JSON200.Outcome)
	require.Empty(t, overdue(), "a closed referral is never overdue")
	require.Empty(t, overdueList(w.branch.ID))
	_, err = w.k.Sweep(ctx, clock.Now())
	require.NoError(t, err)
	require.Len(t, notices.All(), 1, "a closed referral is noticed no more")
	after, err := officer.FollowUpReferralWithResponse(ctx, r.Id, &api.FollowUpReferralParams{IfMatch: `"4"`},
		api.AgencyReferralFollowUpInput{Note: "再次回访"})
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, after.StatusCode(), "a closed referral stays closed")

	got, err := chief.GetReferralWithResponse(ctx, r.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, *closed.JSON200, *got.JSON200)
	require.Equal(t, `"4"`, got.HTTPResponse.Header.Get("ETag"))

	made, done := referralFigures(t, chief, w.branch.ID, "2020-02-01", "2020-03-01")
	require.Equal(t, [2]int64{1, 0}, [2]int64{made, done}, "February: made, not yet closed")
	made, done = referralFigures(t, chief, w.branch.ID, "2020-03-01", "2020-04-01")
	require.Equal(t, [2]int64{0, 1}, [2]int64{made, done}, "March: closed")

	// The outreach table says the same, the closed by outcome, for the
	// branch and for each unit below it.
	totals := func(from, to string) map[string]api.OutreachTotals {
		t.Helper()
		out := map[string]api.OutreachTotals{}
		for _, by := range []*api.GetOutreachTotalsParamsBy{nil, ptr(api.GetOutreachTotalsParamsByChild)} {
			res, err := chief.GetOutreachTotalsWithResponse(ctx, &api.GetOutreachTotalsParams{Unit: ptr(w.branch.ID), From: date(from),
				To: date(to), By: by})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			for _, row := range res.JSON200.Items {
				if prev, ok := out[row.UnitId]; ok {
					require.Equal(t, prev, row, "the table and its by-unit rows agree")
				}
				out[row.UnitId] = row
			}
		}
		return out
	}
	for _, unit := range []string{w.branch.ID, w.station.ID} {
		feb, mar := totals("2020-02-01", "2020-03-01")[unit], totals("2020-03-01", "2020-04-01")[unit]
		require.Equal(t, [2]int64{1, 0}, [2]int64{feb.ReferralsMade, feb.ReferralsClosed})
		require.Equal(t, [2]int64{0, 1}, [2]int64{mar.ReferralsMade, mar.ReferralsClosed})
		require.Equal(t, map[string]int64{"done": 1, "declined": 0, "withdrawn": 0}, mar.ReferralsClosedBy)
	}
}

// Meng Qinghua (孟庆花): her son is at risk of causing trouble; the
// community officer asks for his admission to hospital, the residents'
// committee providing a car and staff, and closes the referral when he is
// admitted the same day. The household is a special-person family, so an
// ordinary officer sees the referral masked.
func TestReferralHospitalAdmissionOverHTTP(t *testing.T) {
	eachBackend(t, testReferralHospitalAdmissionOverHTTP)
}

func testReferralHospitalAdmissionOverHTTP(t *testing.T, b fixtureOption) {
	clock := casework.NewFixedClock(time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC))
	notices := &noticetest.Recorder{}
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b, withKernelConfig(func(c *casework.Config) {
		c.Clock, c.Notifier = clock, notices
	}))
	addr := w.address(t, "张店区潘庄社区孟庆花家", "潘庄社区")
	meng := w.person(t, "孟庆花", addr, casework.TagDifficultFamily)
	ctx := context.Background()
	community, desk, chief := w.client(t, w.community), w.client(t, w.officer), w.client(t, w.chief)

	visit, err := community.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
		TargetKind: "special_person_family", PersonId: meng.ID, Notes: "老人的儿子有严重暴力倾向，有肇事肇祸的危险。",
		Aid: []api.Aid{{Item: "慰问品", Quantity: 1, Unit: "份"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))

	due := time.Date(2020, 5, 12, 16, 0, 0, 0, time.UTC)
	created, err := community.ReferToAgencyWithResponse(ctx, visit.JSON201.Id, nil, api.AgencyReferralInput{Agency: "hospital",
		AgencyName: "辖区医院", Request: "孟庆花之子及时送医治疗；居委会安排专车、专人与老人一同前往", OwnerId: w.community.StaffID, Due: due})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	r := *created.JSON201
	require.True(t, r.Sensitive)
	require.True(t, r.Due.Equal(due))

	clock.Advance(3 * time.Hour)
	followed, err := community.FollowUpReferralWithResponse(ctx, r.Id, &api.FollowUpReferralParams{IfMatch: `"1"`},
		api.AgencyReferralFollowUpInput{Note: "居委会专车、专人已到，与老人一同送医"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, followed.StatusCode(), string(followed.Body))
	clock.Advance(2 * time.Hour)
	closed, err := community.CloseReferralWithResponse(ctx, r.Id, &api.CloseReferralParams{IfMatch: `"2"`},
		api.AgencyReferralCloseInput{Outcome: "done", Note: "已入院治疗"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, closed.StatusCode(), string(closed.Body))
	require.Equal(t, "已入院治疗", closed.JSON200.OutcomeNote)
	res, err := w.k.Sweep(ctx, due.Add(24*time.Hour))
	require.NoError(t, err)
	require.Zero(t, res.Notified)
	require.Empty(t, notices.All(), "a referral closed before its due time is never noticed as overdue")

	seen, err := desk.GetReferralWithResponse(ctx, r.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, seen.StatusCode(), string(seen.Body))
	require.True(t, seen.JSON200.Masked)
	require.Empty(t, seen.JSON200.Request)
	require.Empty(t, seen.JSON200.OutcomeNote)
	require.Empty(t, seen.JSON200.FollowUps[0].Note)
	require.Equal(t, api.ReferralAgency("hospital"), seen.JSON200.Agency, "the agency and the dates stay visible")

	list, err := chief.ListReferralsWithResponse(ctx, &api.ListReferralsParams{Status: []api.AgencyReferralStatus{"closed"},
		VisitId: ptr(visit.JSON201.Id)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Equal(t, []api.AgencyReferral{*closed.JSON200}, list.JSON200.Items, "a supervisor sees it in full")
	made, done := referralFigures(t, chief, w.station.ID, "2020-05-12", "2020-05-13")
	require.Equal(t, [2]int64{1, 1}, [2]int64{made, done})
}

// The overdue list over HTTP: pages by cursor until none is left, nothing
// lost or repeated, a cursor this server did not make refused naming
// the field, and each reader's reach only.
func TestOverdueReferralPagesOverHTTP(t *testing.T) { eachBackend(t, testOverdueReferralPagesOverHTTP) }

func testOverdueReferralPagesOverHTTP(t *testing.T, b fixtureOption) {
	clock := casework.NewFixedClock(time.Date(2020, 5, 12, 1, 0, 0, 0, time.UTC))
	w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b, withKernelConfig(func(c *casework.Config) { c.Clock = clock }))
	ctx := context.Background()
	officer, chief := w.client(t, w.officer), w.client(t, w.chief)
	visit, err := officer.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, TargetKind: "school", Organisation: "潘庄小学"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, visit.StatusCode(), string(visit.Body))
	var want []string
	for i := range 3 {
		r, err := officer.ReferToAgencyWithResponse(ctx, visit.JSON201.Id, nil, api.AgencyReferralInput{Agency: "school",
			Request: "学校协助做好学生安全教育", OwnerId: w.officer.StaffID, DueInDays: 1 + i})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.StatusCode(), string(r.Body))
		want = append(want, r.JSON201.Id)
		clock.Advance(time.Minute)
	}
	clock.Advance(5 * 24 * time.Hour)
	var got []string
	cursor := (*string)(nil)
	for range 5 {
		page, err := chief.ListOverdueReferralsWithResponse(ctx, &api.ListOverdueReferralsParams{Limit: ptr(2), Cursor: cursor})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, page.StatusCode(), string(page.Body))
		require.LessOrEqual(t, len(page.JSON200.Items), 2)
		for _, r := range page.JSON200.Items {
			got = append(got, r.Id)
		}
		if page.JSON200.Next == "" {
			break
		}
		cursor = ptr(page.JSON200.Next)
	}
	require.Equal(t, want, got)
	bad, err := chief.ListOverdueReferralsWithResponse(ctx, &api.ListOverdueReferralsParams{Cursor: ptr("not-a-cursor")})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode(), string(bad.Body))
	require.Equal(t, "/cursor", problemOf(t, bad.Body).Errors[0].Field)
	elsewhere := w.staff(t, w.unit(t, w.root, "X", "临淄公安分局", casework.LevelBranch), "临淄民警", nil, casework.RoleOfficer)
	theirs, err := w.client(t, elsewhere).ListOverdueReferralsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, theirs.StatusCode(), string(theirs.Body))
	require.Empty(t, theirs.JSON200.Items, "another branch sees none of these")
}

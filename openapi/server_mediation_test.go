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

// The neighbours' noise-and-rubbish dispute (邻里噪音垃圾纠纷) over HTTP,
// from the 110 call to closed: screened, accepted with a people's mediator
// and the station's lawyer, one session in the mediation room, a written
// agreement signed by both neighbours and the mediator, in effect, a
// follow-up a week later that finds every term performed, closed as
// settled; and the printed mediation record and agreement.
func TestNeighboursDisputeOverHTTP(t *testing.T) { eachBackend(t, testNeighboursDisputeOverHTTP) }

func testNeighboursDisputeOverHTTP(t *testing.T, b fixtureOption) {
	n := newNeighbours(t, b)
	ctx := context.Background()
	officer, mediator := n.client(t, n.officer), n.client(t, n.mediator)

	created, err := officer.ReportDisputeWithResponse(ctx, &api.ReportDisputeParams{IdempotencyKey: ptr("110-0506-1")}, n.report())
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	d := *created.JSON201
	require.Equal(t, api.DisputeState(mediation.StateReported), d.State)
	require.Equal(t, `"1"`, created.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "/v1/disputes/"+d.Id, created.HTTPResponse.Header.Get("Location"))
	require.Len(t, d.Parties, 2)

	// step is one state change: the action, then the state it must reach,
	// each based on the ETag the previous step returned.
	type result struct {
		status int
		body   []byte
		etag   string
		d      *api.Dispute
	}
	tag := func() string { return etagOf(d.Version) }
	steps := []struct {
		name string
		at   [3]int
		do   func() (result, error)
		want mediation.State
	}{
		{"screen", [3]int{6, 9, 30}, func() (result, error) {
			r, err := officer.ScreenDisputeWithResponse(ctx, d.Id, &api.ScreenDisputeParams{IfMatch: tag()}, api.DisputeActionInput{Reason: "邻里纠纷，适宜人民调解"})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateScreened},
		{"accept with a mediator and the lawyer", [3]int{6, 10, 0}, func() (result, error) {
			r, err := officer.AcceptDisputeWithResponse(ctx, d.Id, &api.AcceptDisputeParams{IfMatch: tag()},
				api.DisputeActionInput{Reason: "双方同意到派出所人民调解室调解", Assign: []string{n.mediator.StaffID, n.lawyer.StaffID}})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateAccepted},
		{"start mediation", [3]int{7, 14, 0}, func() (result, error) {
			r, err := mediator.StartMediationWithResponse(ctx, d.Id, &api.StartMediationParams{IfMatch: tag()}, api.DisputeActionInput{Reason: "双方到人民调解室"})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateInMediation},
		{"record the session", [3]int{7, 15, 30}, func() (result, error) {
			r, err := mediator.RecordSessionWithResponse(ctx, d.Id, &api.RecordSessionParams{IfMatch: tag()}, api.SessionInput{
				At: time.Date(2020, 5, 7, 14, 0, 0, 0, cst), Place: "般阳路派出所人民调解室",
				Mediators: []api.Mediator{{StaffId: n.officer.StaffID, Role: api.Role(casework.RoleOfficer)},
					{StaffId: n.mediator.StaffID, Role: api.Role(casework.RoleMediator)}, {StaffId: n.lawyer.StaffID, Role: api.Role(casework.RoleLawyer)}},
				Attendees: []api.Attendee{{PersonId: n.downstairs.ID, Role: "申请人"}, {PersonId: n.upstairs.ID, Role: "被申请人"}},
				Notes:     "双方陈述噪音及互扔垃圾经过。\n律师释明相邻关系的法律规定，调解员、民警分别做双方工作。\n双方表示愿意相互赔礼道歉。",
			})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateInMediation},
		{"draft the written agreement", [3]int{7, 16, 0}, func() (result, error) {
			r, err := mediator.DraftAgreementWithResponse(ctx, d.Id, &api.DraftAgreementParams{IfMatch: tag()}, api.AgreementInput{
				Form: api.AgreementInputForm(mediation.Written), MediatorId: n.mediator.StaffID,
				Facts:   "双方系楼上楼下邻居，因噪音问题产生矛盾，互相向对方门口扔垃圾。",
				Matters: "楼上噪音扰民；双方互扔垃圾。",
				Responsibilities: []api.Responsibility{
					{PartyId: n.upstairs.ID, Text: "夜间产生噪音，影响楼下休息；向对方门口扔垃圾。"},
					{PartyId: n.downstairs.ID, Text: "向对方门口扔垃圾。"}},
				Terms: []api.AgreementTerm{
					{Text: "双方相互赔礼道歉、握手言和"},
					{Text: "双方不再向对方门口扔垃圾，共同维护楼道卫生"},
					{Text: "楼上住户晚22时后避免产生噪音", ObligorId: n.upstairs.ID}},
				PerformanceMethod: "当面赔礼道歉，其余条款自觉履行", PerformancePlace: "般阳路派出所人民调解室",
				PerformanceDeadline: time.Date(2020, 5, 14, 0, 0, 0, 0, cst),
			})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateInMediation},
		{"张某 signs", [3]int{7, 16, 10}, func() (result, error) {
			r, err := mediator.SignAgreementWithResponse(ctx, d.Id, &api.SignAgreementParams{IfMatch: tag()}, api.SignatureInput{PartyId: n.upstairs.ID, Attachment: n.signature(t, "张某")})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateInMediation},
		{"刘某 signs", [3]int{7, 16, 10}, func() (result, error) {
			r, err := mediator.SignAgreementWithResponse(ctx, d.Id, &api.SignAgreementParams{IfMatch: tag()}, api.SignatureInput{PartyId: n.downstairs.ID, Attachment: n.signature(t, "刘某")})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateInMediation},
		{"the mediator signs: in effect", [3]int{7, 16, 10}, func() (result, error) {
			r, err := mediator.SignAgreementWithResponse(ctx, d.Id, &api.SignAgreementParams{IfMatch: tag()}, api.SignatureInput{MediatorId: n.mediator.StaffID, Attachment: n.signature(t, "李调解员")})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateAgreed},
		{"follow-up: every term performed", [3]int{14, 10, 0}, func() (result, error) {
			r, err := officer.RecordFollowUpWithResponse(ctx, d.Id, &api.RecordFollowUpParams{IfMatch: tag()}, api.FollowUpInput{
				Checks: []api.TermCheck{{Term: 0, Status: api.TermCheckStatus(mediation.Performed)}, {Term: 1, Status: api.TermCheckStatus(mediation.Performed)},
					{Term: 2, Status: api.TermCheckStatus(mediation.Performed)}},
				Note: "楼道整洁，双方关系缓和"})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateFollowingUp},
		{"close", [3]int{14, 10, 30}, func() (result, error) {
			r, err := officer.CloseDisputeWithResponse(ctx, d.Id, &api.CloseDisputeParams{IfMatch: tag()}, api.DisputeActionInput{Reason: "协议履行完毕，避免了矛盾进一步升级"})
			return result{r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("ETag"), r.JSON200}, err
		}, mediation.StateClosed},
	}
	for _, st := range steps {
		n.at(st.at[0], st.at[1], st.at[2])
		res, err := st.do()
		require.NoError(t, err, st.name)
		require.Equal(t, http.StatusOK, res.status, "%s: %s", st.name, res.body)
		require.Equal(t, api.DisputeState(st.want), res.d.State, st.name)
		require.Equal(t, d.Version+1, res.d.Version, st.name)
		require.Equal(t, etagOf(res.d.Version), res.etag, st.name)
		d = *res.d

		if st.want == mediation.StateAgreed {
			a := d.Agreements[0]
			require.Len(t, a.Signatures, 3)
			require.Equal(t, time.Date(2020, 5, 7, 16, 10, 0, 0, cst).UTC(), a.EffectiveAt.UTC(), "in effect when the last one signed")
		}
	}
	require.Equal(t, api.DisputeOutcome(mediation.OutcomeSettled), d.Outcome)
	require.Len(t, d.History, 7)

	got, err := officer.GetDisputeWithResponse(ctx, d.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	require.Equal(t, tag(), got.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, d, *got.JSON200)

	// The printed documents are HTML in Chinese made from the record.
	rec, err := officer.PrintMediationRecordWithResponse(ctx, d.Id, d.Sessions[0].Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rec.StatusCode(), string(rec.Body))
	require.Contains(t, rec.HTTPResponse.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(rec.Body), "调解笔录")
	require.Contains(t, string(rec.Body), "般阳路派出所人民调解室")
	require.Contains(t, string(rec.Body), "双方表示愿意相互赔礼道歉")

	agr, err := officer.PrintAgreementWithResponse(ctx, d.Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, agr.StatusCode(), string(agr.Body))
	require.Contains(t, agr.HTTPResponse.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(agr.Body), "调解协议书")
	require.Contains(t, string(agr.Body), "楼上住户晚22时后避免产生噪音")
	require.NotContains(t, string(agr.Body), "370302198003150012", "identity numbers print masked unless revealed")

	// A record of a session the dispute does not have is not found.
	missing, err := officer.PrintMediationRecordWithResponse(ctx, d.Id, "no-such-session", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, missing.StatusCode(), string(missing.Body))
}

// A dispute marked high risk (民转刑) must be reviewed by a supervisor
// within 24 hours: it is on the overdue list once the deadline passed, an
// officer may not review it, and a supervisor's review takes it off.
func TestHighRiskDisputeReviewAndOverdueOverHTTP(t *testing.T) {
	t.Parallel()
	n := newNeighbours(t)
	ctx := context.Background()
	officer, supervisor := n.client(t, n.officer), n.client(t, n.supervisor)

	in := n.report()
	in.Risk, in.RiskReason = api.DisputeRisk(mediation.RiskLow), ""
	created, err := officer.ReportDisputeWithResponse(ctx, nil, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	d := created.JSON201

	n.at(6, 12, 0)
	high, err := officer.AssessDisputeRiskWithResponse(ctx, d.Id, &api.AssessDisputeRiskParams{IfMatch: `"1"`},
		api.RiskInput{Risk: api.DisputeRisk(mediation.RiskHigh), Reason: "一方扬言报复，有民转刑风险"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, high.StatusCode(), string(high.Body))
	d = high.JSON200
	require.Equal(t, time.Date(2020, 5, 7, 12, 0, 0, 0, cst).UTC(), d.ReviewDue.UTC(), "reviewed within 24 h")

	listOverdue := func() []string {
		t.Helper()
		r, err := supervisor.ListOverdueDisputesWithResponse(ctx, &api.ListOverdueDisputesParams{UnitId: ptr(n.station.ID)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
		ids := []string{}
		for _, d := range r.JSON200.Items {
			ids = append(ids, d.Id)
		}
		return ids
	}
	require.Empty(t, listOverdue(), "not overdue before the deadline")
	n.at(7, 12, 1)
	require.Equal(t, []string{d.Id}, listOverdue(), "overdue once the review deadline passed")

	filtered, err := officer.ListDisputesWithResponse(ctx, &api.ListDisputesParams{Overdue: ptr(true), Risk: ptr(api.DisputeRisk(mediation.RiskHigh))})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, filtered.StatusCode(), string(filtered.Body))
	require.Len(t, filtered.JSON200.Items, 1)

	tests := []struct {
		name   string
		client casework.Actor
		status int
	}{
		{"an officer may not review", n.officer, http.StatusForbidden},
		{"a supervisor reviews", n.supervisor, http.StatusOK},
	}
	for _, tt := range tests {
		r, err := n.client(t, tt.client).ReviewDisputeWithResponse(ctx, d.Id, &api.ReviewDisputeParams{IfMatch: `"2"`}, api.NoteInput{Note: "安排民警重点稳控，通知社区"})
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.status, r.StatusCode(), "%s: %s", tt.name, r.Body)
		if tt.status == http.StatusOK {
			require.Equal(t, n.supervisor.StaffID, r.JSON200.Review.ReviewedBy)
			require.Equal(t, `"3"`, r.HTTPResponse.Header.Get("ETag"))
		}
	}
	require.Empty(t, listOverdue(), "the review closes the deadline")
}

// Safe writes on disputes: a replayed Idempotency-Key returns the stored
// dispute and creates nothing, the same key with another body is 422, bad
// input is 422 naming the field, a change needs If-Match (428) based on the
// current version (412 with the current ETag), and a move the workflow does
// not allow is 409.
func TestDisputeSafeWritesOverHTTP(t *testing.T) {
	t.Parallel()
	n := newNeighbours(t)
	ctx := context.Background()
	officer := n.client(t, n.officer)

	key := &api.ReportDisputeParams{IdempotencyKey: ptr("walk-in-1")}
	first, err := officer.ReportDisputeWithResponse(ctx, key, n.report())
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, first.StatusCode(), string(first.Body))
	d := first.JSON201

	other := n.report()
	other.Facts = "另一起纠纷"
	noFacts := n.report()
	noFacts.Facts = ""
	reports := []struct {
		name   string
		params *api.ReportDisputeParams
		in     api.DisputeInput
		status int
		field  string
	}{
		{"a replay returns the stored dispute", key, n.report(), http.StatusCreated, ""},
		{"the same key with another body", key, other, http.StatusUnprocessableEntity, ""},
		{"a dispute without facts", nil, noFacts, http.StatusUnprocessableEntity, "/facts"},
	}
	for _, tt := range reports {
		r, err := officer.ReportDisputeWithResponse(ctx, tt.params, tt.in)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.status, r.StatusCode(), "%s: %s", tt.name, r.Body)
		switch {
		case tt.status == http.StatusCreated:
			require.Equal(t, *d, *r.JSON201, tt.name)
			require.Equal(t, first.HTTPResponse.Header.Get("Location"), r.HTTPResponse.Header.Get("Location"), tt.name)
		case tt.field != "":
			var fields []string
			for _, e := range r.ApplicationproblemJSON422.Errors {
				fields = append(fields, e.Field)
			}
			require.Contains(t, fields, tt.field, tt.name)
		}
	}
	all, err := officer.ListDisputesWithResponse(ctx, &api.ListDisputesParams{UnitId: ptr(n.station.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, all.StatusCode(), string(all.Body))
	require.Len(t, all.JSON200.Items, 1, "the replay created nothing")

	filters := []struct {
		name   string
		params api.ListDisputesParams
		status int
		found  int
	}{
		{"a first-level category", api.ListDisputesParams{Category: ptr("neighbour")}, http.StatusOK, 1},
		{"another category", api.ListDisputesParams{Category: ptr("family")}, http.StatusOK, 0},
		{"a party's identity number", api.ListDisputesParams{PartyDocNumber: ptr("370302197511020025")}, http.StatusOK, 1},
		{"someone else's identity number", api.ListDisputesParams{PartyDocNumber: ptr("370302199001010011")}, http.StatusOK, 0},
		{"the state it is in", api.ListDisputesParams{State: []api.DisputeState{api.DisputeState(mediation.StateReported)}}, http.StatusOK, 1},
		{"a state it is not in", api.ListDisputesParams{State: []api.DisputeState{api.DisputeState(mediation.StateClosed)}}, http.StatusOK, 0},
		{"a page too large", api.ListDisputesParams{Limit: ptr(201)}, http.StatusBadRequest, 0},
	}
	for _, tt := range filters {
		r, err := officer.ListDisputesWithResponse(ctx, &tt.params)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.status, r.StatusCode(), "%s: %s", tt.name, r.Body)
		if tt.status == http.StatusOK {
			require.Len(t, r.JSON200.Items, tt.found, tt.name)
		}
	}

	screened, err := officer.ScreenDisputeWithResponse(ctx, d.Id, &api.ScreenDisputeParams{IfMatch: `"1"`}, api.DisputeActionInput{Reason: "适宜人民调解"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, screened.StatusCode(), string(screened.Body))

	path := "/v1/disputes/" + d.Id
	changes := []struct {
		name     string
		path     string
		body     string
		header   []string
		status   int
		wantETag string
	}{
		{"without If-Match", path + "/risk", `{"risk":"high","reason":"扬言报复"}`, nil, http.StatusPreconditionRequired, ""},
		{"with a stale If-Match", path + "/risk", `{"risk":"high","reason":"扬言报复"}`, []string{"If-Match", `"1"`}, http.StatusPreconditionFailed, `"2"`},
		{"with an If-Match that is no ETag", path + "/risk", `{"risk":"high","reason":"扬言报复"}`, []string{"If-Match", "2"}, http.StatusBadRequest, ""},
		{"a move the workflow does not allow", path + "/close", `{"reason":"结案"}`, []string{"If-Match", `"2"`}, http.StatusConflict, ""},
		{"an unknown field", path + "/close", `{"reason":"结案","colour":"red"}`, []string{"If-Match", `"2"`}, http.StatusBadRequest, ""},
	}
	for _, tt := range changes {
		resp := n.do(t, n.officer, http.MethodPost, tt.path, tt.body, tt.header...)
		require.Equal(t, tt.status, resp.StatusCode, tt.name)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), tt.name)
		require.Equal(t, tt.wantETag, resp.Header.Get("ETag"), tt.name)
	}

	got, err := officer.GetDisputeWithResponse(ctx, d.Id)
	require.NoError(t, err)
	require.Equal(t, int64(2), got.JSON200.Version, "no refused change was written")
	require.Equal(t, api.DisputeRisk(mediation.RiskMedium), got.JSON200.Risk)

	// Out of reach is not found: an officer of another station sees nothing.
	_, outsider := n.otherUnit(t, "370305002", "雪官派出所", "孙民警", casework.RoleOfficer)
	stranger := n.client(t, outsider)
	hidden, err := stranger.GetDisputeWithResponse(ctx, d.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, hidden.StatusCode(), string(hidden.Body))
	printed, err := stranger.PrintAgreementWithResponse(ctx, d.Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, printed.StatusCode(), string(printed.Body))
}

// The other ways a dispute goes, each from a fresh report: not accepted;
// failed on a party's refusal and closed without agreement; failed and
// referred to the court; parties corrected and mediators reassigned; a
// written agreement judicially confirmed (司法确认) before the follow-up;
// shared with another unit.
func TestDisputeOtherPathsOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ok := func(t *testing.T, status int, body []byte, d *api.Dispute) *api.Dispute {
		t.Helper()
		require.Equal(t, http.StatusOK, status, string(body))
		return d
	}
	// mediating takes a reported dispute to in_mediation.
	mediating := func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
		t.Helper()
		c := n.client(t, n.officer)
		r1, err := c.ScreenDisputeWithResponse(ctx, d.Id, &api.ScreenDisputeParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "适宜人民调解"})
		require.NoError(t, err)
		d = ok(t, r1.StatusCode(), r1.Body, r1.JSON200)
		r2, err := c.AcceptDisputeWithResponse(ctx, d.Id, &api.AcceptDisputeParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "受理", Assign: []string{n.mediator.StaffID}})
		require.NoError(t, err)
		d = ok(t, r2.StatusCode(), r2.Body, r2.JSON200)
		r3, err := c.StartMediationWithResponse(ctx, d.Id, &api.StartMediationParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "开始调解"})
		require.NoError(t, err)
		return ok(t, r3.StatusCode(), r3.Body, r3.JSON200)
	}
	failed := func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
		t.Helper()
		d = mediating(t, n, d)
		r, err := n.client(t, n.mediator).FailMediationWithResponse(ctx, d.Id, &api.FailMediationParams{IfMatch: etagOf(d.Version)},
			api.DisputeActionInput{Reason: "被申请人明确拒绝调解", RefusedBy: n.upstairs.ID})
		require.NoError(t, err)
		d = ok(t, r.StatusCode(), r.Body, r.JSON200)
		require.Equal(t, n.upstairs.ID, d.History[len(d.History)-1].RefusedBy)
		return d
	}

	tests := []struct {
		name  string
		walk  func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute
		state mediation.State
		check func(t *testing.T, n *neighbours, d *api.Dispute)
	}{
		{"not accepted", func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
			r, err := n.client(t, n.officer).RejectDisputeWithResponse(ctx, d.Id, &api.RejectDisputeParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "不属于调解范围"})
			require.NoError(t, err)
			return ok(t, r.StatusCode(), r.Body, r.JSON200)
		}, mediation.StateNotAccepted, nil},
		{"failed and closed without agreement", func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
			d = failed(t, n, d)
			r, err := n.client(t, n.officer).CloseDisputeWithResponse(ctx, d.Id, &api.CloseDisputeParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "告知当事人其他救济途径"})
			require.NoError(t, err)
			return ok(t, r.StatusCode(), r.Body, r.JSON200)
		}, mediation.StateClosed, func(t *testing.T, _ *neighbours, d *api.Dispute) {
			require.Equal(t, api.DisputeOutcome(mediation.OutcomeNoAgreement), d.Outcome)
		}},
		{"failed and referred to the court", func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
			d = failed(t, n, d)
			r, err := n.client(t, n.officer).ReferDisputeWithResponse(ctx, d.Id, &api.ReferDisputeParams{IfMatch: etagOf(d.Version)},
				api.DisputeActionInput{Reason: "引导当事人诉讼", Referral: api.Referral{To: "court", Body: "淄川区人民法院"}})
			require.NoError(t, err)
			return ok(t, r.StatusCode(), r.Body, r.JSON200)
		}, mediation.StateReferred, func(t *testing.T, _ *neighbours, d *api.Dispute) {
			require.Equal(t, "淄川区人民法院", d.Referral.Body)
		}},
		{"parties corrected and mediators reassigned", func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
			c := n.client(t, n.officer)
			r1, err := c.UpdateDisputePartiesWithResponse(ctx, d.Id, &api.UpdateDisputePartiesParams{IfMatch: etagOf(d.Version)}, api.PartiesInput{Parties: []api.Party{
				{PersonId: n.upstairs.ID, Role: api.PartyRole(mediation.Applicant)}, {PersonId: n.downstairs.ID, Role: api.PartyRole(mediation.Respondent)}}})
			require.NoError(t, err)
			d = mediating(t, n, ok(t, r1.StatusCode(), r1.Body, r1.JSON200))
			r2, err := c.AssignDisputeWithResponse(ctx, d.Id, &api.AssignDisputeParams{IfMatch: etagOf(d.Version)}, api.AssignInput{Staff: []string{n.lawyer.StaffID}, Reason: "改由驻所律师调解"})
			require.NoError(t, err)
			return ok(t, r2.StatusCode(), r2.Body, r2.JSON200)
		}, mediation.StateInMediation, func(t *testing.T, n *neighbours, d *api.Dispute) {
			require.Equal(t, []string{n.lawyer.StaffID}, d.Assigned)
			require.Equal(t, api.PartyRole(mediation.Applicant), d.Parties[0].Role)
			require.Equal(t, n.upstairs.ID, d.Parties[0].PersonId)
			// The mediator no longer assigned is refused (in reach, so not hidden).
			r, err := n.client(t, n.mediator).GetDisputeWithResponse(ctx, d.Id)
			require.NoError(t, err)
			require.Equal(t, http.StatusForbidden, r.StatusCode(), string(r.Body))
		}},
		{"judicially confirmed, then followed up", func(t *testing.T, n *neighbours, d *api.Dispute) *api.Dispute {
			d = mediating(t, n, d)
			c := n.client(t, n.mediator)
			r1, err := c.DraftAgreementWithResponse(ctx, d.Id, &api.DraftAgreementParams{IfMatch: etagOf(d.Version)}, api.AgreementInput{
				Form: api.AgreementInputForm(mediation.Written), MediatorId: n.mediator.StaffID, Facts: "噪音纠纷", Matters: "噪音扰民",
				Responsibilities:  []api.Responsibility{{PartyId: n.upstairs.ID, Text: "夜间产生噪音"}},
				PerformanceMethod: "自觉履行",
				Terms:             []api.AgreementTerm{{Text: "楼上住户晚22时后避免产生噪音", ObligorId: n.upstairs.ID}}, SeekConfirmation: true,
				PerformanceDeadline: time.Date(2020, 5, 30, 0, 0, 0, 0, cst)})
			require.NoError(t, err)
			d = ok(t, r1.StatusCode(), r1.Body, r1.JSON200)
			for _, s := range []api.SignatureInput{{PartyId: n.upstairs.ID}, {PartyId: n.downstairs.ID}, {MediatorId: n.mediator.StaffID}} {
				s.Attachment = n.signature(t, s.PartyId+s.MediatorId)
				r, err := c.SignAgreementWithResponse(ctx, d.Id, &api.SignAgreementParams{IfMatch: etagOf(d.Version)}, s)
				require.NoError(t, err)
				d = ok(t, r.StatusCode(), r.Body, r.JSON200)
			}
			require.Equal(t, api.DisputeState(mediation.StateAgreed), d.State)
			n.at(8, 9, 0)
			r2, err := c.ApplyConfirmationWithResponse(ctx, d.Id, &api.ApplyConfirmationParams{IfMatch: etagOf(d.Version)}, api.ConfirmationInput{Court: "淄川区人民法院"})
			require.NoError(t, err)
			d = ok(t, r2.StatusCode(), r2.Body, r2.JSON200)
			n.at(12, 9, 0)
			r3, err := c.RuleConfirmationWithResponse(ctx, d.Id, &api.RuleConfirmationParams{IfMatch: etagOf(d.Version)}, api.RulingInput{Status: api.RulingInputStatus(mediation.ConfirmationConfirmed), Note: "裁定协议有效"})
			require.NoError(t, err)
			d = ok(t, r3.StatusCode(), r3.Body, r3.JSON200)
			r4, err := n.client(t, n.officer).StartFollowUpWithResponse(ctx, d.Id, &api.StartFollowUpParams{IfMatch: etagOf(d.Version)}, api.DisputeActionInput{Reason: "回访"})
			require.NoError(t, err)
			return ok(t, r4.StatusCode(), r4.Body, r4.JSON200)
		}, mediation.StateFollowingUp, func(t *testing.T, _ *neighbours, d *api.Dispute) {
			require.Equal(t, api.ConfirmationStatus(mediation.ConfirmationConfirmed), d.Agreements[0].Confirmation.Status)
			require.Equal(t, "淄川区人民法院", d.Agreements[0].Confirmation.Court)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := newNeighbours(t)
			r, err := n.client(t, n.officer).ReportDisputeWithResponse(ctx, nil, n.report())
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, r.StatusCode(), string(r.Body))
			d := tt.walk(t, n, r.JSON201)
			require.Equal(t, api.DisputeState(tt.state), d.State)
			if tt.check != nil {
				tt.check(t, n, d)
			}
		})
	}
}

// Sharing a dispute with another unit (同步共享) answers the share with its
// Location; the unit then reads the dispute it could not see before.
func TestShareDisputeOverHTTP(t *testing.T) {
	t.Parallel()
	n := newNeighbours(t)
	ctx := context.Background()
	officer := n.client(t, n.officer)
	r, err := officer.ReportDisputeWithResponse(ctx, nil, n.report())
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.StatusCode(), string(r.Body))
	d := r.JSON201

	community, other := n.otherUnit(t, "370302101", "般阳路社区警务室", "社区民警", casework.RoleCommunityOfficer)
	neighbour := n.client(t, other)

	before, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, before.StatusCode(), string(before.Body))

	shared, err := officer.ShareDisputeWithResponse(ctx, d.Id, api.ShareInput{UnitId: community.ID, Reason: "社区协助稳控"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, shared.StatusCode(), string(shared.Body))
	require.Equal(t, d.Id, shared.JSON201.RecordId)
	require.Equal(t, community.ID, shared.JSON201.UnitId)
	require.Equal(t, "/v1/shares/"+shared.JSON201.Id, shared.HTTPResponse.Header.Get("Location"))
	require.Equal(t, etagOf(shared.JSON201.Version), shared.HTTPResponse.Header.Get("ETag"))

	after, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, after.StatusCode(), string(after.Body))
}

// A workflow record's history is served by /v1/audit through the
// workflow's own History: the reader's reach decides, as for the record.
func TestDisputeHistoryOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := newNeighbours(t)
	created, err := n.client(t, n.officer).ReportDisputeWithResponse(ctx, nil, n.report())
	require.NoError(t, err)
	require.Equal(t, 201, created.StatusCode(), string(created.Body))
	id := created.JSON201.Id

	trail, err := n.client(t, n.officer).ListAuditWithResponse(ctx, &api.ListAuditParams{RecordType: "dispute", RecordId: id})
	require.NoError(t, err)
	require.Equal(t, 200, trail.StatusCode(), string(trail.Body))
	require.Len(t, trail.JSON200.Items, 1)
	require.Equal(t, "mediation.report", trail.JSON200.Items[0].Action)

	_, stranger := n.otherUnit(t, "370303001", "潘庄派出所", "潘庄民警", casework.RoleOfficer)
	hidden, err := n.client(t, stranger).ListAuditWithResponse(ctx, &api.ListAuditParams{RecordType: "dispute", RecordId: id})
	require.NoError(t, err)
	require.Equal(t, 404, hidden.StatusCode(), "another unit's dispute has no history for it")
}

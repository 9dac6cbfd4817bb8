package openapi_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/noticetest"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/openapi/client"
	"github.com/stretchr/testify/require"
)

// clientT is the generated client the fixture hands out.
type clientT = client.ClientWithResponses

// A dispute shared with a community police office until a given hour: the
// office lists it among the shares it received (who, why, until when) and
// is told through the outbox; at the hour the dispute is gone for it, and
// a second share revoked with a reason ends at once.
func TestSharesReceivedOverHTTP(t *testing.T) {
	eachBackend(t, func(t *testing.T, b fixtureOption) {
		notes := &noticetest.Recorder{}
		n := newNeighbours(t, b, withKernelConfig(func(c *casework.Config) { c.Notifier = notes }))
		ctx := context.Background()
		officer := n.client(t, n.officer)
		r, err := officer.ReportDisputeWithResponse(ctx, nil, n.report())
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, r, r.Body)
		d := r.JSON201
		community, other := n.otherUnit(t, "370302101", "般阳路社区警务室", "社区民警", casework.RoleCommunityOfficer)
		neighbour := n.client(t, other)

		until := n.clock.Now().Add(4 * time.Hour).UTC()
		shared, err := officer.ShareDisputeWithResponse(ctx, d.Id, api.ShareInput{UnitId: community.ID, Reason: "社区协助稳控", Until: until})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, shared, shared.Body)
		require.True(t, shared.JSON201.ExpiresAt.Equal(until))

		received, err := neighbour.ListSharesReceivedWithResponse(ctx, &api.ListSharesReceivedParams{})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, received, received.Body)
		require.Len(t, received.JSON200.Items, 1)
		got := received.JSON200.Items[0]
		require.Equal(t, [5]string{"dispute", d.Id, n.officer.StaffID, "社区协助稳控", shared.JSON201.Id},
			[5]string{got.RecordType, got.RecordId, got.GrantedBy, got.Reason, got.Id})
		require.True(t, got.ExpiresAt.Equal(until))
		mine, err := officer.ListSharesReceivedWithResponse(ctx, &api.ListSharesReceivedParams{})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, mine, mine.Body)
		require.Empty(t, mine.JSON200.Items, "the sharing station received nothing")

		_, err = n.k.DeliverPending(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, []casework.Notice{{Kind: casework.NoticeShared, UnitID: community.ID, RecordType: "dispute", RecordID: d.Id,
			Reason: "shared", Due: until}}, notes.All())

		seen, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, seen, seen.Body)
		n.clock.Set(until)
		expired, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusNotFound, expired, expired.Body)
		active, err := neighbour.ListSharesReceivedWithResponse(ctx, &api.ListSharesReceivedParams{})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, active, active.Body)
		require.Empty(t, active.JSON200.Items, "an expired share is no longer listed as active")
		all, err := neighbour.ListSharesReceivedWithResponse(ctx, &api.ListSharesReceivedParams{All: ptr(true)})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, all, all.Body)
		require.Len(t, all.JSON200.Items, 1)

		again, err := officer.ShareDisputeWithResponse(ctx, d.Id, api.ShareInput{UnitId: community.ID, Reason: "继续稳控"})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, again, again.Body)
		back, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, back, back.Body)
		noReason, err := officer.RevokeShareWithResponse(ctx, again.JSON201.Id, api.ShareRevocation{Reason: " "})
		require.NoError(t, err)
		requireStatus(t, http.StatusUnprocessableEntity, noReason, noReason.Body)
		revoked, err := officer.RevokeShareWithResponse(ctx, again.JSON201.Id, api.ShareRevocation{Reason: "纠纷已调解"})
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, revoked, revoked.Body)
		require.Equal(t, "纠纷已调解", revoked.JSON200.RevokeReason)
		gone, err := neighbour.GetDisputeWithResponse(ctx, d.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusNotFound, gone, gone.Body)

		past, err := officer.ShareDisputeWithResponse(ctx, d.Id, api.ShareInput{UnitId: community.ID, Until: until.Add(-time.Hour)})
		require.NoError(t, err)
		requireStatus(t, http.StatusUnprocessableEntity, past, past.Body)
	})
}

// A photo the branch's supervisor uploads and attaches to a station's
// case, visit and hazard is listed with each record, embedded in the
// record's own read with its download link, and downloaded by the
// station's officer, who reaches the record though not the upload; an
// officer of a sibling station gets 404 for the record, the list, the
// bytes and the attach.
func TestRecordAttachmentsOverHTTP(t *testing.T) {
	eachBackend(t, func(t *testing.T, b fixtureOption) {
		w := newOutreachWorld(t, "张店公安分局", "潘庄派出所", "潘庄社区", b)
		ctx := context.Background()
		sibling := w.unit(t, w.branch, "T", "车站派出所", casework.LevelStation)
		stranger := w.client(t, w.staff(t, sibling, "车站所民警", nil, casework.RoleOfficer, casework.RoleSupervisor))
		chief, officer, community := w.client(t, w.chief), w.client(t, w.officer), w.client(t, w.community)
		addr := w.address(t, "张店区潘庄社区加油站", "潘庄社区")

		visit, err := community.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
			TargetKind: "security_key_site", Organisation: "潘庄社区加油站", Notes: "检查加油站安全防范"})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, visit, visit.Body)
		hazard, err := community.ReportHazardWithResponse(ctx, nil, api.HazardInput{VisitId: visit.JSON201.Id, AddressId: addr.ID,
			Place: "加油站配电箱", Kind: "electrical", Severity: "major", Description: "配电箱线路裸露", Responsible: "加油站站长", DueInDays: 3})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, hazard, hazard.Body)
		theft, err := officer.ReportCaseWithResponse(ctx, &api.ReportCaseParams{}, api.CaseInput{UnitId: w.station.ID, Kind: "theft",
			IncidentAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), Place: "潘庄社区加油站", VictimIds: []string{}, SuspectIds: []string{}})
		require.NoError(t, err)
		requireStatus(t, http.StatusCreated, theft, theft.Body)

		jpeg := func(tag string) api.Attachment {
			body := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), []byte("现场照片 "+tag)...)
			put, err := chief.PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: tag + ".jpg"}, "application/octet-stream", bytes.NewReader(body))
			require.NoError(t, err)
			requireStatus(t, http.StatusCreated, put, put.Body)
			return *put.JSON201
		}
		for _, tc := range []struct {
			name   string
			kind   string
			id     string
			attach func(c *clientT, a api.Attachment) (int, []byte, *api.RecordAttachment, http.Header)
			list   func(c *clientT) (int, []byte, *api.RecordAttachmentList)
			get    func(c *clientT) (int, []byte, []api.RecordAttachment) // the record's own read
		}{
			{"case", "case", theft.JSON201.Id,
				func(c *clientT, a api.Attachment) (int, []byte, *api.RecordAttachment, http.Header) {
					r, err := c.AttachToCaseWithResponse(ctx, theft.JSON201.Id, a)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON201, r.HTTPResponse.Header
				},
				func(c *clientT) (int, []byte, *api.RecordAttachmentList) {
					r, err := c.ListCaseAttachmentsWithResponse(ctx, theft.JSON201.Id)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON200
				},
				func(c *clientT) (int, []byte, []api.RecordAttachment) {
					r, err := c.GetCaseWithResponse(ctx, theft.JSON201.Id)
					require.NoError(t, err)
					if r.JSON200 == nil {
						return r.StatusCode(), r.Body, nil
					}
					return r.StatusCode(), r.Body, r.JSON200.Attachments
				}},
			{"visit", "visit", visit.JSON201.Id,
				func(c *clientT, a api.Attachment) (int, []byte, *api.RecordAttachment, http.Header) {
					r, err := c.AttachToVisitWithResponse(ctx, visit.JSON201.Id, a)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON201, r.HTTPResponse.Header
				},
				func(c *clientT) (int, []byte, *api.RecordAttachmentList) {
					r, err := c.ListVisitAttachmentsWithResponse(ctx, visit.JSON201.Id)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON200
				},
				func(c *clientT) (int, []byte, []api.RecordAttachment) {
					r, err := c.GetVisitWithResponse(ctx, visit.JSON201.Id)
					require.NoError(t, err)
					if r.JSON200 == nil {
						return r.StatusCode(), r.Body, nil
					}
					return r.StatusCode(), r.Body, r.JSON200.Attachments
				}},
			{"hazard", "hazard", hazard.JSON201.Id,
				func(c *clientT, a api.Attachment) (int, []byte, *api.RecordAttachment, http.Header) {
					r, err := c.AttachToHazardWithResponse(ctx, hazard.JSON201.Id, a)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON201, r.HTTPResponse.Header
				},
				func(c *clientT) (int, []byte, *api.RecordAttachmentList) {
					r, err := c.ListHazardAttachmentsWithResponse(ctx, hazard.JSON201.Id)
					require.NoError(t, err)
					return r.StatusCode(), r.Body, r.JSON200
				},
				func(c *clientT) (int, []byte, []api.RecordAttachment) {
					r, err := c.GetHazardWithResponse(ctx, hazard.JSON201.Id)
					require.NoError(t, err)
					if r.JSON200 == nil {
						return r.StatusCode(), r.Body, nil
					}
					return r.StatusCode(), r.Body, r.JSON200.Attachments
				}},
		} {
			a := jpeg(tc.name)
			st, body, embedded := tc.get(officer)
			require.Equal(t, http.StatusOK, st, "%s: %s", tc.name, body)
			require.Empty(t, embedded, "%s: nothing attached yet", tc.name)
			before, err := officer.GetAttachmentWithResponse(ctx, a.Sha256)
			require.NoError(t, err)
			requireStatus(t, http.StatusNotFound, before, before.Body) // the upload is the branch's, out of the station's reach

			st, body, _, _ = tc.attach(stranger, a)
			require.Equal(t, http.StatusNotFound, st, "%s: a sibling station cannot attach: %s", tc.name, body)
			st, body, link, h := tc.attach(chief, a)
			require.Equal(t, http.StatusCreated, st, "%s: %s", tc.name, body)
			require.Equal(t, "/v1/attachments/"+a.Sha256, h.Get("Location"), tc.name)
			require.Equal(t, [4]string{tc.kind, tc.id, w.station.ID, w.chief.StaffID}, [4]string{link.RecordType, link.RecordId, link.OwnerUnitId, link.AttachedBy}, tc.name)

			st, body, list := tc.list(officer)
			require.Equal(t, http.StatusOK, st, "%s: %s", tc.name, body)
			require.Len(t, list.Items, 1, tc.name)
			require.Equal(t, a.Sha256, list.Items[0].Sha256, tc.name)
			st, body, _ = tc.list(stranger)
			require.Equal(t, http.StatusNotFound, st, "%s: %s", tc.name, body)

			// The record's own read embeds the link, with where to download it.
			st, body, embedded = tc.get(officer)
			require.Equal(t, http.StatusOK, st, "%s: %s", tc.name, body)
			require.Equal(t, []api.RecordAttachment{{RecordType: tc.kind, RecordId: tc.id, OwnerUnitId: w.station.ID, Name: tc.name + ".jpg",
				MediaType: "image/jpeg", Size: a.Size, Sha256: a.Sha256, AttachedBy: w.chief.StaffID, AttachedAt: link.AttachedAt,
				Href: "/v1/attachments/" + a.Sha256}}, embedded, tc.name)
			st, body, embedded = tc.get(stranger)
			require.Equal(t, http.StatusNotFound, st, "%s: %s", tc.name, body)
			require.Nil(t, embedded, tc.name)
			require.NotContains(t, string(body), a.Sha256, "%s: a 404 names nothing of the record", tc.name)

			got, err := officer.GetAttachmentWithResponse(ctx, a.Sha256)
			require.NoError(t, err)
			requireStatus(t, http.StatusOK, got, got.Body)
			require.Equal(t, "image/jpeg", got.HTTPResponse.Header.Get("Content-Type"), tc.name)
			hidden, err := stranger.GetAttachmentWithResponse(ctx, a.Sha256)
			require.NoError(t, err)
			requireStatus(t, http.StatusNotFound, hidden, hidden.Body)
		}

		// A grid worker reads the station's hazard but may not download
		// attachments: the hazard answers, without them.
		grid := w.client(t, w.staff(t, w.station, "网格员小李", []string{"潘庄社区"}, casework.RoleGridWorker))
		seen, err := grid.GetHazardWithResponse(ctx, hazard.JSON201.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusOK, seen, seen.Body)
		require.Empty(t, seen.JSON200.Attachments)
		refused, err := grid.ListHazardAttachmentsWithResponse(ctx, hazard.JSON201.Id)
		require.NoError(t, err)
		requireStatus(t, http.StatusForbidden, refused, refused.Body)
	})
}

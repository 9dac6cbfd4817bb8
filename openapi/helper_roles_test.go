package openapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
)

// A grid worker (网格员) of 雪官派出所 visits a household and learns of a
// quarrel over a dog: the dispute reaches the station's officers as one
// found by an officer would. The grid worker sees the resident only masked
// (no identity number, no key-person tag), may not reveal them (403, and
// the attempt is in the person's audit trail), and may not read the
// dispute they reported.
func TestGridWorkerVisitFindsDisputeOverHTTP(t *testing.T) {
	eachBackend(t, testGridWorkerVisitFindsDisputeOverHTTP)
}

func testGridWorkerVisitFindsDisputeOverHTTP(t *testing.T, b fixtureOption) {
	w := newOutreachWorld(t, "临淄公安分局", "雪官派出所", "西高新村", b)
	ctx := context.Background()
	addr := w.address(t, "临淄区西高新村3号", "西高新村")
	const doc = "110105194912310038"
	resident, err := w.k.CreatePerson(ctx, w.community, casework.PersonInput{UnitID: w.station.ID, Name: "王某某",
		DocType: casework.DocResidentID, DocNumber: doc, Phone: "13812345678", AddressID: addr.ID,
		Tags: []casework.Tag{casework.TagKeyPerson, casework.TagElderlyAlone}})
	require.NoError(t, err)
	grid := w.staff(t, w.station, "网格员小李", []string{"西高新村"}, casework.RoleGridWorker)
	gc := w.client(t, grid)

	created, err := gc.RecordVisitWithResponse(ctx, nil, api.VisitInput{UnitId: w.station.ID, AddressId: addr.ID,
		TargetKind: "community", PersonId: resident.ID, Notes: "入户走访，得知邻居家犬只扰民。",
		Services: []api.ServiceGiven{{Kind: "door_to_door", Note: "代购生活物资送到家中"}},
		Disputes: []api.VisitDisputeInput{{Category: "neighbour/animal", Summary: "邻居家大型犬夜间吠叫，双方争吵",
			PartyIds: []string{resident.ID}, Risk: "low"}},
		Leads: []api.VisitLeadInput{{Summary: "住户反映夜间有陌生人撬电动车锁", PersonIds: []string{}}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	require.Equal(t, []string{grid.StaffID}, created.JSON201.OfficerIds, "the grid worker is who went")
	require.Len(t, created.JSON201.Services, 1, "the service the grid worker gave is recorded")

	n, err := w.k.DeliverPending(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the dispute and the lead are handed on")

	oc := w.client(t, w.officer)
	list, err := oc.ListDisputesWithResponse(ctx, &api.ListDisputesParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Len(t, list.JSON200.Items, 1, "the officer sees the dispute the grid worker found")
	d := list.JSON200.Items[0]
	require.Equal(t, "neighbour/animal", d.Category)
	require.Equal(t, created.JSON201.Id, d.Origin.Id)

	leads, err := oc.ListLeadsWithResponse(ctx, &api.ListLeadsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, leads.StatusCode(), string(leads.Body))
	require.Len(t, leads.JSON200.Items, 1, "the officer sees the lead the grid worker found")
	resp := w.do(t, grid, http.MethodGet, "/v1/leads", "")
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a helper reads no lead or case")

	// A hazard the grid worker finds is theirs to record, not to verify.
	hz, err := w.out.ReportHazard(ctx, grid, outreach.HazardInput{UnitID: w.station.ID, AddressID: addr.ID, Place: "3号楼楼道",
		Kind: "electrical", Severity: outreach.SeverityGeneral, Description: "楼道飞线充电", Responsible: "物业公司", DueInDays: 3})
	require.NoError(t, err)
	hz, err = w.out.StartRectifying(ctx, w.community, hz.ID, hz.Version, "已通知物业")
	require.NoError(t, err)
	hz, err = w.out.RecordRectified(ctx, w.community, hz.ID, hz.Version, "飞线已拆除")
	require.NoError(t, err)
	_, err = w.out.VerifyHazard(ctx, grid, hz.ID, hz.Version, "看过了")
	require.ErrorIs(t, err, casework.ErrForbidden, "a helper never verifies")

	// The grid worker reads the resident masked …
	got, err := gc.GetPersonWithResponse(ctx, resident.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	require.False(t, got.JSON200.Revealed)
	require.NotContains(t, string(got.Body), doc)
	require.NotContains(t, string(got.Body), "13812345678")
	require.NotContains(t, string(got.Body), string(casework.TagKeyPerson))
	require.Equal(t, []api.PersonTag{"elderly_alone"}, got.JSON200.Tags)

	// … may not reveal them, and the attempt is audited …
	reveal, err := gc.RevealPersonWithResponse(ctx, resident.ID, api.RevealInput{Reason: "核实身份"})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, reveal.StatusCode(), string(reveal.Body))
	require.NotContains(t, string(reveal.Body), doc)
	trail, err := w.k.AuditTrail(ctx, w.chief, "person", resident.ID)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(trail, func(e casework.AuditEntry) bool {
		return e.Action == string(casework.ActionRevealRefused) && e.ActorID == grid.StaffID
	}), "the refused reveal is in the person's audit trail")

	// … and reads no dispute, even the one they reported; a dispute out of
	// reach is not found, as reach comes first.
	resp = w.do(t, grid, http.MethodGet, "/v1/disputes/"+d.Id, "")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp = w.do(t, grid, http.MethodGet, "/v1/disputes/no-such-dispute", "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	// The officer, who may, reveals the resident.
	clear, err := oc.RevealPersonWithResponse(ctx, resident.ID, api.RevealInput{Reason: "调解前核实当事人身份"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, clear.StatusCode(), string(clear.Body))
	require.True(t, strings.EqualFold(doc, clear.JSON200.DocNumber))
}

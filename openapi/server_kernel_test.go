package openapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

func ptr[T any](v T) *T { return &v }

func TestUnitsOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t, f.admin)
	ctx := context.Background()

	in := api.UnitInput{Code: "DONGMEN", Name: "东门派出所", Level: 3, ParentId: f.root.ID}
	created, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	u := created.JSON201
	require.Equal(t, `"1"`, created.HTTPResponse.Header.Get("ETag"))
	require.Equal(t, "/v1/units/"+u.Id, created.HTTPResponse.Header.Get("Location"))

	again, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, again.StatusCode())
	require.Equal(t, u.Id, again.JSON201.Id, "a replay returns the stored record")

	other := in
	other.Name = "西门派出所"
	reused, err := c.CreateUnitWithResponse(ctx, &api.CreateUnitParams{IdempotencyKey: ptr("k1")}, other)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, reused.StatusCode(), "the same key with another body is 422")

	renamed, err := c.RenameUnitWithResponse(ctx, u.Id, &api.RenameUnitParams{IfMatch: `"1"`}, api.UnitRename{Name: "东门所"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, renamed.StatusCode(), string(renamed.Body))
	require.Equal(t, "东门所", renamed.JSON200.Name)
	require.Equal(t, `"2"`, renamed.HTTPResponse.Header.Get("ETag"))

	stale, err := c.RenameUnitWithResponse(ctx, u.Id, &api.RenameUnitParams{IfMatch: `"1"`}, api.UnitRename{Name: "x"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode())
	require.Equal(t, `"2"`, stale.HTTPResponse.Header.Get("ETag"))

	got, err := c.GetUnitWithResponse(ctx, u.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	require.Equal(t, *renamed.JSON200, *got.JSON200)

	// Two units in all: one per page, then none.
	var ids []string
	params := &api.ListUnitsParams{Limit: ptr(1)}
	for range 3 {
		page, err := c.ListUnitsWithResponse(ctx, params)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, page.StatusCode(), string(page.Body))
		for _, u := range page.JSON200.Items {
			ids = append(ids, u.Id)
		}
		if page.JSON200.Next == "" {
			break
		}
		params.Cursor = ptr(page.JSON200.Next)
	}
	require.Equal(t, []string{f.root.ID, u.Id}, ids)
}

func TestStaffOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t, f.admin)
	east, west := f.station(t, "EAST"), f.station(t, "WEST")

	created, err := c.CreateStaffWithResponse(ctx, nil, api.StaffInput{UnitId: east.ID, Name: "张警官", Roles: []api.Role{"officer"}, Areas: []string{"东门社区"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	st := created.JSON201
	require.True(t, st.Active)
	_, err = c.CreateStaffWithResponse(ctx, nil, api.StaffInput{UnitId: west.ID, Name: "李警官", Roles: []api.Role{"mediator"}, Areas: []string{}})
	require.NoError(t, err)

	list, err := c.ListStaffWithResponse(ctx, &api.ListStaffParams{UnitId: ptr(east.ID)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Len(t, list.JSON200.Items, 1)
	require.Equal(t, st.Id, list.JSON200.Items[0].Id)
	byArea, err := c.ListStaffWithResponse(ctx, &api.ListStaffParams{Area: ptr("东门社区")})
	require.NoError(t, err)
	require.Len(t, byArea.JSON200.Items, 1)

	// A PATCH changes what the body names, including to false, and nothing else.
	off, err := c.UpdateStaffWithResponse(ctx, st.Id, &api.UpdateStaffParams{IfMatch: etagOf(st.Version)}, api.StaffUpdate{Active: false})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, off.StatusCode(), string(off.Body))
	require.Equal(t, http.StatusBadRequest, f.do(t, f.admin, "PATCH", "/v1/staff/"+st.Id, `{"active":false,"rank":1}`, "If-Match", etagOf(st.Version+1)).StatusCode)
	resp := f.do(t, f.admin, "PATCH", "/v1/staff/"+st.Id, `{"active":false}`, "If-Match", etagOf(st.Version+1))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got, err := c.GetStaffWithResponse(ctx, st.Id)
	require.NoError(t, err)
	require.False(t, got.JSON200.Active, "active:false is a change, not an absent member")
	require.Equal(t, "张警官", got.JSON200.Name)
	require.Equal(t, []string{"东门社区"}, got.JSON200.Areas)
	require.Equal(t, etagOf(got.JSON200.Version), got.HTTPResponse.Header.Get("ETag"))

	stale, err := c.UpdateStaffWithResponse(ctx, st.Id, &api.UpdateStaffParams{IfMatch: etagOf(st.Version)}, api.StaffUpdate{Name: "x"})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode())
	require.Equal(t, etagOf(got.JSON200.Version), stale.HTTPResponse.Header.Get("ETag"))

	officer := f.staff(t, east.ID, casework.RoleOfficer)
	forbidden, err := f.client(t, officer).CreateStaffWithResponse(ctx, nil, api.StaffInput{UnitId: east.ID, Name: "x", Roles: []api.Role{"officer"}, Areas: []string{}})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, forbidden.StatusCode())
	outside, err := f.client(t, officer).GetStaffWithResponse(ctx, f.admin.StaffID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, outside.StatusCode(), "a record out of reach is not found")
}

func etagOf(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

func TestPersonsAndAddressesOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	east := f.station(t, "EAST")
	officer := f.staff(t, east.ID, casework.RoleOfficer)
	c := f.client(t, officer)

	addr, err := c.CreateAddressWithResponse(ctx, &api.CreateAddressParams{IdempotencyKey: ptr("a1")}, api.AddressInput{UnitId: east.ID, Text: "东门路1号", Community: "东门社区"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, addr.StatusCode(), string(addr.Body))
	a := addr.JSON201

	created, err := c.CreatePersonWithResponse(ctx, nil, api.PersonInput{UnitId: east.ID, Name: "王某", Gender: "male", DocType: "resident_id",
		DocNumber: "110105194912310038", Phone: "13812345678", AddressId: a.Id, Tags: []api.PersonTag{"elderly_alone"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	p := created.JSON201
	require.False(t, p.Revealed)
	require.NotEqual(t, "110105194912310038", p.DocNumber, "masked by default")
	require.NotEqual(t, "13812345678", p.Phone)

	noReason, err := c.RevealPersonWithResponse(ctx, p.Id, api.RevealInput{})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, noReason.StatusCode())
	revealed, err := c.RevealPersonWithResponse(ctx, p.Id, api.RevealInput{Reason: "入户走访核实身份"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, revealed.StatusCode(), string(revealed.Body))
	require.True(t, revealed.JSON200.Revealed)
	require.Equal(t, "110105194912310038", revealed.JSON200.DocNumber)
	require.Equal(t, []api.PersonTag{"elderly_alone"}, revealed.JSON200.Tags)
	adminReveal, err := f.client(t, f.admin).RevealPersonWithResponse(ctx, p.Id, api.RevealInput{Reason: "curious"})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, adminReveal.StatusCode(), "an admin never reveals")

	found, err := c.FindPersonsWithResponse(ctx, &api.FindPersonsParams{DocType: ptr(api.DocType("resident_id")), DocNumber: ptr("110105194912310038")})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, found.StatusCode(), string(found.Body))
	require.Len(t, found.JSON200.Items, 1)
	require.False(t, found.JSON200.Items[0].Revealed)

	in := api.PersonInput{UnitId: east.ID, Name: "王某某", Gender: "male", DocType: "resident_id", DocNumber: "110105194912310038", Phone: "13812345678"}
	updated, err := c.UpdatePersonWithResponse(ctx, p.Id, &api.UpdatePersonParams{IfMatch: etagOf(p.Version)}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, updated.StatusCode(), string(updated.Body))
	require.Equal(t, "王某某", updated.JSON200.Name)
	stale, err := c.UpdatePersonWithResponse(ctx, p.Id, &api.UpdatePersonParams{IfMatch: etagOf(p.Version)}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode())
	require.Equal(t, etagOf(updated.JSON200.Version), stale.HTTPResponse.Header.Get("ETag"))

	reg := api.Registry{Residents: []api.Resident{{PersonId: p.Id, Relation: "householder"}}, Housing: api.Housing{Kind: "own", Rooms: 3}}
	withReg, err := c.UpdateRegistryWithResponse(ctx, a.Id, &api.UpdateRegistryParams{IfMatch: etagOf(a.Version)}, reg)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, withReg.StatusCode(), string(withReg.Body))
	got, err := c.GetAddressWithResponse(ctx, a.Id)
	require.NoError(t, err)
	require.Equal(t, reg.Residents, got.JSON200.Residents)
	require.Equal(t, reg.Housing, got.JSON200.Housing)
	require.Equal(t, etagOf(withReg.JSON200.Version), got.HTTPResponse.Header.Get("ETag"))
	unknownResident, err := c.UpdateRegistryWithResponse(ctx, a.Id, &api.UpdateRegistryParams{IfMatch: etagOf(withReg.JSON200.Version)},
		api.Registry{Residents: []api.Resident{{PersonId: "01J0000000000000000000NONE"}}})
	require.NoError(t, err)
	require.Contains(t, []int{http.StatusNotFound, http.StatusUnprocessableEntity}, unknownResident.StatusCode())
}

func TestAuditOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	east := f.station(t, "EAST")
	auditor := f.staff(t, f.root.ID, casework.RoleAuditor)
	c := f.client(t, auditor)

	trail, err := c.ListAuditWithResponse(ctx, &api.ListAuditParams{RecordType: "unit", RecordId: east.ID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, trail.StatusCode(), string(trail.Body))
	require.NotEmpty(t, trail.JSON200.Items)
	e := trail.JSON200.Items[0]
	require.Equal(t, east.ID, e.RecordId)
	require.Len(t, e.Hash, 64)

	_, err = f.k.Checkpoint(ctx, true)
	require.NoError(t, err)
	verified, err := c.VerifyAuditWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, verified.StatusCode(), string(verified.Body))
	require.True(t, verified.JSON200.Ok)
	require.Positive(t, verified.JSON200.HeadSeq)
	require.Equal(t, 1, verified.JSON200.CheckpointsVerified)

	cps, err := c.ExportCheckpointsWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cps.StatusCode(), string(cps.Body))
	require.Len(t, cps.JSON200.Items, 1)
	key, err := c.GetCheckpointKeyWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, cps.JSON200.Items[0].KeyId, key.JSON200.KeyId)
	require.Len(t, key.JSON200.PublicKey, 32)

	against, err := c.VerifyAuditAgainstWithResponse(ctx, api.VerifyAgainstInput{Checkpoints: cps.JSON200.Items})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, against.StatusCode(), string(against.Body))
	require.True(t, against.JSON200.Ok)
	forged := cps.JSON200.Items[0]
	forged.Hash = "00" + forged.Hash[2:]
	caught, err := c.VerifyAuditAgainstWithResponse(ctx, api.VerifyAgainstInput{Checkpoints: []api.Checkpoint{forged}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, caught.StatusCode())
	require.False(t, caught.JSON200.Ok, "a checkpoint that does not match the chain fails verification")
	forged.Hash = "not hex"
	bad, err := c.VerifyAuditAgainstWithResponse(ctx, api.VerifyAgainstInput{Checkpoints: []api.Checkpoint{forged}})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode())
	require.Equal(t, "/checkpoints/0/hash", bad.ApplicationproblemJSON422.Errors[0].Field)

	officer := f.staff(t, east.ID, casework.RoleOfficer)
	refused, err := f.client(t, officer).VerifyAuditWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, refused.StatusCode())
}

func TestHandoffsSharesAndCodesOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t, f.admin)

	dead, err := c.ListDeadHandoffsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dead.StatusCode(), string(dead.Body))
	require.Empty(t, dead.JSON200.Items)
	require.Contains(t, string(dead.Body), `"items":[]`, "an empty list is a list, not null")
	replay, err := c.ReplayHandoffWithResponse(ctx, "01J0000000000000000000NONE", &api.ReplayHandoffParams{IfMatch: `"0"`})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, replay.StatusCode())

	revoke, err := c.RevokeShareWithResponse(ctx, "01J0000000000000000000NONE", api.ShareRevocation{Reason: "协查结束"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, revoke.StatusCode())

	codes, err := c.ListCodeListsWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, codes.StatusCode())
	require.NotEmpty(t, codes.JSON200.Items)
	for _, l := range codes.JSON200.Items {
		require.NotEmpty(t, l.Name)
		require.NotEmpty(t, l.Codes, l.Name)
	}
}

func TestAttachmentsOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	officer := f.staff(t, f.station(t, "EAST").ID, casework.RoleOfficer)
	c := f.client(t, officer)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)

	put, err := c.PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: "现场照片.png"}, "application/octet-stream", bytes.NewReader(png))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, put.StatusCode(), string(put.Body))
	require.Equal(t, "image/png", put.JSON201.MediaType, "the type is sniffed from the bytes")
	require.Equal(t, int64(len(png)), put.JSON201.Size)
	require.Len(t, put.JSON201.Sha256, 64)
	require.Equal(t, "/v1/attachments/"+put.JSON201.Sha256, put.HTTPResponse.Header.Get("Location"))

	text, err := c.PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: "a.png"}, "image/png", bytes.NewReader([]byte("just text, whatever the header says")))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnsupportedMediaType, text.StatusCode())

	huge := &repeatReader{head: png, left: 20<<20 + 1}
	tooBig, err := c.PutAttachmentWithBodyWithResponse(ctx, &api.PutAttachmentParams{Name: "big.png"}, "application/octet-stream", huge)
	require.NoError(t, err)
	require.Equal(t, http.StatusRequestEntityTooLarge, tooBig.StatusCode())
}

// repeatReader yields head and then zeros up to left bytes in all.
type repeatReader struct {
	head []byte
	left int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	for i := range n {
		p[i] = 0
	}
	if len(r.head) > 0 {
		n = copy(p, r.head)
		r.head = r.head[n:]
	}
	r.left -= n
	return n, nil
}

func TestDeadHandoffsOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var store casework.KernelStore
	f := newFixture(t,
		withKernelConfig(func(c *casework.Config) { c.HandoffMaxAttempts = 1 }),
		withKernelStore(func(s casework.KernelStore) casework.KernelStore { store = s; return s }))
	fails := true
	require.NoError(t, f.k.Register(testReceiver{"test.fails": func(context.Context, casework.OutboxMessage) (string, error) {
		if fails {
			return "", errors.New(secret)
		}
		return "result-1", nil
	}}))
	msg, err := f.k.NewOutboxMessage("test.fails", casework.Source{Kind: "unit", ID: f.root.ID, Step: "test/1"}, map[string]string{"note": "交接"})
	require.NoError(t, err)
	require.NoError(t, store.CommitChange(ctx, casework.Change{Outbox: []casework.OutboxMessage{msg}}))
	_, err = f.k.DeliverPending(ctx, nil)
	require.NoError(t, err)

	c := f.client(t, f.admin)
	dead, err := c.ListDeadHandoffsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dead.StatusCode(), string(dead.Body))
	require.Len(t, dead.JSON200.Items, 1)
	m := dead.JSON200.Items[0]
	require.Equal(t, msg.ID, m.Id)
	require.Equal(t, map[string]any{"note": "交接"}, m.Payload)
	require.NotContains(t, string(dead.Body), "hunter2", "a receiver's error text stays in the log")

	fails = false
	replayed, err := c.ReplayHandoffWithResponse(ctx, m.Id, &api.ReplayHandoffParams{IfMatch: `"0"`})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, replayed.StatusCode(), string(replayed.Body))
	require.Equal(t, `"1"`, replayed.HTTPResponse.Header.Get("ETag"))
	again, err := c.ReplayHandoffWithResponse(ctx, m.Id, &api.ReplayHandoffParams{IfMatch: `"0"`})
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, again.StatusCode(), "a replay based on a stale read")

	officer := f.staff(t, f.station(t, "EAST").ID, casework.RoleOfficer)
	refused, err := f.client(t, officer).ListDeadHandoffsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, refused.StatusCode())
}

// testReceiver registers receivers as a workflow of their own, the way a
// workflow's New does.
type testReceiver map[string]casework.Receiver

func (r testReceiver) Provides() casework.Provision {
	return casework.Provision{Name: "test-receiver", Receivers: r}
}

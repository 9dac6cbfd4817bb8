package openapi

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/openapi/api"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/recovery"
)

// The operations of tag kernel: units, staff, persons, addresses and the
// registry, attachments, shares, the audit log, dead hand-offs and code
// lists. Each translates and calls one Kernel method; the kernel checks
// reach, roles, versions and input, and audits.

func (s *server) CreateUnit(ctx context.Context, r api.CreateUnitRequestObject) (api.CreateUnitResponseObject, error) {
	in := casework.UnitInput{Code: r.Body.Code, Name: r.Body.Name, Level: casework.Level(r.Body.Level), ParentID: r.Body.ParentId, RequestKey: requestKey(r.Params.IdempotencyKey)}
	u, err := s.kernel.CreateUnit(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateUnit201JSONResponse{Body: unitOut(u), Headers: api.CreateUnit201ResponseHeaders{ETag: etag(u.Version), Location: location(ctx, "/v1/units/"+u.ID)}}, nil
}

func (s *server) ListUnits(ctx context.Context, r api.ListUnitsRequestObject) (api.ListUnitsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	all, err := s.kernel.ListUnits(ctx, actorOf(ctx))
	if err != nil {
		return nil, err
	}
	units, next, err := pageSorted(all, p, func(u casework.Unit) string { return u.Path })
	if err != nil {
		return nil, err
	}
	return api.ListUnits200JSONResponse{Items: mapSlice(units, unitOut), Next: next}, nil
}

func (s *server) GetUnit(ctx context.Context, r api.GetUnitRequestObject) (api.GetUnitResponseObject, error) {
	u, err := s.kernel.GetUnit(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetUnit200JSONResponse{Body: unitOut(u), Headers: api.GetUnit200ResponseHeaders{ETag: etag(u.Version)}}, nil
}

func (s *server) RenameUnit(ctx context.Context, r api.RenameUnitRequestObject) (api.RenameUnitResponseObject, error) {
	actor := actorOf(ctx)
	u, err := versioned(r.Params.IfMatch, func(v int64) (casework.Unit, error) {
		return s.kernel.RenameUnit(ctx, actor, r.Id, v, r.Body.Name)
	}, func() (int64, error) {
		u, err := s.kernel.GetUnit(ctx, actor, r.Id)
		return u.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.RenameUnit200JSONResponse{Body: unitOut(u), Headers: api.RenameUnit200ResponseHeaders{ETag: etag(u.Version)}}, nil
}

func (s *server) CreateStaff(ctx context.Context, r api.CreateStaffRequestObject) (api.CreateStaffResponseObject, error) {
	b := r.Body
	in := casework.StaffInput{UnitID: b.UnitId, Name: b.Name, Roles: rolesIn(b.Roles), Areas: b.Areas, PersonID: b.PersonId, RequestKey: requestKey(r.Params.IdempotencyKey)}
	st, err := s.kernel.CreateStaff(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateStaff201JSONResponse{Body: staffOut(st), Headers: api.CreateStaff201ResponseHeaders{ETag: etag(st.Version), Location: location(ctx, "/v1/staff/"+st.ID)}}, nil
}

func (s *server) ListStaff(ctx context.Context, r api.ListStaffRequestObject) (api.ListStaffResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	f := casework.StaffFilter{Area: deref(r.Params.Area), PersonID: deref(r.Params.PersonId)}
	if r.Params.Role != nil {
		f.Role = casework.Role(*r.Params.Role)
	}
	if r.Params.UnitId != nil {
		if f.UnitUnder, err = s.kernel.Scope(ctx, actor, *r.Params.UnitId); err != nil {
			return nil, err
		}
	}
	list, next, err := s.kernel.ListStaff(ctx, actor, f, p)
	if err != nil {
		return nil, err
	}
	return api.ListStaff200JSONResponse{Items: mapSlice(list, staffOut), Next: next}, nil
}

func (s *server) GetStaff(ctx context.Context, r api.GetStaffRequestObject) (api.GetStaffResponseObject, error) {
	st, err := s.kernel.GetStaff(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetStaff200JSONResponse{Body: staffOut(st), Headers: api.GetStaff200ResponseHeaders{ETag: etag(st.Version)}}, nil
}

// UpdateStaff is a PATCH: a member left out of the body is left as it is,
// so presence is read from the body itself (active:false and personId:""
// are changes, which the generated type cannot tell from absence).
func (s *server) UpdateStaff(ctx context.Context, r api.UpdateStaffRequestObject) (api.UpdateStaffResponseObject, error) {
	b := r.Body
	var up casework.StaffUpdate
	if bodyHas(ctx, "name") {
		up.Name = &b.Name
	}
	if bodyHas(ctx, "roles") {
		up.Roles = append([]casework.Role{}, rolesIn(b.Roles)...)
	}
	if bodyHas(ctx, "areas") {
		up.Areas = append([]string{}, b.Areas...)
	}
	if bodyHas(ctx, "active") {
		up.Active = &b.Active
	}
	if bodyHas(ctx, "personId") {
		up.PersonID = &b.PersonId
	}
	actor := actorOf(ctx)
	st, err := versioned(r.Params.IfMatch, func(v int64) (casework.Staff, error) {
		return s.kernel.UpdateStaff(ctx, actor, r.Id, v, up)
	}, func() (int64, error) {
		st, err := s.kernel.GetStaff(ctx, actor, r.Id)
		return st.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateStaff200JSONResponse{Body: staffOut(st), Headers: api.UpdateStaff200ResponseHeaders{ETag: etag(st.Version)}}, nil
}

func (s *server) CreatePerson(ctx context.Context, r api.CreatePersonRequestObject) (api.CreatePersonResponseObject, error) {
	in := personIn(*r.Body)
	in.RequestKey = requestKey(r.Params.IdempotencyKey)
	p, err := s.kernel.CreatePerson(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreatePerson201JSONResponse{Body: personOut(p), Headers: api.CreatePerson201ResponseHeaders{ETag: etag(p.Version), Location: location(ctx, "/v1/persons/"+p.ID)}}, nil
}

func (s *server) FindPersons(ctx context.Context, r api.FindPersonsRequestObject) (api.FindPersonsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := casework.PersonQuery{DocNumber: deref(r.Params.DocNumber), Contact: deref(r.Params.Contact), Phone: deref(r.Params.Phone),
		Name: deref(r.Params.Name), Page: p}
	if r.Params.DocType != nil {
		q.DocType = casework.DocType(*r.Params.DocType)
	}
	list, next, err := s.kernel.FindPersons(ctx, actorOf(ctx), q)
	if err != nil {
		return nil, err
	}
	return api.FindPersons200JSONResponse{Items: mapSlice(list, personOut), Next: next}, nil
}

func (s *server) GetPerson(ctx context.Context, r api.GetPersonRequestObject) (api.GetPersonResponseObject, error) {
	p, err := s.kernel.GetPerson(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return personResponse{p: personOut(p), etag: etag(p.Version)}, nil
}

func (s *server) UpdatePerson(ctx context.Context, r api.UpdatePersonRequestObject) (api.UpdatePersonResponseObject, error) {
	actor := actorOf(ctx)
	p, err := versioned(r.Params.IfMatch, func(v int64) (casework.Person, error) {
		return s.kernel.UpdatePerson(ctx, actor, r.Id, v, personIn(*r.Body))
	}, func() (int64, error) {
		p, err := s.kernel.GetPerson(ctx, actor, r.Id)
		return p.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdatePerson200JSONResponse{Body: personOut(p), Headers: api.UpdatePerson200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (s *server) RevealPerson(ctx context.Context, r api.RevealPersonRequestObject) (api.RevealPersonResponseObject, error) {
	p, err := s.kernel.RevealPerson(ctx, actorOf(ctx), r.Id, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.RevealPerson200JSONResponse{Body: personOut(p), Headers: api.RevealPerson200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// MergePersons merges the body's person into the path's: If-Match is the
// survivor's version, the body carries the merged person's.
func (s *server) MergePersons(ctx context.Context, r api.MergePersonsRequestObject) (api.MergePersonsResponseObject, error) {
	actor := actorOf(ctx)
	m, err := versioned(r.Params.IfMatch, func(v int64) (casework.PersonMerge, error) {
		return s.kernel.MergePersons(ctx, actor, casework.PersonMergeInput{SurvivorID: r.Id, SurvivorVersion: v,
			MergedID: r.Body.MergedId, MergedVersion: r.Body.MergedVersion, Reason: r.Body.Reason})
	}, func() (int64, error) {
		p, err := s.kernel.GetPerson(ctx, actor, r.Id)
		return p.Version, err
	})
	if err != nil {
		return nil, err
	}
	moved := make(map[string]int64, len(m.Moved))
	for w, n := range m.Moved {
		moved[w] = int64(n)
	}
	return api.MergePersons200JSONResponse{Body: api.PersonMerge{Survivor: personOut(m.Survivor), Merged: personOut(m.Merged), Moved: moved},
		Headers: api.MergePersons200ResponseHeaders{ETag: etag(m.Survivor.Version)}}, nil
}

func (s *server) CreateAddress(ctx context.Context, r api.CreateAddressRequestObject) (api.CreateAddressResponseObject, error) {
	b := r.Body
	in := casework.AddressInput{UnitID: b.UnitId, Code: b.Code, Text: b.Text, Community: b.Community, RequestKey: requestKey(r.Params.IdempotencyKey)}
	a, err := s.kernel.CreateAddress(ctx, actorOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateAddress201JSONResponse{Body: addressOut(a), Headers: api.CreateAddress201ResponseHeaders{ETag: etag(a.Version), Location: location(ctx, "/v1/addresses/"+a.ID)}}, nil
}

func (s *server) GetAddress(ctx context.Context, r api.GetAddressRequestObject) (api.GetAddressResponseObject, error) {
	a, err := s.kernel.GetAddress(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.GetAddress200JSONResponse{Body: addressOut(a), Headers: api.GetAddress200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

func (s *server) UpdateRegistry(ctx context.Context, r api.UpdateRegistryRequestObject) (api.UpdateRegistryResponseObject, error) {
	actor := actorOf(ctx)
	a, err := versioned(r.Params.IfMatch, func(v int64) (casework.Address, error) {
		return s.kernel.UpdateRegistry(ctx, actor, r.Id, v, registryIn(*r.Body))
	}, func() (int64, error) {
		a, err := s.kernel.GetAddress(ctx, actor, r.Id)
		return a.Version, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateRegistry200JSONResponse{Body: addressOut(a), Headers: api.UpdateRegistry200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// PutAttachment streams the body to the kernel's blob store, which hashes
// it on the way. The type is sniffed from the bytes, never taken from the
// client: JPEG, PNG or PDF, anything else 415; more than
// MaxAttachmentBytes is 413.
func (s *server) PutAttachment(ctx context.Context, r api.PutAttachmentRequestObject) (api.PutAttachmentResponseObject, error) {
	if r.Body == nil {
		return nil, &httpError{kind: errBadRequest, detail: "the attachment's bytes are required"}
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(r.Body, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, requestError(err)
	}
	head = head[:n]
	mediaType := http.DetectContentType(head)
	if !attachmentTypes[mediaType] {
		return nil, &httpError{kind: errUnsupportedMedia, detail: "an attachment must be a JPEG, PNG or PDF file"}
	}
	body := &capReader{r: io.MultiReader(bytes.NewReader(head), r.Body), left: MaxAttachmentBytes}
	a, err := s.kernel.PutAttachment(ctx, actorOf(ctx), r.Params.Name, mediaType, body)
	if err != nil {
		return nil, err
	}
	return api.PutAttachment201JSONResponse{Body: api.Attachment{Name: a.Name, MediaType: a.MediaType, Size: a.Size, Sha256: a.SHA256},
		Headers: api.PutAttachment201ResponseHeaders{Location: location(ctx, "/v1/attachments/"+a.SHA256)}}, nil
}

// GetAttachment streams an attachment's bytes: reach and policy are the
// kernel's (OpenAttachment), a digest out of reach is 404 as one never
// stored. The stored media type is sent with nosniff, and as a download
// (Content-Disposition: attachment), so a browser never renders it in the
// API's origin.
func (s *server) GetAttachment(ctx context.Context, r api.GetAttachmentRequestObject) (api.GetAttachmentResponseObject, error) {
	a, rc, err := s.kernel.OpenAttachment(ctx, actorOf(ctx), r.Sha256)
	if err != nil {
		return nil, err
	}
	return attachmentDownload{a: a, body: rc, log: s.kernel.Logger()}, nil
}

func (s *server) RevokeShare(ctx context.Context, r api.RevokeShareRequestObject) (api.RevokeShareResponseObject, error) {
	sh, err := s.kernel.RevokeShare(ctx, actorOf(ctx), r.Id, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.RevokeShare200JSONResponse{Body: shareOut(sh), Headers: api.RevokeShare200ResponseHeaders{ETag: etag(sh.Version)}}, nil
}

func (s *server) ListAudit(ctx context.Context, r api.ListAuditRequestObject) (api.ListAuditResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	trail, err := s.history(ctx, r.Params.RecordType, r.Params.RecordId)
	if err != nil {
		return nil, err
	}
	entries, next, err := pageSorted(trail, p, func(e casework.AuditEntry) string { return fmt.Sprintf("%020d", e.Seq) })
	if err != nil {
		return nil, err
	}
	return api.ListAudit200JSONResponse{Items: mapSlice(entries, auditEntryOut), Next: next}, nil
}

// history is the audit trail of one record: a workflow's records through
// that workflow's History (which loads the record and checks the reader's
// reach), the kernel's own through Kernel.AuditTrail.
func (s *server) history(ctx context.Context, recordType, id string) ([]casework.AuditEntry, error) {
	actor := actorOf(ctx)
	switch recordType {
	case mediation.RecordType:
		return s.mediation.History(ctx, actor, id)
	case cases.RecordCase:
		return s.cases.History(ctx, actor, id)
	case recovery.RecordItem:
		return s.recovery.History(ctx, actor, id)
	case outreach.RecordVisit, outreach.RecordHazard, outreach.RecordAppointment, outreach.RecordCampaign, outreach.RecordPlanEntry:
		return s.outreach.History(ctx, actor, recordType, id)
	}
	return s.kernel.AuditTrail(ctx, actor, recordType, id)
}

func (s *server) VerifyAudit(ctx context.Context, r api.VerifyAuditRequestObject) (api.VerifyAuditResponseObject, error) {
	rep, err := s.kernel.VerifyAudit(ctx, actorOf(ctx))
	if err != nil {
		return nil, err
	}
	return api.VerifyAudit200JSONResponse(auditReportOut(rep)), nil
}

func (s *server) VerifyAuditAgainst(ctx context.Context, r api.VerifyAuditAgainstRequestObject) (api.VerifyAuditAgainstResponseObject, error) {
	cps, err := checkpointsIn(r.Body.Checkpoints)
	if err != nil {
		return nil, err
	}
	rep, err := s.kernel.VerifyAuditAgainst(ctx, actorOf(ctx), cps)
	if err != nil {
		return nil, err
	}
	return api.VerifyAuditAgainst200JSONResponse(auditReportOut(rep)), nil
}

func (s *server) ExportCheckpoints(ctx context.Context, r api.ExportCheckpointsRequestObject) (api.ExportCheckpointsResponseObject, error) {
	cps, err := s.kernel.ExportCheckpoints(ctx, actorOf(ctx))
	if err != nil {
		return nil, err
	}
	return api.ExportCheckpoints200JSONResponse{Items: mapSlice(cps, checkpointOut)}, nil
}

func (s *server) GetCheckpointKey(ctx context.Context, r api.GetCheckpointKeyRequestObject) (api.GetCheckpointKeyResponseObject, error) {
	id, key := s.kernel.CheckpointPublicKey()
	return api.GetCheckpointKey200JSONResponse{KeyId: id, PublicKey: key}, nil
}

func (s *server) ListDeadHandoffs(ctx context.Context, r api.ListDeadHandoffsRequestObject) (api.ListDeadHandoffsResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	list, next, err := s.kernel.DeadHandoffs(ctx, actorOf(ctx), p)
	if err != nil {
		return nil, err
	}
	items := make([]api.OutboxMessage, len(list))
	for i, m := range list {
		if items[i], err = outboxOut(m); err != nil {
			return nil, err
		}
	}
	return api.ListDeadHandoffs200JSONResponse{Items: items, Next: next}, nil
}

// ReplayHandoff takes the message's Replays count as its version: the
// ETag a dead hand-off is listed with.
func (s *server) ReplayHandoff(ctx context.Context, r api.ReplayHandoffRequestObject) (api.ReplayHandoffResponseObject, error) {
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	m, err := s.kernel.ReplayHandoff(ctx, actorOf(ctx), r.Id, int(version))
	if errors.Is(err, casework.ErrConflict) {
		// The replay count moved: someone replayed it since the read.
		return nil, &httpError{kind: casework.ErrConflict, stale: true, cause: err,
			detail: "the hand-off was replayed by someone else since it was read; read it again"}
	}
	if err != nil {
		return nil, err
	}
	out, err := outboxOut(m)
	if err != nil {
		return nil, err
	}
	return api.ReplayHandoff200JSONResponse{Body: out, Headers: api.ReplayHandoff200ResponseHeaders{ETag: etag(int64(m.Replays))}}, nil
}

// ListCodeLists answers every code list with its Chinese and English
// labels: reference data, the same for every actor.
func (s *server) ListCodeLists(ctx context.Context, r api.ListCodeListsRequestObject) (api.ListCodeListsResponseObject, error) {
	codes := s.kernel.Codes()
	names := codes.Names()
	out := make([]api.CodeList, len(names))
	for i, name := range names {
		out[i] = api.CodeList{Name: name, Codes: mapSlice(codes.List(name), func(c casework.Code) api.Code {
			return api.Code{Code: c.Value, Parent: c.Parent, Zh: c.ZH, En: c.EN}
		})}
	}
	return api.ListCodeLists200JSONResponse{Items: out}, nil
}

func unitOut(u casework.Unit) api.Unit {
	return api.Unit{Id: u.ID, Code: u.Code, Name: u.Name, Level: int(u.Level), ParentId: u.ParentID, Path: u.Path, Version: u.Version,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, ClosedAt: u.ClosedAt, ClosedInto: u.ClosedInto}
}

func rolesIn(roles []api.Role) []casework.Role {
	return mapSlice(roles, func(r api.Role) casework.Role { return casework.Role(r) })
}

func staffOut(s casework.Staff) api.Staff {
	return api.Staff{Id: s.ID, UnitId: s.UnitID, Name: s.Name, Roles: mapSlice(s.Roles, func(r casework.Role) api.Role { return api.Role(r) }),
		Areas: mapSlice(s.Areas, func(a string) string { return a }), PersonId: s.PersonID, Active: s.Active, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func personIn(b api.PersonInput) casework.PersonInput {
	return casework.PersonInput{UnitID: b.UnitId, Name: b.Name, Gender: casework.Gender(b.Gender), BirthDate: b.BirthDate, DocType: casework.DocType(b.DocType),
		DocNumber: b.DocNumber, Phone: b.Phone, Contacts: mapSlice(b.Contacts, contactIn), AddressID: b.AddressId, Address: b.Address,
		Tags:         mapSlice(b.Tags, func(t api.PersonTag) casework.Tag { return casework.Tag(t) }),
		Unidentified: b.Unidentified, Description: b.Description}
}

func personOut(p casework.Person) api.Person {
	var tags []api.PersonTag
	if len(p.Tags) > 0 {
		tags = mapSlice(p.Tags, func(t casework.Tag) api.PersonTag { return api.PersonTag(t) })
	}
	return api.Person{Id: p.ID, UnitId: p.UnitID, Name: p.Name, Gender: api.Gender(p.Gender), BirthDate: p.BirthDate, DocType: api.DocType(p.DocType),
		DocNumber: p.DocNumber, Phone: p.Phone, Contacts: mapSlice(p.Contacts, contactOut), AddressId: p.AddressID, Address: p.Address, Tags: tags, Unidentified: p.Unidentified,
		Description: p.Description, MergedInto: p.MergedInto, MergedAt: p.MergedAt, Revealed: p.Revealed, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func contactIn(c api.Contact) casework.Contact {
	return casework.Contact{Kind: casework.ContactKind(c.Kind), Value: c.Value}
}

func contactOut(c casework.Contact) api.Contact {
	return api.Contact{Kind: api.ContactKind(c.Kind), Value: c.Value}
}

func registryIn(b api.Registry) casework.Registry {
	r := casework.Registry{
		Residents: mapSlice(b.Residents, func(x api.Resident) casework.Resident {
			return casework.Resident{PersonID: x.PersonId, Relation: x.Relation, Since: x.Since}
		}),
		Organisations: mapSlice(b.Organisations, func(o api.Organisation) casework.Organisation {
			return casework.Organisation{Name: o.Name, Kind: o.Kind, Contact: o.Contact}
		}),
	}
	if b.Housing != (api.Housing{}) {
		r.Housing = &casework.Housing{Kind: b.Housing.Kind, Rooms: b.Housing.Rooms, OwnerID: b.Housing.OwnerId, Note: b.Housing.Note}
	}
	return r
}

func addressOut(a casework.Address) api.Address {
	out := api.Address{Id: a.ID, UnitId: a.UnitID, Code: a.Code, Text: a.Text, Community: a.Community, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if len(a.Residents) > 0 {
		out.Residents = mapSlice(a.Residents, func(x casework.Resident) api.Resident {
			return api.Resident{PersonId: x.PersonID, Relation: x.Relation, Since: x.Since}
		})
	}
	if len(a.Organisations) > 0 {
		out.Organisations = mapSlice(a.Organisations, func(o casework.Organisation) api.Organisation {
			return api.Organisation{Name: o.Name, Kind: o.Kind, Contact: o.Contact}
		})
	}
	if h := a.Housing; h != nil {
		out.Housing = api.Housing{Kind: h.Kind, Rooms: h.Rooms, OwnerId: h.OwnerID, Note: h.Note}
	}
	return out
}

func shareOut(s casework.Share) api.Share {
	return api.Share{Id: s.ID, RecordType: s.RecordType, RecordId: s.RecordID, OwnerUnitId: s.OwnerUnitID, UnitId: s.UnitID, GrantedBy: s.GrantedBy,
		Reason: s.Reason, CreatedAt: s.CreatedAt, RevokedAt: s.RevokedAt, RevokedBy: s.RevokedBy, RevokeReason: s.RevokeReason,
		ExpiresAt: s.ExpiresAt, Version: s.Version}
}

func auditEntryOut(e casework.AuditEntry) api.AuditEntry {
	return api.AuditEntry{Seq: e.Seq, Time: e.Time, ActorId: e.ActorID, UnitId: e.UnitID, Action: e.Action, RecordType: e.RecordType, RecordId: e.RecordID,
		RequestId: e.RequestID, PayloadDigest: hex.EncodeToString(e.PayloadDigest[:]), PrevHash: hex.EncodeToString(e.PrevHash[:]), Hash: hex.EncodeToString(e.Hash[:])}
}

func auditReportOut(r casework.AuditReport) api.AuditReport {
	out := api.AuditReport{Ok: r.OK, Entries: r.Entries, HeadSeq: r.Head.Seq, FirstBrokenSeq: r.FirstBrokenSeq, Reason: r.Reason, CheckpointsVerified: r.CheckpointsVerified}
	if r.Head.Seq > 0 {
		out.HeadHash = hex.EncodeToString(r.Head.Hash[:])
	}
	if r.CheckpointRange != nil {
		out.CheckpointRange = []int64{r.CheckpointRange[0], r.CheckpointRange[1]}
	}
	return out
}

func checkpointOut(c casework.Checkpoint) api.Checkpoint {
	return api.Checkpoint{Seq: c.Seq, Hash: hex.EncodeToString(c.Hash[:]), Time: c.Time, KeyId: c.KeyID, Signature: c.Signature}
}

// checkpointsIn reads checkpoints an auditor kept; a hash that is not 64
// hex digits is invalid input naming it.
func checkpointsIn(in []api.Checkpoint) ([]casework.Checkpoint, error) {
	out := make([]casework.Checkpoint, len(in))
	var bad []casework.FieldError
	for i, c := range in {
		out[i] = casework.Checkpoint{Seq: c.Seq, Time: c.Time, KeyID: c.KeyId, Signature: c.Signature}
		if h, err := hex.DecodeString(c.Hash); err != nil || len(h) != len(out[i].Hash) {
			bad = append(bad, casework.FieldError{Field: "/checkpoints/" + strconv.Itoa(i) + "/hash", Rule: "hexadecimal", Message: "must be 64 hex digits"})
		} else {
			copy(out[i].Hash[:], h)
		}
	}
	if bad != nil {
		return nil, &casework.InvalidError{Fields: bad}
	}
	return out, nil
}

// outboxOut leaves out the last delivery error: it is a receiver's own
// error text (a driver's message, perhaps), which goes to the log, never to
// a client.
func outboxOut(m casework.OutboxMessage) (api.OutboxMessage, error) {
	var payload map[string]any
	if len(m.Payload) > 0 {
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			return api.OutboxMessage{}, fmt.Errorf("hand-off %s: payload: %w", m.ID, err)
		}
	}
	return api.OutboxMessage{Id: m.ID, Kind: m.Kind, SourceKind: m.SourceKind, SourceId: m.SourceID, Step: m.Step, Payload: payload, CreatedAt: m.CreatedAt,
		Attempts: m.Attempts, LeaseOwner: m.LeaseOwner, LeaseUntil: m.LeaseUntil, NextAttempt: m.NextAttempt, DeliveredAt: m.DeliveredAt, ResultId: m.ResultID}, nil
}

package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"

	"github.com/grassroots-policing/grassroots/openapi/api"
)

// The operations of tag kernel: the kernel: units, staff, persons, addresses and the registry, attachments, shares, the audit log, dead hand-offs and code lists.

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
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	u, err := s.kernel.RenameUnit(ctx, actor, r.Id, version, r.Body.Name)
	if err != nil {
		return nil, withETag(err, func() (int64, error) {
			u, err := s.kernel.GetUnit(ctx, actor, r.Id)
			return u.Version, err
		})
	}
	return api.RenameUnit200JSONResponse{Body: unitOut(u), Headers: api.RenameUnit200ResponseHeaders{ETag: etag(u.Version)}}, nil
}

func (s *server) CreateStaff(ctx context.Context, r api.CreateStaffRequestObject) (api.CreateStaffResponseObject, error) {
	return nil, notImplemented("createStaff")
}

func (s *server) ListStaff(ctx context.Context, r api.ListStaffRequestObject) (api.ListStaffResponseObject, error) {
	return nil, notImplemented("listStaff")
}

func (s *server) GetStaff(ctx context.Context, r api.GetStaffRequestObject) (api.GetStaffResponseObject, error) {
	return nil, notImplemented("getStaff")
}

func (s *server) UpdateStaff(ctx context.Context, r api.UpdateStaffRequestObject) (api.UpdateStaffResponseObject, error) {
	return nil, notImplemented("updateStaff")
}

func (s *server) CreatePerson(ctx context.Context, r api.CreatePersonRequestObject) (api.CreatePersonResponseObject, error) {
	return nil, notImplemented("createPerson")
}

func (s *server) FindPersons(ctx context.Context, r api.FindPersonsRequestObject) (api.FindPersonsResponseObject, error) {
	return nil, notImplemented("findPersons")
}

func (s *server) GetPerson(ctx context.Context, r api.GetPersonRequestObject) (api.GetPersonResponseObject, error) {
	return nil, notImplemented("getPerson")
}

func (s *server) UpdatePerson(ctx context.Context, r api.UpdatePersonRequestObject) (api.UpdatePersonResponseObject, error) {
	return nil, notImplemented("updatePerson")
}

func (s *server) RevealPerson(ctx context.Context, r api.RevealPersonRequestObject) (api.RevealPersonResponseObject, error) {
	return nil, notImplemented("revealPerson")
}

func (s *server) CreateAddress(ctx context.Context, r api.CreateAddressRequestObject) (api.CreateAddressResponseObject, error) {
	return nil, notImplemented("createAddress")
}

func (s *server) GetAddress(ctx context.Context, r api.GetAddressRequestObject) (api.GetAddressResponseObject, error) {
	return nil, notImplemented("getAddress")
}

func (s *server) UpdateRegistry(ctx context.Context, r api.UpdateRegistryRequestObject) (api.UpdateRegistryResponseObject, error) {
	return nil, notImplemented("updateRegistry")
}

func (s *server) PutAttachment(ctx context.Context, r api.PutAttachmentRequestObject) (api.PutAttachmentResponseObject, error) {
	return nil, notImplemented("putAttachment")
}

func (s *server) GetAttachment(ctx context.Context, r api.GetAttachmentRequestObject) (api.GetAttachmentResponseObject, error) {
	return nil, notImplemented("getAttachment")
}

func (s *server) RevokeShare(ctx context.Context, r api.RevokeShareRequestObject) (api.RevokeShareResponseObject, error) {
	return nil, notImplemented("revokeShare")
}

func (s *server) ListAudit(ctx context.Context, r api.ListAuditRequestObject) (api.ListAuditResponseObject, error) {
	return nil, notImplemented("listAudit")
}

func (s *server) VerifyAudit(ctx context.Context, r api.VerifyAuditRequestObject) (api.VerifyAuditResponseObject, error) {
	return nil, notImplemented("verifyAudit")
}

func (s *server) VerifyAuditAgainst(ctx context.Context, r api.VerifyAuditAgainstRequestObject) (api.VerifyAuditAgainstResponseObject, error) {
	return nil, notImplemented("verifyAuditAgainst")
}

func (s *server) ExportCheckpoints(ctx context.Context, r api.ExportCheckpointsRequestObject) (api.ExportCheckpointsResponseObject, error) {
	return nil, notImplemented("exportCheckpoints")
}

func (s *server) GetCheckpointKey(ctx context.Context, r api.GetCheckpointKeyRequestObject) (api.GetCheckpointKeyResponseObject, error) {
	return nil, notImplemented("getCheckpointKey")
}

func (s *server) ListDeadHandoffs(ctx context.Context, r api.ListDeadHandoffsRequestObject) (api.ListDeadHandoffsResponseObject, error) {
	return nil, notImplemented("listDeadHandoffs")
}

func (s *server) ReplayHandoff(ctx context.Context, r api.ReplayHandoffRequestObject) (api.ReplayHandoffResponseObject, error) {
	return nil, notImplemented("replayHandoff")
}

func (s *server) ListCodeLists(ctx context.Context, r api.ListCodeListsRequestObject) (api.ListCodeListsResponseObject, error) {
	return nil, notImplemented("listCodeLists")
}

func unitOut(u casework.Unit) api.Unit {
	return api.Unit{Id: u.ID, Code: u.Code, Name: u.Name, Level: int(u.Level), ParentId: u.ParentID, Path: u.Path, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

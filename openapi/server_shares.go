package openapi

import (
	"context"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/openapi/api"
)

// ListSharesReceived pages the shares made to the actor's unit, the units
// above it and those below it (Kernel.ListSharesReceived).
func (s *server) ListSharesReceived(ctx context.Context, r api.ListSharesReceivedRequestObject) (api.ListSharesReceivedResponseObject, error) {
	p, err := page(r.Params.Limit, r.Params.Cursor)
	if err != nil {
		return nil, err
	}
	list, next, err := s.kernel.ListSharesReceived(ctx, actorOf(ctx), casework.SharesReceivedFilter{All: deref(r.Params.All)}, p)
	if err != nil {
		return nil, err
	}
	return api.ListSharesReceived200JSONResponse{Items: mapSlice(list, shareOut), Next: next}, nil
}

func (s *server) AttachToCase(ctx context.Context, r api.AttachToCaseRequestObject) (api.AttachToCaseResponseObject, error) {
	l, err := s.cases.Attach(ctx, actorOf(ctx), r.Id, attachmentIn(*r.Body))
	if err != nil {
		return nil, err
	}
	return api.AttachToCase201JSONResponse{Body: recordAttachmentOut(ctx, l), Headers: api.AttachToCase201ResponseHeaders{Location: attachmentLocation(ctx, l)}}, nil
}

func (s *server) ListCaseAttachments(ctx context.Context, r api.ListCaseAttachmentsRequestObject) (api.ListCaseAttachmentsResponseObject, error) {
	list, err := s.cases.Attachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListCaseAttachments200JSONResponse{Items: recordAttachmentsOut(ctx, list)}, nil
}

func (s *server) AttachToVisit(ctx context.Context, r api.AttachToVisitRequestObject) (api.AttachToVisitResponseObject, error) {
	l, err := s.outreach.AttachToVisit(ctx, actorOf(ctx), r.Id, attachmentIn(*r.Body))
	if err != nil {
		return nil, err
	}
	return api.AttachToVisit201JSONResponse{Body: recordAttachmentOut(ctx, l), Headers: api.AttachToVisit201ResponseHeaders{Location: attachmentLocation(ctx, l)}}, nil
}

func (s *server) ListVisitAttachments(ctx context.Context, r api.ListVisitAttachmentsRequestObject) (api.ListVisitAttachmentsResponseObject, error) {
	list, err := s.outreach.VisitAttachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListVisitAttachments200JSONResponse{Items: recordAttachmentsOut(ctx, list)}, nil
}

func (s *server) AttachToHazard(ctx context.Context, r api.AttachToHazardRequestObject) (api.AttachToHazardResponseObject, error) {
	l, err := s.outreach.AttachToHazard(ctx, actorOf(ctx), r.Id, attachmentIn(*r.Body))
	if err != nil {
		return nil, err
	}
	return api.AttachToHazard201JSONResponse{Body: recordAttachmentOut(ctx, l), Headers: api.AttachToHazard201ResponseHeaders{Location: attachmentLocation(ctx, l)}}, nil
}

func (s *server) ListHazardAttachments(ctx context.Context, r api.ListHazardAttachmentsRequestObject) (api.ListHazardAttachmentsResponseObject, error) {
	list, err := s.outreach.HazardAttachments(ctx, actorOf(ctx), r.Id)
	if err != nil {
		return nil, err
	}
	return api.ListHazardAttachments200JSONResponse{Items: recordAttachmentsOut(ctx, list)}, nil
}

// attachmentLocation is where a linked attachment's bytes are downloaded.
func attachmentLocation(ctx context.Context, l casework.RecordAttachment) string {
	return location(ctx, "/v1/attachments/"+l.SHA256)
}

func recordAttachmentOut(ctx context.Context, l casework.RecordAttachment) api.RecordAttachment {
	return api.RecordAttachment{RecordType: l.RecordType, RecordId: l.RecordID, OwnerUnitId: l.OwnerUnitID, Name: l.Name,
		MediaType: l.MediaType, Size: l.Size, Sha256: l.SHA256, AttachedBy: l.AttachedBy, AttachedAt: l.AttachedAt,
		Href: attachmentLocation(ctx, l)}
}

// recordAttachmentsOut is a record's attachment list, as its own list and
// as embedded in the record's read.
func recordAttachmentsOut(ctx context.Context, list []casework.RecordAttachment) []api.RecordAttachment {
	return mapSlice(list, func(l casework.RecordAttachment) api.RecordAttachment { return recordAttachmentOut(ctx, l) })
}
